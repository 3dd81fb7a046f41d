import { ByteReader, ByteWriter, DecodeError, RasgwError } from '../../../src/binary';
import { armCodec, ArmSection } from '../../../src/cper/sections/arm';
import { decodeArmErrorType, armErrorTypeRaw } from '../../../src/cper/sections/arm-error-info';
import { CperOptions, DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';
import { toJson } from '../../../src/cper/json/to-json';
import { Golden, hex } from '../support/golden';
import { caught } from './section-test-kit';

const opts = DEFAULT_CPER_OPTIONS;

function encode(s: ArmSection, o: CperOptions = opts): Uint8Array {
  const w = new ByteWriter(armCodec.byteLength(s, o));
  armCodec.encode(w, 0, s, o, 'section');
  return w.bytes;
}

function decodeError(bytes: Uint8Array, start = 0): DecodeError {
  try {
    armCodec.decode(new ByteReader(bytes, start, bytes.length - start, 'section'), opts);
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('decoded without error');
}

// ARM processor section, layouts reference §3.3: header (40), two error-info structures (32
// each), an AArch64 EL1 context (8 + 136), a misc-register context (8 + 2×10 + 4 padding), a
// context of an undefined type 12 (8 + 6), then 3 vendor bytes. Total 40+64+144+32+14+3 = 297.
const LENGTH = 297;
const g = new Golden(LENGTH)
  // header
  .u32(0, 0xf) // MPIDR, affinity, running state, vendor info valid
  .u16(4, 2)
  .u16(6, 3)
  .u32(8, LENGTH)
  .u8(12, 1)
  .u64(16, 0x8000_0000_0000_0101n)
  .u64(24, 0x410f_d0c0n)
  .u32(32, 1)
  .u32(36, 0)
  // error info 0: cache (0x02 in the UEFI 2.10 encoding)
  .u8(40, 0)
  .u8(41, 32)
  .u16(42, 0x1f)
  .u8(44, 0x02)
  .u16(45, 5)
  .u8(47, 0x9)
  .u64(48, 0x0000_0000_1491_007fn) // validation 0x7f, data access, data write, level 2, corrected, restartable PC
  .u64(56, 0xffff_8000_1234_5678n)
  .u64(64, 0x8_0000_1000n)
  // error info 1: bus (0x08)
  .u8(72, 0)
  .u8(73, 32)
  .u16(74, 0x04)
  .u8(76, 0x08)
  .u16(77, 0)
  .u8(79, 0)
  .u64(80, (0xfffn) | (2n << 16n) | (1n << 18n) | (3n << 22n) | (2n << 29n) | (1n << 31n) | (3n << 32n) | (0x1a5n << 34n) | (1n << 43n))
  .u64(88, 0n)
  .u64(96, 0n)
  // context 0: AArch64 EL1, 17 registers
  .u16(104, 0)
  .u16(106, 5)
  .u32(108, 136);
for (let i = 0; i < 17; i++) g.u64(112 + 8 * i, 0x1000n + BigInt(i));
g // context 1: misc registers, two entries and 4 bytes of padding
  .u16(248, 0)
  .u16(250, 8)
  .u32(252, 24)
  .u16(256, 0x4321)
  .u64(258, 0xaaaa_bbbb_cccc_ddddn)
  .u16(266, 0x1234)
  .u64(268, 0x5n)
  .hex(276, 'a1a2a3a4')
  // context 2: type 12 (not defined), 6 raw bytes
  .u16(280, 0)
  .u16(282, 12)
  .u32(284, 6)
  .hex(288, '010203040506')
  // vendor-specific bytes
  .hex(294, 'c0ffee');
const golden = g.bytes;

describe('ARM processor error section', () => {
  const s = armCodec.decode(new ByteReader(golden), opts);

  it('decodes the header fields', () => {
    expect(s.typeEncoding).toBe('uefi-2.10');
    expect(s.validationBits).toEqual({ raw: 0xf, mpidr: true, errorAffinityLevel: true, runningState: true, vendorSpecificInfo: true });
    expect(s.errorInfoCount).toBe(2);
    expect(s.contextInfoCount).toBe(3);
    expect(s.sectionLength).toBe(LENGTH);
    expect(s.errorAffinityLevel).toBe(1);
    expect(s.reserved).toBe(0);
    expect(s.mpidr).toBe(0x8000000000000101n);
    expect(s.midr).toBe(0x410fd0c0n);
    expect(s.runningState).toEqual({ raw: 1, running: true });
    expect(s.psciState).toBe(0);
    expect(s.vendorSpecific).toBe('c0ffee');
  });

  it('decodes a cache error-info entry and its ErrorInformation bits', () => {
    const e = s.errorInfo[0];
    expect([e.version, e.length, e.multipleError]).toEqual([0, 32, 5]);
    expect(e.validationBits.raw).toBe(0x1f);
    expect(e.type).toEqual({ raw: 2, cache: true, tlb: false, bus: false, microArchitecture: false });
    expect(e.flags).toEqual({ raw: 9, firstErrorCaptured: true, lastErrorCaptured: false, propagated: false, overflow: true });
    expect(e.virtualFaultAddress).toBe(0xffff800012345678n);
    expect(e.physicalFaultAddress).toBe(0x800001000n);
    const i = e.errorInformation;
    expect(i.raw).toBe(0x1491007fn);
    expect(i.kind).toBe('cache');
    expect(i.validationBits?.raw).toBe(0x7f);
    expect(i.transactionType).toEqual({ value: 1, name: 'dataAccess' });
    expect(i.operation).toEqual({ value: 4, name: 'dataWrite' });
    expect(i.level).toBe(2);
    expect(i.processorContextCorrupt).toBe(false);
    expect(i.corrected).toBe(true);
    expect(i.precisePc).toBe(false);
    expect(i.restartablePc).toBe(true);
    expect(i.participationType).toBeUndefined();
  });

  it('decodes the bus-only ErrorInformation fields', () => {
    const i = s.errorInfo[1].errorInformation;
    expect(i.kind).toBe('bus');
    expect(i.validationBits?.raw).toBe(0xfff);
    expect(i.validationBits?.accessMode).toBe(true);
    expect(i.transactionType?.name).toBe('generic');
    expect(i.operation?.name).toBe('genericRead');
    expect(i.level).toBe(3);
    expect(i.participationType).toEqual({ value: 2, name: 'localProcessorObserved' });
    expect(i.timeOut).toBe(true);
    expect(i.addressSpace).toEqual({ value: 3, name: 'deviceMemory' });
    expect(i.memoryAttributes).toBe(0x1a5);
    expect(i.accessMode).toEqual({ value: 1, name: 'normal' });
  });

  it('decodes named registers, misc registers and unknown context types', () => {
    const [el1, misc, other] = s.contexts;
    expect(el1.registerContextType).toEqual({ value: 5, name: 'aarch64El1' });
    expect(el1.registerArraySize).toBe(136);
    expect(el1.registers?.elrEl1).toBe(0x1000n);
    expect(el1.registers?.esrEl1).toBe(0x1001n);
    expect(el1.registers?.ttbr1El1).toBe(0x1010n);
    expect(Object.keys(el1.registers ?? {})).toHaveLength(17);
    expect(el1.padding).toBeUndefined();
    expect(misc.registerContextType.name).toBe('miscRegisters');
    expect(misc.miscRegisters).toEqual([
      { encoding: 0x4321, value: 0xaaaabbbbccccddddn },
      { encoding: 0x1234, value: 5n },
    ]);
    expect(misc.padding).toBe('a1a2a3a4');
    expect(other.registerContextType).toEqual({ value: 12, name: 'unknown' });
    expect(other.registerArray).toBe('010203040506');
  });

  it('re-encodes byte for byte, and so does its JSON form', () => {
    expect(hex(encode(s))).toBe(hex(golden));
    const again = armCodec.input.parse(toJson(s));
    expect(again).toEqual(s);
    expect(hex(encode(again))).toBe(hex(golden));
  });

  it('reports the type encoding it assumed, and the same bytes read differently under another', () => {
    const enc = armCodec.decode(new ByteReader(golden), { armTypeEncoding: 'uefi-2.11' });
    expect(enc.typeEncoding).toBe('uefi-2.11');
    expect(enc.errorInfo[0].type).toEqual({ raw: 2, cache: false, tlb: true, bus: false, microArchitecture: false });
    expect(enc.errorInfo[0].errorInformation.kind).toBe('tlb');
    const en = armCodec.decode(new ByteReader(golden), { armTypeEncoding: 'enum' });
    expect(en.errorInfo[0].type.bus).toBe(true);
    expect(hex(encode(enc))).toBe(hex(golden));
    expect(hex(encode(en))).toBe(hex(golden));
  });

  it('maps kinds to type bytes per encoding', () => {
    expect(armErrorTypeRaw(['cache'], 'uefi-2.10')).toBe(0x02);
    expect(armErrorTypeRaw(['microArchitecture'], 'uefi-2.10')).toBe(0x10);
    expect(armErrorTypeRaw(['cache', 'bus'], 'uefi-2.11')).toBe(0x05);
    expect(armErrorTypeRaw(['bus'], 'enum')).toBe(2);
    expect(armErrorTypeRaw(['cache', 'tlb'], 'enum')).toBeUndefined();
    expect(decodeArmErrorType(0x06, 'uefi-2.10')).toEqual({ raw: 6, cache: true, tlb: true, bus: false, microArchitecture: false });
  });

  describe('malformed bodies (Linux fixes eae21beecb95, 87880af2d24e)', () => {
    it('ERR_INFO_NUM far beyond the section is a bad_count at the count field, before any walk', () => {
      const b = golden.slice(0, 67);
      new DataView(b.buffer).setUint16(4, 46198, true);
      new DataView(b.buffer).setUint32(8, 854918320, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_count');
      expect(e.offset).toBe(4);
      expect(e.path).toBe('section.errorInfoCount');
    });

    it('an error-info entry that runs past the body is a bad_count', () => {
      const e = decodeError(golden.slice(0, 100));
      expect(e.code).toBe('bad_count');
      expect(e.message).toMatch(/needs 104 bytes .* has 100/);
    });

    it('a context whose 8 + size does not fit is a bad_length at its size field', () => {
      const b = golden.slice();
      new DataView(b.buffer).setUint32(252, 0xfffffff0, true);
      const e = decodeError(b);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(252);
      expect(e.path).toBe('section.contexts[1].registerArraySize');
    });

    it('more contexts than bytes is a bad_count naming the context count', () => {
      const b = golden.slice(0, 248);
      const e = decodeError(b);
      expect(e.code).toBe('bad_count');
      expect(e.offset).toBe(6);
      expect(e.path).toBe('section.contextInfoCount');
    });

    it('reports absolute offsets inside a larger buffer', () => {
      const outer = new Uint8Array(100 + 67);
      outer.set(golden.subarray(0, 67), 100);
      new DataView(outer.buffer).setUint16(104, 9, true);
      expect(decodeError(outer, 100).offset).toBe(104);
    });

    it('a header shorter than 40 bytes is truncated', () => {
      expect(decodeError(golden.slice(0, 39)).code).toBe('truncated');
    });
  });

  describe('JSON input', () => {
    it('fills counts, lengths and validation bits for minimal input', () => {
      const m = armCodec.input.parse({ type: 'arm', errorInfo: [{ type: 'cache' }] });
      expect(m.errorInfoCount).toBe(1);
      expect(m.sectionLength).toBe(72);
      expect(m.validationBits.raw).toBe(0);
      expect(m.errorInfo[0].type.raw).toBe(0x02);
      expect(m.errorInfo[0].length).toBe(32);
      const b = encode(m);
      expect(b.length).toBe(72);
      expect(new DataView(b.buffer).getUint32(8, true)).toBe(72);
      expect(b[44]).toBe(0x02);
      expect(b[41]).toBe(32);
    });

    it('builds ErrorInformation from named fields under the section encoding', () => {
      const m = armCodec.input.parse({
        type: 'arm',
        typeEncoding: 'edk2-v1',
        mpidr: '0x81000100',
        errorInfo: [
          {
            type: ['bus'],
            errorInformation: { transactionType: 'generic', operation: 'genericRead', level: 3, participationType: 'localProcessorObserved', timeOut: true, addressSpace: 'deviceMemory', memoryAttributes: 0x1a5, accessMode: 'normal' },
          },
        ],
      });
      const e = m.errorInfo[0];
      expect(e.version).toBe(1);
      expect(e.type.raw).toBe(0x04);
      expect(e.validationBits.raw).toBe(0x4);
      expect(e.errorInformation.raw).toBe(
        0xf87n | (2n << 16n) | (1n << 18n) | (3n << 22n) | (2n << 29n) | (1n << 31n) | (3n << 32n) | (0x1a5n << 34n) | (1n << 43n),
      );
      expect(m.validationBits.raw).toBe(1);
    });

    it('errors carry the JSON path below the section', () => {
      const bad = armCodec.input.safeParse({ type: 'arm', errorInfo: [{ type: 'cache' }, { type: 'cache', errorInformation: { timeOut: true } }] });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0].path).toEqual(['errorInfo', 1, 'errorInformation', 'timeOut']);
      const two = armCodec.input.safeParse({ type: 'arm', typeEncoding: 'enum', errorInfo: [{ type: ['cache', 'tlb'] }] });
      expect(two.error?.issues[0].path).toEqual(['errorInfo', 0, 'type']);
      const count = armCodec.input.safeParse({ type: 'arm', errorInfoCount: 3, errorInfo: [{ type: 'tlb' }] });
      expect(count.error?.issues[0].path).toEqual(['errorInfoCount']);
    });

    it('fills a context to its table size with zeros and places named registers', () => {
      const m = armCodec.input.parse({
        type: 'arm',
        errorInfo: [{ type: 'cache' }],
        contexts: [{ registerContextType: 'aarch64El1', registers: { farEl1: '0xdead0000' } }],
      });
      expect(m.contexts[0].registerArraySize).toBe(136);
      const b = encode(m);
      expect(b.length).toBe(72 + 8 + 136);
      expect(new DataView(b.buffer).getUint16(74, true)).toBe(5);
      expect(new DataView(b.buffer).getBigUint64(80 + 16, true)).toBe(0xdead0000n);
      const bad = armCodec.input.safeParse({
        type: 'arm',
        errorInfo: [],
        contexts: [{ registerContextType: 'aarch32Gpr', registers: { x0: 1 } }],
      });
      expect(bad.error?.issues[0].path).toEqual(['contexts', 0, 'registers', 'x0']);
      const wide = armCodec.input.safeParse({
        type: 'arm',
        errorInfo: [],
        contexts: [{ registerContextType: 'aarch32Gpr', registers: { r0: '0x100000000' } }],
      });
      expect(wide.error?.issues[0].path).toEqual(['contexts', 0, 'registers', 'r0']);
    });

    it('keeps a short register array (Linux fixture arm-two-contexts) with its partial tail', () => {
      const m = armCodec.input.parse({
        type: 'arm',
        errorInfo: [],
        contexts: [{ registerContextType: 'aarch32Gpr', registerArraySize: 10, registers: { r1: 7 } }],
      });
      expect(m.contexts[0].registers).toEqual({ r0: 0n, r1: 7n });
      expect(m.contexts[0].padding).toBe('0000');
      const b = encode(m);
      expect(b.length).toBe(40 + 8 + 10);
      expect(hex(b.subarray(48))).toBe('00000000070000000000');
    });

    it('128-bit translation-table registers (type 9) round trip', () => {
      const m = armCodec.input.parse({
        type: 'arm',
        errorInfo: [],
        contexts: [{ registerContextType: 'ttbr128', registers: { ttbr0El1: '0xffffffffffffffffffffffffffffffff', vttbrEl2: '0x0102030405060708090a0b0c0d0e0f10' } }],
      });
      const b = encode(m);
      expect(b.length).toBe(40 + 8 + 96);
      expect(hex(b.subarray(48, 64))).toBe('ff'.repeat(16));
      expect(hex(b.subarray(48 + 80, 48 + 96))).toBe('100f0e0d0c0b0a090807060504030201');
      const back = armCodec.decode(new ByteReader(b), opts);
      expect(back.contexts[0].registers?.vttbrEl2).toBe(0x0102030405060708090a0b0c0d0e0f10n);
      expect(armCodec.input.parse(toJson(back))).toEqual(back);
    });
  });

  describe('encoding hand-built register contexts', () => {
    // one AArch64 EL1 context (17 × 8 bytes) right after the 40-byte header: registers from byte 48
    const base = () => armCodec.input.parse({ type: 'arm', errorInfo: [], contexts: [{ registerContextType: 'aarch64El1', registers: { esrEl1: '0x96000010' } }] });
    const withRegisters = (registers: Record<string, unknown>, padding?: string): ArmSection => {
      const m = base();
      m.contexts[0] = { ...m.contexts[0], registers: registers as Record<string, bigint> };
      if (padding !== undefined) m.contexts[0].padding = padding;
      return m;
    };
    const registerBytes = (b: Uint8Array) => hex(b.subarray(48, 48 + 136));
    const expected = '00'.repeat(8) + '1000009600000000' + '00'.repeat(8) + 'efbeadde00000000' + '00'.repeat(13 * 8);

    it('writes the registers by table position whatever order the model holds them in, absent ones as zero', () => {
      expect(registerBytes(encode(withRegisters({ ...base().contexts[0].registers, isrEl1: 0xdeadbeefn })))).toBe(expected);
      expect(registerBytes(encode(withRegisters({ isrEl1: 0xdeadbeefn, esrEl1: 0x96000010n })))).toBe(expected);
      expect(registerBytes(encode(withRegisters({ esrEl1: 0x96000010n, farEl1: undefined, isrEl1: 0xdeadbeefn })))).toBe(expected);
    });

    it('a register the type does not have is a bad_value naming it', () => {
      const e = caught(() => encode(withRegisters({ esrEl1: 1n, x0: 2n })));
      expect([e.code, e.path]).toEqual(['bad_value', 'section.contexts[0].registers.x0']);
    });

    it.each([
      ['wider than 64 bits', 1n << 64n],
      ['negative', -1n],
      ['a number instead of a bigint', 5],
    ])('a register value %s is out_of_range at its byte offset', (_what, value) => {
      const e = caught(() => encode(withRegisters({ esrEl1: 1n, farEl1: value })));
      expect([e.code, e.path, e.offset]).toEqual(['out_of_range', 'section.contexts[0].registers.farEl1', 48 + 16]);
    });

    it('padding that does not make up registerArraySize is a bad_length', () => {
      const m = withRegisters({ esrEl1: 1n }, 'ffff');
      m.contexts[0].registerArraySize = 136 + 4;
      const e = caught(() => encode(m));
      expect([e.code, e.path]).toEqual(['bad_length', 'section.contexts[0].padding']);
    });

    it('a 32-bit context checks values against 32 bits', () => {
      const m = armCodec.input.parse({ type: 'arm', errorInfo: [], contexts: [{ registerContextType: 'aarch32Secure', registers: { spsrMon: 7 } }] });
      expect(hex(encode(m).subarray(48))).toBe('0000000007000000');
      m.contexts[0].registers = { sctlrS: 0x1_0000_0000n };
      const e = caught(() => encode(m));
      expect([e.code, e.path, e.offset]).toEqual(['out_of_range', 'section.contexts[0].registers.sctlrS', 48]);
    });
  });

  it('an encode of a model whose counts disagree with its lists is a typed error', () => {
    const m = { ...s, errorInfoCount: 1 };
    expect(() => encode(m)).toThrow(RasgwError);
  });
});
