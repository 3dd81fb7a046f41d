import { z } from 'zod';
import { NULL_GUID } from '../../binary/guid';
import {
  EnumTable,
  EnumValue,
  enumField,
  enumValue,
  Flags,
  Flags64,
  flags64Decoder,
  flags64Field,
  flagsDecoder,
  flagsField,
  FlagTable,
  guid as guidInput,
  u64 as u64Input,
  uint,
} from '../json/fields';
import { lazy } from '../json/lazy';
import { decodeErrorStatus, ErrorStatus, errorStatusField } from '../sections/error-status';
import { FixedText, fixedTextField, HexString, hexField, zeroHex } from './byte-runs';

/**
 * The field kinds of a layout table (see ./layout.ts). Each builder returns one table row: the
 * field's name, its byte offset inside the structure, its width, how its bytes become a model
 * value (and back), its JSON input (one of the shared building blocks of ../json/fields.ts, so
 * the input rules live in one place) and its documentation (description, validation bit, libcper
 * name). The model type of a row is carried in the phantom `_t`, so a table's TypeScript type is
 * derived from the table itself (`ModelOf`).
 */

/** Documentation and cross-references of a field, shown by `rasgw schema` and the OpenAPI document. */
export interface FieldMeta {
  /** what the field holds (unit, meaning); the JSON schema description starts with it */
  doc?: string;
  /** the validation bit that says the field is valid (set on input when the field is given) */
  vbit?: number;
  /** the bit's name in the validation word, when it is not the field's name */
  vbitName?: string;
  /** the spec section that defines it, when it is not the section's own */
  spec?: string;
  /** the field's name in libcper's JSON form, when libcper prints it */
  libcper?: string;
  /** the field's display name (hex view), when it is not the name in words (e.g. MIDR_EL1) */
  label?: string;
  /** the JSON input must give this field (default: optional, the zero when absent) */
  required?: boolean;
  /**
   * JSON input schema instead of the kind's own (keeps a field's established wording); a function
   * that builds it on first use (schemas are built only when JSON is parsed, see ../json/lazy.ts)
   */
  input?: () => z.ZodType;
  /** the value an input without this field gets (default: the kind's zero) */
  zero?: () => unknown;
  /**
   * the generated decoder leaves this field null: the structure's hand-written code decodes it,
   * because its meaning depends on other fields (encoding and input stay derived)
   */
  decodedByHand?: boolean;
}

/**
 * An integer's model form, when it is not the plain number: an enumeration, a flag word, the
 * Error Status word, or any other value computed from the raw integer alone.
 */
export interface IntView<T> {
  /** the model value of a raw integer; `opts` are the decode options (a view may depend on them) */
  decode(raw: number | bigint, opts?: unknown): T;
  /** the raw integer of a model value (number for widths ≤ 4, bigint for 8) */
  encode(v: T): number | bigint;
  /** the JSON input; a getter that builds it on first use (decoding never reads it) */
  input: z.ZodType<T>;
  zero(): T;
  /** what the JSON schema says about the accepted forms */
  describe: string;
}

interface RowBase<N extends string, T> {
  readonly name: N;
  readonly offset: number;
  /** bytes the field takes */
  readonly size: number;
  readonly meta: FieldMeta;
  /** phantom: the model type of the field */
  readonly _t?: T;
}

export type IntWidth = 1 | 2 | 3 | 4 | 8;

export type Row<N extends string = string, T = unknown> = RowBase<N, T> &
  (
    | { kind: 'int'; width: IntWidth }
    | { kind: 'view'; width: IntWidth; view: IntView<T> }
    | { kind: 'bits'; width: 1 | 2 | 4; shift: number; bits: number }
    | { kind: 'guid'; view?: GuidView<T> }
    | { kind: 'hex'; length: number }
    | { kind: 'text'; length: number }
    | { kind: 'struct'; layout: LayoutRef<T> }
    | { kind: 'u32s'; count: number }
    | { kind: 'count'; width: 1 | 2 | 4; of: string }
    | { kind: 'model'; fromOptions: (opts: unknown) => T }
    | { kind: 'validation'; width: 2 | 4 | 8; names: Readonly<Record<number, string>> }
  );

