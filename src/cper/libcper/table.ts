import { RasgwError } from '../../binary/errors';
import type { LibcperObject, LibcperValue } from './json-text';

/**
 * The libcper ⇄ rasgw mapping as data. A section's mapping is a list of rules, one per libcper
 * key, in libcper's output order. Each rule names our field (in the decoded model and JSON input
 * form of src/cper/sections), the bit of our validation word that gates it (libcper leaves a
 * field out when its validation bit is clear, and sets the bit when the key is present on
 * input), and a named converter for the value shape. Quirks are named converters too (BCD
 * version bytes, libcper's ARM type order, …), so every departure from a plain copy is visible
 * in the tables. `mapOut` and `mapIn` below are the only code that walks the rules.
 */

/** A decoded section (or header) of our model: field → value. */
export type Model = Record<string, unknown>;

export interface Converter {
  /** what the quirk or shape is, for docs and error messages */
  readonly name: string;
  /** our model value → libcper value; `m` is the whole model (for fields that read several) */
  out(v: unknown, m: Model): LibcperValue;
  /** libcper value → our JSON input value; throws via `bad(path, …)` */
  in(v: LibcperValue, path: string): unknown;
}

export interface Rule {
  /** libcper key */
  key: string;
  /** our field; for a `spread` rule the converter's input result is merged into the section */
  ours?: string;
  /** validation bit (of our `validationBits.raw`) that gates the key */
  bit?: number;
  /** further validation bits set when the key is present on input */
  alsoBits?: number[];
  conv?: Converter;
  /** computed from other fields: written on output, ignored on input */
  derived?: boolean;
  /** merge the converter's input result (an object) into the section input */
  spread?: boolean;
  /** extra presence condition (besides `bit`) */
  when?: (m: Model) => boolean;
}

/** A spread converter's input result may carry validation bits that depend on the value's shape. */
export const EXTRA_BITS = Symbol('libcper.extraBits');

/**
 * Thrown by a section's output rules where libcper's own parser gives up on the section (it then
 * prints the whole section as `{ "Unknown": { "data": <base64> } }`, and so do we).
 */
export class LibcperFallback extends Error {}

export function bad(path: string, message: string): never {
  throw new RasgwError({ code: 'invalid_input', path, message: `libcper JSON ${path || '/'}: ${message}` });
}

export function isObject(v: LibcperValue | undefined): v is LibcperObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v !== 'bigint';
}

/** Bit `n` of a number or bigint word. */
export function bitSet(word: unknown, n: number): boolean {
  if (typeof word === 'bigint') return ((word >> BigInt(n)) & 1n) === 1n;
  if (typeof word === 'number') return n < 32 ? ((word >>> n) & 1) === 1 : Math.floor(word / 2 ** n) % 2 === 1;
  return false;
}

/** The raw validation word of a model (0 when it has none). */
export function validationRaw(m: Model): number | bigint {
  const vb = m.validationBits as { raw?: number | bigint } | undefined;
  return vb?.raw ?? 0;
}

/** Applies the rules to a model: the libcper object (keys in rule order). */
export function mapOut(rules: readonly Rule[], m: Model): LibcperObject {
  const raw = validationRaw(m);
  const o: LibcperObject = {};
  for (const r of rules) {
    if (r.bit !== undefined && !bitSet(raw, r.bit)) continue;
    if (r.when !== undefined && !r.when(m)) continue;
    const v = r.ours === undefined ? undefined : m[r.ours];
    o[r.key] = (r.conv ?? int).out(v, m);
  }
  return o;
}

/**
 * Applies the rules to a libcper object: our JSON input fields and the validation bits of the keys
 * present. Unknown keys are refused (a typo must not be dropped silently).
 */
export function mapIn(rules: readonly Rule[], o: LibcperValue | undefined, path: string, known: readonly string[] = []): { fields: Model; bits: bigint } {
  if (!isObject(o)) bad(path, 'expected an object');
  const fields: Model = {};
  let bits = 0n;
  const keys = new Set(rules.map((r) => r.key));
  for (const k of Object.keys(o)) if (!keys.has(k) && !known.includes(k)) bad(`${path}/${k}`, `unknown field (expected one of ${[...keys].join(', ')})`);
  for (const r of rules) {
    if (r.derived || !(r.key in o)) continue;
    const v = (r.conv ?? int).in(o[r.key], `${path}/${r.key}`);
    if (r.spread) {
      const extra = (v as Record<symbol, unknown>)[EXTRA_BITS];
      if (typeof extra === 'bigint') bits |= extra;
      Object.assign(fields, v as Model);
      delete (fields as Record<symbol, unknown>)[EXTRA_BITS];
    }
    else if (r.ours !== undefined) fields[r.ours] = v;
    if (r.bit !== undefined) bits |= 1n << BigInt(r.bit);
    for (const b of r.alsoBits ?? []) bits |= 1n << BigInt(b);
  }
  return { fields, bits };
}

// ---------------------------------------------------------------------------------------------
// Converters shared by the sections.

function integer(v: LibcperValue, path: string, max: bigint): bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > max) bad(path, `${v} is outside 0..${max}`);
    return v;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(path, `expected an integer, got ${JSON.stringify(v)}`);
  if (v < 0 || BigInt(v) > max) bad(path, `${v} is outside 0..${max}`);
  return BigInt(v);
}

