import { isPrintable } from './ascii';
import { decodeTableHeader } from './TableHeader';
import { ByteReader } from '../binary/ByteReader';

/**
 * The line ACPICA prints for each table at boot (`AcpiTbPrintTableHeader`), without Linux's
 * `ACPI: ` prefix:
 *   `HEST 0x0000000043DA1000 000084 (v01 BOCHS  BXPC     00000001 BXPC 00000001)`
 *   `RSDP 0x0000000043DD0000 000024 (v02 BOCHS )`
 *   `FACS 0x… 000040`
 * Name fields stop at the first NUL and are padded with spaces (`%-6.6s`); other unprintable
 * bytes show as `?`.
 */
export function formatTableBanner(bytes: Uint8Array, address: bigint): string {
  const addr = '0x' + address.toString(16).toUpperCase().padStart(16, '0');
  const r = new ByteReader(bytes);
  const sig = fixName(bytes, 0, 4);
  if (bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === 'RSD PTR ') {
    const revision = r.u8(15, 'revision');
    const length = revision > 0 ? r.u32(20, 'length') : 20;
    return `RSDP ${addr} ${hex(length, 6)} (v${dec2(revision)} ${fixName(bytes, 9, 6).padEnd(6)})`;
  }
  if (sig === 'FACS') return `FACS ${addr} ${hex(r.u32(4, 'length'), 6)}`;
  const h = decodeTableHeader(r);
  return (
    `${sig.padEnd(4)} ${addr} ${hex(h.length, 6)} (v${dec2(h.revision)} ${fixName(bytes, 10, 6).padEnd(6)} ${fixName(bytes, 16, 8).padEnd(8)} ` +
    `${hex(h.oemRevision, 8)} ${fixName(bytes, 28, 4).padEnd(4)} ${hex(h.creatorRevision, 8)})`
  );
}

function fixName(bytes: Uint8Array, offset: number, width: number): string {
  let s = '';
  for (let i = offset; i < offset + width && i < bytes.length; i++) {
    if (bytes[i] === 0) break;
    s += isPrintable(bytes[i]) ? String.fromCharCode(bytes[i]) : '?';
  }
  return s;
}

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}

function dec2(n: number): string {
  return String(n).padStart(2, '0');
}
