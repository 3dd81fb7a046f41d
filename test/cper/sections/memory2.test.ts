import { ByteReader, ByteWriter } from '../../../src/binary';
import { memory2Codec, Memory2Section } from '../../../src/cper/sections/memory2';
import { DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';
import { toJson } from '../../../src/cper/json/to-json';
import { Golden, hex } from '../support/golden';

const opts = DEFAULT_CPER_OPTIONS;

function encode(s: Memory2Section): Uint8Array {
  const w = new ByteWriter(memory2Codec.byteLength(s, opts));
  memory2Codec.encode(w, 0, s, opts, 'section');
  return w.bytes;
}

// Platform Memory Error 2, layouts reference §3.5.
const golden = new Golden(96)
  .u64(0, 0x3fffffn)
  .u64(8, 0x0000_0000_0001_0600n) // cache error on the address signals
  .u64(16, 0x8000_0000_dead_b000n)
  .u64(24, 0xffff_ffff_ffff_ffc0n)
  .u16(32, 1)
  .u16(34, 2)
  .u16(36, 3)
  .u16(38, 0x0102)
  .u32(40, 0x11223344)
  .u32(44, 0x00055555)
  .u32(48, 0x66)
  .u32(52, 7)
  .u32(56, 63)
  .u8(60, 2)
  .u8(61, 14) // scrub uncorrected
  .u8(62, 1) // uncorrected
  .u8(63, 0)
  .u64(64, 0xaan)
  .u64(72, 0xbbn)
  .u64(80, 0xccn)
  .u32(88, 0x1016)
  .u32(92, 0x1017).bytes;

describe('Platform Memory Error 2 section', () => {
  it('decodes every field from its documented offset', () => {
    const s = memory2Codec.decode(new ByteReader(golden), opts);
    expect(s.validationBits.rank).toBe(true);
    expect(s.errorStatus.errorType.name).toBe('cache');
    expect(s.errorStatus.address).toBe(true);
    expect(s.physicalAddress).toBe(0x80000000deadb000n);
    expect(s.physicalAddressMask).toBe(0xffffffffffffffc0n);
    expect([s.node, s.card, s.module, s.bank]).toEqual([1, 2, 3, 0x0102]);
    expect([s.device, s.row, s.column, s.rank, s.bitPosition]).toEqual([0x11223344, 0x55555, 0x66, 7, 63]);
    expect(s.chipId).toBe(2);
    expect(s.memoryErrorType).toEqual({ value: 14, name: 'scrubUncorrected' });
    expect(s.status).toEqual({ raw: 1, uncorrected: true });
    expect([s.requestorId, s.responderId, s.targetId]).toEqual([0xaan, 0xbbn, 0xccn]);
    expect([s.cardHandle, s.moduleHandle]).toEqual([0x1016, 0x1017]);
  });

  it('re-encodes byte for byte, reserved byte and trailing bytes included', () => {
    const b = new Uint8Array(98);
    b.set(golden);
    b[63] = 0x5a;
    b[96] = 1;
    b[97] = 2;
    const s = memory2Codec.decode(new ByteReader(b), opts);
    expect(s.reserved).toBe(0x5a);
    expect(s.trailing).toBe('0102');
    expect(hex(encode(s))).toBe(hex(b));
    expect(hex(encode(memory2Codec.input.parse(toJson(s))))).toBe(hex(b));
  });

  it('numbers its validation bits differently from the memory section', () => {
    const s = memory2Codec.input.parse({ type: 'memory2', rank: 3, bitPosition: 9, status: { uncorrected: true } });
    expect(s.validationBits.raw).toBe((1n << 10n) | (1n << 11n) | (1n << 14n));
    expect(hex(encode(s).subarray(52, 63))).toBe('0300000009000000000001');
  });

  it('bankGroup/bankAddress build the bank word with validation bits 20 and 21, and exclude bank', () => {
    const s = memory2Codec.input.parse({ type: 'memory2', bankGroup: 5, bankAddress: 4 });
    expect(s.bank).toBe(0x0504);
    expect(s.validationBits.raw).toBe((1n << 20n) | (1n << 21n));
    const r = memory2Codec.input.safeParse({ type: 'memory2', bank: 1, bankAddress: 2 });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['bank', 'give either bank or bankGroup/bankAddress, not both']]);
  });

  it('a 95-byte body is truncated at its start', () => {
    expect(() => memory2Codec.decode(new ByteReader(golden.subarray(0, 95)), opts)).toThrow(/truncated at byte 0/);
  });
});
