import { DecodeError, RasgwErrorCode, joinPath } from './errors';
import { Guid, guidFromBytes } from './guid';

/**
 * A bounded little-endian reader over a window `[start, end)` of a byte array. Every read checks
 * bounds first and fails with a DecodeError carrying the absolute byte offset and the field path.
 * Offsets passed to the read methods are relative to the window; `sub` narrows the window (for a
 * section body, an entry...) and extends the path, so errors deep inside a structure still name
 * the absolute offset in the outermost buffer.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  /** absolute index of the window start inside `bytes` */
  readonly start: number;
  /** number of bytes in the window */
  readonly length: number;
  /** path of the structure this window holds */
  readonly path: string;
  private readonly view: DataView;

  constructor(bytes: Uint8Array, start = 0, length = bytes.length - start, path = '', view?: DataView) {
    if (start < 0 || length < 0 || start + length > bytes.length) {
      throw new RangeError(`window [${start}, ${start + length}) outside ${bytes.length} bytes`);
    }
    this.bytes = bytes;
    this.start = start;
    this.length = length;
    this.path = path;
    this.view = view ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Absolute offset of a window-relative offset. */
  abs(offset: number): number {
    return this.start + offset;
  }

  /** Path of a field inside this window. */
  field(name: string | number): string {
    return joinPath(this.path, name);
  }

  /** Fails unless `[offset, offset+size)` lies inside the window. */
  need(offset: number, size: number, field: string | number = ''): void {
    if (!Number.isInteger(offset) || !Number.isInteger(size) || offset < 0 || size < 0 || offset + size > this.length) {
      const have = Math.max(0, this.length - Math.max(0, offset));
      throw new DecodeError({
        code: 'truncated',
        offset: this.start + Math.max(0, offset),
        path: this.field(field),
        message: `need ${size} byte(s) at window offset ${offset}, have ${have} (window is ${this.length} bytes)`,
      });
    }
  }

  /** Builds a DecodeError for a field of this window. */
  error(code: RasgwErrorCode, offset: number, field: string | number, message: string): DecodeError {
    return new DecodeError({ code, offset: this.start + offset, path: this.field(field), message });
  }

  u8(offset: number, field: string | number = ''): number {
    this.need(offset, 1, field);
    return this.bytes[this.start + offset];
  }

  u16(offset: number, field: string | number = ''): number {
    this.need(offset, 2, field);
    return this.view.getUint16(this.start + offset, true);
  }

  u32(offset: number, field: string | number = ''): number {
    this.need(offset, 4, field);
    return this.view.getUint32(this.start + offset, true);
  }

  u64(offset: number, field: string | number = ''): bigint {
    this.need(offset, 8, field);
    return this.view.getBigUint64(this.start + offset, true);
  }

  /** Big-endian reads, for fw_cfg DMA structures and the fw_cfg directory. */
  u16be(offset: number, field: string | number = ''): number {
    this.need(offset, 2, field);
    return this.view.getUint16(this.start + offset, false);
  }

  u32be(offset: number, field: string | number = ''): number {
    this.need(offset, 4, field);
    return this.view.getUint32(this.start + offset, false);
  }

  u64be(offset: number, field: string | number = ''): bigint {
    this.need(offset, 8, field);
    return this.view.getBigUint64(this.start + offset, false);
  }

  guid(offset: number, field: string | number = ''): Guid {
    this.need(offset, 16, field);
    return guidFromBytes(this.bytes, this.start + offset);
  }

  /** A copy of `length` bytes (copies, so later writes to the source do not change the result). */
  bytesAt(offset: number, length: number, field: string | number = ''): Uint8Array {
    this.need(offset, length, field);
    return this.bytes.slice(this.start + offset, this.start + offset + length);
  }

  /** Fixed-width ASCII field, cut at the first NUL. */
  ascii(offset: number, length: number, field: string | number = ''): string {
    this.need(offset, length, field);
    let s = '';
    for (let i = 0; i < length; i++) {
      const c = this.bytes[this.start + offset + i];
      if (c === 0) break;
      s += String.fromCharCode(c);
    }
    return s;
  }

  /** A reader over `[offset, offset+length)` of this window, with `name` appended to the path. */
  sub(offset: number, length: number, name: string | number = ''): ByteReader {
    this.need(offset, length, name);
    return new ByteReader(this.bytes, this.start + offset, length, this.field(name), this.view);
  }

  /** The window's bytes as a Buffer view (no copy), for binary-parser. */
  buffer(offset = 0, length = this.length - offset): Buffer {
    this.need(offset, length);
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.start + offset, length);
  }
}
