import { toJsonValue } from '../../binary/u64';
import { inspectHest } from '../../hest/Hest';
import { decodeRsdp } from '../Rsdp';
import { decodeRootTable } from '../RootTable';
import { decodeTableHeader, verifyTableChecksum } from '../TableHeader';
import { safely } from '../../binary/errors';
import { toHex } from '../../binary/hexdump';
import { decodeErst, erstToJson } from '../Erst';

/**
 * The JSON form of a table (u64 values as "0x…" strings, enumerations as {value, name}):
 * - RSDP: its fields; XSDT/RSDT: `{ header, entries }`;
 * - HEST: `{ header, errorSourceCount, sources: [...], violations: [...] }` from the strict
 *   decoder, so a malformed table still shows what could be read plus every violation;
 * - other tables: `{ header, body: "<hex>" }`.
 * Every form carries `checksumValid` (RSDP: both checksums). Malformed headers give
 * `{ error: { code, offset, path, message } }` instead of throwing.
 */
export function tableToJson(bytes: Uint8Array): unknown {
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === 'RSD PTR ') {
    const checked = safely(() => decodeRsdp(bytes));
    if (checked.success) return toJsonValue({ ...checked.data.toJSON(), checksumValid: true });
    const loose = safely(() => decodeRsdp(bytes, 0, { verifyChecksums: false }));
    if (loose.success) return toJsonValue({ ...loose.data.toJSON(), checksumValid: false, error: checked.error.toJSON() });
    return { error: loose.error.toJSON() };
  }
  const header = safely(() => decodeTableHeader(bytes));
  if (!header.success) return { error: header.error.toJSON() };
  const h = header.data;
  const checksum = safely(() => verifyTableChecksum(bytes));
  const checksumValid = checksum.success ? checksum.data.ok : false;
  if (h.signature === 'HEST') {
    const ins = inspectHest(bytes, { verifyChecksum: false });
    return toJsonValue({
      header: h.toJSON(),
      checksumValid,
      errorSourceCount: ins.errorSourceCount,
      sources: ins.sources.map((s, i) => ({ offset: ins.offsets[i], ...s.toJSON() })),
      violations: ins.violations.map((v) => v.toJSON()),
    });
  }
  if (h.signature === 'ERST') {
    // ERST: the decoded serialization header and entries, or the decoder's error with its offset
    const erst = safely(() => decodeErst(bytes));
    if (erst.success) return toJsonValue({ ...erstToJson(erst.data), checksumValid });
    return toJsonValue({ header: h.toJSON(), checksumValid, error: erst.error.toJSON() });
  }
  if (h.signature === 'XSDT' || h.signature === 'RSDT') {
    const root = safely(() => decodeRootTable(bytes));
    if (!root.success) return toJsonValue({ header: h.toJSON(), checksumValid, error: root.error.toJSON() });
    return toJsonValue({ header: h.toJSON(), checksumValid, entries: root.data.entries });
  }
  const end = Math.min(h.length, bytes.length);
  return toJsonValue({ header: h.toJSON(), checksumValid, body: toHex(bytes.subarray(36, Math.max(36, end))) });
}
