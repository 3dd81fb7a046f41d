import { EstatusCache } from '../../../src/guest-kernel/ghes/EstatusCache';
import { SavedValues } from '../../../src/binary/restore';

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

  describe('under restore points', () => {
    type Slot = { bytes: Uint8Array; hits: number };
    const slotsOf = (c: EstatusCache) => Array.from((c as unknown as { slots: Array<Slot | undefined> }).slots);
    /** the first byte that differs from 1 is the record's number (see rec) */
    const numbers = (c: EstatusCache) => slotsOf(c).map((x) => (x ? x.bytes[7] : 0));

    it('a slot taken while a point is open is a new object: the point gets the old one back, bytes and hits as they were', () => {
      const c = new EstatusCache();
      for (const n of [1, 2, 3, 4]) c.add(rec(n), 0n);
      expect(c.cached(rec(2), 1n)).toBe(true);
      const before = slotsOf(c);
      const s = new SavedValues();
      c.saveState(s);
      expect(c.cached(rec(2), 2n)).toBe(true);
      c.add(rec(9), 11_000_000_000n);
      expect(numbers(c)).toEqual([9, 2, 3, 4]);
      // the old object was not overwritten in place
      expect(before[0]!.bytes[7]).toBe(1);
      s.readFrom(0);
      c.loadState(s);
      expect(slotsOf(c)).toEqual(before);
      expect(slotsOf(c).every((x, i) => x === before[i])).toBe(true);
      expect(slotsOf(c)[1]!.hits).toBe(1);
    });

    it('a slot given back by a restore is never reused as a spare while it is in the cache', () => {
      const c = new EstatusCache();
      c.add(rec(1), 5_000_000_000n);
      for (const n of [2, 3, 4]) c.add(rec(n), 0n);
      const s = new SavedValues();
      c.saveState(s); // the batch
      const inner = s.length;
      c.saveState(s); // an injection
      // slot 0 is young at 11 s: records 2 then 3 are evicted
      c.add(rec(5), 11_000_000_000n);
      c.add(rec(6), 11_000_000_000n);
      expect(numbers(c)).toEqual([1, 5, 6, 4]);
      s.readFrom(inner);
      c.loadState(s); // records 2 and 3 back
      s.truncate(inner);
      c.releaseState(); // the batch commits
      expect(numbers(c)).toEqual([1, 2, 3, 4]);
      c.saveState(s);
      c.add(rec(7), 12_000_000_000n); // slot 1 is taken
      expect(new Set(slotsOf(c)).size).toBe(4);
      expect(numbers(c)).toEqual([1, 7, 3, 4]);
      c.releaseState();
    });

    it('slots evicted under a committed batch are reused, each by one slot only', () => {
      const c = new EstatusCache();
      for (const n of [1, 2, 3, 4]) c.add(rec(n), 0n);
      const evicted = slotsOf(c);
      const s = new SavedValues();
      c.saveState(s);
      for (const n of [5, 6, 7, 8]) c.add(rec(n), 11_000_000_000n);
      c.releaseState();
      c.saveState(s);
      for (const n of [9, 10, 11, 12]) c.add(rec(n), 22_000_000_000n);
      c.releaseState();
      const now = slotsOf(c);
      expect(numbers(c)).toEqual([9, 10, 11, 12]);
      expect(new Set(now).size).toBe(4);
      // the objects of the first four records hold the newest ones now (no new allocation)
      expect(now.every((x) => evicted.includes(x))).toBe(true);
    });
  });
});
