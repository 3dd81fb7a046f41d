import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { joinPath } from '../../binary/errors';
import { viewOf } from '../compiled-parser';
import type { CperOptions, SectionCodec } from '../sections/SectionCodec';
import { checkCount, checkLength, HexString, hexByteLength, hexField, identityShape, readHex, readTrailing, writeHexField } from '../sections/section-body-fields';
import type { Row } from './fields';
import { lazy } from '../json/lazy';
import type { FieldSpan, Layout } from './layout';

/**
 * A section codec (SectionCodec) derived from a layout table: the fixed part (`head`, at body
 * offset 0), the variable parts after it in order (`parts`: arrays of a sub-layout sized by a
 * count row, byte runs sized by a length row), and the bytes after them, kept as `trailing`.
 * Everything the codec does is derived from the tables; a section with real logic adds it
 * through the three hooks (`afterDecode`, `resolve`, `beforeEncode`), which then read as what
 * they are.
 */

export interface SectionInfo<N extends string> {
  readonly name: N;
  readonly guid: string;
  readonly title: string;
}

/** A run of sub-layout items after the head; `count` names the head's count row. */
export interface ArrayPart<N extends string = string, I = unknown> {
  kind: 'array';
  name: N;
  count: string;
  item: Layout<I>;
  /** validation bits set on input when the part is given */
  vbits?: number[];
  doc: string;
  _t?: I[];
}

/** A byte run after the head; `length` names the head's length row (`total`: it counts the head too). */
export interface BytesPart<N extends string = string> {
  kind: 'bytes';
  name: N;
  length: string;
  total?: boolean;
  vbits?: number[];
  /** JSON input instead of plain hex (e.g. a size limit), built on first use */
  input?: () => z.ZodType<HexString>;
  doc: string;
  _t?: HexString;
}

export type Part = ArrayPart | BytesPart;

export function arrayPart<N extends string, I>(name: N, count: string, item: Layout<I>, doc: string, vbits?: number[]): ArrayPart<N, I> {
  return { kind: 'array', name, count, item, doc, vbits };
}

export function bytesPart<N extends string>(name: N, length: string, doc: string, opts: { total?: boolean; vbits?: number[]; input?: () => z.ZodType<HexString> } = {}): BytesPart<N> {
  return { kind: 'bytes', name, length, doc, ...opts };
}

type PartsModel<P extends readonly Part[]> = { [K in P[number] as K['name']]: NonNullable<K['_t']> };

/** The model of a table-declared section. */
export type TableModel<N extends string, H, P extends readonly Part[] = []> = { type: N; guid: string } & H & PartsModel<P> & { trailing?: HexString };

/** Where the validation bits are (the head's validation row) and which input-only keys set bits. */
export interface ValidationSpec {
  field: string;
  /** input-only keys that set a bit when given (e.g. memory's bankGroup) */
  extra?: Readonly<Record<string, number>>;
}

/** A zod refinement context (what a `resolve` hook may report through). */
export type InputContext = z.RefinementCtx;

export interface TableSectionSpec<N extends string, H, P extends readonly Part[]> {
  info: SectionInfo<N>;
  head: Layout<H>;
  parts?: P;
  /** smallest body the decoder accepts (default: the head's size) */
  minLength?: number;
  /** the JSON form must state `type` (the core sections); otherwise type and guid are optional */
  typeRequired?: boolean;
  validation?: ValidationSpec;
  /** one-line summary of the section for the JSON schema */
  doc: string;
  /** input-only keys (zod shape) the `resolve` hook reads, built on first use */
  extraInput?: () => Record<string, z.ZodType>;
  /** cross-field input rules: adjust `out` (the filled model) from `v` (the parsed input); false = an issue was added */
  resolve?(v: Record<string, unknown>, out: TableModel<N, H, P>, ctx: InputContext): boolean;
  /** adjusts a decoded model (decode-time logic that the tables cannot state) */
  afterDecode?(s: TableModel<N, H, P>, r: ByteReader, opts: CperOptions): void;
  /** checks a model before it is written (encode-time logic) */
  beforeEncode?(s: TableModel<N, H, P>, o: number, path: string): void;
  /** an example of the JSON form (for `rasgw schema` and OpenAPI) */
  example?: Record<string, unknown>;
}

export interface TableSectionCodec<T extends { type: string; guid: string }> extends SectionCodec<T> {
  readonly head: Layout<unknown>;
  readonly parts: readonly Part[];
  /** JSON-pointer spans of each field of a decoded body (head fields, part items, trailing) */
  spans(s: T, base: number, path: string): FieldSpan[];
  readonly example?: Record<string, unknown>;
}

