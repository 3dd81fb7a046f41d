import { guidFromBytes, NULL_GUID } from '../binary/guid';
import type { FixedText } from './sections/section-body-fields';

/**
 * Reads of GUID and text fields for the hot decode paths, from a byte array at an absolute offset
 * that the caller has already bounds-checked (one check per structure instead of one per field).
 */

function allZero(b: Uint8Array, at: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[at + i] !== 0) return false;
  return true;
}

/** A GUID field; the all-zero GUID (the usual "not given" value) without building a string. */
export function guidAt(b: Uint8Array, at: number): string {
  return allZero(b, at, 16) ? NULL_GUID : guidFromBytes(b, at);
}

/**
 * A 20-byte FRU text field in the shared FixedText form: the characters up to the first NUL, plus
 * the raw bytes as hex when that text alone would not give the same bytes back (same result as
 * readFixedText in section-body-fields.ts, without copying the bytes first).
 */
export function fixedTextAt(b: Uint8Array, at: number, length: number): FixedText {
  if (b[at] === 0 && allZero(b, at, length)) return { text: '' };
  let end = 0;
  while (end < length && b[at + end] !== 0) end++;
  let text = '';
  let clean = true;
  for (let i = 0; i < end; i++) {
    const c = b[at + i];
    if (c > 0x7f) clean = false;
    text += String.fromCharCode(c);
  }
  if (clean && !allZero(b, at + end, length - end)) clean = false;
  if (clean) return { text };
  let raw = '';
  for (let i = 0; i < length; i++) raw += (b[at + i] < 16 ? '0' : '') + b[at + i].toString(16);
  return { text, raw };
}
