import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError, joinPath } from '../../binary/errors';
import { viewOf } from '../compiled-parser';
import { FieldWriter, fieldWriter } from '../wire-write';
import { fixedTextAt, guidAt } from '../wire-fields';
import { writeFixedText, writeHexField } from './byte-runs';
import { lazy } from '../json/lazy';
import type { FlagTable } from '../json/fields';
import { describeRow, flags64Of, flagsOf, inputOf, labelOf, LayoutRef, ModelOf, Row, zeroOf } from './fields';

/**
 * A fixed-size structure declared once, as a table of rows (./fields.ts), from which everything
 * else is derived when the module loads:
 * - `read` / `decodeAt`: one generated function per layout that builds the model object as one
 *   object literal (same key order as the table, fixed shape) from a DataView at an absolute
 *   offset, after one bounds check for the whole structure;
 * - `encodeAt`: one generated function that writes every field with FieldWriter's range checks
 *   (paths built only on failure) and packs bit fields that share a word;
 * - `size`, `zero()` (the model of an input that gives nothing), `shape` / `input` (the zod JSON
 *   input, every field optional, with the shared building blocks of ../json/fields.ts; getters
 *   that build it on first use, so decoding never builds a schema or loads zod), `fill`
 *   (an input object → a complete model), `spans` (byte offset, length and JSON path per field) and
 *   `describe` (a description per field for the JSON schema).
 * The table is checked at load: rows must tile the structure exactly (every byte belongs to one
 * field, bit fields share their word), so a round trip keeps every byte.
 */
export interface Layout<T> extends LayoutRef<T> {
  readonly size: number;
  readonly rows: readonly Row[];
  /** decodes the structure at `at` (absolute) of `bytes` viewed by `view`; the caller checked bounds */
  decodeAt(bytes: Uint8Array, view: DataView, at: number, opts?: unknown): T;
  /**
   * bounds-checked decode at window offset `offset` of a reader (a short window fails at the first
   * field that does not fit, or, for a structure read as one block, at its start, named `field`)
   */
  read(r: ByteReader, offset: number, opts?: unknown, field?: string | number): T;
  /**
   * checks that the structure fits at window offset `offset`, failing at the first field that does
   * not (or, for a structure read as one block, at its start, named `field`)
   */
  check(r: ByteReader, offset: number, field?: string | number): void;
  /**
   * a decoder like decodeAt whose objects also carry constant keys (primitive values) before and
   * after the fields, built into the same object literal
   */
  decoderWith<B extends object, A extends object = object>(before: B, after?: A): (bytes: Uint8Array, view: DataView, at: number, opts?: unknown) => B & T & A;
  /**
   * writes a model at absolute offset `o`; `path` is the model's path for errors; `counts` gives
   * the count rows their values (name of the counted part → count or length)
   */
  encodeAt(w: ByteWriter, o: number, s: T, path: string, counts?: Record<string, number>): void;
  zero(): T;
  /** the zod object shape of the JSON input (every field optional); built on first use */
  readonly shape: Record<string, z.ZodType>;
  /** the JSON input of the structure as a nested object (fills defaults); built on first use */
  readonly input: z.ZodType<T>;
  /** a complete model from a parsed input object: each field as given, else its zero */
  fill(v: Record<string, unknown>): T;
  /** byte spans of each field (nested structures expanded), offsets relative to `base` */
  spans(base: number, path: string): FieldSpan[];
  /** spans of `n` consecutive items of this layout from `base`, item i at `${path}/${i}` */
  itemSpans(base: number, n: number, path: string): FieldSpan[];
  /** the validation bits of the rows an input gives (each row with a `vbit` whose name `v` has) */
  presentBits(v: Record<string, unknown>): bigint;
  /** the bit table of the structure's validation word (derived from the rows' vbit), if it has one */
  readonly validationTable?: FlagTable;
  /** a short window fails at the structure's start, not at a field (LayoutOptions.truncated) */
  readonly wholeOnly: boolean;
  /** model rows (count rows left out) */
  readonly modelRows: readonly Row[];
}

/** The model type of a layout. */
export type LayoutModel<L> = L extends Layout<infer T> ? T : never;

export interface FieldSpan {
  offset: number;
  length: number;
  /** JSON pointer into the decoded JSON form */
  path: string;
  name: string;
}

