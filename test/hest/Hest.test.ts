import { applyTableChecksum } from '../../src/acpi';
import { EncodeError, toHex } from '../../src/binary';
import { buildHest, decodeHest, Hest, HestDecodeError, inspectHest, NotifyType, safeDecodeHest } from '../../src/hest';
import { allTypes, allTypesHest, ALL_TYPES_LENGTHS, u16 } from './fixtures';

describe('HEST encode/decode', () => {
  it('encodes every structure type at its spec length and decodes back to the same bytes', () => {
    const bytes = allTypesHest();
    const total = 40 + ALL_TYPES_LENGTHS.reduce((a, b) => a + b, 0);
    expect(bytes.length).toBe(total);
    const hest = decodeHest(bytes);
    expect(hest.sources.map((s) => s.type)).toEqual([0, 1, 2, 6, 7, 8, 9, 10, 11]);
    expect(hest.sources.map((s) => s.byteLength)).toEqual(ALL_TYPES_LENGTHS);
    expect(toHex(new Hest(hest.sources, hest.header).toBytes())).toBe(toHex(bytes));
  });

  it('places fields at the offsets of the layout tables', () => {
    const b = allTypesHest();
    const v = new DataView(b.buffer);
    expect(v.getUint32(36, true)).toBe(9);
    // type 0 at 40: bank count at +32, first bank number at +40, second bank's control MSR at +68+4
    expect([v.getUint16(40, true), b[40 + 32], b[40 + 40], v.getUint32(40 + 68 + 4, true)]).toEqual([0, 2, 0, 0x404]);
    // type 1 at 136: notification type CMCI at +16, length 28 at +17, bank count at +44
    expect([b[136 + 16], b[136 + 17], v.getUint32(136 + 20, true), b[136 + 44]]).toEqual([NotifyType.cmci, 28, 100, 1]);
    // type 6 at 232: bus at +16, root error command at +44
    expect([v.getUint32(232 + 16, true), v.getUint32(232 + 44, true)]).toEqual([0x100, 7]);
    // GHES (9) at 380: GAS 00 40 00 04 then the address at +24; GHESv2 at 444: read-ack address at +68
    expect(toHex(b.subarray(380 + 20, 380 + 24))).toBe('00400004');
    expect(v.getBigUint64(380 + 24, true)).toBe(0x4000_0000n);
    expect(v.getBigUint64(444 + 68, true)).toBe(0x4000_0010n);
    expect(v.getBigUint64(444 + 76, true)).toBe(0xffff_ffff_ffff_fffen);
  });

  it('refuses to encode a table that breaks the validity rules, naming the field', () => {
    const dup = buildHest([
      { sourceId: 3, notify: 'sea' },
      { sourceId: 3, notify: 'gpio' },
    ]);
    expect(() => dup.toBytes()).toThrow(EncodeError);
    try {
      dup.toBytes();
    } catch (e) {
      expect((e as EncodeError).code).toBe('bad_value');
      expect((e as EncodeError).path).toBe('sources[1].sourceId');
    }
    expect(() => buildHest([{ sourceId: 1, notify: 'sea', recordsToPreallocate: 0 }]).toBytes()).toThrow(/NumberOfRecordsToPreAllocate/);
    expect(() => buildHest([{ sourceId: 1, notify: 'nope' }])).toThrow(/unknown notification type "nope"/);
    expect(() => buildHest([])).toThrow(/at least one error source/);
  });

  it('keeps unknown notification types raw and builds any number of sources', () => {
    const specs = Array.from({ length: 1024 }, (_, i) => ({ sourceId: i, notify: i % 14, blockLength: 4096 }));
    const bytes = buildHest(specs).toBytes();
    expect(bytes.length).toBe(40 + 1024 * 92);
    const hest = decodeHest(bytes);
    expect(hest.sources).toHaveLength(1024);
    const s13 = hest.sources[13] as { notification: { type: number; toJSON(): Record<string, unknown> }; errorStatusBlockLength: number };
    expect(s13.notification.toJSON().type).toEqual({ value: 13, name: 'reserved' });
    expect(s13.errorStatusBlockLength).toBe(4096);
  });
});

