import { z } from 'zod';
import { GUID_PATTERN } from '../../binary/guid';
import { parseU64, parseUint, U64_MAX, uintInputError } from '../../binary/u64';
import { fromHex, toHex } from '../../binary/hexdump';
import { lazy } from './lazy';

/**
 * Building blocks of the CPER JSON form (one form for decode output and encode input):
 * - u64, addresses and every other unsigned integer: on input a `"0x…"` hex string or a JSON
 *   number below 2^53; a digit string without 0x (hex or decimal?), spaces or any other spelling
 *   is refused with the fix in the message (src/binary/u64.ts); u64 output is `"0x…"`;
 * - enumerations: `{ "value": 3, "name": "multiBitEcc" }` on output; on input a name, a number,
 *   or that object (`value` wins when both are given);
 * - flag words and validation bits: `{ "raw": 5, "<flag>": true, … }` on output; on input that
 *   object (raw wins when given, else the named booleans) or a plain number;
 * - GUIDs: canonical lower-case strings;
 * - opaque bytes: lower-case hex strings.
 * The decoded model (TypeScript) is this same form with bigint in place of the hex strings.
 * The schemas are built on first use (`u64()`, `guid()`, `hexBytes()` and the builder functions),
 * so a module that only decodes does not load zod (see ./lazy.ts).
 */

/**
 * The input spellings of an unsigned integer of `bits` width, for the JSON Schema (the transform
 * below does the checking, with a message that says how to fix a value).
 */
function uintSpellings(bits: number): [z.ZodString, z.ZodNumber] {
  const digits = Math.ceil(bits / 4);
  return [
    z.string().meta({ pattern: `^0[xX]0*[0-9a-fA-F]{1,${digits}}$|^[0-9]$`, description: '"0x…" hex (a digit string without 0x is refused)' }),
    z.number().meta({ type: 'integer', minimum: 0, maximum: bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1 }),
  ];
}

/** JSON u64 → bigint: "0x…" or a safe integer number. */
export const u64 = lazy(() => z
  // a bigint is taken from models built in code; JSON has none, so the JSON Schema excludes it
  .union([...uintSpellings(64), z.bigint().meta({ not: {}, description: 'a bigint (models built in code only, never JSON)' })])
  .transform((v, ctx) => {
    const b = parseU64(v);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', message: uintInputError(v, U64_MAX, 'a u64') ?? 'expected a u64' });
      return z.NEVER;
    }
    return b;
  }));

/** Unsigned integer of `bits` width (≤ 32): a JSON number, or a "0x…" hex string. */
export function uint(bits: 8 | 16 | 32) {
  const max = BigInt(2 ** bits - 1);
  const [text, number] = uintSpellings(bits);
  return z.union([number, text]).transform((v, ctx) => {
    const b = parseUint(v, max);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', message: uintInputError(v, max, `an integer of ${bits} bits`) ?? `expected an integer of ${bits} bits` });
      return z.NEVER;
    }
    return Number(b);
  });
}

export const guid = lazy(() => z
  .string()
  .regex(GUID_PATTERN, 'expected a GUID aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee')
  .transform((s) => s.toLowerCase()));