function checkTable(size: number, rows: readonly Row[], what: string): void {
  const owner = new Array<string | undefined>(size).fill(undefined);
  const words = new Map<number, number>();
  for (const row of rows) {
    if (row.kind === 'model') continue;
    if (!/^[A-Za-z_$][\w$]*$/.test(row.name)) throw new Error(`${what}: field name ${JSON.stringify(row.name)} is not an identifier`);
    if (row.kind === 'bits') {
      const seen = words.get(row.offset);
      if (seen !== undefined && seen !== row.size) throw new Error(`${what}: bit fields at ${row.offset} disagree on the word width`);
      if (seen !== undefined) continue;
      words.set(row.offset, row.size);
    }
    for (let i = row.offset; i < row.offset + row.size; i++) {
      if (i >= size) throw new Error(`${what}: ${row.name} runs past the ${size}-byte structure`);
      if (owner[i] !== undefined) throw new Error(`${what}: ${row.name} overlaps ${owner[i]} at byte ${i}`);
      owner[i] = row.name;
    }
  }
  const gap = owner.indexOf(undefined);
  if (gap >= 0) throw new Error(`${what}: byte ${gap} belongs to no field`);
}

const GET: Record<number, string> = { 1: 'getUint8', 2: 'getUint16', 4: 'getUint32', 8: 'getBigUint64' };
const PUT: Record<number, 'u8' | 'u16' | 'u32' | 'u64'> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

/**
 * The name a generated function uses for a helper (a function or constant it calls): each helper
 * is a parameter of the factory, so the generated code refers to it as a constant binding that
 * the compiler can inline, not as an element of an array.
 */
function helperName(helpers: unknown[], x: unknown): string {
  let i = helpers.indexOf(x);
  if (i < 0) i = helpers.push(x) - 1;
  return `h${i}`;
}

/** Source of the expression that reads a row at `at` (a JS expression text). */
function readExpr(row: Row, at: string, helpers: unknown[]): string {
  const h = (x: unknown) => helperName(helpers, x);
  if (row.meta.decodedByHand) return 'null';
  const intRead = (width: number) =>
    width === 1 ? `b[${at}]` : width === 3 ? `(b[${at}] | (b[${at} + 1] << 8) | (b[${at} + 2] << 16))` : `v.${GET[width]}(${at}, true)`;
  switch (row.kind) {
    case 'int':
      return intRead(row.width);
    case 'view':
      return `${h(row.view.decode)}(${intRead(row.width)}, opts)`;
    case 'bits':
      return `((${intRead(row.width)} >>> ${row.shift}) & ${2 ** row.bits - 1})`;
    case 'guid':
      return row.view === undefined ? `${h(guidAt)}(b, ${at})` : `${h(row.view.decode)}(${h(guidAt)}(b, ${at}))`;
    case 'hex':
      return `${h(hexAt)}(b, ${at}, ${row.length})`;
    case 'text':
      return `${h(fixedTextAt)}(b, ${at}, ${row.length})`;
    case 'struct':
      return objectExpr(row.layout.rows, at, helpers);
    case 'u32s':
      return `[${Array.from({ length: row.count }, (_, i) => `v.getUint32(${at} + ${4 * i}, true)`).join(', ')}]`;
    case 'model':
      return `${h(row.fromOptions)}(opts)`;
    case 'count':
    case 'validation':
      return intRead(row.width);
  }
}

function objectExpr(rows: readonly Row[], at: string, helpers: unknown[], before: object = {}, after: object = {}): string {
  const constant = (o: object) => Object.entries(o).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const props = rows.filter((r) => r.kind !== 'count').map((r) => `${r.name}: ${readExpr(r, `${at} + ${r.offset}`, helpers)}`);
  return `{ ${[...constant(before), ...props, ...constant(after)].join(', ')} }`;
}

function compileDecoder(rows: readonly Row[], before?: object, after?: object) {
  const helpers: unknown[] = [];
  const body = `return function (b, v, o, opts) { return ${objectExpr(rows, 'o', helpers, before, after)}; };`;
  return new Function(...helpers.map((_, i) => `h${i}`), body)(...helpers);
}

/**
 * Turns a validation row into a flag-word view whose table is built from the rows' vbit (see
 * `validationBits` in ./fields.ts).
 */
function withValidation(declared: readonly Row[]): { rows: readonly Row[]; validationTable?: FlagTable } {
  const v = declared.find((r) => r.kind === 'validation');
  if (v === undefined || v.kind !== 'validation') return { rows: declared };
  const table: Record<number, string> = { ...v.names };
  for (const r of declared) {
    if (r.meta.vbit === undefined) continue;
    const name = r.meta.vbitName ?? r.name;
    if (table[r.meta.vbit] !== undefined && table[r.meta.vbit] !== name) throw new Error(`validation bit ${r.meta.vbit} named both ${table[r.meta.vbit]} and ${name}`);
    table[r.meta.vbit] = name;
  }
  const flagView = v.width === 8 ? flags64Of(table) : flagsOf(table, v.width);
  const rows = declared.map((r) => (r === v ? ({ ...r, kind: 'view', view: flagView } as unknown as Row) : r));
  return { rows, validationTable: table };
}

