import type { LengthField } from '../fields';

/**
 * ACPI tables: finding one inside QEMU's `etc/acpi/tables` blob, repairing its checksum after a
 * mutation, and the length and count fields of HEST (header length, error source count, and per
 * GHES/GHESv2 source the notification length, records to pre-allocate, max sections, max raw data
 * length, error status block length and the GAS access sizes).
 */
export function findTables(blob: Uint8Array): Array<{ signature: string; offset: number; length: number }> {
  const out: Array<{ signature: string; offset: number; length: number }> = [];
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  // QEMU packs the tables back to back from offset 0 (FACS aligned to 64), then pads with zeros.
  let p = 0;
  while (p + 36 <= blob.length) {
    const sig = String.fromCharCode(blob[p], blob[p + 1], blob[p + 2], blob[p + 3]);
    const length = view.getUint32(p + 4, true);
    if (!/^[A-Z0-9_]{4}$/.test(sig) || length < 36 || p + length > blob.length) {
      // skip alignment padding between tables
      p = (p + 4) & ~3;
      if (blob[p] === 0 && blob.subarray(p, Math.min(blob.length, p + 256)).every((b) => b === 0)) {
        const next = blob.findIndex((b, i) => i > p && b !== 0);
        if (next < 0) break;
        p = next;
      }
      continue;
    }
    out.push({ signature: sig, offset: p, length });
    p += length;
  }
  return out;
}

export function extractTable(blob: Uint8Array, signature: string): Uint8Array {
  const t = findTables(blob).find((x) => x.signature === signature);
  if (!t) throw new Error(`no ${signature} table in the blob`);
  return blob.slice(t.offset, t.offset + t.length);
}

/** Recomputes the ACPI checksum (byte 9) over min(header length, bytes present). */
export function fixAcpiChecksum(table: Uint8Array): void {
  if (table.length < 10) return;
  const declared = new DataView(table.buffer, table.byteOffset, table.byteLength).getUint32(4, true);
  const n = Math.min(declared, table.length);
  table[9] = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum = (sum + table[i]) & 0xff;
  table[9] = (0x100 - sum) & 0xff;
}

export function hestFields(table: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  if (table.length < 40) return out;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  out.push({ offset: 4, width: 4, name: 'header.length', base: 0 });
  out.push({ offset: 8, width: 1, name: 'header.revision' });
  out.push({ offset: 36, width: 4, name: 'errorSourceCount', base: 40 });
  const count = view.getUint32(36, true);
  let p = 40;
  for (let i = 0; i < count && p + 4 <= table.length; i++) {
    const type = view.getUint16(p, true);
    out.push({ offset: p, width: 2, name: `sources[${i}].type` });
    let size: number;
    if (type === 9 || type === 10) {
      size = type === 9 ? 64 : 92;
      const s = `sources[${i}]`;
      out.push({ offset: p + 4, width: 2, name: `${s}.relatedSourceId` });
      out.push({ offset: p + 8, width: 4, name: `${s}.numberOfRecordsToPreAllocate` });
      out.push({ offset: p + 12, width: 4, name: `${s}.maxSectionsPerRecord` });
      out.push({ offset: p + 16, width: 4, name: `${s}.maxRawDataLength` });
      out.push({ offset: p + 20 + 1, width: 1, name: `${s}.errorStatusAddress.bitWidth` });
      out.push({ offset: p + 20 + 3, width: 1, name: `${s}.errorStatusAddress.accessSize` });
      out.push({ offset: p + 32, width: 1, name: `${s}.notification.type` });
      out.push({ offset: p + 33, width: 1, name: `${s}.notification.length` });
      out.push({ offset: p + 60, width: 4, name: `${s}.errorStatusBlockLength` });
      if (type === 10) {
        out.push({ offset: p + 64 + 1, width: 1, name: `${s}.readAckRegister.bitWidth` });
        out.push({ offset: p + 64 + 2, width: 1, name: `${s}.readAckRegister.bitOffset` });
        out.push({ offset: p + 64 + 3, width: 1, name: `${s}.readAckRegister.accessSize` });
      }
    } else if (type === 0 || type === 1 || type === 11) {
      const banksAt = type === 0 ? 32 : 44;
      const headerSize = type === 0 ? 40 : 48;
      if (p + banksAt + 1 > table.length) break;
      out.push({ offset: p + banksAt, width: 1, name: `sources[${i}].numberOfHardwareBanks` });
      size = headerSize + 28 * table[p + banksAt];
    } else if (type === 2) size = 20;
    else if (type === 6) size = 48;
    else if (type === 7) size = 44;
    else if (type === 8) size = 56;
    else break;
    p += size;
  }
  return out;
}
