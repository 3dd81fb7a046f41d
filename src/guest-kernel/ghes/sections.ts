import { guidFromBytes } from '../../binary/guid';
import { estatusSections } from '../../cper/text/estatus-check';

/**
 * Reading what GHES's section handling (ghes_do_proc) needs from a record that passed
 * cper_estatus_check, always bounded by the bytes present: where Linux would read past its buffer
 * the value is treated as absent instead.
 */
export const MEMORY_GUID = 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1';
export const ARM_GUID = 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0';

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

export function sectionViews(record: Uint8Array): SectionView[] {
  const dv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  return estatusSections(record).map((s) => ({
    guid: guidFromBytes(record, s.offset),
    severity: dv.getUint32(s.offset + 16, true),
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
  return new DataView(record.buffer, record.byteOffset, record.byteLength).getBigUint64(offset, true);
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
