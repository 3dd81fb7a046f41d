import { ByteReader, ByteWriter, DecodeError } from '../../../src/binary';
import { memoryCodec, MemorySection } from '../../../src/cper/sections/memory';
import { DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';
import { toJson } from '../../../src/cper/json/to-json';
import { Golden, hex } from '../support/golden';

const opts = DEFAULT_CPER_OPTIONS;

function encode(s: MemorySection): Uint8Array {
  const w = new ByteWriter(memoryCodec.byteLength(s, opts));
  memoryCodec.encode(w, 0, s, opts, 'section');
  return w.bytes;
}

// Platform Memory Error, layouts reference §3.4: every field written at its documented offset.
const golden = new Golden(80)
  .u64(0, 0x3fffffn) // all 22 defined validation bits
  .u64(8, 0x0000_0000_0044_0400n) // error status: type 4 (memory), bit 18 data, bit 22 overflow
  .u64(16, 0x0000_0012_3456_7000n)
  .u64(24, 0xffff_ffff_ffff_f000n)
  .u16(32, 0x0101)
  .u16(34, 0x0202)
  .u16(36, 0x0303)
  .u16(38, 0x0504) // bank group 5, bank address 4
  .u16(40, 0x0606)
  .u16(42, 0xabcd)
  .u16(44, 0x0808)
  .u16(46, 0x0909)
  .u64(48, 0x1111n)
  .u64(56, 0x2222n)
  .u64(64, 0x3333n)
  .u8(72, 3) // multi-bit ECC
  .u8(73, 0b1010_0011) // row bits 16-17 set, chip id 5
  .u16(74, 0x0a0a)
  .u16(76, 0x0b0b)
  .u16(78, 0x0c0c).bytes;

describe('Platform Memory Error section', () => {
  it('decodes every field from its documented offset', () => {
    const s = memoryCodec.decode(new ByteReader(golden), opts);
    expect(s.layoutSize).toBe(80);
    expect(s.validationBits.raw).toBe(0x3fffffn);
    expect(s.validationBits.physicalAddress).toBe(true);
    expect(s.validationBits.chipIdentification).toBe(true);
    expect(s.errorStatus.raw).toBe(0x440400n);
    expect(s.errorStatus.errorType).toEqual({ value: 4, name: 'memory' });
    expect(s.errorStatus.data).toBe(true);
    expect(s.errorStatus.overflow).toBe(true);
    expect(s.errorStatus.address).toBe(false);
    expect(s.physicalAddress).toBe(0x1234567000n);
    expect(s.physicalAddressMask).toBe(0xfffffffffffff000n);
    expect([s.node, s.card, s.module, s.bank, s.device, s.row, s.column, s.bitPosition]).toEqual([
      0x0101, 0x0202, 0x0303, 0x0504, 0x0606, 0xabcd, 0x0808, 0x0909,
    ]);
    expect([s.requestorId, s.responderId, s.targetId]).toEqual([0x1111n, 0x2222n, 0x3333n]);
    expect(s.memoryErrorType).toEqual({ value: 3, name: 'multiBitEcc' });
    expect(s.extended).toBe(0xa3);
    expect([s.rankNumber, s.cardHandle, s.moduleHandle]).toEqual([0x0a0a, 0x0b0b, 0x0c0c]);
    expect(s.trailing).toBeUndefined();
  });

  it('re-encodes byte for byte', () => {
    expect(hex(encode(memoryCodec.decode(new ByteReader(golden), opts)))).toBe(hex(golden));
  });

  it('accepts the 73-byte UEFI 2.1 layout and re-encodes it at 73 bytes', () => {
    const legacy = golden.slice(0, 73);
    const s = memoryCodec.decode(new ByteReader(legacy), opts);
    expect(s.layoutSize).toBe(73);
    expect(s.memoryErrorType.value).toBe(3);
    expect([s.extended, s.rankNumber, s.cardHandle, s.moduleHandle]).toEqual([0, 0, 0, 0]);
    expect(hex(encode(s))).toBe(hex(legacy));
    const json = memoryCodec.input.parse(toJson(s));
    expect(hex(encode(json))).toBe(hex(legacy));
  });

  it('keeps bytes after the layout as trailing', () => {
    const longer = new Uint8Array(84);
    longer.set(golden);
    longer.set([0xde, 0xad, 0xbe, 0xef], 80);
    const s = memoryCodec.decode(new ByteReader(longer), opts);
    expect(s.trailing).toBe('deadbeef');
    expect(hex(encode(s))).toBe(hex(longer));
  });

  it('a body shorter than 73 bytes is a truncated error at the body start', () => {
    const r = new ByteReader(new Uint8Array(100), 20, 72, 'entries[0].section');
    expect(() => memoryCodec.decode(r, opts)).toThrow(DecodeError);
    try {
      memoryCodec.decode(r, opts);
    } catch (e) {
      expect((e as DecodeError).code).toBe('truncated');
      expect((e as DecodeError).offset).toBe(20);
      expect((e as DecodeError).path).toBe('entries[0].section');
    }
  });

  it('minimal JSON sets the validation bits of the fields given (QEMU shape 0x4002)', () => {
    const s = memoryCodec.input.parse({ type: 'memory', physicalAddress: '0x40001000', memoryErrorType: 'unknown' });
    expect(s.validationBits.raw).toBe(0x4002n);
    const b = encode(s);
    expect(b.length).toBe(80);
    expect(hex(b.subarray(0, 8))).toBe('0240000000000000');
    expect(hex(b.subarray(16, 24))).toBe('0010004000000000');
  });

  it('bankGroup/bankAddress build the bank word and set validation bits 19 and 20', () => {
    const s = memoryCodec.input.parse({ type: 'memory', bankGroup: 5, bankAddress: 4 });
    expect(s.bank).toBe(0x0504);
    expect(s.validationBits.raw).toBe((1n << 19n) | (1n << 20n));
    const r = memoryCodec.input.safeParse({ type: 'memory', bank: 1, bankGroup: 2 });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['bank', 'give either bank or bankGroup/bankAddress, not both']]);
  });

  it('rejects fields the 73-byte layout does not have and unknown fields', () => {
    const r = memoryCodec.input.safeParse({ type: 'memory', layoutSize: 73, rankNumber: 2 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['rankNumber']);
    const u = memoryCodec.input.safeParse({ type: 'memory', colour: 'red' });
    expect(u.success).toBe(false);
    expect(u.error?.issues[0].code).toBe('unrecognized_keys');
  });

  it('decoded JSON parses back to an equal model', () => {
    const s = memoryCodec.decode(new ByteReader(golden), opts);
    expect(memoryCodec.input.parse(toJson(s))).toEqual(s);
  });
});
