import { dmarVtdCodec } from '../../../src/cper/sections/dmar-vtd';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

function golden(): Golden {
  return new Golden(144)
    .u8(0, 1).u8(1, 0)
    .raw(2, '494e54454c20') // "INTEL "
    .u64(8, 0x00d2_0082_0066_0462n)
    .u64(16, 0x0000_0000_00f0_50dan)
    .u32(24, 0x8000_0000).u32(28, 0xc000_0000).u32(32, 0x0000_0002)
    .pattern(48, 16, 0x30) // fault record
    .pattern(64, 16, 0x40) // root entry
    .pattern(80, 16, 0x50) // context entry
    .u64(96, 6n).u64(104, 5n).u64(112, 4n).u64(120, 0x1_2345_6003n).u64(128, 2n).u64(136, 1n);
}

describe('VT-d DMAr section codec', () => {
  it('decodes every field at its documented offset', () => {
    const s = decodeBody(dmarVtdCodec, golden().bytes);
    expect(s.type).toBe('vtdDmar');
    expect([s.version, s.revision]).toEqual([1, 0]);
    expect(s.oemId).toBe('494e54454c20');
    expect(s.capability).toBe(0x00d2_0082_0066_0462n);
    expect(s.extendedCapability).toBe(0xf0_50dan);
    expect([s.globalCommand, s.globalStatus, s.faultStatus]).toEqual([0x8000_0000, 0xc000_0000, 2]);
    expect(s.faultRecord.slice(0, 4)).toBe('3031');
    expect(s.rootEntry.slice(0, 4)).toBe('4041');
    expect(s.contextEntry.slice(30)).toBe('5f');
    expect(s.pageTableEntries).toEqual({ level6: 6n, level5: 5n, level4: 4n, level3: 0x1_2345_6003n, level2: 2n, level1: 1n });
  });

  it('re-encodes byte for byte, directly and through JSON', () => {
    const bytes = golden().raw(36, 'ffffffffffffffffffffffff').bytes;
    const s = decodeBody(dmarVtdCodec, bytes);
    expect(s.reserved).toBe('ff'.repeat(12));
    expect(hexOf(encodeBody(dmarVtdCodec, s))).toBe(hexOf(bytes));
    const back = viaJson(dmarVtdCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(dmarVtdCodec, back))).toBe(hexOf(bytes));
  });

  it('encodes minimal JSON at the documented offsets', () => {
    const b = encodeJson(dmarVtdCodec, { faultStatus: 2, pageTableEntries: { level1: '0xabc003' } });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(144);
    expect(v.getUint32(32, true)).toBe(2);
    expect(v.getBigUint64(136, true)).toBe(0xabc003n);
    expect(v.getBigUint64(96, true)).toBe(0n);
  });

  it('rejects unknown fields and wrong-sized entries', () => {
    expect(zodIssuePaths(() => dmarVtdCodec.input.parse({ rootEntry: '00' }))).toEqual(['rootEntry']);
    expect(zodIssuePaths(() => dmarVtdCodec.input.parse({ pageTableEntries: { level7: 1 } }))).toEqual(['pageTableEntries']);
  });

  it('a truncated body is a typed error with the absolute offset', () => {
    const e = caught(() => decodeBody(dmarVtdCodec, golden().bytes.slice(0, 140), undefined, 1));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(1 + 136);
    expect(e.path).toBe('section.pageTableEntries.level1');
  });
});
