import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError, joinPath } from '../../binary/errors';
import { fromHex, toHex } from '../../binary/hexdump';

/**
 * Byte runs and fixed-width text of the CPER layouts: opaque byte runs (capability structures,
 * register arrays, logs, reserved blocks, trailing slack) are lower-case hex strings in the model
 * as well as in JSON, so a decoded model turned into JSON with `toJsonValue` (bigints → "0x…") is
 * directly the JSON form; counts and lengths are checked against the bytes present before they
 * size a read.
 */

/** Lower-case hex text of a byte run. */
export type HexString = string;

/** Number of bytes a hex string stands for (the string is assumed valid). */
export function hexByteLength(hex: HexString): number {
  return hex.replace(/[\s:]/g, '').length >>> 1;
}

/**
 * Zod input for a byte run given as hex (spaces and colons allowed), normalised to lower-case
 * hex without separators. `length` fixes the byte count; `multipleOf` requires a multiple.
 */
export function hexField(length?: number, multipleOf?: number) {
  return z.string().transform((s, ctx): HexString => {
    const clean = s.replace(/[\s:]/g, '').toLowerCase();
    if (!/^([0-9a-f]{2})*$/.test(clean)) {
      ctx.addIssue({ code: 'custom', message: 'expected bytes as a hex string with an even number of digits' });
      return z.NEVER;
    }
    const n = clean.length / 2;
    if (length !== undefined && n !== length) {
      ctx.addIssue({ code: 'custom', message: `expected exactly ${length} bytes, got ${n}` });
      return z.NEVER;
    }
    if (multipleOf !== undefined && n % multipleOf !== 0) {
      ctx.addIssue({ code: 'custom', message: `expected a multiple of ${multipleOf} bytes, got ${n}` });
      return z.NEVER;
    }
    return clean;
  });
}

/** All-zero hex of `length` bytes (the default of a reserved block or an absent opaque field). */
export function zeroHex(length: number): HexString {
  return '00'.repeat(length);
}

/** Reads `length` bytes at `offset` as hex (bounds checked first; Node's hex encoder does the work). */
export function readHex(r: ByteReader, offset: number, length: number, field: string): HexString {
  r.need(offset, length, field);
  return Buffer.from(r.bytes.buffer, r.bytes.byteOffset + r.start + offset, length).toString('hex');
}

const PLAIN_HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of a hex string: the plain form decodes natively; separators fall back to `fromHex`. */
function hexBytes(hex: HexString): Uint8Array {
  return PLAIN_HEX.test(hex) ? Buffer.from(hex, 'hex') : fromHex(hex);
}

/**
 * Writes a hex byte run at `offset`. With `length`, the run must be exactly that long (a model
 * built by hand in code is checked here, since it never went through the zod schema). Returns
 * the number of bytes written.
 */
export function writeHex(w: ByteWriter, offset: number, hex: HexString, path: string, length?: number): number {
  // Plain hex that fits goes straight into the output; anything else takes the checking path below.
  const written = w.tryHex(offset, hex, length);
  if (written >= 0) return written;
  let bytes: Uint8Array;
  try {
    bytes = hexBytes(hex);
  } catch {
    throw new EncodeError({ code: 'bad_value', offset, path, message: 'not a hex byte string' });
  }
  if (length !== undefined && bytes.length !== length) {
    throw new EncodeError({ code: 'bad_length', offset, path, message: `expected ${length} bytes, got ${bytes.length}` });
  }
  w.bytesAt(offset, bytes, path);
  return bytes.length;
}

/**
 * `writeHex` with the field path given as parent + field, joined only when the write fails (the
 * hot encoders call this once per opaque field, so the usual success builds no path string).
 */
export function writeHexField(w: ByteWriter, offset: number, hex: HexString, parent: string, field: string, length?: number): number {
  const written = w.tryHex(offset, hex, length);
  return written >= 0 ? written : writeHex(w, offset, hex, joinPath(parent, field), length);
}

/** Bytes of the body after `offset` as hex, or undefined when the body ends there. */
export function readTrailing(r: ByteReader, offset: number): HexString | undefined {
  return offset < r.length ? readHex(r, offset, r.length - offset, 'trailing') : undefined;
}

/** Checks that a count-sized run of items fits before a loop over it is started. */
export function checkCount(r: ByteReader, countOffset: number, field: string, count: number, itemSize: number, start: number): void {
  const need = count * itemSize;
  if (start + need > r.length) {
    throw r.error(
      'bad_count',
      countOffset,
      field,
      `${count} item(s) of ${itemSize} bytes from body offset ${start} need ${need} bytes, the body has ${Math.max(0, r.length - start)}`,
    );
  }
}

/** Checks that a length field fits the body before the bytes it covers are read. */
export function checkLength(r: ByteReader, lengthOffset: number, field: string, start: number, length: number): void {
  if (start + length > r.length) {
    throw r.error(
      'bad_length',
      lengthOffset,
      field,
      `${length} byte(s) from body offset ${start} run past the ${r.length}-byte body`,
    );
  }
}

/** A fixed-width ASCII text field that re-encodes byte for byte. */
export interface FixedText {
  /** characters up to the first NUL */
  text: string;
  /**
   * the whole field as hex, present only when `text` alone would not give the same bytes back
   * (bytes after the NUL are not all zero, or a byte is not 7-bit ASCII); it wins on encode
   */
  raw?: HexString;
}

export function readFixedText(r: ByteReader, offset: number, length: number, field: string): FixedText {
  r.need(offset, length, field);
  const bytes = r.bytes.subarray(r.start + offset, r.start + offset + length);
  let end = bytes.indexOf(0);
  if (end < 0) end = length;
  let text = '';
  let clean = true;
  for (let i = 0; i < end; i++) {
    if (bytes[i] > 0x7f) clean = false;
    text += String.fromCharCode(bytes[i]);
  }
  for (let i = end; i < length; i++) if (bytes[i] !== 0) clean = false;
  return clean ? { text } : { text, raw: toHex(bytes) };
}

export function writeFixedText(w: ByteWriter, offset: number, value: FixedText, length: number, path: string): void {
  if (value.raw !== undefined) writeHex(w, offset, value.raw, `${path}.raw`, length);
  else w.ascii(offset, value.text, length, `${path}.text`);
}

/** Input for a fixed text field: a plain string, or `{ text, raw? }` as decoded. */
export function fixedTextField(length: number) {
  return z.union([z.string(), z.strictObject({ text: z.string(), raw: hexField(length).optional() })]).transform((v, ctx): FixedText => {
    const t: FixedText = typeof v === 'string' ? { text: v } : v.raw === undefined ? { text: v.text } : { text: v.text, raw: v.raw };
    if (t.raw === undefined && (t.text.length > length || !/^[\x01-\x7f]*$/.test(t.text))) {
      ctx.addIssue({ code: 'custom', message: `expected at most ${length} ASCII characters without NUL` });
      return z.NEVER;
    }
    return t;
  });
}

/** u64 from 32-bit halves. */
export function u64FromHalves(low: number, high: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}
