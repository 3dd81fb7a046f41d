import { hex, KernelLog, LinePrefix } from '../kernel-log';
import { printHexDump } from '../hex-dump';
import { PROC_ERROR_TYPE } from './generic-processor';
import type { SectionContext } from './section-context';

/**
 * cper_print_proc_arm (drivers/firmware/efi/cper-arm.c): the ARM Processor Error section.
 *
 * Layout: a 40-byte header (validation u32, error-info count u16, context count u16, section
 * length u32, affinity level u8, 3 reserved, MPIDR u64 @16, MIDR u64 @24, running state u32 @32,
 * PSCI state u32 @36), then `count` 32-byte error-information entries, then register contexts (an
 * 8-byte header: version u16, register-context type u16, register array size u32; then the array),
 * then vendor-specific bytes.
 *
 * Linux's order: MIDR always; the section-length check; MPIDR / affinity / running state when
 * valid; each error-info entry (always 32 bytes apart; the entry's own length byte is not used);
 * each context, stepping by 8 + size (old) or that rounded up to 16 (6.14+), after checking it fits
 * in what the section length leaves; whatever remains as vendor bytes.
 *
 * Linux's integer quirks are kept: the remaining length `len` is a C int, the section length and
 * CPER size are printed with %d (negative above 2^31), a context's size wraps to an int.
 * Where Linux would read past the bytes it holds (a context header or register array beyond the
 * record) this printer stops with Linux's own "section length is too small" /
 * "firmware-generated error record is incorrect" pair instead of printing unknown memory.
 */

export const ARM_HEADER_SIZE = 40;
export const ARM_ERR_INFO_SIZE = 32;
export const ARM_CTX_HEADER_SIZE = 8;

const VALID_MPIDR = 0x1;
const VALID_AFFINITY_LEVEL = 0x2;
const VALID_RUNNING_STATE = 0x4;

const INFO_VALID_FLAGS = 0x2;
const INFO_VALID_ERR_INFO = 0x4;
const INFO_VALID_VIRT_ADDR = 0x8;
const INFO_VALID_PHYSICAL_ADDR = 0x10;

/** Error-info type bits (UEFI 2.9A/2.10 encoding, as current Linux and 6.1.y with backports). */
export const ARM_CACHE_ERROR = 0x02;
export const ARM_TLB_ERROR = 0x04;
export const ARM_BUS_ERROR = 0x08;
export const ARM_VENDOR_ERROR = 0x10;
/** CPER_ARM_ERR_TYPE_MASK: bits 1..4 */
const ARM_TYPE_MASK = 0x1e;

export const ARM_REG_CONTEXT_TYPES = [
  'AArch32 general purpose registers',
  'AArch32 EL1 context registers',
  'AArch32 EL2 context registers',
  'AArch32 secure context registers',
  'AArch64 general purpose registers',
  'AArch64 EL1 context registers',
  'AArch64 EL2 context registers',
  'AArch64 EL3 context registers',
  'Misc. system register structure',
];

const TRANSACTION_TYPE = ['Instruction', 'Data Access', 'Generic'];
const BUS_OP = [
  'Generic error (type cannot be determined)',
  'Generic read (type of instruction or data request cannot be determined)',
  'Generic write (type of instruction of data request cannot be determined)',
  'Data read',
  'Data write',
  'Instruction fetch',
  'Prefetch',
];
const CACHE_OP = [
  ...BUS_OP,
  'Eviction',
  'Snooping (processor initiated a cache snoop that resulted in an error)',
  'Snooped (processor raised a cache error caused by another processor or device snooping its cache)',
  'Management',
];
const TLB_OP = [
  ...BUS_OP,
  'Local management operation (processor initiated a TLB management operation that resulted in an error)',
  'External management operation (processor raised a TLB error caused by another processor or device broadcasting TLB operations)',
];
const PARTICIPATION_TYPE = ['Local processor originated request', 'Local processor responded to request', 'Local processor observed', 'Generic'];
const ADDRESS_SPACE = ['External Memory Access', 'Internal Memory Access', 'Unknown', 'Device Memory Access'];

/** `error_type` names: type bits 1..4 joined with "|" (cper_bits_to_str), empty when none. */
export function armErrorTypeNames(type: number): string {
  const bits = (type & ARM_TYPE_MASK) >> 1;
  return PROC_ERROR_TYPE.filter((_, i) => bits & (1 << i)).join('|');
}

function field(v: bigint, shift: number, mask: number): number {
  return Number((v >> BigInt(shift)) & BigInt(mask));
}

