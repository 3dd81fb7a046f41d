import { CXL_COMPONENT_CODECS, cxlComponentCodec } from '../../../src/cper/sections/cxl-component';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

const dram = cxlComponentCodec('cxlDram');

/** 32-byte header + a 16-byte slice of an event log. */
function golden(): Golden {
  return new Golden(48)
    .u32(0, 48)
    .u64(4, 0x7n)
    .u16(12, 0x8086).u16(14, 0x0d93).u8(16, 0).u8(17, 0).u8(18, 0x0d).u16(19, 1).u16(21, 4 << 3).u8(23, 0)
    .u64(24, 0xa1b2_c3d4_e5f6_0718n)
    .pattern(32, 16, 0x70);
}

describe('CXL component event section codecs', () => {
  it('one codec per event GUID, all sharing one layout', () => {
    expect(CXL_COMPONENT_CODECS.map((c) => [c.name, c.guid])).toEqual([
      ['cxlGeneralMedia', 'fbcd0a77-c260-417f-85a9-088b1621eba6'],
      ['cxlDram', '601dcbb3-9c06-4eab-b8af-4e9bfb5c9624'],
      ['cxlMemoryModule', 'fe927475-dd59-4339-a586-79bab113b774'],
      ['cxlPhysicalSwitch', '77cf9271-9c02-470b-9fe4-bc7b75f2da97'],
      ['cxlVirtualSwitch', '40d26425-3396-4c4d-a5da-3d47263af425'],
      ['cxlMldPort', '8dc44363-0c96-4710-b7bf-04bb99534c3f'],
      ['cxlMemorySparing', 'e71f3a40-2d29-4092-8a39-4d1c966c7c65'],
    ]);
    const bytes = golden().bytes;
    for (const codec of CXL_COMPONENT_CODECS) {
      const s = decodeBody(codec, bytes);
      expect(s.type).toBe(codec.name);
      expect(s.guid).toBe(codec.guid);
      expect(hexOf(encodeBody(codec, s))).toBe(hexOf(bytes));
    }
    expect(() => cxlComponentCodec('cxlBogus' as never)).toThrow(TypeError);
  });

  it('decodes every header field and the log bounded by the length field', () => {
    const s = decodeBody(dram, golden().bytes);
    expect(s.validationBits).toMatchObject({ raw: 7n, deviceId: true, serialNumber: true, eventLog: true });
    expect(s.deviceId).toEqual({ vendorId: 0x8086, deviceId: 0x0d93, function: 0, device: 0, bus: 0x0d, segment: 1, slot: 4, slotReserved: 0, reserved: 0 });
    expect(s.serialNumber).toBe(0xa1b2_c3d4_e5f6_0718n);
    expect(s.eventLog).toBe('707172737475767778797a7b7c7d7e7f');
  });

  it('re-encodes byte for byte through JSON, with trailing bytes after the length', () => {
    const body = new Uint8Array(52);
    body.set(golden().u32(0, 40).u8(23, 0x5a).bytes);
    body.set([9, 9, 9, 9], 48);
    const s = decodeBody(dram, body);
    expect(s.eventLog).toBe('7071727374757677');
    expect(s.trailing).toBe('78797a7b7c7d7e7f09090909');
    expect(s.deviceId.reserved).toBe(0x5a);
    const back = viaJson(dram, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(dram, back))).toBe(hexOf(body));
  });

  it('encodes minimal JSON: length from the log, validation bits from the fields', () => {
    const b = encodeJson(dram, { type: 'cxlDram', deviceId: { bus: 0x0d, slot: 2 }, eventLog: '00112233' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(36);
    expect(v.getUint32(0, true)).toBe(36);
    expect(v.getBigUint64(4, true)).toBe(0x1n | 0x4n);
    expect(b[18]).toBe(0x0d);
    expect(v.getUint16(21, true)).toBe(2 << 3);
    expect(hexOf(b.slice(32))).toBe('00112233');
  });

  it('a length beyond the body or below the header is a typed error', () => {
    const e = caught(() => decodeBody(dram, golden().u32(0, 49).bytes, undefined, 12));
    expect(e.code).toBe('bad_length');
    expect(e.offset).toBe(12);
    expect(e.path).toBe('section.length');
    expect(caught(() => decodeBody(dram, golden().u32(0, 31).bytes)).code).toBe('bad_length');
  });

  it('rejects another kind\'s type name and unknown fields', () => {
    expect(zodIssuePaths(() => dram.input.parse({ type: 'cxlGeneralMedia' }))).toEqual(['type']);
    expect(zodIssuePaths(() => dram.input.parse({ guid: 'fbcd0a77-c260-417f-85a9-088b1621eba6' }))).toEqual(['guid']);
    expect(zodIssuePaths(() => dram.input.parse({ length: 32 }))).toEqual(['']);
  });
});
