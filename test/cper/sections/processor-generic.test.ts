import { processorGenericCodec } from '../../../src/cper/sections/processor-generic';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

function golden(): Golden {
  const g = new Golden(192)
    .u64(0, 0x1fffn) // bits 0-12
    .u8(8, 2) // ARM
    .u8(9, 4) // A64
    .u8(10, 0x05) // cache | bus
    .u8(11, 1) // data read
    .u8(12, 0x0a) // precise IP | corrected
    .u8(13, 2) // level
    .u16(14, 0)
    .u64(16, 0x410fd0c1n) // MIDR_EL1
    .u64(152, 0x81000100n) // MPIDR_EL1
    .u64(160, 0xffff_8000_1234_5678n)
    .u64(168, 0x11n)
    .u64(176, 0x22n)
    .u64(184, 0xffff_0000_0040_0000n);
  const brand = 'ARM Neoverse-N1';
  for (let i = 0; i < brand.length; i++) g.u8(24 + i, brand.charCodeAt(i));
  return g;
}

describe('processor generic section codec', () => {
  it('decodes every field at its documented offset', () => {
    const s = decodeBody(processorGenericCodec, golden().bytes);
    expect(s.type).toBe('processorGeneric');
    expect(s.validationBits.raw).toBe(0x1fffn);
    expect(s.validationBits.instructionIp).toBe(true);
    expect(s.processorType).toEqual({ value: 2, name: 'arm' });
    expect(s.isa).toEqual({ value: 4, name: 'armA64' });
    expect(s.errorType).toEqual({ raw: 5, cache: true, tlb: false, bus: true, microArchitectural: false });
    expect(s.operation).toEqual({ value: 1, name: 'dataRead' });
    expect(s.flags).toEqual({ raw: 0x0a, restartable: false, preciseIp: true, overflow: false, corrected: true });
    expect(s.level).toBe(2);
    expect(s.cpuVersion).toBe(0x410fd0c1n);
    expect(s.brandString).toEqual({ text: 'ARM Neoverse-N1' });
    expect(s.processorId).toBe(0x81000100n);
    expect(s.targetAddress).toBe(0xffff_8000_1234_5678n);
    expect([s.requestorId, s.responderId]).toEqual([0x11n, 0x22n]);
    expect(s.instructionIp).toBe(0xffff_0000_0040_0000n);
  });

  it('re-encodes byte for byte, directly and through JSON', () => {
    const bytes = golden().bytes;
    const s = decodeBody(processorGenericCodec, bytes);
    expect(hexOf(encodeBody(processorGenericCodec, s))).toBe(hexOf(bytes));
    const back = viaJson(processorGenericCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(processorGenericCodec, back))).toBe(hexOf(bytes));
  });

  it('keeps a brand string with bytes after its NUL, reserved bits and trailing bytes exactly', () => {
    const g = golden().u16(14, 0x1234).u8(24 + 20, 0xaa).u8(24 + 127, 0xff).u64(0, 1n << 13n);
    const body = new Uint8Array(195);
    body.set(g.bytes);
    body.set([9, 8, 7], 192);
    const s = decodeBody(processorGenericCodec, body);
    expect(s.reserved).toBe(0x1234);
    expect(s.brandString.text).toBe('ARM Neoverse-N1');
    expect(s.brandString.raw?.length).toBe(256);
    expect(s.validationBits.raw).toBe(0x2000n); // Microsoft's bit 13: no name, kept in raw
    expect(s.validationBits.processorType).toBe(false);
    expect(s.trailing).toBe('090807');
    expect(hexOf(encodeBody(processorGenericCodec, s))).toBe(hexOf(body));
    expect(hexOf(encodeBody(processorGenericCodec, viaJson(processorGenericCodec, s)))).toBe(hexOf(body));
  });

  it('encodes minimal JSON with derived validation bits', () => {
    const b = encodeJson(processorGenericCodec, { processorType: 'arm', isa: 'armA64', errorType: { cache: true }, processorId: '0x80000001', brandString: 'rasgw' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(192);
    expect(v.getBigUint64(0, true)).toBe(0x1n | 0x2n | 0x4n | 0x80n | 0x100n);
    expect([b[8], b[9], b[10], b[11], b[12]]).toEqual([2, 4, 1, 0, 0]);
    expect(Buffer.from(b.slice(24, 30)).toString('latin1')).toBe('rasgw\0');
    expect(v.getBigUint64(152, true)).toBe(0x80000001n);
  });

  it('rejects unknown fields and over-long brand strings', () => {
    expect(zodIssuePaths(() => processorGenericCodec.input.parse({ mpidr: 1 }))).toEqual(['']);
    expect(zodIssuePaths(() => processorGenericCodec.input.parse({ brandString: 'x'.repeat(129) }))).toEqual(['brandString']);
    expect(zodIssuePaths(() => processorGenericCodec.input.parse({ isa: 'riscv' }))).toEqual(['isa']);
  });

  it('a truncated body is a typed error with the absolute offset', () => {
    const e = caught(() => decodeBody(processorGenericCodec, golden().bytes.slice(0, 160), undefined, 40));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(40 + 160);
    expect(e.path).toBe('section.targetAddress');
  });
});
