import { hex, u16, u64 } from '../../../src/cper/layout/fields';
import { layout } from '../../../src/cper/layout/layout';
import type { Row } from '../../../src/cper/layout/fields';
import { rulesFromRows } from '../../../src/cper/libcper/derive';
import { memory2Mapping, memoryMapping } from '../../../src/cper/libcper/sections/memory';
import { mapIn, mapOut } from '../../../src/cper/libcper/table';
import { MEMORY2_LAYOUT } from '../../../src/cper/sections/memory2';

/**
 * The libcper rules come from the layout tables: a row's `meta.libcper` is libcper's key, its
 * `vbit` the gating bit, its kind the plain copy. Renaming a row's libcper name in a table is
 * the only change needed to change the key libcper's JSON uses, both ways.
 */

const T = layout('derive test', 16, [
  u64('address', 0, { vbit: 0, libcper: 'physAddr' }),
  u16('node', 8, { vbit: 1, libcper: 'node' }),
  u16('rank', 10, { libcper: 'rankNumber' }),
  hex('reserved', 12, 4),
]);

const renamed = (rows: readonly Row[], name: string, libcper: string) => ({ rows: rows.map((r) => (r.name === name ? ({ ...r, meta: { ...r.meta, libcper } } as Row) : r)) });

const model = { validationBits: { raw: 0b01n }, address: 0x1234n, node: 7, rank: 2 };

describe('rulesFromRows', () => {
  it('makes one rule per named row: key, field, validation bit and plain copy from the row', () => {
    const rules = rulesFromRows(T);
    expect(rules.map((r) => [r.key, r.ours, r.bit, r.conv?.name])).toEqual([
      ['physAddr', 'address', 0, 'u64'],
      ['node', 'node', 1, undefined],
      ['rankNumber', 'rank', undefined, undefined],
    ]);
    // node's bit 1 is clear: left out, as libcper does
    expect(mapOut(rules, model)).toEqual({ physAddr: 0x1234, rankNumber: 2 });
    expect(mapIn(rules, { physAddr: 5, node: 3 }, '/s')).toEqual({ fields: { address: 5n, node: 3 }, bits: 0b11n });
  });

  it('a row renamed in the table changes the libcper key both ways', () => {
    const rules = rulesFromRows(renamed(T.rows, 'address', 'physicalAddress'));
    expect(mapOut(rules, model)).toEqual({ physicalAddress: 0x1234, rankNumber: 2 });
    expect(mapIn(rules, { physicalAddress: 9 }, '/s').fields).toEqual({ address: 9n });
    expect(() => mapIn(rules, { physAddr: 9 }, '/s')).toThrow(/libcper JSON \/s\/physAddr: unknown field \(expected one of physicalAddress, node, rankNumber\)/);
  });

  it('applies converters, extra rules and libcper\'s key order from the spec', () => {
    const rules = rulesFromRows(T, {
      with: { node: { bit: undefined } },
      extra: [{ key: 'first', derived: true, after: '^' }, { key: 'addressHex', ours: 'address', bit: 0, derived: true, after: 'address' }],
      order: ['rank', 'node', 'address'],
    });
    expect(rules.map((r) => [r.key, r.bit])).toEqual([['first', undefined], ['rankNumber', undefined], ['node', undefined], ['physAddr', 0], ['addressHex', 0]]);
  });

  it('refuses a spec that names a row the table does not have, or leaves a row out of the order', () => {
    expect(() => rulesFromRows(T, { with: { nodes: {} } })).toThrow('libcper rules: no row "nodes" with a libcper name');
    expect(() => rulesFromRows(T, { order: ['node', 'address'] })).toThrow('libcper rules: the order lists 2 of 3 rows');
    expect(() => rulesFromRows(T, { extra: [{ key: 'x', after: 'nowhere' }] })).toThrow('libcper rules: extra x placed after unknown field nowhere');
  });
});

describe('the section mappings read the layout tables', () => {
  it('memory 2: every row with a libcper name is the rule of that key, with the row\'s bit unless a quirk says otherwise', () => {
    for (const row of MEMORY2_LAYOUT.rows) {
      if (row.meta.libcper === undefined) continue;
      const rule = memory2Mapping.rules.find((r) => r.key === row.meta.libcper);
      expect([row.name, rule?.ours]).toEqual([row.name, row.name]);
      // libcper gates physicalAddress by the error-status bit, and always prints bank (its shape says which bits)
      const quirk: Record<string, number | undefined> = { physicalAddress: 0, bank: undefined };
      expect([row.name, rule?.bit]).toEqual([row.name, row.name in quirk ? quirk[row.name] : row.meta.vbit]);
    }
  });

  it('renaming memory 2\'s node row renames the key and keeps its bit', () => {
    const rules = rulesFromRows(renamed(MEMORY2_LAYOUT.rows, 'node', 'nodeNumber'));
    expect(rules.find((r) => r.ours === 'node')).toMatchObject({ key: 'nodeNumber', bit: 3 });
    expect(rules.some((r) => r.key === 'node')).toBe(false);
  });

  it('memory: the 80-byte layout\'s names give libcper\'s keys, in libcper\'s order', () => {
    expect(memoryMapping.rules.map((r) => r.key)).toEqual([
      'errorStatus', 'bank', 'memoryErrorType', 'extended', 'cardSmbiosHandle', 'moduleSmbiosHandle', 'physicalAddress', 'physicalAddressHex',
      'physicalAddressMask', 'node', 'card', 'moduleRank', 'device', 'row', 'column', 'bitPosition', 'requestorID', 'responderID', 'targetID', 'rankNumber',
    ]);
  });
});
