import { acpiChecksum, applyAcpiChecksum, parseU64, sum8, toJsonText, u64ToHex, uintInputError } from '../../src/binary';
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
    // a digit string without 0x is refused (hex or decimal?), whatever its value
    expect(parseU64('18446744073709551615')).toBeUndefined();
    expect(parseU64('40001000')).toBeUndefined();
    expect(parseU64('10')).toBeUndefined();
    // no whitespace, signs or other prefixes
    expect(parseU64(' 0x10 ')).toBeUndefined();
    expect(parseU64('0x10\n')).toBeUndefined();
    expect(parseU64('+0x10')).toBeUndefined();
    expect(parseU64('0o17')).toBeUndefined();
    expect(parseU64('0x')).toBeUndefined();
  });

  it('reads "0x…" hex strings, safe integer numbers, and single digits (the same in either base)', () => {
    expect(parseU64('0xffffffffffffffff')).toBe(2n ** 64n - 1n);
    expect(parseU64('0X40001000')).toBe(0x40001000n);
    expect(parseU64('0x0000000040001000')).toBe(0x40001000n);
    expect(parseU64(0x40001000)).toBe(0x40001000n);
    expect(parseU64(Number.MAX_SAFE_INTEGER)).toBe(2n ** 53n - 1n);
    expect(parseU64('7')).toBe(7n);
  });

  it('says why a value is refused and how to write it', () => {
    const max = 2n ** 64n - 1n;
    expect(uintInputError('40001000', max, 'a u64')).toBe(
      '"40001000" is a digit string without 0x, which could be hex or decimal: write hex as "0x40001000", or the decimal number 40001000 as a JSON number without quotes',
    );
    expect(uintInputError('18446744073709551615', max, 'a u64')).toBe(
      '"18446744073709551615" is a digit string without 0x, which could be hex or decimal: write hex as "0x18446744073709551615"',
    );
    expect(uintInputError(' 0x10 ', max, 'a u64')).toBe('" 0x10 " has spaces around it; write "0x10"');
    expect(uintInputError('ffff0000', max, 'a u64')).toBe('"ffff0000" has no 0x prefix: write "0xffff0000"');
    expect(uintInputError('0x10000000000000000', max, 'a u64')).toBe('"0x10000000000000000" is larger than a u64 (0..0xffffffffffffffff)');
    expect(uintInputError(2 ** 53, max, 'a u64')).toBe('9007199254740992 is 2^53 or more and may already have lost precision: write it as a "0x…" hex string');
    expect(uintInputError(-1, max, 'a u64')).toBe('expected a u64 (0..0xffffffffffffffff), got -1');
    expect(uintInputError('12abc', max, 'a u64')).toBe('"12abc" has no 0x prefix: write "0x12abc"');
    expect(uintInputError('1.5', max, 'a u64')).toBe('expected a u64 as a "0x…" hex string or a JSON number, got "1.5"');
    expect(uintInputError(null, max, 'a u64')).toBe('expected a u64 as a "0x…" hex string or a JSON number, got null');
    expect(uintInputError('0x1f', max, 'a u64')).toBeUndefined();
  });
});
