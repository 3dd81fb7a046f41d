import { fruMemoryPoisonCodec, fruPoisonChecksum, fruPoisonChecksumOk } from '../../../src/cper/sections/fru-memory-poison';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

/** Header + 2 descriptors, with a correct checksum. */
function golden(): Golden {
  const g = new Golden(104)
    .u64(4, 0x3fn)
    .u32(12, 0).u64(16, 0x00a9_0f11n) // CPUID(1).EAX
    .u32(24, 0).u64(28, 0x0123_4567_89ab_cdefn) // PPIN
    .u32(36, 2)
    .u64(40, 0x6600_0000n).u32(48, 0).u64(52, 0x0009_6000_1234_5678n).u32(60, 0).u64(64, 0x0000_0001_2345_6780n)
    .u64(72, 0x6600_0100n).u32(80, 0).u64(84, 0x0009_6000_1234_5679n).u32(92, 0).u64(96, 0x0000_0002_0000_0040n);
  let sum = 0;
  for (let i = 4; i < 104; i++) sum += g.bytes[i];
  return g.u32(0, (0x1_0000_0000 - (sum % 0x1_0000_0000)) % 0x1_0000_0000);
}

describe('FRU memory poison section codec', () => {
  it('decodes the header and every descriptor', () => {
    const bytes = golden().bytes;
    const s = decodeBody(fruMemoryPoisonCodec, bytes);
    expect(s.type).toBe('fruMemoryPoison');
    expect(s.validationBits).toMatchObject({ raw: 0x3fn, fruArchitectureType: true, entries: true });
    expect(s.fruArchitectureType).toEqual({ value: 0, name: 'x86Cpuid1Eax' });
    expect(s.fruArchitecture).toBe(0xa9_0f11n);
    expect(s.fruIdType).toEqual({ value: 0, name: 'x86Ppin' });
    expect(s.fruId).toBe(0x0123_4567_89ab_cdefn);
    expect(s.entries).toHaveLength(2);
    expect(s.entries[1]).toEqual({
      timestamp: 0x6600_0100n,
      hardwareIdType: { value: 0, name: 'mcaIpid' },
      hardwareId: 0x0009_6000_1234_5679n,
      addressType: { value: 0, name: 'mcaAddr' },
      address: 0x2_0000_0040n,
    });
    expect(fruPoisonChecksumOk(bytes)).toBe(true);
    expect(s.checksum).toBe(fruPoisonChecksum(bytes));
  });

  it('re-encodes byte for byte through JSON, keeping a wrong checksum and trailing bytes', () => {
    const body = new Uint8Array(107);
    body.set(golden().u32(0, 0x1234_5678).bytes);
    body.set([7, 7, 7], 104);
    expect(fruPoisonChecksumOk(body)).toBe(false);
    const s = decodeBody(fruMemoryPoisonCodec, body);
    expect(s.checksum).toBe(0x1234_5678);
    expect(s.trailing).toBe('070707');
    expect(hexOf(encodeBody(fruMemoryPoisonCodec, s))).toBe(hexOf(body));
    const back = viaJson(fruMemoryPoisonCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(fruMemoryPoisonCodec, back))).toBe(hexOf(body));
  });

  it('encodes minimal JSON with a computed checksum, count and validation bits', () => {
    const b = encodeJson(fruMemoryPoisonCodec, { fruId: '0x0123456789abcdef', entries: [{ address: '0x40001000', hardwareId: 5 }] });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(72);
    expect(v.getBigUint64(4, true)).toBe(0x8n | 0x10n | 0x20n);
    expect(v.getBigUint64(28, true)).toBe(0x0123_4567_89ab_cdefn);
    expect(v.getUint32(36, true)).toBe(1);
    expect(v.getBigUint64(40 + 12, true)).toBe(5n);
    expect(v.getBigUint64(40 + 24, true)).toBe(0x40001000n);
    expect(fruPoisonChecksumOk(b)).toBe(true);
    expect(v.getUint32(0, true)).not.toBe(0);
    expect(encodeJson(fruMemoryPoisonCodec, { checksum: 1 })[0]).toBe(1);
  });

  it('an entry count beyond the body is a typed error before any entry is read', () => {
    const e = caught(() => decodeBody(fruMemoryPoisonCodec, golden().u32(36, 3).bytes, undefined, 72));
    expect(e.code).toBe('bad_count');
    expect(e.offset).toBe(72 + 36);
    expect(e.path).toBe('section.entryCount');
    expect(caught(() => decodeBody(fruMemoryPoisonCodec, golden().u32(36, 0xffff_ffff).bytes)).code).toBe('bad_count');
  });

  it('a truncated header is a typed error', () => {
    const e = caught(() => decodeBody(fruMemoryPoisonCodec, golden().bytes.slice(0, 38), undefined, 2));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(2 + 36);
  });

  it('rejects unknown fields', () => {
    expect(zodIssuePaths(() => fruMemoryPoisonCodec.input.parse({ entryCount: 1 }))).toEqual(['']);
    expect(zodIssuePaths(() => fruMemoryPoisonCodec.input.parse({ entries: [{ addr: 1 }] }))).toEqual(['entries.0']);
  });
});
