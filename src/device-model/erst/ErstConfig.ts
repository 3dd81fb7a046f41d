import { EncodeError } from '../../binary';

/**
 * The ERST device of a machine (extended profile only): the size of its exchange buffer (the
 * largest record, QEMU's `record_size`, default 8 KiB) and how many records its persistent store
 * holds (QEMU: storage size / record size − the header slot; here a record count per VM).
 *
 * The fw_cfg blob `etc/erst` holds the device's memory, placed by the firmware (ALLOCATE) and
 * referenced from every ERST instruction entry (ADD_POINTER):
 *   0x0000  ACTION register (u64; the guest writes action codes, 32-bit accesses)
 *   0x0008  VALUE register (u64; arguments and results)
 *   0x1000  exchange buffer (recordSize bytes; the record being written or read)
 * The register page is trapped by the device model (an MMIO window over the allocated page); the
 * exchange buffer is ordinary memory owned by the device model that the guest may write.
 */
export interface ErstConfig {
  /** exchange buffer bytes = the largest record (power of two, 4 KiB … 64 KiB; default 8 KiB) */
  recordSize: number;
  /** records the store holds (1 … 4096; default 16) */
  capacity: number;
  /** refuse (FAILED) a record without the "CPER" signature (default true; QEMU does not check) */
  checkSignature: boolean;
}

/** What a VM spec may say: `false` (no ERST), `true`/absent (defaults), or the sizes and checks. */
export type ErstSpec = boolean | { recordSize?: number; capacity?: number; checkSignature?: boolean };

export const ERST_FILE = 'etc/erst';
export const ERST_REGISTERS_OFFSET = 0;
export const ERST_REGISTERS_SIZE = 16;
/** the register page (trapped as a whole: accesses beyond the two registers read 0, writes are ignored) */
export const ERST_REGISTER_PAGE = 0x1000;
export const ERST_EXCHANGE_OFFSET = 0x1000;
export const ERST_DEFAULT_RECORD_SIZE = 8192;
export const ERST_DEFAULT_CAPACITY = 16;
export const ERST_MAX_CAPACITY = 4096;

function invalid(path: string, message: string): never {
  throw new EncodeError({ code: 'invalid_input', path, message });
}

/**
 * The ERST configuration of a machine: for `extended`, on unless the spec says `false`; the QEMU
 * profiles have none (QEMU's acpi-erst is a PCI device of x86 machines; its virt machine has no ERST),
 * so asking for it there is refused rather than ignored.
 */
export function resolveErstConfig(profile: string, spec: ErstSpec | undefined): ErstConfig | undefined {
  if (profile !== 'extended') {
    if (spec === undefined || spec === false) return undefined;
    return invalid('erst', `profile ${profile} has no ERST (QEMU's virt machine offers none); use the extended profile`);
  }
  if (spec === false) return undefined;
  const o = spec === true || spec === undefined ? {} : spec;
  if (typeof o !== 'object' || o === null) return invalid('erst', 'must be true, false or { recordSize?, capacity? }');
  const recordSize = o.recordSize ?? ERST_DEFAULT_RECORD_SIZE;
  if (!Number.isInteger(recordSize) || recordSize < 4096 || recordSize > 65536 || (recordSize & (recordSize - 1)) !== 0) {
    invalid('erst/recordSize', `must be a power of two from 4096 to 65536 (QEMU's record_size rule), got ${JSON.stringify(o.recordSize)}`);
  }
  const capacity = o.capacity ?? ERST_DEFAULT_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > ERST_MAX_CAPACITY) {
    invalid('erst/capacity', `must be an integer from 1 to ${ERST_MAX_CAPACITY} records, got ${JSON.stringify(o.capacity)}`);
  }
  const checkSignature = o.checkSignature ?? true;
  if (typeof checkSignature !== 'boolean') invalid('erst/checkSignature', `must be true or false, got ${JSON.stringify(o.checkSignature)}`);
  return { recordSize, capacity, checkSignature };
}