function rowNamed(head: Layout<unknown>, name: string): Row & { width: number } {
  const row = head.rows.find((r) => r.name === name);
  if (row === undefined || row.kind !== 'count') throw new Error(`no count row ${name}`);
  return row as Row & { width: number };
}

function readCount(view: DataView, at: number, width: number): number {
  return width === 1 ? view.getUint8(at) : width === 2 ? view.getUint16(at, true) : view.getUint32(at, true);
}

function partSize(p: Part, value: unknown): number {
  return p.kind === 'array' ? (value as unknown[]).length * p.item.size : hexByteLength(value as string);
}

export function tableSection<N extends string, H, const P extends readonly Part[] = []>(
  spec: TableSectionSpec<N, H, P>,
): TableSectionCodec<TableModel<N, H, P>> {
  type T = TableModel<N, H, P>;
  const { info, head } = spec;
  const parts: readonly Part[] = spec.parts ?? [];
  const countRows = parts.map((p) => rowNamed(head as Layout<unknown>, p.kind === 'array' ? p.count : p.length));
  const headLength = head.size;

  const decodeHead = head.decoderWith({ type: info.name, guid: info.guid });

  function decode(r: ByteReader, opts: CperOptions): T {
    // the counts and lengths that size the body are read (and bounds checked) first
    for (const row of countRows) r.need(row.offset, row.size, row.name);
    head.check(r, 0);
    const view = viewOf(r);
    const s = decodeHead(r.bytes, view, r.abs(0), opts) as Record<string, unknown>;
    let pos = headLength;
    if (parts.length > 0) {
      const counts = countRows.map((row) => readCount(view, r.abs(row.offset), row.width));
      // consecutive parts are checked together against the body before any of them is read
      let i = 0;
      while (i < parts.length) {
        const first = parts[i];
        let j = i;
        let total = 0;
        let n = 0;
        while (j < parts.length && parts[j].kind === first.kind) {
          const p = parts[j];
          if (p.kind === 'bytes' && p.total) {
            if (counts[j] < headLength) {
              throw r.error('bad_length', countRows[j].offset, countRows[j].name, `${countRows[j].name} ${counts[j]} is smaller than the ${headLength}-byte header`);
            }
            counts[j] -= headLength;
          }
          n += counts[j];
          total += p.kind === 'array' ? counts[j] * p.item.size : counts[j];
          j++;
        }
        if (first.kind === 'array') checkCount(r, countRows[i].offset, countRows[i].name, n, first.item.size, pos);
        else if ((first as BytesPart).total) checkLength(r, countRows[i].offset, countRows[i].name, 0, pos + total);
        else checkLength(r, countRows[i].offset, countRows[i].name, pos, total);
        for (let k = i; k < j; k++) {
          const p = parts[k];
          if (p.kind === 'array') {
            const items = new Array(counts[k]);
            for (let m = 0; m < counts[k]; m++) items[m] = p.item.decodeAt(r.bytes, view, r.abs(pos + m * p.item.size), opts);
            s[p.name] = items;
            pos += counts[k] * p.item.size;
          } else {
            s[p.name] = readHex(r, pos, counts[k], p.name);
            pos += counts[k];
          }
        }
        i = j;
      }
    }
    const trailing = readTrailing(r, pos);
    if (trailing !== undefined) s.trailing = trailing;
    spec.afterDecode?.(s as T, r, opts);
    return s as T;
  }

  function byteLength(s: T): number {
    const m = s as Record<string, unknown>;
    let n = headLength;
    for (const p of parts) n += partSize(p, m[p.name]);
    return n + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
  }

  function encode(w: ByteWriter, o: number, s: T, _opts: CperOptions, path: string): void {
    spec.beforeEncode?.(s, o, path);
    const m = s as Record<string, unknown>;
    let counts: Record<string, number> | undefined;
    if (parts.length > 0) {
      counts = {};
      for (const p of parts) {
        const value = m[p.name];
        counts[p.name] = p.kind === 'array' ? (value as unknown[]).length : partSize(p, value) + (p.total ? headLength : 0);
      }
    }
    head.encodeAt(w, o, s as unknown as H, path, counts);
    let pos = o + headLength;
    for (const p of parts) {
      if (p.kind === 'array') {
        const items = m[p.name] as unknown[];
        for (let i = 0; i < items.length; i++) {
          p.item.encodeAt(w, pos, items[i], joinPath(path, `${p.name}[${i}]`));
          pos += p.item.size;
        }
      } else pos += writeHexField(w, pos, m[p.name] as string, path, p.name);
    }
    if (s.trailing !== undefined) writeHexField(w, pos, s.trailing, path, 'trailing');
  }

  const validation = spec.validation;
  const vrow = validation === undefined ? undefined : head.rows.find((r) => r.name === validation.field);
  const extraBits: Array<[string, number[]]> = [];
  if (validation !== undefined) {
    for (const p of parts) if (p.vbits !== undefined) extraBits.push([p.name, p.vbits]);
    for (const [name, bit] of Object.entries(validation.extra ?? {})) extraBits.push([name, [bit]]);
  }

  // the zod input is built on first use (JSON parsing, the JSON schema), never for decode/encode
  const input = lazy(() => {
    const identity = spec.typeRequired ? requiredIdentity(info) : identityShape(info.name, [info.guid]);
    const shape: Record<string, z.ZodType> = { ...identity, ...head.shape };
    for (const p of parts) {
      shape[p.name] = (p.kind === 'array' ? z.array(p.item.input) : p.input?.() ?? hexField()).optional().describe(p.doc);
    }
    shape.trailing = hexField().optional().describe('bytes of the body after the fields, kept as hex');
    Object.assign(shape, spec.extraInput?.() ?? {});
    return z
    .strictObject(shape)
    .describe(`${info.title} section (${info.guid}): ${spec.doc}`)
    .transform((v, ctx): T => {
      const out = { type: info.name, guid: info.guid, ...head.fill(v) } as Record<string, unknown>;
      for (const p of parts) out[p.name] = v[p.name] ?? (p.kind === 'array' ? [] : '');
      if (validation !== undefined && vrow !== undefined && v[validation.field] === undefined) {
        let raw = head.presentBits(v);
        for (const [name, bitList] of extraBits) if (v[name] !== undefined) for (const b of bitList) raw |= 1n << BigInt(b);
        const decodeBits = (vrow as Row & { view: { decode(x: number | bigint): unknown } }).view.decode;
        out[validation.field] = decodeBits(vrow.size === 8 ? raw : Number(raw));
      }
      if (typeof v.trailing === 'string' && v.trailing.length > 0) out.trailing = v.trailing;
      if (spec.resolve !== undefined && !spec.resolve(v, out as T, ctx)) return z.NEVER;
      return out as T;
    }) as unknown as z.ZodType<T>;
  });

  return {
    name: info.name,
    guid: info.guid,
    title: info.title,
    minLength: spec.minLength ?? headLength,
    decode,
    byteLength,
    encode,
    get input() {
      return input();
    },
    head: head as Layout<unknown>,
    parts,
    example: spec.example,
    spans(s, base, path) {
      const out = head.spans(base, path);
      let pos = base + headLength;
      const m = s as Record<string, unknown>;
      for (const p of parts) {
        if (p.kind === 'array') out.push(...p.item.itemSpans(pos, (m[p.name] as unknown[]).length, `${path}/${p.name}`));
        else if (partSize(p, m[p.name]) > 0) out.push({ offset: pos, length: partSize(p, m[p.name]), path: `${path}/${p.name}`, name: p.name });
        pos += partSize(p, m[p.name]);
      }
      if (s.trailing !== undefined && s.trailing.length > 0) out.push({ offset: pos, length: s.trailing.length >>> 1, path: `${path}/trailing`, name: 'trailing' });
      return out;
    },
  };
}

