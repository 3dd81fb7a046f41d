import { cperJsonSchema, decodeStatusBlock, encodeStatusBlock, parseStatusBlockJson } from '../../src/cper';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; oneOf?: Schema[]; anyOf?: Schema[]; examples?: unknown[]; description?: string };

const gesb = cperJsonSchema('gesb') as Schema;
const section = (gesb.properties!.entries as Schema & { items: Schema }).items.properties!.section;
const options = (section.oneOf ?? section.anyOf)!;
const byType = new Map(options.map((o) => [(o.properties!.type as Schema).const as string, o]));

describe('JSON schema documentation derived from the layout tables (rasgw schema, /openapi.json)', () => {
  it.each(options.map((o) => [(o.properties!.type as Schema).const as string, o] as const))('%s: a description, an example, and a description on every field', (_type, o) => {
    expect(o.description).toMatch(/section/);
    expect(o.examples).toHaveLength(1);
    const undocumented = Object.entries(o.properties!).filter(([, p]) => typeof p.description !== 'string' || p.description.length === 0);
    expect(undocumented.map(([k]) => k)).toEqual([]);
  });

  it.each(options.map((o) => [(o.properties!.type as Schema).const as string, o] as const))('%s: the example is valid input and round-trips through bytes', (type, o) => {
    const block = parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: o.examples![0] }] });
    expect(block.entries[0].section.type).toBe(type);
    const bytes = encodeStatusBlock(block);
    expect(Buffer.from(encodeStatusBlock(decodeStatusBlock(bytes))).equals(Buffer.from(bytes))).toBe(true);
  });

  it('field descriptions give the bytes, the width, the validation bit and the spec where the table says so', () => {
    const memory = byType.get('memory')!.properties!;
    expect(memory.physicalAddress.description).toBe(
      'physical address of the error; bytes 16..23, u64 ("0x…" hex string or a JSON number below 2^53); valid when validation bit 1 is set (set on input when the field is given)',
    );
    expect(memory.memoryErrorType.description).toMatch(/^memory error type; bytes 72\.\.72; one of unknown \(0\), noError \(1\), singleBitEcc \(2\)/);
    expect(memory.bankGroup.description).toBe('input only: bank group (bank bits 15:8, validation bit 19)');
    const pcie = byType.get('pcie')!.properties!;
    expect(pcie.command.description).toContain('validation bit 2');
    const slot = (pcie.deviceId as Schema).properties!.slot;
    expect(slot.description).toBe('physical slot number; bits 15:3 of the u16 at byte 13');
    expect(byType.get('armRas')!.properties!.componentType.description).toContain('processor (0), memory (1), smmu (2)');
  });
});
