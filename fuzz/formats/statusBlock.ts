import type { LengthField } from '../fields';
import { guidAt, sectionBodyFields } from './sectionBody';

/**
 * Length and count fields of a Generic Error Status Block (20-byte header, then Generic Error Data
 * Entries of 64 or 72 bytes each followed by their section body): block status (its bits 13:4 are
 * the entry count), raw data offset and length, data length, and per entry the revision (which
 * decides the header size) and the error data length, plus the fields inside each section body.
 */
export function statusBlockFields(bytes: Uint8Array, at = 0, end = bytes.length): LengthField[] {
  const out: LengthField[] = [];
  if (at + 20 > end) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  out.push({ offset: at + 0, width: 4, name: 'blockStatus' });
  out.push({ offset: at + 4, width: 4, name: 'rawDataOffset', base: at });
  out.push({ offset: at + 8, width: 4, name: 'rawDataLength', base: at + 20 });
  out.push({ offset: at + 12, width: 4, name: 'dataLength', base: at + 20 });
  const dataEnd = Math.min(end, at + 20 + view.getUint32(at + 12, true));
  let p = at + 20;
  for (let i = 0; p + 64 <= dataEnd; i++) {
    const revision = view.getUint16(p + 20, true);
    const header = revision >> 8 >= 3 ? 72 : 64;
    const length = view.getUint32(p + 24, true);
    out.push({ offset: p + 20, width: 2, name: `entries[${i}].revision` });
    out.push({ offset: p + 24, width: 4, name: `entries[${i}].errorDataLength`, base: p + header });
    const body = p + header;
    const bodyEnd = Math.min(dataEnd, body + length);
    out.push(...sectionBodyFields(bytes, guidAt(bytes, p), body, bodyEnd, `entries[${i}].section`));
    p = body + length;
  }
  return out;
}
