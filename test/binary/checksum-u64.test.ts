import { acpiChecksum, applyAcpiChecksum, fromHex, parseU64, sum8, toJsonText, u64ToHex } from '../../src/binary';

// QEMU's 224-byte HEST (two GHESv2 sources) after firmware patching, from
// shared/reference/qemu-device-model.md §5; its checksum byte (offset 9) is 0x6C.
const HEST_224 = fromHex(`
48 45 53 54 E0 00 00 00 01 6C 42 4F 43 48 53 20 42 58 50 43 20 20 20 20 01 00 00 00 42 58 50 43
01 00 00 00 02 00 00 00 0A 00 00 00 FF FF 00 01 01 00 00 00 01 00 00 00 00 04 00 00 00 40 00 04
00 00 DA 43 00 00 00 00 08 1C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 00 00 00 00 04 00 00 00 40 00 04 10 00 DA 43 00 00 00 00 FE FF FF FF FF FF FF FF 01 00 00 00
00 00 00 00 0A 00 01 00 FF FF 00 01 01 00 00 00 01 00 00 00 00 04 00 00 00 40 00 04 08 00 DA 43
00 00 00 00 07 1C 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
00 04 00 00 00 40 00 04 18 00 DA 43 00 00 00 00 FE FF FF FF FF FF FF FF 01 00 00 00 00 00 00 00`);

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
