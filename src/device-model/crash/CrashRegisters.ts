import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';

/**
 * The crash-register ABI between the simulated guest and the VM (in the spirit of QEMU's pvpanic
 * device, but in guest RAM): on panic the guest kernel writes, into registers it owns,
 *
 *   +0  u32 magic "CRSH" (0x48535243) once a report is present
 *   +4  u32 reason code (CRASH_REASON)
 *   +8  u64 ESR of the exception that caused it (0 when none)
 *   +16 u64 guest address of the crash-message page
 *   +24 u32 length of the message text at the start of that page (≤ 4096)
 *   +28 u32 length of the status-block copy at page + 4096 (0 when none)
 *
 * The registers and the page are claimed by 'guest' with only 'guest' as writer; the device model
 * reads them with `readCrashReport` and can never write them.
 */
export const CRASH_MAGIC = 0x48535243;
export const CRASH_REGISTERS_SIZE = 32;
export const CRASH_MESSAGE_MAX = 4096;
/** a status block is at most 64 KiB in Linux's GHES buffer */
export const CRASH_RECORD_MAX = 65536;
export const CRASH_PAGE_SIZE = CRASH_MESSAGE_MAX + CRASH_RECORD_MAX;

export const CRASH_REASON = { 'ghes-fatal': 1, serror: 2, 'init-killed': 3, 'kernel-sea': 4 } as const;
export type CrashReasonName = keyof typeof CRASH_REASON;

export interface CrashReportData {
  reason: CrashReasonName | 'unknown';
  message: string;
  esr?: bigint;
  record?: Uint8Array;
}

/** Reads the guest's crash registers (device-model side: reads only). Null when no report is present. */
export function readCrashReport(memory: GuestMemory, registers: bigint): CrashReportData | null {
  try {
    if (memory.readU32(registers) !== CRASH_MAGIC) return null;
    const code = memory.readU32(registers + 4n);
    const esr = memory.readU64(registers + 8n);
    const page = memory.readU64(registers + 16n);
    const messageLength = Math.min(memory.readU32(registers + 24n), CRASH_MESSAGE_MAX);
    const recordLength = Math.min(memory.readU32(registers + 28n), CRASH_RECORD_MAX);
    const text = memory.read(page, messageLength);
    const reason = (Object.keys(CRASH_REASON) as CrashReasonName[]).find((k) => CRASH_REASON[k] === code) ?? 'unknown';
    const out: CrashReportData = { reason, message: new TextDecoder().decode(text) };
    if (esr !== 0n) out.esr = esr;
    if (recordLength > 0) out.record = memory.read(page + BigInt(CRASH_MESSAGE_MAX), recordLength);
    return out;
  } catch (e) {
    if (e instanceof GuestMemoryError) return null;
    throw e;
  }
}
