import fc from 'fast-check';
import { ByteReader } from '../../src/binary';
import { readFixedText } from '../../src/cper/sections/section-body-fields';
import { fixedTextAt, guidAt } from '../../src/cper/wire-fields';
import { guidFromBytes } from '../../src/binary';

describe('hot-path field reads', () => {
  it('fixedTextAt gives the same FRU text as readFixedText for any 20 bytes', () => {
    const byte = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0x20, max: 0x7e }));
    fc.assert(
      fc.property(fc.array(byte, { minLength: 20, maxLength: 20 }), (arr) => {
        const b = Uint8Array.from(arr);
        expect(fixedTextAt(b, 0, 20)).toEqual(readFixedText(new ByteReader(b), 0, 20, 'fruText'));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('guidAt gives the canonical string, and the all-zero GUID without building one', () => {
    const b = Uint8Array.from([0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e, 0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1]);
    expect(guidAt(b, 0)).toBe('a5bc1114-6f64-4ede-b863-3e83ed7c83b1');
    expect(guidAt(new Uint8Array(16), 0)).toBe('00000000-0000-0000-0000-000000000000');
    expect(guidAt(b, 0)).toBe(guidFromBytes(b, 0));
  });
});