/** A GUID's model form, when it is not the plain string (e.g. `{ guid, name }` of a registry). */
export interface GuidView<T> {
  decode(guid: string): T;
  encode(v: T): string;
  input: z.ZodType<T>;
  zero(): T;
}

/** What a struct row needs of its sub-layout (./layout.ts builds it). */
export interface LayoutRef<T> {
  readonly size: number;
  readonly rows: readonly Row[];
  zero(): T;
  readonly input: z.ZodType;
  readonly _t?: T;
}

/** The model type of a table: one key per row (count rows are not in the model). */
export type ModelOf<R extends readonly Row[]> = {
  -readonly [K in R[number] as K extends { kind: 'count' } ? never : K['name']]: K extends Row<string, infer T> ? T : never;
};

type Width<W extends IntWidth> = W extends 8 ? bigint : number;

/** An unsigned little-endian integer: u8, u16, 24-bit (3 bytes), u32 (number) or u64 (bigint). */
export function int<N extends string, W extends IntWidth>(name: N, offset: number, width: W, meta: FieldMeta = {}): Row<N, Width<W>> {
  return { name, offset, size: width, width, kind: 'int', meta } as Row<N, Width<W>>;
}
export const u8 = <N extends string>(name: N, offset: number, meta?: FieldMeta) => int(name, offset, 1, meta);
export const u16 = <N extends string>(name: N, offset: number, meta?: FieldMeta) => int(name, offset, 2, meta);
export const u24 = <N extends string>(name: N, offset: number, meta?: FieldMeta) => int(name, offset, 3, meta);
export const u32 = <N extends string>(name: N, offset: number, meta?: FieldMeta) => int(name, offset, 4, meta);
export const u64 = <N extends string>(name: N, offset: number, meta?: FieldMeta) => int(name, offset, 8, meta);

/** An integer with a model form of its own (enumeration, flags, …). */
export function view<N extends string, T>(name: N, offset: number, width: IntWidth, v: IntView<T>, meta: FieldMeta = {}): Row<N, T> {
  return { name, offset, size: width, width, kind: 'view', view: v, meta } as Row<N, T>;
}

/** Bits `shift .. shift+bits-1` of a `width`-byte word; rows at the same offset share the word. */
export function bits<N extends string>(name: N, offset: number, width: 1 | 2 | 4, shift: number, count: number, meta: FieldMeta = {}): Row<N, number> {
  return { name, offset, size: width, width, shift, bits: count, kind: 'bits', meta } as Row<N, number>;
}

export function guid<N extends string>(name: N, offset: number, meta: FieldMeta = {}): Row<N, string> {
  return { name, offset, size: 16, kind: 'guid', meta } as Row<N, string>;
}

/** A GUID with a model form of its own. */
export function guidOf<N extends string, T>(name: N, offset: number, v: GuidView<T>, meta: FieldMeta = {}): Row<N, T> {
  return { name, offset, size: 16, kind: 'guid', view: v, meta } as Row<N, T>;
}

/** Opaque bytes (reserved blocks, register images) as lower-case hex. */
export function hex<N extends string>(name: N, offset: number, length: number, meta: FieldMeta = {}): Row<N, HexString> {
  return { name, offset, size: length, length, kind: 'hex', meta } as Row<N, HexString>;
}

/** Fixed-width ASCII text, NUL padded (see FixedText). */
export function text<N extends string>(name: N, offset: number, length: number, meta: FieldMeta = {}): Row<N, FixedText> {
  return { name, offset, size: length, length, kind: 'text', meta } as Row<N, FixedText>;
}

/** A fixed array of `n` u32 words (e.g. a TLP header log). */
export function u32s<N extends string>(name: N, offset: number, n: number, meta: FieldMeta = {}): Row<N, number[]> {
  return { name, offset, size: 4 * n, count: n, kind: 'u32s', meta } as Row<N, number[]>;
}

/** A nested structure with its own layout (a JSON object of its fields). */
export function struct<N extends string, T>(name: N, offset: number, layout: LayoutRef<T>, meta: FieldMeta = {}): Row<N, T> {
  return { name, offset, size: layout.size, layout, kind: 'struct', meta } as Row<N, T>;
}

