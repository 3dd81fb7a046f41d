import { hexDumpLines, hexDumpRow } from '../../../src/cper/text';

describe('print_hex_dump (DUMP_PREFIX_OFFSET, 16 per row, groups of 4)', () => {
  const bytes = Uint8Array.from({ length: 40 }, (_, i) => 0x40 + i);

  it('groups of 4 bytes are printed as little-endian u32 values', () => {
    expect(hexDumpLines(Uint8Array.from([0x11, 0x22, 0x33, 0x44, 0xef, 0xbe, 0xad, 0xde]), false)).toEqual(['00000000: 44332211 deadbeef']);
  });

  it('rows are 16 bytes; offsets are 8 hex digits; no ASCII column when ascii is off', () => {
    expect(hexDumpLines(bytes.subarray(0, 32), false)).toEqual([
      '00000000: 43424140 47464544 4b4a4948 4f4e4d4c',
      '00000010: 53525150 57565554 5b5a5958 5f5e5d5c',
    ]);
  });

  it('ASCII column starts at position 37 of the row text; non-printable bytes are dots', () => {
    const row = hexDumpRow(Uint8Array.from([0x41, 0x42, 0x43, 0x00, 0x7e, 0x7f, 0x20, 0x80]), 0, 8, true);
    expect(row).toBe('00434241 80207f7e' + ' '.repeat(37 - 17) + 'ABC.~. .');
    expect(row.indexOf('ABC')).toBe(37);
  });

  it('a last row that is not a multiple of 4 falls back to single bytes, ASCII at 49', () => {
    const lines = hexDumpLines(Uint8Array.from([0x68, 0x69, 0x21, 0x0a, 0x41, 0x42]), true);
    expect(lines).toEqual(['00000000: 68 69 21 0a 41 42' + ' '.repeat(49 - 17) + 'hi!.AB']);
    expect(hexDumpLines(Uint8Array.from([1, 2, 3]), false)).toEqual(['00000000: 01 02 03']);
  });

  it('a 20-byte dump: one full row, then a 4-byte row still in u32 groups', () => {
    expect(hexDumpLines(bytes.subarray(0, 20), true)).toEqual([
      '00000000: 43424140 47464544 4b4a4948 4f4e4d4c  @ABCDEFGHIJKLMNO',
      '00000010: 53525150                             PQRS',
    ]);
  });

  it('zero bytes print nothing; a window outside the bytes is a RangeError', () => {
    expect(hexDumpLines(new Uint8Array(0), true)).toEqual([]);
    expect(() => hexDumpLines(bytes, true, 30, 20)).toThrow(RangeError);
  });
});
