import { EncodeError, joinPath } from './errors';
import { guidToBytes, GUID_PATTERN } from './guid';

/**
 * Writes little-endian fields into one pre-sized buffer at explicit offsets (pdf-lib style: each
 * structure measures itself first, then writes itself at an offset, so there is no repeated
 * concatenation). Every write checks bounds and value range; failures are EncodeErrors with the
 * field path.
 */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private nodeBuffer: Buffer | undefined;

  constructor(sizeOrBytes: number | Uint8Array) {
    this.bytes = typeof sizeOrBytes === 'number' ? new Uint8Array(sizeOrBytes) : sizeOrBytes;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.nodeBuffer = undefined;
  }

  get length(): number {
    return this.bytes.length;
  }

  /**
   * The same bytes as a Node Buffer (made on first use, then kept), so Buffer's native codecs
   * (hex text) can write straight into the output without an intermediate array.
   */
  asBuffer(): Buffer {
    let b = this.nodeBuffer;
    if (b === undefined) {
      b = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
      this.nodeBuffer = b;
    }
    return b;
  }

  /**
   * Writes plain hex text (even length, digits only, any case) at `offset` and returns the number
   * of bytes written, or -1 when the text is not plain hex of `length` bytes (when given) or does
   * not fit; the caller then works out and reports the precise problem. Buffer's decoder stops at
   * the first pair that is not hex, so a short count means bad text (the pairs before it have
   * been written by then; every other -1 writes nothing).
   */
  tryHex(offset: number, hex: string, length?: number): number {
    if (typeof hex !== 'string' || (hex.length & 1) !== 0) return -1;
    const n = hex.length >>> 1;
    if ((length !== undefined && n !== length) || !(offset >= 0 && offset + n <= this.bytes.length) || !Number.isInteger(offset)) return -1;
    if (n === 0) return 0;
    return this.asBuffer().write(hex, offset, n, 'hex') === n ? n : -1;
  }

  private need(offset: number, size: number, path: string): void {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.bytes.length) {
      throw new EncodeError({
        code: 'out_of_range',
        offset,
        path,
        message: `write of ${size} byte(s) at ${offset} is outside the ${this.bytes.length}-byte buffer`,
      });
    }
  }

  private uint(value: number, bits: number, path: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
      throw new EncodeError({ code: 'out_of_range', path, message: `${value} does not fit in u${bits}` });
    }
  }

  u8(offset: number, value: number, path = ''): this {
    this.need(offset, 1, path);
    this.uint(value, 8, path);
    this.bytes[offset] = value;
    return this;
  }

  u16(offset: number, value: number, path = ''): this {
    this.need(offset, 2, path);
    this.uint(value, 16, path);
    this.view.setUint16(offset, value, true);
    return this;
  }

  u32(offset: number, value: number, path = ''): this {
    this.need(offset, 4, path);
    this.uint(value, 32, path);
    this.view.setUint32(offset, value, true);
    return this;
  }

  u64(offset: number, value: bigint, path = ''): this {
    this.need(offset, 8, path);
    if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new EncodeError({ code: 'out_of_range', path, message: `${String(value)} does not fit in u64` });
    }
    this.view.setBigUint64(offset, value, true);
    return this;
  }

  u16be(offset: number, value: number, path = ''): this {
    this.need(offset, 2, path);
    this.uint(value, 16, path);
    this.view.setUint16(offset, value, false);
    return this;
  }

  u32be(offset: number, value: number, path = ''): this {
    this.need(offset, 4, path);
    this.uint(value, 32, path);
    this.view.setUint32(offset, value, false);
    return this;
  }

  u64be(offset: number, value: bigint, path = ''): this {
    this.need(offset, 8, path);
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new EncodeError({ code: 'out_of_range', path, message: `${String(value)} does not fit in u64` });
    }
    this.view.setBigUint64(offset, value, false);
    return this;
  }

  guid(offset: number, guid: string, path = ''): this {
    this.need(offset, 16, path);
    if (!GUID_PATTERN.test(guid)) {
      throw new EncodeError({ code: 'bad_value', path, message: `not a GUID: ${JSON.stringify(guid)}` });
    }
    guidToBytes(guid, this.bytes, offset);
    return this;
  }

  bytesAt(offset: number, data: Uint8Array, path = ''): this {
    this.need(offset, data.length, path);
    this.bytes.set(data, offset);
    return this;
  }

  /** Fixed-width ASCII, zero padded; fails if the text is longer than the field or not ASCII. */
  ascii(offset: number, text: string, width: number, path = ''): this {
    this.need(offset, width, path);
    if (text.length > width || !/^[\x00-\x7f]*$/.test(text)) {
      throw new EncodeError({ code: 'bad_value', path, message: `${JSON.stringify(text)} is not ASCII of at most ${width} bytes` });
    }
    for (let i = 0; i < width; i++) this.bytes[offset + i] = i < text.length ? text.charCodeAt(i) : 0;
    return this;
  }

  /** Fills `[offset, offset+length)` with `value`. */
  fill(offset: number, length: number, value = 0, path = ''): this {
    this.need(offset, length, path);
    this.bytes.fill(value, offset, offset + length);
    return this;
  }
}

/** Something that knows its encoded size and writes itself at an offset. */
export interface Encodable {
  readonly byteLength: number;
  writeTo(w: ByteWriter, offset: number, path?: string): void;
}

/** Measures, allocates once, writes. */
export function encodeToBytes(e: Encodable, path = ''): Uint8Array {
  const w = new ByteWriter(e.byteLength);
  e.writeTo(w, 0, path);
  return w.bytes;
}

export { joinPath };
