import { ByteWriter, EncodeError, encodeToBytes, fromHex, toHex } from '../../src/binary';

describe('ByteWriter', () => {
  it('writes little-endian fields at explicit, unaligned offsets', () => {
    const w = new ByteWriter(15);
    w.u8(0, 0xab).u16(1, 0x1234).u32(3, 0xdeadbeef).u64(7, 0x0102030405060708n);
    expect(toHex(w.bytes)).toBe('ab3412efbeadde0807060504030201');
  });

  it('writes big-endian fields', () => {
    const w = new ByteWriter(14);
    w.u16be(0, 0x0102).u32be(2, 0x03040506).u64be(6, 0x0708090a0b0c0d0en);
    expect(toHex(w.bytes)).toBe('0102030405060708090a0b0c0d0e');
  });

  it('refuses writes past the end and values that do not fit', () => {
    const w = new ByteWriter(4);
    expect(() => w.u32(1, 0)).toThrow(EncodeError);
    expect(() => w.u8(0, 256, 'x.y')).toThrow(/does not fit in u8/);
    expect(() => w.u16(0, -1)).toThrow(EncodeError);
    expect(() => new ByteWriter(8).u64(0, 1n << 64n)).toThrow(EncodeError);
    expect(() => w.ascii(0, 'toolong', 4)).toThrow(EncodeError);
  });

  it('pads ASCII with zeros', () => {
    const w = new ByteWriter(6);
    w.ascii(0, 'BXPC', 6);
    expect(toHex(w.bytes)).toBe('425850430000');
  });

  it('encodeToBytes measures once and writes once', () => {
    const s = { byteLength: 3, writeTo: (w: ByteWriter, o: number) => void w.u8(o, 1).u16(o + 1, 2) };
    expect(toHex(encodeToBytes(s))).toBe('010200');
  });
});



describe('hex text', () => {
  it('parses hex with separators and rejects odd or non-hex text', () => {
    expect(Array.from(fromHex('de:ad be\nEF'))).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(() => fromHex('abc')).toThrow(TypeError);
    expect(() => fromHex('zz')).toThrow(TypeError);
    expect(() => fromHex('00zz')).toThrow(TypeError);
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
  });
});

describe('plain hex straight into the buffer (tryHex)', () => {
  it('writes plain hex of either case and returns the byte count', () => {
    const w = new ByteWriter(6);
    expect(w.tryHex(1, 'deADbe', 3)).toBe(3);
    expect(w.tryHex(4, '')).toBe(0);
    expect(toHex(w.bytes)).toBe('00deadbe0000');
    expect(w.asBuffer()).toBe(w.asBuffer());
    expect(w.asBuffer().buffer).toBe(w.bytes.buffer);
  });

  it.each([
    ['odd length', 0, 'abc', undefined],
    ['a length other than the one asked for', 0, 'abcd', 3],
    ['separators', 0, 'ab cd', undefined],
    ['past the end', 5, 'abcd', undefined],
    ['a negative offset', -1, 'ab', undefined],
    ['a fractional offset', 0.5, 'ab', undefined],
    ['not a string', 0, 12 as unknown as string, undefined],
  ])('returns -1 and writes nothing for %s', (_what, offset, text, length) => {
    const w = new ByteWriter(6);
    expect(w.tryHex(offset, text, length)).toBe(-1);
    expect(toHex(w.bytes)).toBe('000000000000');
  });

  it('returns -1 at a pair that is not hex, after writing the pairs before it', () => {
    const w = new ByteWriter(4);
    expect(w.tryHex(0, '01020g04')).toBe(-1);
    expect(toHex(w.bytes)).toBe('01020000');
  });
});
