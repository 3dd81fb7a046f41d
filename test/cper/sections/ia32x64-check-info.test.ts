import { CHECK_LAYOUTS, decodeCheckInfo } from '../../../src/cper/sections/ia32x64';
import { enumValue } from '../../../src/cper/json/fields';

/**
 * decodeCheckInfo reads the fields from the word's 32-bit halves: every kind and field against
 * a plain bigint reading of the same words (fields crossing bit 32 included: the bus check's
 * time-out and address space), for edge and seeded random words.
 */
function reference(kind: keyof typeof CHECK_LAYOUTS, raw: bigint): Record<string, unknown> {
  const out: Record<string, unknown> = { raw, validation: { raw: Number(raw & 0xffffn) } };
  for (const f of CHECK_LAYOUTS[kind]) (out.validation as Record<string, unknown>)[f.name] = ((raw >> BigInt(f.validationBit)) & 1n) === 1n;
  for (const f of CHECK_LAYOUTS[kind]) {
    const v = Number((raw >> BigInt(f.shift)) & ((1n << BigInt(f.width)) - 1n));
    out[f.name] = f.table ? enumValue(f.table, v) : f.width === 1 ? v === 1 : v;
  }
  return out;
}

it('decodes every kind as a bigint reading of the word does', () => {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) >>> 0);
  const words = [0n, 2n ** 64n - 1n, 2n ** 32n, 2n ** 32n - 1n, 0x3_0000_0000n, 0x1_c000_0000n];
  for (let i = 0; i < 300; i++) words.push((BigInt(next()) << 32n) | BigInt(next()));
  for (const kind of Object.keys(CHECK_LAYOUTS) as Array<keyof typeof CHECK_LAYOUTS>) {
    for (const w of words) expect(decodeCheckInfo(kind, w)).toEqual(reference(kind, w));
  }
  expect(decodeCheckInfo('unknown', 5n)).toEqual({ raw: 5n });
  // the validation object's keys in bit order (what JSON text shows), fields in layout order
  const bus = decodeCheckInfo('bus', 0n);
  const byBit = [...CHECK_LAYOUTS.bus].sort((a, b) => a.validationBit - b.validationBit).map((f) => f.name);
  expect(Object.keys(bus.validation!)).toEqual(['raw', ...byBit]);
  expect(Object.keys(bus)).toEqual(['raw', 'validation', ...CHECK_LAYOUTS.bus.map((f) => f.name)]);
});
