import { Parser } from 'binary-parser';
import { ByteReader, DecodeError } from '../../src/binary';
import { compileParser } from '../../src/cper/compiled-parser';

describe('compiled binary-parser declarations', () => {
  const parser = new Parser().endianness('little').uint8('a').uint16('b').uint32('c').uint64('d');
  const read = compileParser<{ a: number; b: number; c: number; d: bigint }>(parser, 15);
  const bytes = Uint8Array.from([0xee, 0xee, 1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);

  it('reads the same values as binary-parser, at a window offset', () => {
    const r = new ByteReader(bytes, 2, 15, 'x');
    expect(read(r, 0)).toEqual(parser.parse(Buffer.from(bytes.subarray(2))));
    expect(read(r, 0)).toEqual({ a: 1, b: 0x0302, c: 0x07060504, d: 0x0f0e0d0c0b0a0908n });
  });

  it('gives plain objects with fast properties (no deleted keys)', () => {
    const v = read(new ByteReader(bytes, 2, 15), 0);
    expect(Object.keys(v)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('checks bounds first and reports the absolute offset and field', () => {
    const r = new ByteReader(bytes, 2, 14, 'entries[1]');
    expect(() => read(r, 0, 'header')).toThrow(DecodeError);
    try {
      read(r, 0, 'header');
    } catch (e) {
      expect((e as DecodeError).offset).toBe(2);
      expect((e as DecodeError).path).toBe('entries[1].header');
    }
  });

  it('refuses declarations it cannot compile safely and wrong sizes', () => {
    expect(() => compileParser(new Parser().endianness('little').uint8('n').array('xs', { type: 'uint8', length: 'n' }), 1)).toThrow(/unexpected shape/);
    expect(() => compileParser(parser, 16)).toThrow(/declares 15 bytes/);
  });
});