/**
 * The count (or length) of a variable part that follows the structure: written from the part
 * when encoding, read to size the part when decoding; not a model field of its own.
 */
export function count<N extends string>(name: N, offset: number, width: 1 | 2 | 4, of: string, meta: FieldMeta = {}): Row<N, never> {
  return { name, offset, size: width, width, of, kind: 'count', meta } as unknown as Row<N, never>;
}

/**
 * A model field that is not stored in the bytes: it names how the bytes were read (an encoding
 * chosen by a decode option), so decoding takes it from the options and input may state it.
 */
export function modelOnly<N extends string, T>(name: N, fromOptions: (opts: unknown) => T, input: () => z.ZodType<T>, zero: () => T, doc: string): Row<N, T> {
  return { name, offset: 0, size: 0, fromOptions, kind: 'model', meta: { doc, input, zero } } as Row<N, T>;
}

/**
 * The validation-bits word of a structure: a flag word whose bit table is derived by the layout
 * from the rows' `vbit` (named `vbitName ?? name`), plus `names` for bits that no row of the
 * structure carries (variable parts, input-only keys, bits without a field).
 */
export function validationBits<N extends string, W extends 2 | 4 | 8>(
  name: N,
  offset: number,
  width: W,
  names: Readonly<Record<number, string>> = {},
  meta: FieldMeta = {},
): Row<N, W extends 8 ? Flags64 : Flags> {
  return { name, offset, size: width, width, names, kind: 'validation', meta: { doc: 'which fields are valid (bit n set: field n valid); set on input from the fields given when absent', ...meta } } as unknown as Row<N, W extends 8 ? Flags64 : Flags>;
}

/** An enumeration table from its names in value order (0, 1, 2, …). */
export function names(...list: string[]): EnumTable {
  return Object.fromEntries(list.map((n, i) => [i, n]));
}

// ---- integer views ----

/** An enumeration: `{ value, name }` in the model, a name, number or that object on input. */
export function enumOf(table: EnumTable, width: IntWidth = 1, zeroValue = 0): IntView<EnumValue> {
  const bitsOf = width >= 4 ? 32 : width === 2 ? 16 : 8;
  const input = lazy(() => enumField(table, bitsOf));
  return {
    decode: (raw) => enumValue(table, Number(raw)),
    encode: (v) => v.value,
    get input() {
      return input();
    },
    zero: () => enumValue(table, zeroValue),
    describe: `one of ${Object.entries(table).map(([v, n]) => `${n} (${v})`).join(', ')}; a name, a number or { value, name }`,
  };
}

/** A flag word of ≤ 32 bits: `{ raw, <flag>: boolean … }`. */
export function flagsOf(table: FlagTable, width: 1 | 2 | 4 = 4): IntView<Flags> {
  const dec = flagsDecoder(table);
  const input = lazy(() => flagsField(table, width === 4 ? 32 : width === 2 ? 16 : 8));
  return {
    decode: (raw) => dec(Number(raw)),
    encode: (v) => v.raw,
    get input() {
      return input();
    },
    zero: () => dec(0),
    describe: `flag word: a number, or { raw } or named booleans (${Object.entries(table).map(([b, n]) => `bit ${b} ${n}`).join(', ')})`,
  };
}

/** A u64 flag word (validation bits): `{ raw: bigint, <flag>: boolean … }`. */
export function flags64Of(table: FlagTable): IntView<Flags64> {
  const dec = flags64Decoder(table);
  const input = lazy(() => flags64Field(table));
  return {
    decode: (raw) => dec(raw as bigint),
    encode: (v) => v.raw,
    get input() {
      return input();
    },
    zero: () => dec(0n),
    describe: `u64 flag word: "0x…", a number, or { raw } or named booleans (${Object.entries(table).map(([b, n]) => `bit ${b} ${n}`).join(', ')})`,
  };
}

/** The UEFI Error Status u64 (see ../sections/error-status.ts). */
export const errorStatusView: IntView<ErrorStatus> = {
  decode: (raw) => decodeErrorStatus(raw as bigint),
  encode: (v) => v.raw,
  get input() {
    return errorStatusField() as z.ZodType<ErrorStatus>;
  },
  zero: () => decodeErrorStatus(0n),
  describe: 'UEFI Error Status word (N.2.5 Table N-32): { raw } or { errorType, address, control, data, responder, requester, firstError, overflow }',
};

