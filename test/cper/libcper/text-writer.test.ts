import { libcperJsonText, LibcperValue, valueText } from '../../../src/cper/libcper/json-text';
import { fixedTextBytes, untrustedFixedText, untrustedString } from '../../../src/cper/libcper/sections/common';
import { arrayText, closeObject, emptyObject, KeyText, ObjectText } from '../../../src/cper/libcper/text-pieces';
import { bitfield, bool, Converter, hexUpper, int, mapOut, pair, Rule, rulesMembersText, rulesText, textOf, u64, valueWith, withText } from '../../../src/cper/libcper/table';

/**
 * The pieces of the direct libcper text writer (text-pieces.ts, table.ts rulesText/withText,
 * sections/common.ts untrustedFixedText), each against what the object path writes.
 */

/** libcperJsonText of a value nested at `depth` (the document's members are at depth 1). */
const nested = (v: LibcperValue, depth: number) => valueText(v, depth);

describe('text pieces', () => {
  it('build the same text as libcperJsonText at every depth', () => {
    const a = new KeyText('a');
    const b = new KeyText('b/c');
    for (const depth of [0, 1, 3, 9]) {
      expect(a.first(depth) + '1' + b.next(depth) + '"x"' + closeObject(depth)).toBe(nested({ a: 1, 'b/c': 'x' }, depth));
      expect(emptyObject(depth)).toBe(nested({}, depth));
      expect(arrayText(['1', '2'], depth)).toBe(nested([1, 2], depth));
      expect(arrayText([], depth)).toBe(nested([], depth));
      expect(new ObjectText(depth).addMembers('').done()).toBe(nested({}, depth));
      expect(new ObjectText(depth).addMembers(a.bare + '1').add(b, 'true').done()).toBe(nested({ a: 1, 'b/c': true }, depth));
    }
    expect(valueText({ a: [1, { b: null }] }, 0)).toBe(libcperJsonText({ a: [1, { b: null }] }));
  });
});

describe('rulesText', () => {
  const rules: Rule[] = [
    { key: 'always', ours: 'n' },
    { key: 'gated0', ours: 'n', bit: 0, conv: u64 },
    { key: 'gated33', ours: 'flag', bit: 33, conv: bool },
    { key: 'gated70', ours: 'n', bit: 70 },
    { key: 'named', ours: 'kind', conv: pair({ 1: 'one' }, 'Unknown') },
    { key: 'state', ours: 'kind', conv: valueWith('state', (k) => (k === 1 ? 'on' : 'off'), 0xffn) },
    { key: 'bits', ours: 'kind', conv: bitfield(['first', 'second']) },
    { key: 'hex', ours: 'big', conv: hexUpper(16) },
    { key: 'when', ours: 'n', when: (m) => m.n === 5 },
  ];
  const models = [
    { n: 5, flag: true, kind: 1, big: 2n ** 64n - 1n, validationBits: { raw: 0n } },
    { n: 6, flag: false, kind: 3, big: 0x1234n, validationBits: { raw: (1n << 33n) | 1n } },
    { n: 7, flag: true, kind: 0, big: 2n ** 60n, validationBits: { raw: 2n ** 64n - 1n } },
    { n: 8, flag: true, kind: 2, big: 0n, validationBits: { raw: 0xffff_ffff } },
    { n: 9, flag: true, kind: 2, big: 1n, validationBits: { raw: 2 ** 40 + 1 } },
    { n: 10, flag: true, kind: 2, big: 1n, validationBits: { raw: -1 } },
    { n: 11, flag: true, kind: 2, big: 1n, validationBits: { raw: 2n ** 80n + 2n ** 70n } },
    { n: 12, flag: true, kind: 2, big: 1n },
  ];

  it('writes what mapOut + libcperJsonText write, for u32, u64, wide, negative and missing validation words', () => {
    for (const m of models) for (const depth of [0, 2]) expect(rulesText(rules)(m, depth)).toBe(nested(mapOut(rules, m), depth));
  });

  it('takes the gating word from the caller when given, and writes members alone for merging', () => {
    const m = models[0];
    expect(rulesText(rules)(m, 1, 1)).toBe(nested(mapOut(rules, { ...m, validationBits: { raw: 1 } }), 1));
    const members = rulesMembersText(rules)(m, 1);
    expect(new ObjectText(1).addMembers(members).done()).toBe(nested(mapOut(rules, m), 1));
    expect(rulesMembersText([{ key: 'x', ours: 'n', bit: 3 }])(m, 1)).toBe('');
  });

  it('keeps the object order for repeated and array-index keys (written through mapOut)', () => {
    const odd: Rule[] = [
      { key: 'b', ours: 'n' },
      { key: '2', ours: 'n' },
      { key: 'b', ours: 'kind' },
    ];
    expect(rulesText(odd)(models[1], 0)).toBe(nested(mapOut(odd, models[1]), 0));
    expect(nested(mapOut(odd, models[1]), 0)).toBe('{\n  "2":6,\n  "b":3\n}');
  });
});

describe('withText', () => {
  it("a spread converter with its own out is written from that out, not the original's text", () => {
    const doubled: Converter = { ...int, out: (v) => Number(v) * 2 };
    expect(textOf(doubled)(21, {}, 1)).toBe('42');
    expect(textOf(int)(21, {}, 1)).toBe('21');
    const withOwn = withText({ ...int, out: (v: unknown) => Number(v) + 1, text: () => 'written' });
    expect(textOf(withOwn)(1, {}, 1)).toBe('written');
  });

  it('the shared converters write what their out values write', () => {
    const cases: Array<[Converter, unknown]> = [
      [int, 7], [int, 2n ** 70n], [u64, 2n ** 64n - 1n], [u64, 5n], [bool, true], [bool, 1],
      [hexUpper(4), 0xabcn], [hexUpper(2), -1], [hexUpper(16), '0x1f'], [pair({ 0: 'zero' }, 'other'), 0], [pair({ 0: 'zero' }, 'other'), 9],
      [pair({ 0: 'z' }, 'o', (v) => ({ extra: v })), 0], [valueWith('value', String, 9n), 3], [bitfield(['a', 'b', 'c']), 0b101], [bitfield(['a']), 2n ** 40n + 1n],
    ];
    for (const [conv, v] of cases) expect(textOf(conv)(v, {}, 2)).toBe(nested(conv.out(v, {}), 2));
  });
});

describe('untrustedFixedText', () => {
  it('equals untrustedString(fixedTextBytes(…)) for texts, raw bytes, NULs, wide and non-ASCII characters', () => {
    const values: unknown[] = [
      { text: 'CPU brand' }, { text: '' }, { text: 'x'.repeat(30) }, { text: 'a\u0000b' }, { text: 'tab\there' }, { text: 'caf\u00e9' },
      { text: '\u0141ódź' }, { text: '\u0141' }, { text: '~ok' }, { text: 'del\u007f' }, { text: 'AB', raw: '4142000043' }, { text: '', raw: '41e9' },
      { raw: '41424300' }, undefined, null, {}, { text: 'same' }, { text: 'same' },
    ];
    for (const v of values) for (const length of [4, 16, 20]) expect(untrustedFixedText(v, length)).toBe(untrustedString(fixedTextBytes(v, length)));
  });
});