/**
 * cper_print_arm_err_info: decode of the 64-bit error_info word. Its low 12 bits say which of the
 * fields above bit 16 are valid. Vendor-type (bit 4) entries are not decoded at all; the bus-only
 * fields are printed only when the type is exactly "bus error".
 */
export function printArmErrorInfo(log: KernelLog, pfx: LinePrefix, type: number, info: bigint): void {
  if (type & ARM_VENDOR_ERROR) return;
  const valid = (bit: number) => (info & (1n << BigInt(bit))) !== 0n;
  if (valid(0)) {
    const t = field(info, 16, 0x3);
    if (t < TRANSACTION_TYPE.length) log.print(pfx, `transaction type: ${TRANSACTION_TYPE[t]}`);
  }
  if (valid(1)) {
    const op = field(info, 18, 0xf);
    if (type & ARM_CACHE_ERROR && op < CACHE_OP.length) log.print(pfx, `cache error, operation type: ${CACHE_OP[op]}`);
    if (type & ARM_TLB_ERROR && op < TLB_OP.length) log.print(pfx, `TLB error, operation type: ${TLB_OP[op]}`);
    if (type & ARM_BUS_ERROR && op < BUS_OP.length) log.print(pfx, `bus error, operation type: ${BUS_OP[op]}`);
  }
  if (valid(2)) {
    const level = field(info, 22, 0x7);
    if (type & ARM_CACHE_ERROR) log.print(pfx, `cache level: ${level}`);
    if (type & ARM_TLB_ERROR) log.print(pfx, `TLB level: ${level}`);
    if (type & ARM_BUS_ERROR) log.print(pfx, `affinity level at which the bus error occurred: ${level}`);
  }
  if (valid(3)) log.print(pfx, field(info, 25, 1) ? 'processor context corrupted' : 'processor context not corrupted');
  if (valid(4)) log.print(pfx, field(info, 26, 1) ? 'the error has been corrected' : 'the error has not been corrected');
  if (valid(5)) log.print(pfx, field(info, 27, 1) ? 'PC is precise' : 'PC is imprecise');
  if (valid(6) && field(info, 28, 1)) log.print(pfx, 'Program execution can be restarted reliably at the PC associated with the error.');
  if (type !== ARM_BUS_ERROR) return;
  if (valid(7)) log.print(pfx, `participation type: ${PARTICIPATION_TYPE[field(info, 29, 0x3)]}`);
  if (valid(8) && field(info, 31, 1)) log.print(pfx, 'request timed out');
  if (valid(9)) log.print(pfx, `address space: ${ADDRESS_SPACE[field(info, 32, 0x3)]}`);
  if (valid(10)) log.print(pfx, `memory access attributes:0x${field(info, 34, 0x1ff).toString(16)}`);
  if (valid(11)) log.print(pfx, field(info, 43, 1) ? 'access mode: normal' : 'access mode: secure');
}

