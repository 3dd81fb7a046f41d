import { DecodeError } from '../binary/errors';
import { isPrintable } from './ascii';
import { signatureOf } from './TableSet';

/**
 * The text format of ACPICA's `acpidump`, read by `acpixtract`. Per table:
 *
 *     HEST @ 0x0000000043DA1000
 *         0000: 48 45 53 54 84 00 00 00 01 E2 42 4F 43 48 53 20  HEST......BOCHS 
 *         …
 *         0080: 00 00 00 00                                      ....
 *     (blank line)
 *
 * The header line is `%4.4s @ 0x%8.8X%8.8X`. Each row is ACPICA's `AcpiUtDumpBuffer`: the offset
 * as `%8.4X: ` (four leading spaces, at least four upper-case hex digits), 16 bytes as `%02X `
 * (three spaces stand in for each missing byte of the last row), one space, then the bytes as
 * ASCII with `.` for anything outside 0x20–0x7E, and no trailing spaces. The RSDP is printed as
 * `RSDP @ …` (acpixtract turns a `RSD ` prefix into `RSDP` anyway).
 */
export interface AcpidumpTable {
  /** defaults to the signature in the bytes (`RSDP` for an RSDP) */
  signature?: string;
  address: bigint;
  bytes: Uint8Array;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

/** Text of `tables` exactly as `acpidump` prints it. */
export function formatAcpidump(tables: AcpidumpTable[]): string {
  const parts: string[] = [];
  for (const t of tables) {
    const sig = (t.signature ?? signatureOf(t.bytes)).slice(0, 4).padEnd(4, ' ');
    parts.push(`${sig} @ 0x${t.address.toString(16).toUpperCase().padStart(16, '0')}\n`);
    parts.push(dumpRows(t.bytes));
    parts.push('\n');
  }
  return parts.join('');
}

/** ACPICA's byte dump: rows of 16 bytes with the offset and an ASCII column. */
export function dumpRows(bytes: Uint8Array, indentWidth = 8, asciiPrefix = ' '): string {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    let line = i.toString(16).toUpperCase().padStart(4, '0').padStart(indentWidth, ' ') + ': ';
    for (let j = 0; j < 16; j++) line += i + j < bytes.length ? HEX[bytes[i + j]] + ' ' : '   ';
    line += asciiPrefix;
    for (let j = 0; j < 16 && i + j < bytes.length; j++) {
      const c = bytes[i + j];
      line += isPrintable(c) ? String.fromCharCode(c) : '.';
    }
    out.push(line + '\n');
  }
  return out.join('');
}

/** A table read back from acpidump text. */
export interface ParsedAcpidumpTable {
  /** `RSDP` for the RSDP whatever the header line said (`RSD PTR`, `RSD `) */
  signature: string;
  address: bigint;
  bytes: Uint8Array;
  /** 0 for the first table with this signature, 1 for the second (SSDT instances)… */
  instance: number;
  /** 1-based line number of the `SIG @ address` line */
  line: number;
}

const HEADER_LINE = /^(\S{1,4}|RSD PTR ?)\s*@\s*(0[xX][0-9a-fA-F]{1,16}|\(nil\))\s*$/;
const DATA_LINE = /^\s+([0-9a-fA-F]{1,8}):(.*)$/;

/**
 * Reads acpidump text (ours, ACPICA's acpidump on Linux or Windows, older pmtools dumps). Accepted
 * variants: `RSD PTR @ …` / `RSD  @ …` for the RSDP, any number of SSDT (or other) instances,
 * lower- or upper-case hex, 2- or 4-space row indent, rows with or without the ASCII column, short
 * addresses (`0xf6a80`) and `(nil)`. Lines before the first header (banners) are ignored. Like
 * acpixtract, the hex part of a row ends at the first double space; each row's offset must equal
 * the number of bytes read so far, and a row holds at most 16 bytes of two hex digits each. Errors
 * are DecodeErrors with code `invalid_input`, the character offset of the line and path
 * `lines[<n>]` (1-based line number).
 */
export function parseAcpidump(text: string): ParsedAcpidumpTable[] {
  const out: ParsedAcpidumpTable[] = [];
  const counts = new Map<string, number>();
  let current: { sig: string; address: bigint; line: number; chunks: number[] } | undefined;
  let pos = 0;
  const lines = text.split('\n');
  const finish = () => {
    if (!current) return;
    const n = counts.get(current.sig) ?? 0;
    counts.set(current.sig, n + 1);
    out.push({ signature: current.sig, address: current.address, bytes: Uint8Array.from(current.chunks), instance: n, line: current.line });
    current = undefined;
  };
  lines.forEach((raw, idx) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = idx + 1;
    const fail = (message: string): never => {
      throw new DecodeError({ code: 'invalid_input', offset: pos, path: `lines[${lineNo}]`, message });
    };
    const data = current ? DATA_LINE.exec(line) : null;
    if (current && data) {
      const offset = parseInt(data[1], 16);
      if (offset !== current.chunks.length) fail(`row offset 0x${data[1]} does not follow the ${current.chunks.length} byte(s) read so far for ${current.sig}`);
      const body = data[2].replace(/^ /, '');
      const end = body.indexOf('  ');
      const hexPart = (end === -1 ? body : body.slice(0, end)).trim();
      const tokens = hexPart === '' ? [] : hexPart.split(' ');
      if (tokens.length === 0 || tokens.length > 16) fail(`a row holds 1 to 16 bytes, found ${tokens.length}`);
      for (const tok of tokens) {
        if (!/^[0-9a-fA-F]{2}$/.test(tok)) fail(`${JSON.stringify(tok)} is not a hex byte`);
        current.chunks.push(parseInt(tok, 16));
      }
    } else if (line.trim() === '') {
      finish();
    } else if (/^\S/.test(line)) {
      const h = HEADER_LINE.exec(line);
      if (h) {
        finish();
        const sig = /^RSD/.test(h[1]) && (h[1] === 'RSDP' || h[1].startsWith('RSD ') || h[1] === 'RSD') ? 'RSDP' : h[1];
        current = { sig, address: h[2] === '(nil)' ? 0n : BigInt(h[2].toLowerCase()), line: lineNo, chunks: [] };
      } else if (current) {
        fail(`expected a data row or a blank line inside ${current.sig}, found ${JSON.stringify(line.slice(0, 40))}`);
      }
    } else if (current) {
      fail(`malformed data row ${JSON.stringify(line.slice(0, 40))}`);
    }
    pos += raw.length + 1;
  });
  finish();
  return out;
}