/** Checks each row in table order (nested structures field by field), failing at the first that does not fit. */
function needRows(r: ByteReader, offset: number, rows: readonly Row[], prefix: string): void {
  for (const row of rows) {
    if (row.kind === 'model') continue;
    if (row.kind === 'struct' && !(row.layout as Layout<unknown>).wholeOnly) needRows(r, offset + row.offset, row.layout.rows, `${prefix}${row.name}.`);
    else r.need(offset + row.offset, row.size, prefix + row.name);
  }
}

/** Lower-case hex of `length` bytes at `at` (Node's encoder on a view of the same memory). */
export function hexAt(b: Uint8Array, at: number, length: number): string {
  return Buffer.from(b.buffer, b.byteOffset + at, length).toString('hex');
}

/** Encoder source lines for `rows` of the value `s` at absolute `o + base`. */
function writeLines(rows: readonly Row[], s: string, base: string, prefix: string, helpers: unknown[], lines: string[], depth: number): void {
  const h = (x: unknown) => helperName(helpers, x);
  const field = (name: string) => JSON.stringify(prefix + name);
  const words = new Map<number, Array<Row & { kind: 'bits' }>>();
  for (const row of rows) {
    const at = `${base} + ${row.offset}`;
    switch (row.kind) {
      case 'int':
        if (row.width === 3) lines.push(`${h(writeU24)}(fw, ${at}, ${s}.${row.name}, path, ${field(row.name)});`);
        else lines.push(`fw.${PUT[row.width]}(${at}, ${s}.${row.name}, path, ${field(row.name)});`);
        break;
      case 'view':
        if (row.width === 3) lines.push(`${h(writeU24)}(fw, ${at}, ${h(row.view.encode)}(${s}.${row.name}), path, ${field(row.name)});`);
        else lines.push(`fw.${PUT[row.width]}(${at}, ${h(row.view.encode)}(${s}.${row.name}), path, ${field(row.name)});`);
        break;
      case 'bits': {
        const list = words.get(row.offset) ?? [];
        list.push(row);
        words.set(row.offset, list);
        break;
      }
      case 'guid':
        if (row.view === undefined) lines.push(`fw.guid(${at}, ${s}.${row.name}, path, ${field(row.name)});`);
        else lines.push(`fw.guid(${at}, ${h(row.view.encode)}(${s}.${row.name}), path, ${field(row.name)});`);
        break;
      case 'hex':
        lines.push(`${h(writeHexField)}(w, ${at}, ${s}.${row.name}, path, ${field(row.name)}, ${row.length});`);
        break;
      case 'text':
        lines.push(`${h(writeFixedText)}(w, ${at}, ${s}.${row.name}, ${row.length}, ${h(joinPath)}(path, ${field(row.name)}));`);
        break;
      case 'struct': {
        const sub = `s${depth + 1}`;
        lines.push(`var ${sub} = ${s}.${row.name};`);
        writeLines(row.layout.rows, sub, at, `${prefix}${row.name}.`, helpers, lines, depth + 1);
        break;
      }
      case 'count':
        lines.push(`fw.${PUT[row.width]}(${at}, counts.${row.of}, path, ${field(row.name)});`);
        break;
      case 'u32s':
        for (let i = 0; i < row.count; i++) lines.push(`fw.u32(${at} + ${4 * i}, ${s}.${row.name}[${i}], path, ${field(`${row.name}[${i}]`)});`);
        break;
      case 'model':
      case 'validation':
        break;
    }
  }
  for (const [offset, parts] of words) {
    const width = parts[0].size as 1 | 2 | 4;
    const terms = parts.map((p) => `(${h(checkBitsOf)}(${s}.${p.name}, ${2 ** p.bits - 1}, path, ${field(p.name)}) << ${p.shift})`);
    lines.push(`fw.${PUT[width]}(${base} + ${offset}, (${terms.join(' | ')}) >>> 0, path, ${field(parts[0].name)});`);
  }
}

function checkBitsOf(value: number, max: number, path: string, field: string): number {
  if (Number.isInteger(value) && value >= 0 && value <= max) return value;
  throw new EncodeError({ code: 'out_of_range', path: joinPath(path, field), message: `${value} does not fit in 0..${max}` });
}

