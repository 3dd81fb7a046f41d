import { KernelLog, LinePrefix } from './kernel-log';

/**
 * Linux's print_hex_dump(level, "", DUMP_PREFIX_OFFSET, 16, 4, buf, len, ascii), the only form
 * cper.c uses, split in two: `hexDumpRow` is hex_dump_to_buffer for one row, `hexDumpLines` the
 * whole dump without the printk prefix.
 *
 * Row rules (lib/hexdump.c):
 * - 16 bytes per row; the row text is preceded by the offset as 8 lower-case hex digits and ": ".
 * - Bytes are shown in groups of 4 as one little-endian u32 each ("%8.8x"), separated by a space.
 * - A row whose length is not a multiple of 4 (only the last row can be) falls back to single
 *   bytes "xx xx xx" ("no mixed size output").
 * - With ASCII the hex part is padded with spaces up to column rowsize*2 + rowsize/groupsize + 1
 *   (37 for groups of 4, 49 when the row fell back to single bytes), then each byte is shown as
 *   itself when it is printable ASCII (0x20..0x7e) and as "." otherwise.
 * - A zero-length dump prints nothing.
 */

const ROW = 16;

function isPrintable(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

/** hex_dump_to_buffer(bytes[start, start+len), 16, 4, ascii) for one row (len ≤ 16). */
export function hexDumpRow(bytes: Uint8Array, start: number, len: number, ascii: boolean): string {
  const n = Math.min(len, ROW);
  const groupSize = n % 4 === 0 ? 4 : 1;
  let out = '';
  if (groupSize === 4) {
    for (let j = 0; j < n / 4; j++) {
      const o = start + j * 4;
      const v = (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
      out += (j ? ' ' : '') + v.toString(16).padStart(8, '0');
    }
  } else {
    const parts: string[] = [];
    for (let j = 0; j < n; j++) parts.push(bytes[start + j].toString(16).padStart(2, '0'));
    out = parts.join(' ');
  }
  if (!ascii || n === 0) return out;
  const asciiColumn = ROW * 2 + ROW / groupSize + 1;
  out = out.padEnd(asciiColumn, ' ');
  for (let j = 0; j < n; j++) {
    const b = bytes[start + j];
    out += isPrintable(b) ? String.fromCharCode(b) : '.';
  }
  return out;
}

/** The rows of a dump of `bytes[start, start+length)`, each `<offset>: <row>`, no printk prefix. */
export function hexDumpLines(bytes: Uint8Array, ascii: boolean, start = 0, length = bytes.length - start): string[] {
  if (start < 0 || length < 0 || start + length > bytes.length) {
    throw new RangeError(`hex dump of [${start}, ${start + length}) outside ${bytes.length} bytes`);
  }
  const lines: string[] = [];
  for (let i = 0; i < length; i += ROW) {
    lines.push(`${i.toString(16).padStart(8, '0')}: ${hexDumpRow(bytes, start + i, Math.min(ROW, length - i), ascii)}`);
  }
  return lines;
}

/**
 * print_hex_dump of `length` bytes at absolute `start` of `bytes`, bounded by `limit` (the end of
 * the bytes Linux holds for this record). Rows that lie entirely before `limit` are printed exactly
 * as Linux prints them; the dump stops at the first row that would read past `limit` (where Linux
 * would print whatever memory follows its buffer). Returns false when it had to stop early, so the
 * caller can print the closest Linux complaint.
 */
export function printHexDump(
  log: KernelLog,
  pfx: LinePrefix,
  bytes: Uint8Array,
  start: number,
  length: number,
  ascii: boolean,
  limit: number,
): boolean {
  for (let i = 0; i < length; i += ROW) {
    const n = Math.min(ROW, length - i);
    if (start + i < 0 || start + i + n > limit) return false;
    log.print(pfx, `${i.toString(16).padStart(8, '0')}: ${hexDumpRow(bytes, start + i, n, ascii)}`);
  }
  return true;
}
