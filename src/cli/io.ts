import fs from 'fs';
import { jsonSyntaxError } from '../binary/jsonSyntaxError';
import { duplicateKeyMessage, findDuplicateKey } from '../binary/jsonDuplicateKey';
import path from 'path';
import tty from 'tty';
import { RasgwError } from '../binary/errors';

/**
 * File inputs and outputs of the CLI, bounded and explicit:
 * - every input is refused before it is read whole when it is larger than the input limit
 *   (default 16 MiB, far above any real status block, CPER record, fw_cfg blob or acpidump;
 *   `--max-input SIZE` raises it): a regular file by its size, a device or pipe (/dev/zero,
 *   stdin) after reading limit + 1 bytes, never more;
 * - a binary input that is hex text ("0300 0000 …", "03000000…") is refused with a message that
 *   says so, unless `--hex` asks for it to be read as hex;
 * - bytes are never written to a terminal (refused with the `-o FILE` hint), text is;
 * - failures are one line (CliError, exit status 1), never a V8 message ("Cannot create a string
 *   longer than …", "Array buffer allocation failed") or a stack.
 */
export const DEFAULT_INPUT_LIMIT = 16 * 1024 * 1024;

let inputLimit = DEFAULT_INPUT_LIMIT;

/** Sets the limit for this run (from `--max-input`). */
export function setInputLimit(bytes: number): void {
  inputLimit = bytes;
}

export function getInputLimit(): number {
  return inputLimit;
}

/** "16M", "512K", "2G", "100000" (bytes; K/M/G are powers of 1024). */
export function parseSize(text: string, name = '--max-input'): number {
  const m = /^([0-9]{1,15})([KMG]i?B?|B)?$/i.exec(text.trim() === text ? text : '');
  if (!m) throw new CliError(`${name}: expected a size in bytes such as 16M, 512K, 2G or 100000, got ${JSON.stringify(text)}`);
  const unit = (m[2] ?? '').charAt(0).toUpperCase();
  const n = Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(n) || n < 1) throw new CliError(`${name}: ${JSON.stringify(text)} is out of range`);
  return n;
}

/** The human form of a byte count: 16 MiB, 1.5 GiB, 300 bytes. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [v, u] = n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${u}`;
}

/** The --max-input value to suggest for an input of `bytes`: a K/M/G size that holds it. */
function suggestedLimit(bytes: number): string {
  for (const [unit, scale] of [['K', 1024], ['M', 1024 ** 2], ['G', 1024 ** 3]] as const) {
    const n = Math.ceil(bytes / scale);
    if (n < 1024 || unit === 'G') return `${n}${unit}`;
  }
  return String(bytes);
}

function tooLarge(what: string, size: string, limit: number, bytes = limit * 4): CliError {
  return new CliError(`${what} is ${size}, over the input limit of ${formatSize(limit)}; if that is really what you mean, raise it with --max-input (e.g. --max-input ${suggestedLimit(bytes)})`);
}

const display = (file: string) => (file === '-' ? 'standard input' : file);

/**
 * Reads a whole file (`-`: standard input) within the input limit, with one-line errors. A
 * regular file is checked by its size first; anything else is read in chunks until the limit.
 */
