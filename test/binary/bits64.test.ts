import { bitsOfHalves } from '../../src/binary/bits64';

/** Every field of a 64-bit word read from its halves equals the bigint reading of the same bits. */
describe('bitsOfHalves', () => {
  const word = 0xfedc_ba98_7654_3210n;
  const lo = Number(word & 0xffff_ffffn);
  const hi = Number(word >> 32n);
  const viaBigint = (bit: number, width: number) => Number((word >> BigInt(bit)) & ((1n << BigInt(width)) - 1n));

  it('reads fields in the low half, the high half and across the boundary', () => {
    expect(bitsOfHalves(lo, hi, 0, 4)).toBe(0x0);
    expect(bitsOfHalves(lo, hi, 4, 8)).toBe(0x21);
    expect(bitsOfHalves(lo, hi, 28, 8)).toBe(0x87);
    expect(bitsOfHalves(lo, hi, 32, 16)).toBe(0xba98);
    expect(bitsOfHalves(lo, hi, 33, 31)).toBe(0x7f6e5d4c);
    expect(bitsOfHalves(lo, hi, 1, 31)).toBe(0x3b2a1908);
  });

  it('agrees with a bigint reading for every position and width up to 31', () => {
    for (let width = 1; width <= 31; width++) {
      for (let bit = 0; bit + width <= 64; bit++) {
        expect([bit, width, bitsOfHalves(lo, hi, bit, width)]).toEqual([bit, width, viaBigint(bit, width)]);
      }
    }
  });
});
