import { acpiChecksum, applyAcpiChecksum, parseU64, sum8, toJsonText, u64ToHex } from '../../src/binary';
import { HEST_224 } from '../support/qemuHest';

describe('ACPI checksum', () => {
  it('a known table sums to zero and its checksum byte is recomputed exactly', () => {
    expect(HEST_224.length).toBe(224);
    expect(sum8(HEST_224)).toBe(0);
    expect(acpiChecksum(HEST_224, 0, 224, 9)).toBe(0x6c);
    const stale = HEST_224.slice();
    stale[9] = 0;
    expect(applyAcpiChecksum(stale, 0, 224, 9)).toBe(0x6c);
    expect(stale).toEqual(HEST_224);
  });
});

describe('u64 JSON convention', () => {
  const values: Array<[string, bigint, string]> = [
    ['0', 0n, '0x0'],
    ['2^53+1', 2n ** 53n + 1n, '0x20000000000001'],
    ['2^64-1', 2n ** 64n - 1n, '0xffffffffffffffff'],
  ];
  it.each(values)('%s round-trips through JSON text without precision loss', (_n, v, hex) => {
    expect(u64ToHex(v)).toBe(hex);
    const text = toJsonText({ physicalAddress: v });
    expect(text).toBe(`{"physicalAddress":"${hex}"}`);
    expect(parseU64(JSON.parse(text).physicalAddress)).toBe(v);
  });

  it('rejects values that are not u64', () => {
    expect(parseU64('0x10000000000000000')).toBeUndefined();
    expect(parseU64(-1)).toBeUndefined();
    expect(parseU64(2 ** 53)).toBeUndefined();
    expect(parseU64(1.5)).toBeUndefined();
    expect(parseU64('12abc')).toBeUndefined();
    expect(parseU64('18446744073709551615')).toBe(2n ** 64n - 1n);
  });
});
