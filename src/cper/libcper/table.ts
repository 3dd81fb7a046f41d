import { RasgwError } from '../../binary/errors';
import { base64Text, stringText, valueText, type LibcperObject, type LibcperValue } from './json-text';
import { closeObject, emptyObject, isIndexKey, KeyText, membersOf, openObject } from './text-pieces';

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
  /**
   * The JSON text of `out(v, m)` written directly (see text-pieces.ts), `depth` being the value's
   * nesting depth; without it the text writer writes `out`'s value. It must give exactly
   * libcperJsonText's text of `out(v, m)` (test/cper/libcper/text-path.test.ts checks both ways).
   */
  text?(v: unknown, m: Model, depth: number): string;
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

/** Each registered `text` writer → the `out` it writes the text of. */
const textWritesOut = new WeakMap<NonNullable<Converter['text']>, Converter['out']>();

/**
 * Registers a converter's `text` as the direct writer of its `out`. A converter made by spreading
 * another (`{ ...int, out: … }`) carries the other's `text` but its own `out`: textOf then sees
 * that the pair does not match and writes the new `out`'s value instead.
 */
export function withText<C extends Converter>(conv: C): C {
  if (conv.text !== undefined) textWritesOut.set(conv.text, conv.out);
  return conv;
}

/** A converter's direct text (when registered for its `out`), or the text of its `out` value. */
export function textOf(conv: Converter): (v: unknown, m: Model, depth: number) => string {
  const text = conv.text;
  if (text !== undefined && textWritesOut.get(text) === conv.out) return text;
  return (v, m, depth) => valueText(conv.out(v, m), depth);
}

/** A compiled writer: `raw`, when given, is the validation word that gates the rules instead of m's own. */
type RulesWriter = (m: Model, depth: number, raw?: number | bigint) => string;
const compiledRules = new WeakMap<readonly Rule[], RulesWriter>();
const compiledMembers = new WeakMap<readonly Rule[], RulesWriter>();

/**
 * `mapOut` and libcperJsonText in one: the text of the object the rules make of a model, at
 * nesting depth `depth`, written without building the object. The rules are read once, on the
 * first call, into steps with their key texts ready. Rule lists whose object would not keep the
 * rules' order (a repeated key, an array-index key) are written through mapOut instead.
 */
export function rulesText(rules: readonly Rule[]): RulesWriter {
  let f = compiledRules.get(rules);
  if (f === undefined) {
    const members = rulesMembersText(rules);
    f = (m, depth, raw) => {
      const inner = members(m, depth, raw);
      return inner === '' ? emptyObject(depth) : openObject(depth) + inner + closeObject(depth);
    };
    compiledRules.set(rules, f);
  }
  return f;
}

/**
 * The members of rulesText's object without its braces and outer layout (`"key":value`, then
 * each further member after its separator; '' when no rule applies), for writers that merge the
 * rules' members with others into one object (text-pieces.ts ObjectText.addMembers).
 */
export function rulesMembersText(rules: readonly Rule[]): RulesWriter {
  let f = compiledMembers.get(rules);
  if (f === undefined) {
    f = compileRulesText(rules);
    compiledMembers.set(rules, f);
  }
  return f;
}

/**
 * The rules as one generated function (like a compiled serializer): one statement per rule, in
 * rule order, with the field read by name, the bit test and the integer and boolean copies
 * inline, and each converter's writer called at its own call site. The generated code holds no
 * text from the tables: field names are JSON string literals, everything else is passed in.
 */
