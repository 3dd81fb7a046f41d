import { decodeCheckInfo, ia32x64Codec } from '../../../src/cper/sections/ia32x64';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

const CACHE_GUID_WIRE = 'f50157a5 efe3 de43 ac72249b573fad2c'; // a55701f5-e3ef-43de-ac72-249b573fad2c
const BUS_GUID_WIRE = 'b3f8f31c b1c5 a249 aa595eef92ffa63c'; // 1cf3f8b3-c5b1-49a2-aa59-5eef92ffa63c
const CACHE_CHECK = 0x17n | (1n << 16n) | (3n << 18n) | (2n << 22n) | (1n << 26n);
const BUS_CHECK = 0x600n | (1n << 32n) | (2n << 33n);

/** Header, two error-info structures (cache, bus), two contexts (MSR with 16 bytes, MMIO with 24). */
function golden(): Golden {
  return new Golden(264)
    .u64(0, 0x3n | (2n << 2n) | (2n << 8n))
    .u64(8, 0x12n)
    .u64(16, 0x000906eAn).u64(24, 0x00100800n).u64(32, 0x7ffafbffn).u64(40, 0xbfebfbffn)
    // error info 0: cache
    .raw(64, CACHE_GUID_WIRE).u64(80, 0x1fn).u64(88, CACHE_CHECK).u64(96, 0x1000n).u64(104, 0x2000n).u64(112, 0x3000n).u64(120, 0xffff_ffff_8100_0000n)
    // error info 1: bus
    .raw(128, BUS_GUID_WIRE).u64(144, 0x1n).u64(152, BUS_CHECK)
    // context 0: MSR registers from 0x179, 16 bytes
    .u16(192, 1).u16(194, 16).u32(196, 0x179).u64(200, 0n).pattern(208, 16, 0x40)
    // context 1: memory-mapped registers, 24 bytes (not a multiple of 16)
    .u16(224, 7).u16(226, 24).u32(228, 0).u64(232, 0xfee0_0000n).pattern(240, 24, 0x80);
}