export function printArm(ctx: SectionContext): void {
  const { log, pfx, body: r, length, profile } = ctx;
  const newpfx = pfx.deeper();
  const infopfx = newpfx.deeper();
  const validation = r.u32(0, 'validationBits');
  const errInfoNum = r.u16(4, 'errInfoNum');
  const contextInfoNum = r.u16(6, 'contextInfoNum');
  const sectionLength = r.u32(8, 'sectionLength');

  log.print(pfx, `MIDR: 0x${hex(r.u64(24, 'midr'), 16)}`);

  // size_t arithmetic truncated into an int.
  let len = (sectionLength - (ARM_HEADER_SIZE + errInfoNum * ARM_ERR_INFO_SIZE)) | 0;
  if (profile.armSectionLengthCheck === 'negative-or-beyond-section') {
    if (len < 0 || sectionLength > length) {
      log.print(pfx, `section length: ${sectionLength | 0}, CPER size: ${length | 0}`);
      log.print(pfx, `section length is too ${len < 0 ? 'small' : 'big'}`);
      log.print(pfx, 'firmware-generated error record is incorrect');
      log.print(pfx, `ERR_INFO_NUM is ${errInfoNum}`);
      return;
    }
  } else if (len < 0) {
    log.print(pfx, `section length: ${sectionLength | 0}`);
    log.print(pfx, 'section length is too small');
    log.print(pfx, 'firmware-generated error record is incorrect');
    log.print(pfx, `ERR_INFO_NUM is ${errInfoNum}`);
    return;
  }

  if (validation & VALID_MPIDR) log.print(pfx, `Multiprocessor Affinity Register (MPIDR): 0x${hex(r.u64(16, 'mpidr'), 16)}`);
  if (validation & VALID_AFFINITY_LEVEL) log.print(pfx, `error affinity level: ${r.u8(12, 'affinityLevel')}`);
  if (validation & VALID_RUNNING_STATE) {
    log.print(pfx, `running state: 0x${r.u32(32, 'runningState').toString(16)}`);
    log.print(pfx, `Power State Coordination Interface state: ${r.u32(36, 'psciState') | 0}`);
  }

  const tooSmall = () => {
    log.print(newpfx, 'section length is too small');
    log.print(pfx, 'firmware-generated error record is incorrect');
  };

  let pos = ARM_HEADER_SIZE;
  for (let i = 0; i < errInfoNum; i++, pos += ARM_ERR_INFO_SIZE) {
    log.print(pfx, `Error info structure ${i}:`);
    // Only reachable without the 2026 length check: the entry lies past the record.
    if (pos + ARM_ERR_INFO_SIZE > r.length) return tooSmall();
    const e = r.sub(pos, ARM_ERR_INFO_SIZE, `errorInfo[${i}]`);
    const valid = e.u16(2, 'validationBits');
    const type = e.u8(4, 'type');
    const flags = e.u8(7, 'flags');
    log.print(pfx, `num errors: ${e.u16(5, 'multipleError') + 1}`);
    if (valid & INFO_VALID_FLAGS) {
      if (flags & 0x1) log.print(newpfx, 'first error captured');
      if (flags & 0x2) log.print(newpfx, 'last error captured');
      if (flags & 0x4) log.print(newpfx, 'propagated error captured');
      if (flags & 0x8) log.print(newpfx, 'overflow occurred, error info is incomplete');
    }
    const reserved = type & ~ARM_TYPE_MASK ? ' with reserved bit(s)' : '';
    log.print(newpfx, `error_type: 0x${hex(type, 2)}: ${armErrorTypeNames(type)}${reserved}`);
    if (valid & INFO_VALID_ERR_INFO) {
      const info = e.u64(8, 'errorInfo');
      log.print(newpfx, `error_info: 0x${hex(info, 16)}`);
      printArmErrorInfo(log, infopfx, type, info);
    }
    if (valid & INFO_VALID_VIRT_ADDR) log.print(newpfx, `virtual fault address: 0x${hex(e.u64(16, 'virtualFaultAddress'), 16)}`);
    if (valid & INFO_VALID_PHYSICAL_ADDR) log.print(newpfx, `physical fault address: 0x${hex(e.u64(24, 'physicalFaultAddress'), 16)}`);
  }

  const end = r.start + r.length;
  for (let i = 0; i < contextInfoNum; i++) {
    log.print(pfx, `Context info structure ${i}:`);
    if (pos < 0 || pos + ARM_CTX_HEADER_SIZE > r.length) return tooSmall();
    const type = r.u16(pos + 2, `contextInfo[${i}].registerContextType`);
    const arraySize = r.u32(pos + 4, `contextInfo[${i}].registerArraySize`);
    const size = contextStride(arraySize, profile.armContextStep);
    if (len < size) return tooSmall();
    if (type > ARM_REG_CONTEXT_TYPES.length - 1) {
      log.print(newpfx, `Invalid context type: ${type} (max: ${ARM_REG_CONTEXT_TYPES.length - 1})`);
      return;
    }
    log.print(newpfx, `register context type: ${ARM_REG_CONTEXT_TYPES[type]}`);
    if (!printHexDump(log, newpfx, r.bytes, r.abs(pos + ARM_CTX_HEADER_SIZE), arraySize, false, end)) return tooSmall();
    len = (len - size) | 0;
    pos += size;
  }

  if (len > 0) {
    log.print(pfx, `Vendor specific error info has ${len} bytes:`);
    if (!printHexDump(log, newpfx, r.bytes, r.abs(pos), len, true, end)) tooSmall();
  }
}

/**
 * Distance from one context header to the next, as the C int Linux computes: 8 + size, or
 * ALIGN(8 + size, 16) since 6.14 (size_t arithmetic truncated to int, so a huge size wraps).
 */
export function contextStride(arraySize: number, step: 'header-plus-size' | 'aligned-16'): number {
  const raw = ARM_CTX_HEADER_SIZE + arraySize;
  if (step === 'header-plus-size') return raw | 0;
  return (raw + 15 - ((raw + 15) % 16)) | 0;
}
