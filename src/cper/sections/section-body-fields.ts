import { z } from 'zod';
import { guid as guidField, Flags64, flags64Value, FlagTable, uint } from '../json/fields';
import { lazy } from '../json/lazy';

/**
 * Input building blocks shared by the section codecs: section identity, validation bits from the
 * fields given, PCI slot word and class code. The byte-run and fixed-text blocks live with the
 * layout engine (../layout/byte-runs.ts) and are re-exported here.
 */

export * from '../layout/byte-runs';

/**
 * `type` and `guid` of a section's JSON form: both optional on input (the codec fills them) and
 * checked when given.
 */
export function identityShape<N extends string>(name: N, guids: readonly string[]) {
  return {
    type: z.literal(name).optional().describe(`section kind: "${name}" (may be left out where the container names it)`),
    guid: guidField()
      .refine((g) => guids.includes(g), { message: `section GUID must be ${guids.join(' or ')}` })
      .optional()
      .describe(`section type GUID (${guids.join(' or ')}); filled in when left out`),
  };
}

/**
 * For each field name of a validation-bit table, whether the input states that field: the
 * `present` argument of `validationBitsFrom` for inputs whose keys are the table's names.
 */
export function presentFields(table: FlagTable, input: object): Record<string, boolean> {
  const present: Record<string, boolean> = {};
  for (const name of Object.values(table)) present[name] = (input as Record<string, unknown>)[name] !== undefined;
  return present;
}

/**
 * Validation bits of an input: the given word (raw or named booleans) wins; otherwise one bit per
 * field that is present, so minimal JSON gets exactly the bits of what it states.
 */
export function validationBitsFrom(
  table: FlagTable,
  given: Flags64 | undefined,
  present: Partial<Record<string, boolean>>,
): Flags64 {
  if (given !== undefined) return given;
  let raw = 0n;
  for (const [bit, name] of Object.entries(table)) if (present[name]) raw |= 1n << BigInt(bit);
  return flags64Value(table, raw);
}

/**
 * JSON input of a PCI-style slot word (PCIe device ID, CXL device IDs): the physical slot number
 * is bits 15:3 and bits 2:0 are reserved. Spread into a device-ID schema.
 */
export function slotWordInput() {
  return {
    slot: uint(16).refine((n) => n <= 0x1fff, 'slot number is 13 bits (15:3 of the slot word)').optional(),
    slotReserved: uint(8).refine((n) => n <= 7, 'slotReserved is bits 2:0').optional(),
  };
}

/** JSON input of a 24-bit PCI class code. */
export const classCodeInput = lazy(() => uint(32).refine((n) => n <= 0xffffff, 'class code is 24 bits'));
