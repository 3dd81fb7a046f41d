import { EncodeError } from '../binary/errors';
import { ByteWriter } from '../binary/ByteWriter';

/**
 * Fixed-width name fields of ACPI tables (signature, OEM ID, OEM table ID, creator ID).
 *
 * ACPI does not say how a short name is padded: QEMU pads with spaces in its defaults ("BOCHS ",
 * "BXPC    ") but pads user-given short values with NUL since 2022 (QEMU issue #707). So a field is
 * read as its bytes with only the trailing NULs removed (a space stays a space, and a NUL in the
 * middle is kept), which makes decode → encode give the same bytes back.
 */

/** Padding used when a name is shorter than its field. */
export type NamePadding = 'nul' | 'space';

/** The field's bytes as Latin-1 text with trailing NULs removed. */
export function readNameField(bytes: Uint8Array, offset: number, width: number): string {
  let end = offset + width;
  while (end > offset && bytes[end - 1] === 0) end--;
  let s = '';
  for (let i = offset; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Writes `text` into a `width`-byte field, padded with NUL or spaces. Fails if too long or not 8-bit. */
export function writeNameField(w: ByteWriter, offset: number, text: string, width: number, padding: NamePadding, path: string): void {
  if (text.length > width || !/^[\x00-\xff]*$/.test(text)) {
    throw new EncodeError({ code: 'out_of_range', path, message: `${JSON.stringify(text)} does not fit a ${width}-byte name field` });
  }
  const bytes = new Uint8Array(width).fill(padding === 'space' ? 0x20 : 0);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  w.bytesAt(offset, bytes, path);
}

/** True for the bytes ACPICA prints as themselves (C `isprint`: 0x20–0x7E). */
export function isPrintable(byte: number): boolean {
  return byte >= 0x20 && byte <= 0x7e;
}
