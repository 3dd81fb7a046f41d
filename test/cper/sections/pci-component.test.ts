import { pciComponentCodec } from '../../../src/cper/sections/pci-component';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

/** Header + 2 memory pairs + 1 I/O pair = 40 + 48 bytes. */
function golden(): Golden {
  return new Golden(88)
    .u64(0, 0x1fn)
    .u64(8, (7n << 8n) | (1n << 17n)) // function-unit error, control
    .u16(16, 0x10de).u16(18, 0x2330)
    .raw(20, [0x00, 0x02, 0x03]) // class code 030200
    .u8(23, 0).u8(24, 0x1c).u8(25, 0x81).u8(26, 0x02) // function, device, bus, segment
    .u32(32, 2).u32(36, 1)
    .u64(40, 0xf000_0000n).u64(48, 0x1234n)
    .u64(56, 0xf000_0008n).u64(64, 0x5678n)
    .u64(72, 0xcf8n).u64(80, 0x8000_1000n);
}

describe('PCI/PCI-X component section codec', () => {
  it('decodes the header and the M memory + I I/O register pairs', () => {
    const s = decodeBody(pciComponentCodec, golden().bytes);
    expect(s.type).toBe('pciComponent');
    expect(s.validationBits.registerDataPairs).toBe(true);
    expect(s.errorStatus.errorType.name).toBe('function');
    expect(s.errorStatus.control).toBe(true);
    expect(s.idInfo).toEqual({ vendorId: 0x10de, deviceId: 0x2330, classCode: 0x030200, function: 0, device: 0x1c, bus: 0x81, segment: 2, reserved: '0000000000' });
    expect(s.memoryRegisters).toEqual([
      { address: 0xf000_0000n, data: 0x1234n },
      { address: 0xf000_0008n, data: 0x5678n },
    ]);
    expect(s.ioRegisters).toEqual([{ address: 0xcf8n, data: 0x8000_1000n }]);
  });

  it('re-encodes byte for byte, directly and through JSON, keeping slack bytes', () => {
    const body = new Uint8Array(92);
    body.set(golden().raw(27, 'ffeeddccbb').bytes);
    body.set([1, 2, 3, 4], 88);
    const s = decodeBody(pciComponentCodec, body);
    expect(s.idInfo.reserved).toBe('ffeeddccbb');
    expect(s.trailing).toBe('01020304');
    expect(hexOf(encodeBody(pciComponentCodec, s))).toBe(hexOf(body));
    const back = viaJson(pciComponentCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(pciComponentCodec, back))).toBe(hexOf(body));
  });

  it('encodes minimal JSON: counts from the arrays, validation bits from the fields', () => {
    const b = encodeJson(pciComponentCodec, { ioRegisters: [{ address: '0xcfc', data: 7 }], idInfo: { vendorId: 0x8086 } });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(56);
    expect(v.getBigUint64(0, true)).toBe(0x2n | 0x4n | 0x8n | 0x10n);
    expect(v.getUint16(16, true)).toBe(0x8086);
    expect(v.getUint32(32, true)).toBe(0);
    expect(v.getUint32(36, true)).toBe(1);
    expect(v.getBigUint64(40, true)).toBe(0xcfcn);
    expect(v.getBigUint64(48, true)).toBe(7n);
  });

  it('counts larger than the body are a typed error before any pair is read', () => {
    const g = golden().u32(32, 0x1000_0000).u32(36, 0xffff_ffff);
    const e = caught(() => decodeBody(pciComponentCodec, g.bytes, undefined, 200));
    expect(e.code).toBe('bad_count');
    expect(e.offset).toBe(200 + 32);
    expect(e.path).toBe('section.memoryNumber');
    const e2 = caught(() => decodeBody(pciComponentCodec, golden().u32(36, 2).bytes));
    expect(e2.code).toBe('bad_count');
  });

  it('a truncated header is a typed error', () => {
    const e = caught(() => decodeBody(pciComponentCodec, golden().bytes.slice(0, 36), undefined, 4));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(4 + 36);
    expect(e.path).toBe('section.ioNumber');
  });

  it('rejects unknown fields and malformed pairs', () => {
    expect(zodIssuePaths(() => pciComponentCodec.input.parse({ memoryNumber: 2 }))).toEqual(['']);
    expect(zodIssuePaths(() => pciComponentCodec.input.parse({ memoryRegisters: [{ address: 1 }] }))).toEqual(['memoryRegisters.0.data']);
  });
});