// ---- per-kind defaults and inputs ----

/** The value a field takes when the input does not give it. */
export function zeroOf(row: Row): unknown {
  if (row.meta.zero !== undefined) return row.meta.zero();
  switch (row.kind) {
    case 'int':
      return row.width === 8 ? 0n : 0;
    case 'bits':
    case 'count':
      return 0;
    case 'model':
    case 'validation':
      return undefined;
    case 'view':
      return row.view.zero();
    case 'guid':
      return row.view === undefined ? NULL_GUID : row.view.zero();
    case 'hex':
      return zeroHex(row.length);
    case 'text':
      return { text: '' };
    case 'struct':
      return row.layout.zero();
    case 'u32s':
      return new Array<number>(row.count).fill(0);
  }
}

/** JSON input schema of a field (required; the layout makes it optional). */
export function inputOf(row: Row): z.ZodType {
  if (row.meta.input !== undefined) return row.meta.input();
  switch (row.kind) {
    case 'int':
      if (row.width === 8) return u64Input();
      if (row.width === 3) return uint(32).refine((n) => n <= 0xffffff, `${row.name} is 24 bits`);
      return uint((row.width * 8) as 8 | 16 | 32);
    case 'bits': {
      const max = 2 ** row.bits - 1;
      return uint(row.width === 4 ? 32 : row.width === 2 ? 16 : 8).refine((n) => n <= max, `${row.name} is ${row.bits} bits`);
    }
    case 'count':
    case 'validation':
      return uint(32);
    case 'model':
      return uint(32);
    case 'view':
      return row.view.input;
    case 'guid':
      return row.view?.input ?? guidInput();
    case 'hex':
      return hexField(row.length);
    case 'text':
      return fixedTextField(row.length);
    case 'struct':
      return row.layout.input;
    case 'u32s':
      return z.tuple(new Array(row.count).fill(0).map(() => uint(32)) as unknown as [z.ZodType, ...z.ZodType[]]);
  }
}

/** Description of a field for the JSON schema: its doc, bytes, width and validation bit. */
export function describeRow(row: Row, base = 0): string {
  const parts: string[] = [];
  if (row.meta.doc !== undefined) parts.push(row.meta.doc);
  const at = base + row.offset;
  const where = `bytes ${at}..${at + row.size - 1}`;
  switch (row.kind) {
    case 'int':
      parts.push(`${where}, ${row.width === 3 ? '24-bit' : `u${row.width * 8}`} ("0x…" hex string or a JSON number${row.width === 8 ? ' below 2^53' : ''})`);
      break;
    case 'bits':
      parts.push(`bits ${row.shift + row.bits - 1}:${row.shift} of the u${row.width * 8} at byte ${at}`);
      break;
    case 'view':
      parts.push(`${where}; ${row.view.describe}`);
      break;
    case 'guid':
      parts.push(`${where}, GUID`);
      break;
    case 'hex':
      parts.push(`${where}, ${row.length} bytes as hex`);
      break;
    case 'text':
      parts.push(`${where}, ASCII text of at most ${row.length} characters`);
      break;
    case 'struct':
      parts.push(`${where}, structure`);
      break;
    case 'u32s':
      parts.push(`${where}, ${row.count} u32 words`);
      break;
    case 'count':
      parts.push(`${where}, count of ${row.of}`);
      break;
    case 'model':
    case 'validation':
      break;
  }
  if (row.meta.vbit !== undefined) parts.push(`valid when validation bit ${row.meta.vbit} is set (set on input when the field is given)`);
  if (row.meta.spec !== undefined) parts.push(`see ${row.meta.spec}`);
  return parts.join('; ');
}

/** A field's display name: its label, or its camelCase name in words ("physicalFaultAddress" → "Physical Fault Address"). */
export function labelOf(row: { name: string; meta: FieldMeta }): string {
  return row.meta.label ?? titleWords(row.name);
}

/** camelCase → Title Words. */
export function titleWords(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