describe('IA32/X64 processor section codec', () => {
  it('decodes the header, both error-info structures with their check info, and both contexts', () => {
    const s = decodeBody(ia32x64Codec, golden().bytes);
    expect(s.type).toBe('ia32x64');
    expect(s.validationBits).toEqual({ raw: 0x20bn, localApicId: true, cpuidInfo: true, errorInfoCount: 2, contextCount: 2 });
    expect(s.localApicId).toBe(0x12n);
    expect(s.cpuidInfo).toEqual({ eax: 0x906ean, ebx: 0x100800n, ecx: 0x7ffafbffn, edx: 0xbfebfbffn, reserved: '00'.repeat(16) });
    const [cache, bus] = s.errorInfo;
    expect(cache.structureType).toEqual({ guid: 'a55701f5-e3ef-43de-ac72-249b573fad2c', name: 'cache' });
    expect(cache.validationBits.raw).toBe(0x1fn);
    expect(cache.checkInfo).toMatchObject({
      raw: CACHE_CHECK,
      transactionType: { value: 1, name: 'dataAccess' },
      operation: { value: 3, name: 'dataRead' },
      level: 2,
      processorContextCorrupt: false,
      uncorrected: true,
      overflow: false,
    });
    expect(cache.checkInfo.validation).toMatchObject({ raw: 0x17, transactionType: true, operation: true, level: true, processorContextCorrupt: false, uncorrected: true });
    expect([cache.targetId, cache.requestorId, cache.responderId, cache.instructionPointer]).toEqual([0x1000n, 0x2000n, 0x3000n, 0xffff_ffff_8100_0000n]);
    expect(bus.structureType.name).toBe('bus');
    expect(bus.checkInfo).toMatchObject({ timeOut: true, addressSpace: { value: 2, name: 'io' }, participationType: { value: 0, name: 'localProcessorOriginated' } });
    expect(bus.checkInfo.validation).toMatchObject({ timeOut: true, addressSpace: true, participationType: false });
    expect(s.contexts).toEqual([
      { registerContextType: { value: 1, name: 'msr' }, msrAddress: 0x179, mmRegisterAddress: 0n, registerArray: '404142434445464748494a4b4c4d4e4f' },
      { registerContextType: { value: 7, name: 'memoryMappedRegisters' }, msrAddress: 0, mmRegisterAddress: 0xfee0_0000n, registerArray: Buffer.from(Array.from({ length: 24 }, (_, i) => 0x80 + i)).toString('hex') },
    ]);
    expect(s.trailing).toBeUndefined();
  });

  it('re-encodes byte for byte, directly and through JSON, keeping trailing bytes', () => {
    const body = new Uint8Array(268);
    body.set(golden().bytes);
    body.set([1, 2, 3, 4], 264);
    const s = decodeBody(ia32x64Codec, body);
    expect(s.trailing).toBe('01020304');
    expect(hexOf(encodeBody(ia32x64Codec, s))).toBe(hexOf(body));
    const back = viaJson(ia32x64Codec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(ia32x64Codec, back))).toBe(hexOf(body));
  });

  it('keeps an unknown structure type and its raw check info', () => {
    const g = golden().raw(128, '00112233445566778899aabbccddeeff').u64(152, 0xabcdefn);
    const s = decodeBody(ia32x64Codec, g.bytes);
    expect(s.errorInfo[1].structureType).toEqual({ guid: '33221100-5544-7766-8899-aabbccddeeff', name: 'unknown' });
    expect(s.errorInfo[1].checkInfo).toEqual({ raw: 0xabcdefn });
    expect(hexOf(encodeBody(ia32x64Codec, viaJson(ia32x64Codec, s)))).toBe(hexOf(g.bytes));
  });

  it('encodes minimal JSON: counts and validation bits derived, check info from named fields', () => {
    const b = encodeJson(ia32x64Codec, {
      localApicId: 3,
      errorInfo: [
        {
          structureType: 'microArchitecture',
          checkInfo: { errorType: 'external', uncorrected: true, restartableIp: false },
          instructionPointer: '0x401000',
        },
      ],
      contexts: [{ registerContextType: 'msr', msrAddress: 0x17a, registerArray: '0100000000000000' }],
    });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(64 + 64 + 16 + 8);
    expect(v.getBigUint64(0, true)).toBe(0x1n | (1n << 2n) | (1n << 8n));
    expect(v.getBigUint64(8, true)).toBe(3n);
    // 48ab7f57-dc34-4f6c-a7d3-b0b5b0a74314 in wire order
    expect(hexOf(b.slice(64, 80))).toBe('577fab4834dc6c4fa7d3b0b5b0a74314');
    expect(v.getBigUint64(80, true)).toBe(0x1n | 0x10n);
    // error type 3 at 18:16, uncorrected bit 20; validation bits 0 (error type), 2 (uncorrected), 4 (restartable IP)
    expect(v.getBigUint64(88, true)).toBe((3n << 16n) | (1n << 20n) | 0x15n);
    expect(v.getBigUint64(120, true)).toBe(0x401000n);
    expect([v.getUint16(128, true), v.getUint16(130, true), v.getUint32(132, true)]).toEqual([1, 8, 0x17a]);
    expect(hexOf(b.slice(144))).toBe('0100000000000000');
  });

  it('decodeCheckInfo reads the TLB layout', () => {
    const c = decodeCheckInfo('tlb', 0x2n | (6n << 18n));
    expect(c.operation).toEqual({ value: 6, name: 'prefetch' });
    expect(c.validation).toMatchObject({ operation: true, transactionType: false });
  });

  it('error-info and context counts beyond the body are typed errors before the loops', () => {
    const e = caught(() => decodeBody(ia32x64Codec, golden().u64(0, 0x3n | (5n << 2n) | (2n << 8n)).bytes, undefined, 30));
    expect(e.code).toBe('bad_count');
    expect(e.offset).toBe(30);
    expect(e.path).toBe('section.validationBits.errorInfoCount');
    const e2 = caught(() => decodeBody(ia32x64Codec, golden().u64(0, 0x3n | (2n << 2n) | (63n << 8n)).bytes));
    expect(e2.code).toBe('bad_count');
    expect(e2.path).toBe('section.validationBits.contextCount');
  });

  it('a register array size past the body is a typed error with the offset of the size field', () => {
    const e = caught(() => decodeBody(ia32x64Codec, golden().u16(226, 25).bytes, undefined, 100));
    expect(e.code).toBe('bad_length');
    expect(e.offset).toBe(100 + 226);
    expect(e.path).toBe('section.contexts[1].registerArraySize');
  });

  it('a truncated header is a typed error', () => {
    const e = caught(() => decodeBody(ia32x64Codec, golden().bytes.slice(0, 40), undefined, 6));
    expect(e.code).toBe('truncated');
    expect(e.path).toBe('section.cpuidInfo');
    expect(e.offset).toBe(6 + 16);
  });

  it('rejects counts that disagree with the arrays, unknown check-info fields and unknown types', () => {
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ validationBits: '0x4' }))).toEqual(['validationBits']);
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ validationBits: { contextCount: 1 } }))).toEqual(['validationBits']);
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ errorInfo: [{ structureType: 'tlb', checkInfo: { timeOut: true } }] }))).toEqual([
      'errorInfo.0.checkInfo.timeOut',
    ]);
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ errorInfo: [{ structureType: 'cache', checkInfo: { level: 8 } }] }))).toEqual([
      'errorInfo.0.checkInfo.level',
    ]);
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ errorInfo: [{ structureType: 'l3' }] }))).toEqual(['errorInfo.0.structureType']);
    expect(zodIssuePaths(() => ia32x64Codec.input.parse({ contexts: Array.from({ length: 64 }, () => ({})) }))).toEqual(['contexts']);
  });

  it('a hand-built model whose counts disagree with its arrays fails to encode', () => {
    const s = decodeBody(ia32x64Codec, golden().bytes);
    const e = caught(() => encodeBody(ia32x64Codec, { ...s, contexts: s.contexts.slice(0, 1) }));
    expect(e.code).toBe('bad_count');
    expect(e.path).toBe('section.validationBits');
  });
});