/** A number or bigint of our model as libcper's integer. */
function asInteger(v: unknown): number | bigint {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'value' in v) return (v as { value: number }).value;
  if (typeof v === 'object' && v !== null && 'raw' in v) return asInteger((v as { raw: unknown }).raw);
  if (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v)) return asInteger(BigInt(v));
  return 0;
}

/** A plain integer (u8..u32 in our model). */
export const int: Converter = {
  name: 'integer',
  out: (v) => asInteger(v),
  in: (v, path) => Number(integer(v, path, 0xffff_ffffn)),
};

/** A u64 (bigint in our model, a JSON integer in libcper's). */
export const u64: Converter = {
  name: 'u64',
  out: (v) => asInteger(v),
  in: (v, path) => integer(v, path, 0xffff_ffff_ffff_ffffn),
};

export const bool: Converter = {
  name: 'boolean',
  out: (v) => v === true,
  in: (v, path) => (typeof v === 'boolean' ? v : bad(path, 'expected true or false')),
};

export const text: Converter = {
  name: 'string',
  out: (v) => String(v ?? ''),
  in: (v, path) => (typeof v === 'string' ? v : bad(path, 'expected a string')),
};

export const guid: Converter = {
  name: 'GUID',
  out: (v) => String(v),
  in: (v, path) => (typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v.toLowerCase() : bad(path, 'expected a GUID')),
};

/** libcper's `{ value, name }` pair (integer_to_readable_pair): name from libcper's table, else `fallback`. */
export function pair(table: Readonly<Record<number, string>>, fallback: string, extra?: (value: number) => LibcperObject): Converter {
  return {
    name: `value/name pair (${fallback} when unnamed)`,
    out: (v) => {
      const value = Number(asInteger(v));
      return { value, ...(extra ? extra(value) : {}), name: table[value] ?? fallback };
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, 'expected { "value": …, "name": … }');
      return Number(integer(v.value ?? null, `${path}/value`, 0xffff_ffffn));
    },
  };
}

/**
 * libcper's `{ value, <key>: text }` of an integer whose text libcper computes from the value
 * (`{ value, type: "Single Error" }`, `{ value, state: "Corrected" }`, …); on input only `value`
 * is read (0 when absent), up to `max`.
 */
export function valueWith(key: string, text: (n: number) => string, max: bigint, name = `value/${key}`): Converter {
  return {
    name,
    out: (v) => {
      const n = Number(asInteger(v));
      return { value: n, [key]: text(n) };
    },
    in: (v, path) => (isObject(v) ? Number(integer(v.value ?? 0, `${path}/value`, max)) : bad(path, `expected { "value": …, "${key}": … }`)),
  };
}

/** The array at `o[key]` of a libcper object (empty when absent). */
export function arrayAt(o: LibcperObject, key: string, path: string): LibcperValue[] {
  const a = o[key];
  if (a === undefined) return [];
  if (!Array.isArray(a)) bad(`${path}/${key}`, 'expected an array');
  return a;
}

/** libcper's bitfield_to_ir: one boolean per bit, named in bit order (bit 0 first); our side is the raw word. */
export function bitfield(names: readonly string[]): Converter {
  return {
    name: `bit field (${names.join(', ')})`,
    out: (v) => {
      const raw = asInteger(v);
      const o: LibcperObject = {};
      names.forEach((n, i) => (o[n] = bitSet(raw, i)));
      return o;
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, `expected { ${names.map((n) => `"${n}": true|false`).join(', ')} }`);
      let raw = 0;
      names.forEach((n, i) => {
        const b = v[n];
        if (b !== undefined && typeof b !== 'boolean') bad(`${path}/${n}`, 'expected true or false');
        if (b === true) raw |= 1 << i;
      });
      return raw >>> 0;
    },
  };
}

/** `0x%0*llX`: upper-case hex, zero-padded to `digits` (libcper's add_int_hex_* and physicalAddressHex). */
export function hexUpper(digits: number): Converter {
  return {
    name: `upper-case hex, ${digits} digits`,
    out: (v) => '0x' + BigInt(asInteger(v)).toString(16).toUpperCase().padStart(digits, '0'),
    in: (v, path) => (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : bad(path, 'expected a "0x…" hex string')),
  };
}

/** A fixed value libcper writes (output only). */
export function constant(value: LibcperValue): Converter {
  return { name: `constant ${JSON.stringify(String(value))}`, out: () => value, in: () => undefined };
}

/** Standard base64 of a hex string of our model (libcper's add_binary_base64). */
export const base64: Converter = {
  name: 'base64 bytes',
  out: (v) => Buffer.from(String(v ?? ''), 'hex').toString('base64'),
  in: (v, path) => {
    if (typeof v !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)) bad(path, 'expected standard base64');
    return Buffer.from(v, 'base64').toString('hex');
  },
};

/** A nested structure of our model (a struct row) as a libcper object mapped by its own rules. */
export function subObject(rules: readonly Rule[], name = 'nested object'): Converter {
  return {
    name,
    out: (v) => mapOut(rules, v as Model),
    in: (v, path) => mapIn(rules, v, path).fields,
  };
}

export const asNumber = (v: unknown): number => Number(asInteger(v));
export const asBig = (v: unknown): bigint => BigInt(asInteger(v));
export { integer as integerIn };
