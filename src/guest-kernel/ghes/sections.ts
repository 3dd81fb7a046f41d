import { guidFromBytes } from '../../binary/guid';
import { EstatusSectionRef, estatusSections } from '../../cper/text/estatus-check';

/**
 * Reading what GHES's section handling (ghes_do_proc) needs from a record that passed
 * cper_estatus_check, always bounded by the bytes present: where Linux would read past its buffer
 * the value is treated as absent instead.
 */
export const MEMORY_GUID = 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1';
export const ARM_GUID = 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0';
export const PCIE_GUID = 'd995e954-bbc1-430f-ad91-b44dcb3c6f35';
export const CXL_PROTOCOL_GUID = '80b9efb4-52b5-4de3-a777-68784b771048';
/** CXL General Media, DRAM and Memory Module event sections (cxl_cper_post_event) */
export const CXL_EVENT_GUIDS: ReadonlySet<string> = new Set([
  'fbcd0a77-c260-417f-85a9-088b1621eba6',
  '601dcbb3-9c06-4eab-b8af-4e9bfb5c9624',
  'fe927475-dd59-4339-a586-79bab113b774',
]);

/** CPER_PCIE_VALID_DEVICE_ID, CPER_PCIE_VALID_AER_INFO */
export const PCIE_VALID_DEVICE_ID = 0x8n;
export const PCIE_VALID_AER_INFO = 0x80n;

/** CPER_SEC_ERROR_THRESHOLD_EXCEEDED in the entry's flags byte */
export const SECTION_FLAG_THRESHOLD_EXCEEDED = 0x8;
/** CPER_MEM_VALID_PA */
export const MEM_VALID_PA = 0x2n;
/** CPER_ARM_INFO_VALID_PHYSICAL_ADDR */
export const ARM_INFO_VALID_PA = 0x10;
/** CPER_ARM_CACHE_ERROR bit of the error-information type (UEFI 2.9A/2.10 bit mask) */
export const ARM_TYPE_CACHE = 0x02;

export interface SectionView {
  guid: string;
  severity: number;
  flags: number;
  /** absolute offset of the body inside the record */
  payloadOffset: number;
  errorDataLength: number;
}

/** The sections of a checked record; `refs` is its estatusSections walk when the caller has it. */
export function sectionViews(record: Uint8Array, refs: readonly EstatusSectionRef[] = estatusSections(record)): SectionView[] {
  return refs.map((s) => ({
    guid: guidFromBytes(record, s.offset),
    severity: u32At(record, s.offset + 16),
    flags: record[s.offset + 23],
    payloadOffset: s.payloadOffset,
    errorDataLength: s.errorDataLength,
  }));
}

/** The bytes of a section body actually present in the record (never past its end). */
export function payloadEnd(record: Uint8Array, s: SectionView): number {
  return Math.min(record.length, s.payloadOffset + s.errorDataLength);
}

export function u64At(record: Uint8Array, offset: number): bigint {
  if (!(offset >= 0 && offset + 8 <= record.length)) throw new RangeError(`the u64 at ${offset} is outside the ${record.length}-byte record`);
  const lo = u32At(record, offset);
  const hi = u32At(record, offset + 4);
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Little-endian u32 at `offset`, bytes past the record read as 0 (see the file comment). */
export function u32AtOrZero(record: Uint8Array, offset: number): number {
  let v = 0;
  for (let i = 3; i >= 0; i--) v = v * 256 + (offset + i >= 0 && offset + i < record.length ? record[offset + i] : 0);
  return v;
}

/** Little-endian u64 at `offset`, bytes past the record read as 0. */
export function u64AtOrZero(record: Uint8Array, offset: number): bigint {
  return (BigInt(u32AtOrZero(record, offset + 4)) << 32n) | BigInt(u32AtOrZero(record, offset));
}

/** Little-endian u32 at `offset` (inside the record). */
export function u32At(record: Uint8Array, offset: number): number {
  return (record[offset] | (record[offset + 1] << 8) | (record[offset + 2] << 16) | (record[offset + 3] << 24)) >>> 0;
}

export function u16At(record: Uint8Array, offset: number): number {
  return record[offset] | (record[offset + 1] << 8);
}

/** Names of an ARM error-information type byte (bits 1..4), as GHES's warning prints them. */
export function armTypeNames(type: number): string {
  const names: string[] = [];
  if (type & 0x02) names.push('cache error');
  if (type & 0x04) names.push('TLB error');
  if (type & 0x08) names.push('bus error');
  if (type & 0x10) names.push('micro-architectural error');
  let s = names.join('|');
  if (type & 0xe1) s += ' with reserved bit(s)';
  return s;
}
