import type { LengthField } from '../fields';
import { guidAt, sectionBodyFields } from './sectionBody';

/**
 * CPER record (UEFI Appendix N): the 128-byte header, 72-byte section descriptors, then the bodies.
 * `cperRecordFields` lists its length and count fields; `cperRecordFromStatusBlock` turns the
 * entries of a Generic Error Status Block into a record with the same sections, so the record
 * decoder gets seeds made from the real captures.
 */
export function cperRecordFields(bytes: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  if (bytes.length < 128) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  out.push({ offset: 4, width: 2, name: 'revision' });
  out.push({ offset: 10, width: 2, name: 'sectionCount', base: 128 });
  out.push({ offset: 20, width: 4, name: 'recordLength', base: 0 });
  const count = view.getUint16(10, true);
  for (let i = 0; i < count && 128 + 72 * (i + 1) <= bytes.length; i++) {
    const d = 128 + 72 * i;
    const offset = view.getUint32(d, true);
    const length = view.getUint32(d + 4, true);
    out.push({ offset: d, width: 4, name: `sections[${i}].sectionOffset`, base: 0 });
    out.push({ offset: d + 4, width: 4, name: `sections[${i}].sectionLength`, base: Math.min(offset, bytes.length) });
    if (offset + length <= bytes.length) out.push(...sectionBodyFields(bytes, guidAt(bytes, d + 16), offset, offset + length, `sections[${i}].body`));
  }
  return out;
}

/** CREATOR: an arbitrary fixed GUID naming this fuzzer as the record's creator. */
const CREATOR_ID = [0x5a, 0x5a, 0x67, 0x72, 0x73, 0x61, 0x77, 0x67, 0x66, 0x75, 0x7a, 0x7a, 0x73, 0x65, 0x65, 0x64];

/** A CPER record holding the sections of a status block (revision 0x0101, timestamp valid). */
export function cperRecordFromStatusBlock(gesb: Uint8Array, notificationTypeGuidBytes: Uint8Array): Uint8Array {
  const view = new DataView(gesb.buffer, gesb.byteOffset, gesb.byteLength);
  const sections: Array<{ guid: Uint8Array; severity: number; flags: number; fru: Uint8Array; fruText: Uint8Array; validation: number; body: Uint8Array }> = [];
  const dataEnd = Math.min(gesb.length, 20 + view.getUint32(12, true));
  let p = 20;
  while (p + 64 <= dataEnd) {
    const header = view.getUint16(p + 20, true) >> 8 >= 3 ? 72 : 64;
    const length = view.getUint32(p + 24, true);
    if (p + header + length > dataEnd) break;
    sections.push({
      guid: gesb.slice(p, p + 16),
      severity: view.getUint32(p + 16, true),
      validation: gesb[p + 22] & 0x03,
      flags: gesb[p + 23],
      fru: gesb.slice(p + 28, p + 44),
      fruText: gesb.slice(p + 44, p + 64),
      body: gesb.slice(p + header, p + header + length),
    });
    p += header + length;
  }
  const headerEnd = 128 + 72 * sections.length;
  const total = headerEnd + sections.reduce((s, x) => s + x.body.length, 0);
  const out = new Uint8Array(total);
  const w = new DataView(out.buffer);
  out.set([0x43, 0x50, 0x45, 0x52], 0); // "CPER"
  w.setUint16(4, 0x0101, true);
  w.setUint32(6, 0xffffffff, true);
  w.setUint16(10, sections.length, true);
  w.setUint32(12, view.getUint32(16, true), true);
  w.setUint32(16, 0x2, true); // timestamp valid
  w.setUint32(20, total, true);
  out.set([0x12, 0x30, 0x08, 0x01, 0x15, 0x03, 0x26, 0x20], 24); // 2026-03-15 08:30:12, precise
  out.set(CREATOR_ID, 64);
  out.set(notificationTypeGuidBytes, 80);
  w.setBigUint64(96, 1n, true);
  w.setUint32(104, 0x4, true); // simulated
  let body = headerEnd;
  sections.forEach((s, i) => {
    const d = 128 + 72 * i;
    w.setUint32(d, body, true);
    w.setUint32(d + 4, s.body.length, true);
    w.setUint16(d + 8, 0x0100, true);
    out[d + 10] = s.validation;
    w.setUint32(d + 12, s.flags, true);
    out.set(s.guid, d + 16);
    out.set(s.fru, d + 32);
    w.setUint32(d + 48, s.severity, true);
    out.set(s.fruText, d + 52);
    out.set(s.body, body);
    body += s.body.length;
  });
  return out;
}

export function cperRecordSectionGuids(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint16(10, true);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(guidAt(bytes, 128 + 72 * i + 16));
  return out;
}
