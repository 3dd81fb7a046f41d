import { ByteReader } from '../../../src/binary/ByteReader';
import { ByteWriter } from '../../../src/binary/ByteWriter';
import { RasgwError } from '../../../src/binary/errors';
import { bits, count, enumOf, hex, names, struct, text, u16, u24, u32, u32s, u64, u8, validationBits, view } from '../../../src/cper/layout/fields';
import { layout } from '../../../src/cper/layout/layout';

const INNER = layout('inner', 4, [u16('a', 0), bits('hi', 2, 2, 4, 12, { doc: 'high bits' }), bits('lo', 2, 2, 0, 4)]);

const T = layout('test', 40, [
  validationBits('validationBits', 0, 2, { 15: 'extra' }),
  u8('small', 2, { vbit: 0, doc: 'a byte' }),
  view('kind', 3, 1, enumOf(names('zero', 'one', 'two'))),
  u24('wide', 4, { vbit: 1 }),
  u8('pad', 7),
  u64('big', 8, { vbit: 2, vbitName: 'bigOne' }),
  struct('inner', 16, INNER, { vbit: 3 }),
  text('label', 20, 8),
  u32s('words', 28, 2),
  count('n', 36, 4, 'items'),
]);

function bytes(): Uint8Array {
  const w = new ByteWriter(40);
  w.u16(0, 0x8005).u8(2, 7).u8(3, 2).u8(4, 0x56).u8(5, 0x34).u8(6, 0x12).u8(7, 9);
  w.u64(8, 0x1122334455667788n).u16(16, 0xbeef).u16(18, 0xabc5);
  w.ascii(20, 'abc', 8).u32(28, 1).u32(32, 0xffffffff).u32(36, 3);
  return w.bytes;
}

describe('layout tables', () => {
  it('derive the validation table from the rows (vbit, vbitName) plus the named extra bits', () => {
    expect(T.validationTable).toEqual({ 0: 'small', 1: 'wide', 2: 'bigOne', 3: 'inner', 15: 'extra' });
  });

  it('decode every row kind in table order; count rows are not model fields', () => {
    const m = T.read(new ByteReader(bytes()), 0);
    expect(Object.keys(m)).toEqual(['validationBits', 'small', 'kind', 'wide', 'pad', 'big', 'inner', 'label', 'words']);
    expect(m).toEqual({
      validationBits: { raw: 0x8005, small: true, wide: false, bigOne: true, inner: false, extra: true },
      small: 7,
      kind: { value: 2, name: 'two' },
      wide: 0x123456,
      pad: 9,
      big: 0x1122334455667788n,
      inner: { a: 0xbeef, hi: 0xabc, lo: 5 },
      label: { text: 'abc' },
      words: [1, 0xffffffff],
    });
  });

  it('encode back to the same bytes, counts from the counted parts and bit fields packed into their word', () => {
    const b = bytes();
    const w = new ByteWriter(42);
    T.encodeAt(w, 1, T.read(new ByteReader(b), 0), 'x', { items: 3 });
    expect(Buffer.from(w.bytes.subarray(1, 41)).equals(Buffer.from(b))).toBe(true);
  });

  it('encode errors name the field path and refuse values that do not fit their bits', () => {
    const m = T.read(new ByteReader(bytes()), 0);
    const w = new ByteWriter(40);
    for (const [patch, path] of [
      [{ inner: { a: 1, hi: 0x1000, lo: 0 } }, 'x.inner.hi'],
      [{ wide: 0x1000000 }, 'x.wide'],
      [{ words: [1, -1] }, 'x.words[1]'],
      [{ small: 256 }, 'x.small'],
    ] as const) {
      try {
        T.encodeAt(w, 0, { ...m, ...patch } as typeof m, 'x', { items: 0 });
        throw new Error('expected an error');
      } catch (e) {
        expect(e).toBeInstanceOf(RasgwError);
        expect((e as RasgwError).path).toBe(path);
        expect((e as RasgwError).code).toBe('out_of_range');
      }
    }
  });

  it('a short window fails at the first field that does not fit', () => {
    try {
      T.read(new ByteReader(bytes().slice(0, 18)), 0);
      throw new Error('expected an error');
    } catch (e) {
      expect((e as RasgwError).code).toBe('truncated');
      expect((e as RasgwError).path).toBe('inner.hi');
    }
  });

  it('input: every field optional, defaults filled, nested structures too', () => {
    const m = T.input.parse({ small: 3, inner: { hi: 5 }, words: [1, 2] });
    expect(m).toEqual({
      validationBits: { raw: 0, small: false, wide: false, bigOne: false, inner: false, extra: false },
      small: 3,
      kind: { value: 0, name: 'zero' },
      wide: 0,
      pad: 0,
      big: 0n,
      inner: { a: 0, hi: 5, lo: 0 },
      label: { text: '' },
      words: [1, 2],
    });
    expect(T.presentBits({ small: 1, big: '0x1', inner: {} })).toBe(0b1101n);
    expect(T.input.safeParse({ inner: { hi: 0x1000 } }).success).toBe(false);
    expect(T.input.safeParse({ bogus: 1 }).success).toBe(false);
  });

  it('spans name every field with its bytes and JSON pointer, nested structures expanded', () => {
    const spans = T.spans(100, '/s');
    expect(spans.find((s) => s.path === '/s/wide')).toEqual({ offset: 104, length: 3, path: '/s/wide', name: 'Wide' });
    expect(spans.find((s) => s.path === '/s/validationBits')!.name).toBe('Validation Bits');
    // bit fields sharing a word are one span, named by the first
    expect(spans.filter((s) => s.path.startsWith('/s/inner/')).map((s) => [s.offset, s.length, s.name])).toEqual([
      [116, 2, 'A'],
      [118, 2, 'Hi'],
    ]);
    expect(INNER.itemSpans(0, 2, '/l').map((s) => s.path)).toEqual(['/l/0/a', '/l/0/hi', '/l/1/a', '/l/1/hi']);
  });

  it('refuse a table with a gap, an overlap or a field past the end when the module loads', () => {
    expect(() => layout('gap', 4, [u8('a', 0), u16('b', 2)])).toThrow(/byte 1 belongs to no field/);
    expect(() => layout('overlap', 4, [u32('a', 0), u8('b', 3)])).toThrow(/b overlaps a at byte 3/);
    expect(() => layout('past', 2, [u32('a', 0)])).toThrow(/a runs past the 2-byte structure/);
    expect(() => layout('names', 1, [u8('a', 0, { vbit: 0 }), validationBits('v', 0, 2, { 0: 'b' })])).toThrow(/validation bit 0 named both b and a/);
    expect(() => layout('hex', 2, [hex('h', 0, 2)])).not.toThrow();
  });
});