export function readBounded(file: string, limit = inputLimit): Buffer {
  let fd: number;
  const stdin = file === '-';
  try {
    fd = stdin ? 0 : fs.openSync(file, 'r');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${fsReason(e)}`);
  }
  try {
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch (e) {
      throw new CliError(`cannot read ${display(file)}: ${fsReason(e)}`);
    }
    if (st.isDirectory()) throw new CliError(`${file} is a folder, not a file`);
    if (st.isFile()) {
      if (st.size > limit) throw tooLarge(display(file), formatSize(st.size), limit, Math.max(st.size, limit * 4));
      if (!stdin) return readFd(fd, file, st.size, limit);
    }
    return readFd(fd, file, undefined, limit);
  } finally {
    if (!stdin) fs.closeSync(fd);
  }
}

function readFd(fd: number, file: string, expected: number | undefined, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunkSize = Math.min(limit + 1, expected !== undefined ? Math.max(expected, 1) : 1 << 16);
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(chunkSize, limit + 1 - total) || 1);
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking stdin with no data yet
      if (code === 'EOF') break;
      throw new CliError(`cannot read ${display(file)}: ${fsReason(e)}`);
    }
    if (n === 0) break;
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    total += n;
    if (total > limit) throw tooLarge(display(file), `more than ${formatSize(limit)}`, limit);
  }
  return Buffer.concat(chunks, total);
}

function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return err.code ?? err.message;
  }
}

/** Reads a file argument; `-` means standard input. Bounded by the input limit. */
export function readInput(file: string): Buffer {
  return readBounded(file);
}

const HEX_TEXT = /^(?:0x)?[0-9a-fA-F]{2}(?:[\s:,]*(?:0x)?[0-9a-fA-F]{2})*\s*$/;

/** Whether the bytes are hex text (hex digit pairs, optionally separated by spaces, newlines, `:` or `,`). */
export function looksLikeHexText(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b > 0x7e || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  }
  return HEX_TEXT.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
}

/**
 * Whether the bytes are JSON text: an object or array opening after optional whitespace, and no
 * control byte but tab/newline/return anywhere. A status block or CPER record always has zero
 * bytes (length and count fields are far below 2^24), so it cannot pass for JSON text.
 */
export function looksLikeJsonText(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] !== 0x7b && bytes[i] !== 0x5b) return false;
  for (let j = i; j < bytes.length; j++) {
    const b = bytes[j];
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}

/** The bytes hex text stands for (same syntax as looksLikeHexText). */
export function parseHexText(text: string, file: string): Uint8Array {
  const t = text.replace(/^\uFEFF/, '');
  if (!HEX_TEXT.test(t)) {
    const bad = /[^\s:,0-9a-fA-Fx]/.exec(t);
    throw new CliError(`${display(file)} is not hex text${bad ? ` (${JSON.stringify(bad[0])} at character ${bad.index})` : ' (an odd number of hex digits, or a stray x)'}: expected pairs of hex digits, optionally separated by spaces, newlines, ':' or ','`);
  }
  const digits = t.replace(/0x/g, '').replace(/[\s:,]/g, '');
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

/**
 * Reads a binary input (status block, CPER record). Hex text is refused with a clear message
 * unless `hex` is set, in which case the input must be hex text and its bytes are returned.
 */
export function readBinaryInput(file: string, opts: { hex?: boolean; what?: string } = {}): Uint8Array {
  // bytes cannot be typed: waiting for them on a terminal would look like a hang (hex text can be pasted)
  if (file === '-' && !opts.hex && tty.isatty(0)) {
    throw new CliError(`standard input is a terminal, and ${opts.what ?? 'binary data'} cannot be typed: name the file, pipe it in (- < FILE), or paste hex text with --hex`);
  }
  const data = readBounded(file);
  // an empty file is named as such, not decoded as a truncated block or sent to be refused
  if (data.length === 0) throw new CliError(`${display(file)} is empty: expected ${opts.what ?? 'binary data'}${opts.hex ? ' as hex text' : ''}`);
  if (opts.hex) return parseHexText(data.toString('latin1'), file);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (looksLikeHexText(bytes)) {
    throw new CliError(`${display(file)} is hex text, not ${opts.what ?? 'binary data'} (it starts ${JSON.stringify(data.subarray(0, 16).toString('latin1'))}); add --hex to read it as hex, or convert it with xxd -r -p`);
  }
  if (looksLikeJsonText(bytes)) {
    throw new CliError(`${display(file)} is JSON text, not ${opts.what ?? 'binary data'} (it starts ${JSON.stringify(data.subarray(0, 16).toString('latin1'))}); make the bytes with rasgw encode FILE.json -o FILE, or give the JSON where JSON is taken (rasgw inject --cper, rasgw simulate --inject)`);
  }
  return bytes;
}

/**
 * Reads and parses a JSON input (bounded; a leading byte order mark is skipped), with a one-line
 * error naming the file and the line, column and byte where the JSON goes wrong.
 */
export function readJsonInput(file: string): unknown {
  return parseJsonText(readBounded(file).toString('utf8'), display(file));
}

/** JSON.parse with the place of a syntax error (src/binary/jsonSyntaxError.ts) instead of V8's message. */
export function parseJsonText(text: string, what: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const where = jsonSyntaxError(text);
    throw new CliError(`invalid_input: ${what} is not JSON: ${where ? where.message : (e as Error).message}`);
  }
  refuseDuplicateKeys(text, what);
  return value;
}

/** A key given twice in one object is refused with its place (JSON.parse would keep the last value silently). */
export function refuseDuplicateKeys(text: string, what: string): void {
  const dup = findDuplicateKey(text);
  if (dup) throw new CliError(`invalid_input: ${what}, line ${dup.line}, column ${dup.column} (${dup.pointer}): ${duplicateKeyMessage(dup)}`);
}

/**
 * Checks every file of a folder against the input limit before anything reads them (dump
 * --fwcfg hands the folder to the fw_cfg loader, which reads each file whole).
 */
export function checkFolderInputs(dir: string, limit = inputLimit): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new CliError(`cannot read folder ${dir}: ${fsReason(e)}`);
  }
  for (const n of names) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path.join(dir, n));
    } catch {
      continue;
    }
    if (st.isFile() && st.size > limit) throw tooLarge(path.join(dir, n), formatSize(st.size), limit, Math.max(st.size, limit * 4));
  }
}

/** Writes bytes or text to a file, or to stdout when no file is named. */
export function writeOutput(data: Uint8Array | string, file?: string, fileOption = '-o FILE'): void {
  if (file && file !== '-') {
    try {
      fs.writeFileSync(file, data);
    } catch (e) {
      throw new CliError(`cannot write ${file}: ${fsReason(e)}`);
    }
    return;
  }
  if (typeof data !== 'string' && process.stdout.isTTY) {
    throw new CliError(`refusing to write ${data.length} bytes of binary data to the terminal; name a file with ${fileOption}, or pipe the output (| xxd)`);
  }
  process.stdout.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/** Error thrown by a command for bad usage or input: printed as one line, exit status 1 (or `exitCode`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** V8 and Node messages that must never reach a user as they are. */
const ENGINE_LIMITS = /Cannot create a string longer than|Invalid string length|Array buffer allocation failed|Invalid typed array length|Maximum call stack size exceeded/;

/** One line for a failure: `error: truncated at byte 20 (0x14) [entries[0]]: ...`. */
export function describeError(e: unknown): string {
  if (e instanceof RasgwError) return `error: ${e.message}`;
  if (e instanceof CliError) return `error: ${e.message}`;
  const message = e instanceof Error ? e.message : String(e);
  if (ENGINE_LIMITS.test(message)) return 'error: the input or output is too large to handle in memory; use a smaller input (see --max-input)';
  return `error: ${message}`;
}

/** `--max-input SIZE`, for every command that reads files (applied by main.ts before the action). */
export const MAX_INPUT_FLAGS = '--max-input <size>';
export const MAX_INPUT_HELP = `largest input file read (default ${formatSize(DEFAULT_INPUT_LIMIT)}; K, M, G suffixes)`;
