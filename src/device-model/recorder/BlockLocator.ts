import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';

/**
 * Finds a source's error status block and read-ack register the way QEMU's ghes.c does, from
 * what the firmware wrote back into the device model's writable fw_cfg file.
 *
 * - `hardware-errors-addr` (QEMU 7.2 and newest ≤ virt-10.1): the write-back file holds the
 *   guest address of `etc/hardware_errors`. The error status address register of source i is at
 *   that address + its offset inside the blob (8·i), the read-ack register at + 8·N + 8·i; the
 *   register's content is the block address. QEMU itself only ever had one source here (7.2 reads
 *   `start + 8·source_id`, newest ignores the id); the per-source offsets come from the layout the
 *   device model built, which gives QEMU's exact addresses for N = 1.
 * - `hest-addr` (newest, virt-10.2+): the write-back file holds the guest address of the HEST
 *   header. QEMU walks the GUEST's copy: count at +36, entries from +40, reads the entry's Error
 *   Status Address (entry + 24) → register → block, and the Read Ack Register address (entry + 68).
 *   QEMU steps 92 bytes and accepts only GHESv2 (type 10); we also step over GHES (type 9, 64
 *   bytes, no read-ack register) so the extended profile's GHES sources can be found. Any other
 *   type gives QEMU's "HEST: type %d not supported.".
 *
 * Every value read from guest memory is bounded: the entry walk never leaves the HEST length the
 * guest's header states, and any read outside guest RAM becomes a LocateFailure, not a crash.
 */
export type WriteBackMode = 'hardware-errors-addr' | 'hest-addr';

export interface LayoutSource {
  sourceId: number;
  /** GHESv2 has a read-ack register; GHES (type 9) does not */
  version: 'ghes' | 'ghesv2';
  /** offset of the error status address register inside etc/hardware_errors */
  addressRegisterOffset: number;
  /** offset of the read-ack register inside etc/hardware_errors (GHESv2) */
  readAckRegisterOffset?: number;
  /** bytes of the error status block */
  blockLength: number;
}

export interface LocatorConfig {
  mode: WriteBackMode;
  /** current value of the write-back fw_cfg file (0 until the firmware ran WRITE_POINTER) */
  writeBack: () => bigint;
  sources: LayoutSource[];
}

export interface LocatedBlock {
  sourceId: number;
  registerAddress: bigint;
  blockAddress: bigint;
  readAckAddress?: bigint;
}

export type LocateFailure = { code: 'not_booted' | 'no_such_source'; message: string };

const GHES_ENTRY = 64;
const GHESV2_ENTRY = 92;

export function locateBlock(memory: GuestMemory, cfg: LocatorConfig, sourceId: number): LocatedBlock | LocateFailure {
  const base = cfg.writeBack();
  if (base === 0n) {
    return { code: 'not_booted', message: 'the firmware has not written the error block addresses back (GHES absent)' };
  }
  try {
    if (cfg.mode === 'hardware-errors-addr') {
      const src = cfg.sources.find((s) => s.sourceId === sourceId);
      if (!src) return { code: 'no_such_source', message: `HEST: Source ${sourceId} not found.` };
      const registerAddress = base + BigInt(src.addressRegisterOffset);
      const blockAddress = memory.readU64(registerAddress);
      if (blockAddress === 0n) return { code: 'not_booted', message: 'can not find Generic Error Status Block' };
      const out: LocatedBlock = { sourceId, registerAddress, blockAddress };
      if (src.version === 'ghesv2' && src.readAckRegisterOffset !== undefined) out.readAckAddress = base + BigInt(src.readAckRegisterOffset);
      return out;
    }
    return walkGuestHest(memory, base, sourceId);
  } catch (e) {
    if (e instanceof GuestMemoryError) return { code: 'no_such_source', message: `HEST lookup failed: ${e.message}` };
    throw e;
  }
}

function walkGuestHest(memory: GuestMemory, hest: bigint, sourceId: number): LocatedBlock | LocateFailure {
  const tableLength = BigInt(memory.readU32(hest + 4n));
  const count = memory.readU32(hest + 36n);
  let entry = hest + 40n;
  const end = hest + tableLength;
  for (let i = 0; i < count; i++) {
    if (entry + 4n > end) break;
    const t = memory.readU16(entry);
    const size = t === 10 ? GHESV2_ENTRY : t === 9 ? GHES_ENTRY : 0;
    if (size === 0) return { code: 'no_such_source', message: `HEST: type ${t} not supported.` };
    if (entry + BigInt(size) > end) break;
    if (memory.readU16(entry + 2n) === sourceId) {
      const registerAddress = memory.readU64(entry + 24n);
      const blockAddress = memory.readU64(registerAddress);
      if (blockAddress === 0n) return { code: 'not_booted', message: 'can not find Generic Error Status Block' };
      const out: LocatedBlock = { sourceId, registerAddress, blockAddress };
      if (t === 10) out.readAckAddress = memory.readU64(entry + 68n);
      return out;
    }
    entry += BigInt(size);
  }
  return { code: 'no_such_source', message: `HEST: Source ${sourceId} not found.` };
}

export function isLocateFailure(x: LocatedBlock | LocateFailure): x is LocateFailure {
  return (x as LocateFailure).code !== undefined;
}
