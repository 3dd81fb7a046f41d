import { cxlAgentAddressValue, cxlProtocolCodec } from '../../../src/cper/sections/cxl-protocol';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

/** 116-byte header + 8-byte DVSEC + 12-byte error log. */
function golden(): Golden {
  return new Golden(136)
    .u64(0, 0x7fn)
    .u8(8, 2) // CXL device
    .u8(16, 1).u8(17, 0).u8(18, 0x0d).u16(19, 0x0001) // 0001:0d:00.1
    .u16(24, 0x8086).u16(26, 0x0d93).u16(28, 0x8086).u16(30, 0x0001).u16(32, 0x0502).u16(34, 9 << 3)
    .u64(40, 0x0102_0304_0506_0708n)
    .pattern(48, 60, 0x20)
    .u16(108, 8).u16(110, 12).u32(112, 0)
    .raw(116, '9823010014000000') // DVSEC
    .u32(124, 0x0000_0040).u32(128, 0).u32(132, 0x0000_1000); // error log
}

describe('CXL protocol error section codec', () => {
  it('decodes every field and the two variable parts', () => {
    const s = decodeBody(cxlProtocolCodec, golden().bytes);
    expect(s.type).toBe('cxlProtocol');
    expect(s.validationBits).toMatchObject({ raw: 0x7fn, agentType: true, errorLog: true });
    expect(s.agentType).toEqual({ value: 2, name: 'device' });
    expect(s.agentAddress).toEqual({ function: 1, device: 0, bus: 0x0d, segment: 1, reserved: '000000' });
    expect(s.deviceId).toEqual({
      vendorId: 0x8086,
      deviceId: 0x0d93,
      subsystemVendorId: 0x8086,
      subsystemDeviceId: 1,
      classCode: 0x0502,
      slot: 9,
      slotReserved: 0,
      reserved: '00000000',
    });
    expect(s.serialNumber).toBe(0x0102_0304_0506_0708n);
    expect(s.capabilityStructure.slice(0, 4)).toBe('2021');
    expect(s.dvsec).toBe('9823010014000000');
    expect(s.errorLog).toBe('400000000000000000100000');
  });

  it('re-encodes byte for byte, directly and through JSON, with reserved and trailing bytes', () => {
    const body = new Uint8Array(140);
    body.set(golden().raw(9, '01020304050607').u32(112, 0x55aa).bytes);
    body.set([0xde, 0xad, 0xbe, 0xef], 136);
    const s = decodeBody(cxlProtocolCodec, body);
    expect(s.reserved).toBe('01020304050607');
    expect(s.reserved2).toBe(0x55aa);
    expect(s.trailing).toBe('deadbeef');
    expect(hexOf(encodeBody(cxlProtocolCodec, s))).toBe(hexOf(body));
    const back = viaJson(cxlProtocolCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(cxlProtocolCodec, back))).toBe(hexOf(body));
  });

  it('an RCH downstream port carries an RCRB base address in the agent address', () => {
    const bytes = golden().u8(8, 1).u64(16, 0xfed1_c000n).bytes;
    const s = decodeBody(cxlProtocolCodec, bytes);
    expect(s.agentAddress).toEqual({ rcrbBaseAddress: 0xfed1_c000n });
    expect(hexOf(encodeBody(cxlProtocolCodec, viaJson(cxlProtocolCodec, s)))).toBe(hexOf(bytes));
    expect(cxlAgentAddressValue({ function: 1, device: 2, bus: 3, segment: 0x0405, reserved: '000000' })).toBe(0x04_0503_0201n);
  });

  it('encodes minimal JSON: lengths from the parts, validation bits from the fields', () => {
    const b = encodeJson(cxlProtocolCodec, { agentType: 'rootPort', agentAddress: { bus: 0x34, device: 2 }, errorLog: 'aabbccdd' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(120);
    expect(v.getBigUint64(0, true)).toBe(0x1n | 0x2n | 0x40n);
    expect(b[8]).toBe(5);
    expect([b[16], b[17], b[18]]).toEqual([0, 2, 0x34]);
    expect(v.getUint16(108, true)).toBe(0);
    expect(v.getUint16(110, true)).toBe(4);
    expect(hexOf(b.slice(116))).toBe('aabbccdd');
    const rch = encodeJson(cxlProtocolCodec, { agentAddress: { rcrbBaseAddress: '0xfed10000' } });
    expect(rch[8]).toBe(1);
    expect(new DataView(rch.buffer, rch.byteOffset).getBigUint64(16, true)).toBe(0xfed10000n);
  });

  it('DVSEC and error-log lengths beyond the body are a typed error before either is read', () => {
    const e = caught(() => decodeBody(cxlProtocolCodec, golden().u16(110, 13).bytes, undefined, 20));
    expect(e.code).toBe('bad_length');
    expect(e.offset).toBe(20 + 108);
    expect(e.path).toBe('section.dvsecLength');
    const e2 = caught(() => decodeBody(cxlProtocolCodec, golden().u16(108, 0xffff).u16(110, 0xffff).bytes));
    expect(e2.code).toBe('bad_length');
  });

  it('a truncated header is a typed error', () => {
    const e = caught(() => decodeBody(cxlProtocolCodec, golden().bytes.slice(0, 100), undefined, 4));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(4 + 108);
    expect(e.path).toBe('section.dvsecLength');
  });

  it('rejects unknown fields and mixed agent-address forms', () => {
    expect(zodIssuePaths(() => cxlProtocolCodec.input.parse({ dvsecLength: 4 }))).toEqual(['']);
    expect(zodIssuePaths(() => cxlProtocolCodec.input.parse({ agentAddress: { rcrbBaseAddress: 1, bus: 2 } }))).toEqual(['agentAddress']);
  });
});
