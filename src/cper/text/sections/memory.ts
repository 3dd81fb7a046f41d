import { FW_WARN, hex } from '../kernel-log';
import type { SectionContext } from './section-context';

/**
 * cper_print_mem: the Platform Memory Error section. 80 bytes since UEFI 2.3; Linux also accepts
 * the 73-byte UEFI 2.1/2.2 layout, but refuses to print one that claims fields beyond byte 73
 * (validation bit 15 or higher) with "[Firmware Warn]: valid bits set for fields beyond structure".
 * Fields are read only when their validation bit asks for them, so a 73-byte section is never
 * read past its end.
 */

/** sizeof(struct cper_sec_mem_err_old): the UEFI 2.1/2.2 layout */
export const MEM_ERR_OLD_SIZE = 73;
/** sizeof(struct cper_sec_mem_err) */
export const MEM_ERR_SIZE = 80;

/** validation bits (all in the low 32 bits of the u64, which is read as two u32 halves) */
const V = {
  errorStatus: 0x1,
  pa: 0x2,
  paMask: 0x4,
  node: 0x8,
  card: 0x10,
  module: 0x20,
  bank: 0x40,
  device: 0x80,
  row: 0x100,
  column: 0x200,
  bitPosition: 0x400,
  requestorId: 0x800,
  responderId: 0x1000,
  targetId: 0x2000,
  errorType: 0x4000,
  rankNumber: 0x8000,
  cardHandle: 0x10000,
  moduleHandle: 0x20000,
  rowExt: 0x40000,
  bankGroup: 0x80000,
  bankAddress: 0x100000,
  chipId: 0x200000,
} as const;

const MEM_ERR_TYPE = [
  'unknown', 'no error', 'single-bit ECC', 'multi-bit ECC', 'single-symbol chipkill ECC',
  'multi-symbol chipkill ECC', 'master abort', 'target abort', 'parity error', 'watchdog timeout',
  'invalid address', 'mirror Broken', 'memory sparing', 'scrub corrected error',
  'scrub uncorrected error', 'physical memory map-out event',
];

/** cper_mem_err_type_str */
export function memErrorTypeName(t: number): string {
  return t < MEM_ERR_TYPE.length ? MEM_ERR_TYPE[t] : 'unknown';
}

/** cper_mem_err_status_str: the error-status type code in bits 8..15. */
export function memErrorStatusText(status: bigint): string {
  switch (Number((status >> 8n) & 0xffn)) {
    case 1: return 'Error detected internal to the component';
    case 4: return 'Storage error in DRAM memory';
    case 5: return 'Storage error in TLB';
    case 6: return 'Storage error in cache';
    case 7: return 'Error in one or more functional units';
    case 8: return 'Component failed self test';
    case 9: return 'Overflow or undervalue of internal queue';
    case 16: return 'Error detected in the bus';
    case 17: return 'Virtual address not found on IO-TLB or IO-PDIR';
    case 18: return 'Improper access error';
    case 19: return 'Access to a memory address which is not mapped to any component';
    case 20: return 'Loss of Lockstep';
    case 21: return 'Response not associated with a request';
    case 22: return 'Bus parity error - must also set the A, C, or D Bits';
    case 23: return 'Detection of a protocol error';
    case 24: return 'Detection of a PATH_ERROR';
    case 25: return 'Bus operation timeout';
    case 26: return 'A read was issued to data that has been poisoned';
    default: return 'Reserved';
  }
}

export function printMemory(ctx: SectionContext): void {
  const { log, pfx, body: r, profile } = ctx;
  // the u64 validation bits as two u32 halves (no bigint per test); the same 8 bytes are required
  r.need(0, 8, 'validationBits');
  const valid = r.u32(0, 'validationBits');
  const validHigh = r.u32(4, 'validationBits');
  const has = (bit: number) => (valid & bit) !== 0;
  // `len` is an int parameter in Linux; only the exact legacy size triggers the distrust rule.
  if ((ctx.length | 0) === MEM_ERR_OLD_SIZE && (validHigh !== 0 || (valid & ~(V.rankNumber - 1)) !== 0)) {
    log.printLevel('err', `${FW_WARN}valid bits set for fields beyond structure`);
    return;
  }
  if (has(V.errorStatus)) {
    const status = r.u64(8, 'errorStatus');
    switch (profile.memoryErrorStatus) {
      case 'hex-only':
        log.print(pfx, `error_status: 0x${hex(status, 16)}`);
        break;
      case 'described-extra-space':
        log.print(pfx, ` error_status: ${memErrorStatusText(status)} (0x${hex(status, 16)})`);
        break;
      case 'described':
        log.print(pfx, `error_status: ${memErrorStatusText(status)} (0x${hex(status, 16)})`);
        break;
    }
  }
  if (has(V.pa)) log.print(pfx, `physical_address: 0x${hex(r.u64(16, 'physicalAddress'), 16)}`);
  if (has(V.paMask)) log.print(pfx, `physical_address_mask: 0x${hex(r.u64(24, 'physicalAddressMask'), 16)}`);

  // cper_mem_err_location: every valid location field, each followed by one space.
  let loc = '';
  if (has(V.node)) loc += `node:${r.u16(32, 'node')} `;
  if (has(V.card)) loc += `card:${r.u16(34, 'card')} `;
  if (has(V.module)) loc += `module:${r.u16(36, 'module')} `;
  if (has(V.rankNumber)) loc += `rank:${r.u16(74, 'rank')} `;
  if (has(V.bank)) loc += `bank:${r.u16(38, 'bank')} `;
  if (has(V.bankGroup)) loc += `bank_group:${r.u16(38, 'bank') >> 8} `;
  if (has(V.bankAddress)) loc += `bank_address:${r.u16(38, 'bank') & 0xff} `;
  if (has(V.device)) loc += `device:${r.u16(40, 'device')} `;
  if (has(V.row) || has(V.rowExt)) {
    // The row-extension bits (extended & 3) are bits 16..17 of the row, when their bit is valid.
    const ext = has(V.rowExt) ? (r.u8(73, 'extended') & 0x3) << 16 : 0;
    loc += `row:${r.u16(42, 'row') | ext} `;
  }
  if (has(V.column)) loc += `column:${r.u16(44, 'column')} `;
  if (has(V.bitPosition)) loc += `bit_position:${r.u16(46, 'bitPosition')} `;
  if (has(V.requestorId)) loc += `requestor_id:0x${hex(r.u64(48, 'requestorId'), 16)} `;
  if (has(V.responderId)) loc += `responder_id:0x${hex(r.u64(56, 'responderId'), 16)} `;
  if (has(V.targetId)) loc += `target_id:0x${hex(r.u64(64, 'targetId'), 16)} `;
  if (has(V.chipId)) loc += `chip_id:${r.u8(73, 'extended') >> 5} `;
  if (loc) log.print(pfx, loc);

  if (has(V.errorType)) {
    const t = r.u8(72, 'errorType');
    log.print(pfx, `error_type: ${t}, ${memErrorTypeName(t)}`);
  }
  // cper_dimm_err_location: the simulated guest has no SMBIOS memory-device table, so
  // dmi_memdev_name finds no bank/device names and Linux prints the raw handle.
  if (has(V.moduleHandle)) log.print(pfx, `DIMM location: not present. DMI handle: 0x${hex(r.u16(78, 'memDevHandle'), 4)} `);
}
