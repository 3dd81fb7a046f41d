import { dmarIommuCodec } from '../../../src/cper/sections/dmar-iommu';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

function golden(): Golden {
  return new Golden(144)
    .u8(0, 2)
    .u64(8, 0x0000_0000_0000_0c05n) // control
    .u64(16, 0x0000_0000_0000_0002n) // status
    .pattern(32, 16, 0x80) // event log entry
    .pattern(64, 32, 0xa0) // device table entry
    .u64(96, 0x60n).u64(104, 0x50n).u64(112, 0x40n).u64(120, 0x30n).u64(128, 0x20n).u64(136, 0x10n);
}

describe('IOMMU DMAr section codec', () => {
  it('decodes every field at its documented offset', () => {
    const s = decodeBody(dmarIommuCodec, golden().bytes);
    expect(s.type).toBe('iommuDmar');
    expect(s.revision).toBe(2);
    expect(s.reserved1).toBe('00'.repeat(7));
    expect(s.control).toBe(0xc05n);
    expect(s.status).toBe(2n);
    expect(s.eventLogEntry).toBe('808182838485868788898a8b8c8d8e8f');
    expect(s.deviceTableEntry.slice(0, 4)).toBe('a0a1');
    expect(s.deviceTableEntry.length).toBe(64);
    expect(s.pageTableEntries.level6).toBe(0x60n);
    expect(s.pageTableEntries.level1).toBe(0x10n);
  });

  it('re-encodes byte for byte with reserved bytes set, directly and through JSON', () => {
    const bytes = golden().raw(1, '01020304050607').raw(24, '1111111111111111').raw(48, '22'.repeat(16)).bytes;
    const s = decodeBody(dmarIommuCodec, bytes);
    expect([s.reserved1, s.reserved2, s.reserved3]).toEqual(['01020304050607', '11'.repeat(8), '22'.repeat(16)]);
    expect(hexOf(encodeBody(dmarIommuCodec, s))).toBe(hexOf(bytes));
    const back = viaJson(dmarIommuCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(dmarIommuCodec, back))).toBe(hexOf(bytes));
  });

  it('encodes minimal JSON at the documented offsets', () => {
    const b = encodeJson(dmarIommuCodec, { revision: 1, status: '0x4', eventLogEntry: '00'.repeat(15) + 'ff' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b[0]).toBe(1);
    expect(v.getBigUint64(16, true)).toBe(4n);
    expect(b[47]).toBe(0xff);
    expect(b.length).toBe(144);
  });

  it('rejects unknown fields', () => {
    expect(zodIssuePaths(() => dmarIommuCodec.input.parse({ reserved: '00' }))).toEqual(['']);
  });

  it('a truncated body is a typed error with the absolute offset', () => {
    const e = caught(() => decodeBody(dmarIommuCodec, golden().bytes.slice(0, 70), undefined, 2));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(2 + 64);
    expect(e.path).toBe('section.deviceTableEntry');
  });
});
