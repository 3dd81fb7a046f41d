import { ByteReader, ByteWriter, DecodeError, RasgwError, safely } from '../../../src/binary';
import { SECTION_TYPES } from '../../../src/cper/guids';
import {
  decodeSection,
  encodeSection,
  SECTION_CODECS,
  sectionByteLength,
  sectionCodecByGuid,
  sectionInput,
  sectionTitle,
} from '../../../src/cper/sections';
import { DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';

const opts = DEFAULT_CPER_OPTIONS;

describe('section registry', () => {
  it('registers the core codecs and the additional ones, one per GUID, each named after the GUID registry', () => {
    const guids = SECTION_CODECS.map((c) => c.guid);
    expect(new Set(guids).size).toBe(guids.length);
    expect(sectionCodecByGuid(SECTION_TYPES.arm.guid)?.name).toBe('arm');
    expect(sectionCodecByGuid(SECTION_TYPES.memory.guid)?.name).toBe('memory');
    expect(sectionCodecByGuid(SECTION_TYPES.memory2.guid)?.name).toBe('memory2');
    expect(sectionCodecByGuid(SECTION_TYPES.pcie.guid)?.name).toBe('pcie');
    for (const c of SECTION_CODECS) {
      const known = Object.values(SECTION_TYPES).find((k) => k.guid === c.guid);
      expect(known?.name).toBe(c.name);
    }
  });

  it.each(SECTION_CODECS.filter((c) => c.minLength > 0).map((c) => [c.name, c] as const))(
    '%s: a body one byte shorter than minLength is bad_length at the body start',
    (_name, codec) => {
      const outer = new Uint8Array(50 + codec.minLength);
      const r = new ByteReader(outer, 50, codec.minLength - 1, 'entries[0].section');
      const res = safely(() => decodeSection(r, codec.guid, opts));
      expect(res.success).toBe(false);
      const e = (res as { error: RasgwError }).error;
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.code).toBe('bad_length');
      expect(e.offset).toBe(50);
      expect(e.path).toBe('entries[0].section');
      expect(e.message).toContain(codec.title);
    },
  );

  it('decodes a GUID without a codec as opaque bytes and writes them back', () => {
    const body = Uint8Array.from([1, 2, 3]);
    const s = decodeSection(new ByteReader(body), '2826cc9f-448c-4c2b-86b6-a95394b7ef33', opts);
    expect(s).toEqual({ type: 'unknown', guid: '2826cc9f-448c-4c2b-86b6-a95394b7ef33', data: '010203' });
    expect(sectionTitle(s)).toBe('unknown section type');
    const w = new ByteWriter(sectionByteLength(s, opts));
    encodeSection(w, 0, s, opts, 'section');
    expect(Array.from(w.bytes)).toEqual([1, 2, 3]);
  });

  it('the section input dispatches on `type` to each codec', () => {
    expect(sectionInput().parse({ type: 'memory' }).type).toBe('memory');
    expect(sectionInput().parse({ type: 'memory2' }).guid).toBe(SECTION_TYPES.memory2.guid);
    expect(sectionInput().parse({ type: 'arm', errorInfo: [] }).guid).toBe(SECTION_TYPES.arm.guid);
    expect(sectionInput().parse({ type: 'unknown', guid: '11111111-2222-3333-4444-555555555555', data: 'ff' })).toEqual({
      type: 'unknown',
      guid: '11111111-2222-3333-4444-555555555555',
      data: 'ff',
    });
    expect(sectionInput().safeParse({ type: 'unknown' }).success).toBe(false);
    const bad = sectionInput().safeParse({ type: 'warp-core' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['type']);
  });
});