/**
 * `base` (a codec from tableSection) with the properties of `extra` put over it, copied with their
 * property descriptors: unlike `{ ...base, ...extra }`, which reads every getter, the `input`
 * getter stays a getter, so the zod input is still built on first use.
 */
export function extendCodec<T extends { type: string; guid: string }>(base: TableSectionCodec<T>, extra: Partial<TableSectionCodec<T>>): TableSectionCodec<T> {
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(extra));
}

/** `type` (required) and `guid` of a core section's JSON form. */
export function requiredIdentity(info: SectionInfo<string>) {
  return {
    type: z.literal(info.name).describe(`section kind: "${info.name}"`),
    guid: z.literal(info.guid).optional().describe(`section type GUID (${info.guid}); filled in when left out`),
  };
}

/**
 * A section codec written by hand around its layout tables (a walk over variable parts that no
 * count row describes): the codec's identity comes from `info`, its tables from `head`.
 */
export function handSection<T extends { type: string; guid: string }>(
  info: SectionInfo<string>,
  head: Layout<unknown>,
  codec: Omit<TableSectionCodec<T>, 'name' | 'guid' | 'title' | 'head' | 'parts'>,
): TableSectionCodec<T> {
  // copied with its property descriptors, so an `input` getter stays a getter (built on first use)
  return Object.defineProperties({ name: info.name, guid: info.guid, title: info.title, head, parts: [] }, Object.getOwnPropertyDescriptors(codec)) as unknown as TableSectionCodec<T>;
}
