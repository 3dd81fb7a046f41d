import { EstatusCache } from '../../../src/guest-kernel/ghes/EstatusCache';

describe('GHES duplicate cache slots', () => {
  const rec = (n: number, length = 8) => {
    const b = new Uint8Array(length);
    b[0] = 1;
    b[length - 1] = n;
    return b;
  };

  it('a slot reused for a record of the same size holds the new record only', () => {
    const c = new EstatusCache();
    for (const n of [1, 2, 3, 4]) c.add(rec(n), 0n);
    // 11 s later every slot is old: the first is overwritten in place
    c.add(rec(9), 11_000_000_000n);
    expect(c.cached(rec(9), 11_000_000_001n)).toBe(true);
    expect(c.cached(rec(1), 11_000_000_001n)).toBe(false);
    // the copy is the cache's own: changing the caller's array changes nothing
    const mine = rec(7);
    c.add(mine, 12_000_000_000n);
    mine[3] = 0xff;
    expect(c.cached(rec(7), 12_000_000_001n)).toBe(true);
    expect(c.cached(mine, 12_000_000_001n)).toBe(false);
  });

  it('a record of another length, or the same length and other bytes, is not a duplicate', () => {
    const c = new EstatusCache();
    c.add(rec(5), 0n);
    expect(c.cached(rec(5, 9), 1n)).toBe(false);
    expect(c.cached(rec(6), 1n)).toBe(false);
    expect(c.cached(rec(5), 9_999_999_999n)).toBe(true);
    expect(c.cached(rec(5), 10_000_000_000n)).toBe(false);
  });
});