function writeU24(fw: FieldWriter, at: number, v: number, path: string, field: string): void {
  checkBitsOf(v, 0xffffff, path, field);
  fw.u8(at, v & 0xff, path, field).u8(at + 1, (v >>> 8) & 0xff, path, field).u8(at + 2, v >>> 16, path, field);
}

export interface LayoutOptions {
  /**
   * where a window too short for the structure fails: at the first field that does not fit
   * (default), or at the structure's start (a structure read as one block)
   */
  truncated?: 'at-field' | 'at-start';
}

/**
 * Declares a layout of `size` bytes from its rows (see the module comment). `what` names it in
 * load-time table errors.
 */
export function layout<const R extends readonly Row[]>(what: string, size: number, declared: R, opts: LayoutOptions = {}): Layout<ModelOf<R>> {
  type T = ModelOf<R>;
  const { rows, validationTable } = withValidation(declared);
  checkTable(size, rows, what);
  const modelRows = rows.filter((r) => r.kind !== 'count');
  const decodeAt = compileDecoder(rows) as Layout<T>['decodeAt'];
  const check = (r: ByteReader, offset: number, field?: string | number): void => {
    if (offset + size > r.length && opts.truncated !== 'at-start') {
      // the first field that does not fit names the failure, as a field-by-field read would
      needRows(r, offset, rows, '');
    }
    r.need(offset, size, field);
  };
  const encHelpers: unknown[] = [];
  const lines: string[] = [];
  writeLines(rows, 's', 'o', '', encHelpers, lines, 0);
  const encodeFields = new Function(...encHelpers.map((_, i) => `h${i}`), `return function (w, fw, o, s, path, counts) {\n${lines.join('\n')}\n};`)(...encHelpers) as (
    w: ByteWriter,
    fw: FieldWriter,
    o: number,
    s: T,
    path: string,
    counts: Record<string, number> | undefined,
  ) => void;
  const zero = (): T => {
    const out: Record<string, unknown> = {};
    for (const r of modelRows) out[r.name] = zeroOf(r);
    return out as T;
  };
  // the zod input is built on first use (JSON parsing, the JSON schema), never for decode/encode
  const shape = lazy(() => {
    const out: Record<string, z.ZodType> = {};
    for (const r of modelRows) {
      const input = inputOf(r);
      out[r.name] = (r.meta.required ? input : input.optional()).describe(describeRow(r));
    }
    return out;
  });
  const input = lazy(() => z.strictObject(shape()).transform((v) => fill(v as Record<string, unknown>)) as unknown as z.ZodType<T>);
  const fill = (v: Record<string, unknown>): T => {
    const out: Record<string, unknown> = {};
    for (const r of modelRows) out[r.name] = v[r.name] ?? zeroOf(r);
    return out as T;
  };
  const self: Layout<T> = {
    size,
    rows,
    modelRows,
    validationTable,
    wholeOnly: opts.truncated === 'at-start',
    decodeAt,
    read(r, offset, opts, field) {
      check(r, offset, field);
      return decodeAt(r.bytes, viewOf(r), r.abs(offset), opts);
    },
    check,
    presentBits(v) {
      let bits = 0n;
      for (const r of rows) if (r.meta.vbit !== undefined && v[r.name] !== undefined) bits |= 1n << BigInt(r.meta.vbit);
      return bits;
    },
    decoderWith: (before, after) => compileDecoder(rows, before, after),
    encodeAt(w, o, s, path, counts) {
      encodeFields(w, fieldWriter(w), o, s, path, counts);
    },
    zero,
    get shape() {
      return shape();
    },
    get input() {
      return input();
    },
    fill,
    itemSpans(base, n, path) {
      const out: FieldSpan[] = [];
      for (let i = 0; i < n; i++) out.push(...self.spans(base + i * size, `${path}/${i}`));
      return out;
    },
    spans(base, path) {
      const out: FieldSpan[] = [];
      let word = -1;
      for (const r of rows) {
        if (r.kind === 'model') continue;
        if (r.kind === 'struct') out.push(...(r.layout as Layout<unknown>).spans(base + r.offset, `${path}/${r.name}`));
        else if (r.kind !== 'bits' || r.offset !== word) out.push({ offset: base + r.offset, length: r.size, path: `${path}/${r.name}`, name: labelOf(r) });
        // bit fields that share a word are one span, named by the first of them
        if (r.kind === 'bits') word = r.offset;
      }
      return out;
    },
  };
  return self;
}