describe('strict HEST decoder', () => {
  it('reports every violation with its offset', () => {
    const b = allTypesHest();
    b[9] ^= 0xff; // checksum
    const ins = inspectHest(b);
    expect(ins.violations.map((v) => [v.code, v.offset, v.path])).toEqual([['bad_checksum', 9, 'header.checksum']]);
    expect(ins.sources).toHaveLength(9);
  });

  it('stops at an unknown type and names it', () => {
    const b = allTypesHest();
    u16(b, 232, 4);
    applyTableChecksum(b);
    const ins = inspectHest(b);
    expect(ins.violations.map((v) => [v.code, v.offset, v.path])).toEqual([['bad_value', 232, 'sources[3].type']]);
    expect(ins.violations[0].message).toContain('error source 4 has type 4 (unused)');
    expect(ins.sources).toHaveLength(3);
  });

  it('reports a count larger than the structures present, and trailing bytes', () => {
    const b = allTypesHest();
    new DataView(b.buffer).setUint32(36, 10, true);
    applyTableChecksum(b);
    expect(inspectHest(b).violations.map((v) => [v.code, v.offset])).toEqual([['bad_count', 36]]);
    new DataView(b.buffer).setUint32(36, 8, true);
    applyTableChecksum(b);
    const ins = inspectHest(b);
    expect(ins.violations.map((v) => [v.code, v.offset])).toEqual([['bad_length', 536]]);
    expect(ins.violations[0].message).toContain('48 byte(s) after the last of 8 error source(s)');
  });

  it('reports a structure running past the table and a Length beyond the bytes', () => {
    const b = allTypesHest();
    b[40 + 32] = 200; // 200 banks
    const ins = inspectHest(b, { verifyChecksum: false });
    expect(ins.violations.map((v) => [v.code, v.offset, v.path])).toEqual([['truncated', 40, 'sources[0]']]);
    expect(ins.violations[0].message).toContain(`needs ${40 + 200 * 28} bytes`);
    const cut = allTypesHest().slice(0, 300);
    const ins2 = inspectHest(cut);
    expect(ins2.violations.map((v) => [v.code, v.offset])).toEqual([
      ['truncated', 4],
      ['truncated', 280],
    ]);
  });

  it('rejects a bad header without reading further', () => {
    expect(inspectHest(new Uint8Array(39)).violations.map((v) => v.code)).toEqual(['truncated']);
    const b = allTypesHest();
    b[0] = 0x58;
    new DataView(b.buffer).setUint32(4, 12, true);
    expect(inspectHest(b).violations.map((v) => [v.code, v.offset])).toEqual([
      ['bad_signature', 0],
      ['bad_length', 4],
    ]);
  });

  it('decodeHest throws a HestDecodeError listing all violations; safeDecodeHest returns it', () => {
    const b = allTypesHest();
    b[9] ^= 1;
    new DataView(b.buffer).setUint32(36, 8, true);
    const r = safeDecodeHest(b);
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error).toBeInstanceOf(HestDecodeError);
      const e = r.error as HestDecodeError;
      expect(e.violations.map((v) => v.code)).toEqual(['bad_checksum', 'bad_length']);
      expect(e.message).toBe('bad_checksum at byte 9 (0x9) [header.checksum]: checksum is 0x' + e.message.split('0x')[2].slice(0, 2) + ', should be 0x' + e.message.split('0x')[3].slice(0, 2) + ' (+1 more violation(s))');
    }
  });

  it('decodes the model JSON with enumerations named and u64 as bigint', () => {
    const hest = decodeHest(allTypesHest());
    const ghes = hest.sources[7].toJSON() as Record<string, any>;
    expect(ghes.type).toEqual({ value: 10, name: 'ghesV2' });
    expect(ghes.notification.type).toEqual({ value: 11, name: 'sdei' });
    expect(ghes.readAck.preserve).toBe(0xfffffffffffffffen);
    expect(allTypes()[0].toJSON().numberOfHardwareBanks).toBe(2);
  });
});