/** Opaque bytes as a hex string (spaces allowed on input). */
export const hexBytes = lazy(() => z.string().transform((s, ctx) => {
  try {
    return fromHex(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected bytes as a hex string with an even number of digits' });
    return z.NEVER;
  }
}));

export function bytesToJson(b: Uint8Array): string {
  return toHex(b);
}

/** An enumeration value in the model and JSON output. */
export interface EnumValue<N extends string = string> {
  value: number;
  name: N | 'unknown';
}

/** Table of an enumeration: value → camelCase name. */
export type EnumTable = Readonly<Record<number, string>>;

export function enumValue(table: EnumTable, value: number): EnumValue {
  return { value, name: table[value] ?? 'unknown' };
}

/** Zod input for an enumeration of width `bits`, normalised to EnumValue. */
export function enumField(table: EnumTable, bits: 8 | 16 | 32 = 8) {
  const byName = new Map(Object.entries(table).map(([v, n]) => [n.toLowerCase(), Number(v)]));
  const max = 2 ** bits - 1;
  const names = [...byName.keys()].join(', ');
  return z
    .union([z.string(), z.number(), z.object({ value: z.number().optional(), name: z.string().optional() }).strict()])
    .transform((v, ctx): EnumValue => {
      let n: number | undefined;
      if (typeof v === 'number') n = v;
      else if (typeof v === 'string') n = byName.get(v.toLowerCase());
      else n = v.value ?? (v.name === undefined ? undefined : byName.get(v.name.toLowerCase()));
      if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected one of ${names} or an integer 0..${max}, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return enumValue(table, n);
    });
}

/** Bit table of a flag word: bit number → camelCase flag name. */
export type FlagTable = Readonly<Record<number, string>>;

/** A flag word in the model and JSON output: raw value plus one boolean per named bit. */
export type Flags = { raw: number } & Record<string, number | boolean>;

export function flagsValue(table: FlagTable, raw: number): Flags {
  const out: Flags = { raw };
  for (const [bit, name] of Object.entries(table)) out[name] = ((raw >>> Number(bit)) & 1) === 1;
  return out;
}

export function flagsRaw(table: FlagTable, input: Partial<Record<string, boolean>>): number {
  let raw = 0;
  for (const [bit, name] of Object.entries(table)) if (input[name]) raw |= 1 << Number(bit);
  return raw >>> 0;
}

/** Zod input for a flag word of width `bits` (≤ 32), normalised to Flags. */
export function flagsField(table: FlagTable, bits: 8 | 16 | 32 = 32) {
  const max = 2 ** bits - 1;
  const shape: Record<string, z.ZodOptional<z.ZodBoolean>> = {};
  for (const name of Object.values(table)) shape[name] = z.boolean().optional();
  return z
    .union([z.number(), z.object({ raw: z.number().optional(), ...shape }).strict()])
    .transform((v, ctx): Flags => {
      const raw = typeof v === 'number' ? v : v.raw ?? flagsRaw(table, v as Record<string, boolean>);
      if (!Number.isInteger(raw) || raw < 0 || raw > max) {
        ctx.addIssue({ code: 'custom', message: `flag word must be an integer 0..${max}` });
        return z.NEVER;
      }
      return flagsValue(table, raw);
    });
}

/** Flag words wider than 32 bits (u64 validation bits): raw is a bigint. */
export type Flags64 = { raw: bigint } & Record<string, bigint | boolean>;

export function flags64Value(table: FlagTable, raw: bigint): Flags64 {
  const out: Flags64 = { raw };
  for (const [bit, name] of Object.entries(table)) out[name] = ((raw >> BigInt(bit)) & 1n) === 1n;
  return out;
}

export function flags64Raw(table: FlagTable, input: Partial<Record<string, boolean>>): bigint {
  let raw = 0n;
  for (const [bit, name] of Object.entries(table)) if (input[name]) raw |= 1n << BigInt(bit);
  return raw;
}

export function flags64Field(table: FlagTable) {
  const shape: Record<string, z.ZodOptional<z.ZodBoolean>> = {};
  for (const name of Object.values(table)) shape[name] = z.boolean().optional();
  return z
    .union([z.string(), z.number(), z.object({ raw: z.union([z.string(), z.number()]).optional(), ...shape }).strict()])
    .transform((v, ctx): Flags64 => {
      let raw: bigint | undefined;
      if (typeof v === 'object') raw = v.raw === undefined ? flags64Raw(table, v as Record<string, boolean>) : parseU64(v.raw);
      else raw = parseU64(v);
      if (raw === undefined) {
        const given = typeof v === 'object' ? v.raw : v;
        ctx.addIssue({ code: 'custom', message: `validation bits: ${uintInputError(given, U64_MAX, 'a u64') ?? 'expected a u64'}` });
        return z.NEVER;
      }
      return flags64Value(table, raw);
    });
}

/** Checks that a flag name can be a plain object key in generated code. */
function checkedNames(table: FlagTable): Array<[number, string]> {
  return Object.entries(table).map(([b, n]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`flag name ${JSON.stringify(n)} is not an identifier`);
    return [Number(b), n];
  });
}

/**
 * Compiled flag-word decoder: same result as `flagsValue(table, raw)`, built as one object
 * literal by a function generated once per table, so every decoded word has the same fixed shape
 * (decoders run in hot paths; adding keys in a loop made slow dictionary-mode objects).
 */
export function flagsDecoder(table: FlagTable): (raw: number) => Flags {
  const props = checkedNames(table).map(([bit, name]) => `${name}: ((raw >>> ${bit}) & 1) === 1`);
  return new Function('raw', `return { raw: raw${props.map((p) => ', ' + p).join('')} };`) as (raw: number) => Flags;
}

/** Compiled decoder for u64 flag words (see `flagsDecoder`). */
export function flags64Decoder(table: FlagTable): (raw: bigint) => Flags64 {
  const props = checkedNames(table).map(([bit, name]) =>
    bit < 32 ? `${name}: ((lo >>> ${bit}) & 1) === 1` : `${name}: ((hi >>> ${bit - 32}) & 1) === 1`,
  );
  return new Function(
    'raw',
    `var lo = Number(BigInt.asUintN(32, raw)); var hi = Number(raw >> 32n);
     return { raw: raw${props.map((p) => ', ' + p).join('')} };`,
  ) as (raw: bigint) => Flags64;
}

/** Unsigned integer of `bits` width (≤ 128) as a bigint: "0x…" hex string or a safe integer number. */
export function bigUint(bits: number) {
  const max = (1n << BigInt(bits)) - 1n;
  return z.union(uintSpellings(bits)).transform((v, ctx) => {
    const b = parseUint(v, max);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', message: uintInputError(v, max, `an unsigned ${bits}-bit integer`) ?? `expected an unsigned ${bits}-bit integer` });
      return z.NEVER;
    }
    return b;
  });
}

/** A GUID with the short name of a registry entry, `{ guid, name }` (`name` is 'unknown' when not registered). */
export interface NamedGuid {
  guid: string;
  name: string;
}

/**
 * Input for a GUID with a short name: a GUID string, a registered short name, or `{ guid, name }`
 * (`guid` wins when both are given). Output `{ guid, name }`.
 */
export function namedGuid(byName: (n: string) => { guid: string; name: string } | undefined, byGuid: (g: string) => { name: string } | undefined) {
  return z
    .union([z.string(), z.object({ guid: z.string().optional(), name: z.string().optional() }).strict()])
    .transform((v, ctx): NamedGuid => {
      const text = typeof v === 'string' ? v : v.guid ?? v.name ?? '';
      if (GUID_PATTERN.test(text)) {
        const g = text.toLowerCase();
        return { guid: g, name: byGuid(g)?.name ?? 'unknown' };
      }
      const known = byName(text);
      if (!known) {
        ctx.addIssue({ code: 'custom', message: `expected a GUID or a known short name, got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      return { guid: known.guid, name: known.name };
    });
}
