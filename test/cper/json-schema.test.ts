import { cperJsonSchema, safeParseStatusBlockJson, parseStatusBlockJson } from '../../src/cper';
import { formatPath } from '../../src/cper/json/zod-error';
import { SECTION_CODECS } from '../../src/cper/sections';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; oneOf?: Schema[]; anyOf?: Schema[] };

function sectionTypes(section: Schema): string[] {
  const options = section.oneOf ?? section.anyOf ?? [];
  return options.map((o) => ((o.properties?.type as Schema | undefined)?.const as string)).sort();
}

describe('JSON Schema of the JSON form', () => {
  const gesb = cperJsonSchema('gesb') as Schema;

  it('is a strict object schema of the input form', () => {
    expect(gesb.type).toBe('object');
    expect(gesb.additionalProperties).toBe(false);
    const entry = gesb.properties!.entries.items!;
    expect(entry.additionalProperties).toBe(false);
    expect(entry.required).toEqual(['section']);
  });

  it('offers one section schema per codec type, plus unknown', () => {
    const section = gesb.properties!.entries.items!.properties!.section;
    const expected = [...new Set([...SECTION_CODECS.map((c) => c.name), 'unknown'])].sort();
    expect(sectionTypes(section)).toEqual(expected);
  });

  it('describes the ARM section input, with the error-info list required', () => {
    const section = gesb.properties!.entries.items!.properties!.section;
    const arm = (section.oneOf ?? section.anyOf)!.find((o) => (o.properties?.type as Schema).const === 'arm')!;
    expect(arm.required).toEqual(expect.arrayContaining(['type', 'errorInfo']));
    expect(Object.keys(arm.properties!)).toEqual(expect.arrayContaining(['typeEncoding', 'mpidr', 'midr', 'contexts', 'vendorSpecific']));
    expect((arm.properties!.typeEncoding as Schema).enum).toEqual(['uefi-2.10', 'uefi-2.11', 'enum', 'edk2-v1']);
  });

  it('the CPER record schema lists its sections', () => {
    const cper = cperJsonSchema('cper') as Schema;
    expect(sectionTypes(cper.properties!.sections.items!.properties!.section)).toContain('memory2');
  });
});

describe('JSON errors', () => {
  it('formats zod paths the way the codec names fields', () => {
    expect(formatPath(['entries', 0, 'section', 'errorInfo', 2, 'type'])).toBe('entries[0].section.errorInfo[2].type');
    expect(formatPath([])).toBe('');
  });

  it('safeParse returns the error as data; parse throws it', () => {
    const r = safeParseStatusBlockJson({ errorSeverity: 'fatal', entries: [{ section: { type: 'memory', node: -1 } }] });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(r.error.code).toBe('invalid_input');
      expect(r.error.path).toBe('entries[0].section.node');
      expect(r.error.toJSON()).toEqual({ code: 'invalid_input', path: 'entries[0].section.node', message: r.error.message });
    }
    expect(() => parseStatusBlockJson(null)).toThrow(/invalid_input/);
  });
});

describe('JSON Schema of the integer spellings', () => {
  it('documents u64 and integer inputs as "0x…" strings or safe integer numbers', () => {
    const gesb = cperJsonSchema('gesb') as Schema;
    const section = gesb.properties!.entries.items!.properties!.section;
    const memory = (section.oneOf ?? section.anyOf)!.find((o) => (o.properties?.type as Schema).const === 'memory')!;
    expect(memory.properties!.physicalAddress).toEqual({
      anyOf: [
        { type: 'string', pattern: '^0[xX]0*[0-9a-fA-F]{1,16}$|^[0-9]$', description: '"0x…" hex (a digit string without 0x is refused)' },
        { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        { not: {}, description: 'a bigint (models built in code only, never JSON)' },
      ],
      // the field's own description (from the memory layout table, #16 item 6) beside the spellings
      description: expect.stringMatching(/^physical address of the error; bytes 16\.\.23, u64/),
    });
    expect(memory.properties!.node).toEqual({
      anyOf: [
        { type: 'integer', minimum: 0, maximum: 0xffff },
        { type: 'string', pattern: '^0[xX]0*[0-9a-fA-F]{1,4}$|^[0-9]$', description: '"0x…" hex (a digit string without 0x is refused)' },
      ],
      description: expect.stringMatching(/^node number/),
    });
  });
});
