import fc from 'fast-check';
import { ByteReader } from '../../../src/binary/ByteReader';
import { RasgwError } from '../../../src/binary/errors';
import { SECTION_TYPES } from '../../../src/cper/guids';
import { ADDITIONAL_SECTION_CODECS } from '../../../src/cper/sections/additional';
import { DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';
import { encodeBody, hexOf, viaJson } from './section-test-kit';

const EXPECTED = [
  'pcie',
  'processorGeneric',
  'ia32x64',
  'firmwareErrorRecordReference',
  'pciBus',
  'pciComponent',
  'dmarGeneric',
  'vtdDmar',
  'iommuDmar',
  'ccixPer',
  'cxlProtocol',
  'cxlGeneralMedia',
  'cxlDram',
  'cxlMemoryModule',
  'cxlPhysicalSwitch',
  'cxlVirtualSwitch',
  'cxlMldPort',
  'cxlMemorySparing',
  'fruMemoryPoison',
];

describe('additional section codec list', () => {
  it('registers one codec per standard section besides ARM and memory, named and numbered as in the GUID table', () => {
    expect(ADDITIONAL_SECTION_CODECS.map((c) => c.name)).toEqual(EXPECTED);
    for (const c of ADDITIONAL_SECTION_CODECS) {
      const known = SECTION_TYPES[c.name as keyof typeof SECTION_TYPES];
      expect([c.guid, c.title]).toEqual([known.guid, known.title]);
    }
    expect(new Set(ADDITIONAL_SECTION_CODECS.map((c) => c.guid)).size).toBe(EXPECTED.length);
  });

  it('every codec encodes an empty JSON object (firmware reference: revision 2, so 32 bytes, not the 16 of revision 0)', () => {
    const sizes = Object.fromEntries(ADDITIONAL_SECTION_CODECS.map((c) => [c.name, encodeBody(c, c.input.parse({})).length]));
    expect(sizes).toEqual({
      pcie: 208,
      processorGeneric: 192,
      ia32x64: 64,
      firmwareErrorRecordReference: 32,
      pciBus: 72,
      pciComponent: 40,
      dmarGeneric: 32,
      vtdDmar: 144,
      iommuDmar: 144,
      ccixPer: 16,
      cxlProtocol: 116,
      cxlGeneralMedia: 32,
      cxlDram: 32,
      cxlMemoryModule: 32,
      cxlPhysicalSwitch: 32,
      cxlVirtualSwitch: 32,
      cxlMldPort: 32,
      cxlMemorySparing: 32,
      fruMemoryPoison: 40,
    });
  });

  it.each(ADDITIONAL_SECTION_CODECS.map((c) => [c.name, c] as const))(
    '%s: mutated bodies either decode and re-encode exactly (directly and via JSON) or fail with a typed error',
    (_name, codec) => {
      const base = encodeBody(codec, codec.input.parse({}));
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
          fc.uint8Array({ maxLength: 200 }),
          fc.nat(base.length + 200),
          (edits, extra, cut) => {
            const full = new Uint8Array(base.length + extra.length);
            full.set(base);
            full.set(extra, base.length);
            for (const [i, v] of edits) full[i] = v;
            const body = full.slice(0, Math.min(full.length, Math.max(cut, codec.minLength)));
            const buf = new Uint8Array(body.length + 10);
            buf.set(body, 5);
            let model: { type: string; guid: string };
            try {
              model = codec.decode(new ByteReader(buf, 5, body.length, 'section'), DEFAULT_CPER_OPTIONS);
            } catch (e) {
              expect(e).toBeInstanceOf(RasgwError);
              const err = e as RasgwError;
              expect(['truncated', 'bad_length', 'bad_count']).toContain(err.code);
              expect(err.offset).toBeGreaterThanOrEqual(5);
              expect(err.offset).toBeLessThanOrEqual(5 + body.length);
              return;
            }
            expect(hexOf(encodeBody(codec, model))).toBe(hexOf(body));
            expect(hexOf(encodeBody(codec, viaJson(codec, model)))).toBe(hexOf(body));
          },
        ),
        { numRuns: 150, seed: 0x5eed },
      );
    },
  );
});
