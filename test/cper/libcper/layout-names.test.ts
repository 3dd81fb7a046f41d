import { SECTION_CODECS } from '../../../src/cper/sections';
import { SECTION_MAPPINGS } from '../../../src/cper/libcper';

/**
 * The libcper names in the sections' layout tables (src/cper/layout rows with `libcper`) and the
 * keys of the libcper mapping tables (src/cper/libcper) must agree: one name per field, wherever
 * it is declared. A row the mapping reads through a converter of several fields (bank, the PCIe
 * command/status pair, the Arm RAS offsets and counts libcper derives) is listed with the reason.
 */
const THROUGH_CONVERTER: Record<string, string[]> = {
  memory: ['bank'], // `bank` is { value } or { address, group } by validation bit 6
  memory2: ['bank'],
  pcie: ['command', 'status'], // one `commandStatus` object
  armRas: ['errorSyndromeArrayNumEntries', 'errorSyndromeArrayOffset', 'auxiliaryDataOffset'], // derived from the parts
};

interface Row {
  name: string;
  meta?: { libcper?: string };
}

describe.each(SECTION_MAPPINGS.map((m) => [m.ours, m] as const))('%s', (ours, mapping) => {
  const codec = SECTION_CODECS.find((c) => c.guid === mapping.guid) as { head?: { rows: readonly Row[] } } | undefined;
  const rows = (codec?.head?.rows ?? []).filter((r) => r.meta?.libcper !== undefined).map((r) => ({ name: r.name, libcper: r.meta!.libcper! }));
  const keys = new Map<string, Set<string>>();
  for (const r of mapping.rules) if (r.ours !== undefined) keys.set(r.ours, (keys.get(r.ours) ?? new Set()).add(r.key));

  it('uses the layout table\'s libcper name for every field both declare', () => {
    const disagree = rows
      .filter((r) => keys.has(r.name) && !keys.get(r.name)!.has(r.libcper.split('.')[0]))
      .map((r) => `${r.name}: layout says ${r.libcper}, mapping says ${[...keys.get(r.name)!].join('/')}`);
    expect(disagree).toEqual([]);
  });

  it('maps every field the layout table names, or reads it through a listed converter', () => {
    const unmapped = rows.filter((r) => !keys.has(r.name)).map((r) => r.name);
    expect(unmapped).toEqual(THROUGH_CONVERTER[ours] ?? []);
  });
});