function compileRulesText(rules: readonly Rule[]): RulesWriter {
  const keys = rules.map((r) => r.key);
  if (new Set(keys).size !== keys.length || keys.some(isIndexKey)) {
    return (m, depth, raw) => membersOf(valueText(mapOut(rules, raw === undefined ? m : { ...m, validationBits: { raw } }), depth), depth);
  }
  const names: string[] = ['validationRaw', 'bitSet', 'asInteger'];
  const values: unknown[] = [validationRaw, bitSet, asInteger];
  const lines: string[] = [];
  let needsRaw = false;
  rules.forEach((r, i) => {
    names.push(`K${i}`);
    values.push(new KeyText(r.key));
    const tests: string[] = [];
    if (r.bit !== undefined) {
      needsRaw = true;
      tests.push(r.bit < 32 ? `(exact ? ((lo >>> ${r.bit}) & 1) === 1 : bitSet(raw, ${r.bit}))` : r.bit < 64 ? `(exact ? ((hi >>> ${r.bit - 32}) & 1) === 1 : bitSet(raw, ${r.bit}))` : `bitSet(raw, ${r.bit})`);
    }
    if (r.when !== undefined) {
      names.push(`W${i}`);
      values.push(r.when);
      tests.push(`W${i}(m)`);
    }
    const read = r.ours === undefined ? 'undefined' : `m[${JSON.stringify(r.ours)}]`;
    const conv = r.conv ?? int;
    let value: string;
    if (conv === int || conv === u64) value = `(typeof (v = ${read}) === 'number' ? '' + v : String(asInteger(v)))`;
    else if (conv === bool) value = `(${read} === true ? 'true' : 'false')`;
    else {
      names.push(`T${i}`);
      values.push(textOf(conv));
      value = `T${i}(${read}, m, d1)`;
    }
    const key = i === 0 || rules.slice(0, i).every((p) => p.bit !== undefined || p.when !== undefined) ? `(out === '' ? K${i}.bare : K${i}.next(depth))` : `K${i}.next(depth)`;
    const statement = `out += ${key} + ${value};`;
    lines.push(tests.length === 0 ? statement : `if (${tests.join(' && ')}) ${statement}`);
  });
  const body = [
    'return function rulesText(m, depth, given) {',
    // the validation word as two 32-bit halves when it is a u32 number or a u64 bigint (bitSet otherwise)
    needsRaw
      ? [
          'const raw = given === undefined ? validationRaw(m) : given; let lo = 0, hi = 0, exact = true;',
          'if (typeof raw === "number") { if (raw >= 0 && raw <= 0xffffffff) lo = raw; else exact = false; }',
          'else if (typeof raw === "bigint" && raw >= 0n && raw <= 0xffffffffffffffffn) { lo = Number(raw & 0xffffffffn); hi = Number(raw >> 32n); }',
          'else exact = false;',
        ].join('\n')
      : '',
    "const d1 = depth + 1; let out = ''; let v;",
    ...lines,
    'return out;',
    '};',
  ].join('\n');
  return new Function(...names, body)(...values) as RulesWriter;
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
export const int: Converter = withText({
  name: 'integer',
  out: (v) => asInteger(v),
  text: (v) => String(asInteger(v)),
  in: (v, path) => Number(integer(v, path, 0xffff_ffffn)),
});

/** A u64 (bigint in our model, a JSON integer in libcper's). */
export const u64: Converter = withText({
  name: 'u64',
  out: (v) => asInteger(v),
  text: (v) => String(asInteger(v)),
  in: (v, path) => integer(v, path, 0xffff_ffff_ffff_ffffn),
});

export const bool: Converter = withText({
  name: 'boolean',
  out: (v) => v === true,
  text: (v) => (v === true ? 'true' : 'false'),
  in: (v, path) => (typeof v === 'boolean' ? v : bad(path, 'expected true or false')),
});

export const text: Converter = withText({
  name: 'string',
  out: (v) => String(v ?? ''),
  text: (v) => stringText(String(v ?? '')),
  in: (v, path) => (typeof v === 'string' ? v : bad(path, 'expected a string')),
});

export const guid: Converter = withText({
  name: 'GUID',
  out: (v) => String(v),
  text: (v) => stringText(String(v)),
  in: (v, path) => (typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ? v.toLowerCase() : bad(path, 'expected a GUID')),
});

/** libcper's `{ value, name }` pair (integer_to_readable_pair): name from libcper's table, else `fallback`. */
const VALUE = new KeyText('value');
const NAME = new KeyText('name');

/** The text of libcper's `{ value, name }` at `depth`. */
export function pairText(value: number, name: string, depth: number): string {
  return VALUE.first(depth) + String(value) + NAME.next(depth) + stringText(name) + closeObject(depth);
}

export function pair(table: Readonly<Record<number, string>>, fallback: string, extra?: (value: number) => LibcperObject): Converter {
  return withText({
    name: `value/name pair (${fallback} when unnamed)`,
    out: (v) => {
      const value = Number(asInteger(v));
      return { value, ...(extra ? extra(value) : {}), name: table[value] ?? fallback };
    },
    // with extra members the object's text is written from `out`
    text:
      extra === undefined
        ? (v, _m, depth) => {
            const value = Number(asInteger(v));
            return VALUE.first(depth) + String(value) + NAME.next(depth) + stringText(table[value] ?? fallback) + closeObject(depth);
          }
        : undefined,
    in: (v, path) => {
      if (!isObject(v)) bad(path, 'expected { "value": …, "name": … }');
      return Number(integer(v.value ?? null, `${path}/value`, 0xffff_ffffn));
    },
  });
}

/**
 * libcper's `{ value, <key>: text }` of an integer whose text libcper computes from the value
 * (`{ value, type: "Single Error" }`, `{ value, state: "Corrected" }`, …); on input only `value`
 * is read (0 when absent), up to `max`.
 */
export function valueWith(key: string, text: (n: number) => string, max: bigint, name = `value/${key}`): Converter {
  const second = new KeyText(key);
  const plain = key !== 'value' && !isIndexKey(key);
  return withText({
    name,
    out: (v) => {
      const n = Number(asInteger(v));
      return { value: n, [key]: text(n) };
    },
    text: plain
      ? (v, _m, depth) => {
          const n = Number(asInteger(v));
          return VALUE.first(depth) + String(n) + second.next(depth) + stringText(text(n)) + closeObject(depth);
        }
      : undefined,
    in: (v, path) => (isObject(v) ? Number(integer(v.value ?? 0, `${path}/value`, max)) : bad(path, `expected { "value": …, "${key}": … }`)),
  });
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
  const keys = names.map((n) => new KeyText(n));
  const plain = new Set(names).size === names.length && !names.some(isIndexKey);
  return withText({
    name: `bit field (${names.join(', ')})`,
    out: (v) => {
      const raw = asInteger(v);
      const o: LibcperObject = {};
      names.forEach((n, i) => (o[n] = bitSet(raw, i)));
      return o;
    },
    text: !plain || names.length === 0 ? undefined : (v, _m, depth) => {
      const raw = asInteger(v);
      const small = typeof raw === 'number' && raw >= 0 && raw <= 0xffff_ffff;
      let out = '';
      for (let i = 0; i < keys.length; i++) {
        const set = small && i < 32 ? (((raw as number) >>> i) & 1) === 1 : bitSet(raw, i);
        out += (i === 0 ? keys[i].first(depth) : keys[i].next(depth)) + (set ? 'true' : 'false');
      }
      return out + closeObject(depth);
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
  });
}

/** `0x%0*llX`: upper-case hex, zero-padded to `digits` (libcper's add_int_hex_* and physicalAddressHex). */
export function hexUpper(digits: number): Converter {
  return withText({
    name: `upper-case hex, ${digits} digits`,
    out: (v) => '0x' + BigInt(asInteger(v)).toString(16).toUpperCase().padStart(digits, '0'),
    // bigints and safe numbers straight to hex digits (out's BigInt(asInteger(v)) gives the same value)
    text: (v) => {
      const h = typeof v === 'bigint' && v >= 0n ? v.toString(16) : typeof v === 'number' && v >= 0 && Number.isSafeInteger(v) ? v.toString(16) : BigInt(asInteger(v)).toString(16);
      // hex digits, "x" and a sign never need escaping
      return '"0x' + h.toUpperCase().padStart(digits, '0') + '"';
    },
    in: (v, path) => (typeof v === 'string' && /^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : bad(path, 'expected a "0x…" hex string')),
  });
}

/** A fixed value libcper writes (output only). */
export function constant(value: LibcperValue): Converter {
  return withText({ name: `constant ${JSON.stringify(String(value))}`, out: () => value, text: (_v, _m, depth) => valueText(value, depth), in: () => undefined });
}

/** Standard base64 of a hex string of our model (libcper's add_binary_base64). */
export const base64: Converter = withText({
  name: 'base64 bytes',
  out: (v) => Buffer.from(String(v ?? ''), 'hex').toString('base64'),
  text: (v) => base64Text(Buffer.from(String(v ?? ''), 'hex').toString('base64')),
  in: (v, path) => {
    if (typeof v !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)) bad(path, 'expected standard base64');
    return Buffer.from(v, 'base64').toString('hex');
  },
});

/** A nested structure of our model (a struct row) as a libcper object mapped by its own rules. */
export function subObject(rules: readonly Rule[], name = 'nested object'): Converter {
  return withText({
    name,
    out: (v) => mapOut(rules, v as Model),
    text: (v, _m, depth) => rulesText(rules)(v as Model, depth),
    in: (v, path) => mapIn(rules, v, path).fields,
  });
}

export const asNumber = (v: unknown): number => Number(asInteger(v));
export const asBig = (v: unknown): bigint => BigInt(asInteger(v));
export { integer as integerIn };
