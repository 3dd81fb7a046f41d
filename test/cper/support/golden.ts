import path from 'path';
import fs from 'fs';

/**
 * Golden-vector builder for tests: writes little-endian fields at explicit offsets into a zeroed
 * buffer, independently of the codec's ByteWriter, so the expected bytes come straight from the
 * layout tables.
 */
export class Golden {
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(off: number, v: number): this {
    this.view.setUint8(off, v);
    return this;
  }

  u16(off: number, v: number): this {
    this.view.setUint16(off, v, true);
    return this;
  }

  u32(off: number, v: number): this {
    this.view.setUint32(off, v, true);
    return this;
  }

  u64(off: number, v: bigint): this {
    this.view.setBigUint64(off, v, true);
    return this;
  }

  /** Raw bytes, given as a hex string (e.g. a GUID's 16 mixed-endian bytes copied from the reference tables) or an array. */
  raw(off: number, data: string | number[] | Uint8Array): this {
    const clean = typeof data === 'string' ? data.replace(/\s/g, '') : '';
    // a typo in a golden vector must fail here, not be cut short by Buffer's lenient hex decoder
    if (typeof data === 'string' && !/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`golden hex is not whole bytes: ${data}`);
    const b = typeof data === 'string' ? Buffer.from(clean, 'hex') : Uint8Array.from(data);
    this.bytes.set(b, off);
    return this;
  }

  /** Wire bytes given as hex. */
  hex(off: number, hex: string): this {
    return this.raw(off, hex);
  }

  ascii(off: number, text: string): this {
    for (let i = 0; i < text.length; i++) this.bytes[off + i] = text.charCodeAt(i);
    return this;
  }

  /** Fills `[off, off+len)` with an incrementing pattern starting at `seed`. */
  pattern(off: number, len: number, seed: number): this {
    for (let i = 0; i < len; i++) this.bytes[off + i] = (seed + i) & 0xff;
    return this;
  }
}

/** Wire bytes of the section-type GUIDs, from the layouts reference §3.0. */
export const WIRE = {
  arm: '16 3d 9e e1 11 bc e4 11 9c aa c2 05 1d 5d 46 b0',
  memory: '14 11 bc a5 64 6f de 4e b8 63 3e 83 ed 7c 83 b1',
  memory2: 'fc 04 ec 61 e6 48 13 d8 25 c9 8d aa 44 75 0b 12',
  pcie: '54 e9 95 d9 c1 bb 0f 43 ad 91 b4 4d cb 3c 6f 35',
  sea: '8a 78 78 9a e8 bb e4 11 80 9e 67 61 1e 5d 46 b0',
} as const;

export const FIXTURES = path.join(__dirname, '../../../../shared/fixtures/linux-guest');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
}

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.gesb')).sort();
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
