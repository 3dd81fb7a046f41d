import { printkLine, printkTime } from '../../../src/guest-kernel/printk/KernelLog';

/** printk's `[%5lu.%06lu]`, computed with bigints only (the reference). */
function reference(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const micros = (ns % 1_000_000_000n) / 1000n;
  return `[${secs.toString().padStart(5, ' ')}.${micros.toString().padStart(6, '0')}]`;
}

describe('printk time stamps', () => {
  it('right-aligns the seconds in 5 columns and prints longer numbers whole', () => {
    expect(printkTime(0n)).toBe('[    0.000000]');
    expect(printkTime(999n)).toBe('[    0.000000]');
    expect(printkTime(1_270_413_999n)).toBe('[    1.270413]');
    expect(printkTime(99_999_999_999_000n)).toBe('[99999.999999]');
    expect(printkTime(100_000_000_000_000n)).toBe('[100000.000000]');
    expect(printkTime(1_234_567_000_001_000n)).toBe('[1234567.000001]');
    // 2^53 ns: the last value split with doubles; above it, bigint arithmetic
    expect(printkTime(9_007_199_254_740_992n)).toBe('[9007199.254740]');
    expect(printkTime(9_007_199_254_740_993n)).toBe('[9007199.254740]');
    expect(printkTime(18_446_744_073_709_551_615n)).toBe('[18446744073.709551]');
  });

  it('printkLine is the stamp, one space and the text, at every seconds width', () => {
    const values = [0n, 5n, 1_000n, 16_272_756_003n, 99_999_999_999_999n, 100_000_000_000_000n, 999_999_999_999_999n, 1_000_000_000_000_000n, 9_007_199_254_740_991n, 9_007_199_254_740_993n, 2n ** 64n - 1n];
    for (let width = 3; width <= 16; width++) for (let k = 1; k <= 9; k += 4) values.push(BigInt(k) * 10n ** BigInt(width) + BigInt(width * 7919));
    for (const ns of values) {
      expect(printkTime(ns)).toBe(reference(ns));
      expect(printkLine(ns, 'GHES: text')).toBe(`${reference(ns)} GHES: text`);
    }
    // consecutive stamps reuse scratch state: each must still be its own value
    expect([printkLine(5_000_400_000n, 'a'), printkLine(5_000_800_000n, 'b'), printkLine(123_456_000_000_000n, 'c')]).toEqual([
      '[    5.000400] a',
      '[    5.000800] b',
      '[123456.000000] c',
    ]);
  });
});
