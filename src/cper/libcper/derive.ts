import type { Row } from '../layout/fields';
import { base64, Converter, guid, int, integerIn, Rule, text, u64 } from './table';

/**
 * The libcper rules of a structure, derived from its layout table (src/cper/layout): each row
 * with a `meta.libcper` name is one rule — libcper's key is that name, our field is the row's
 * name, the gating validation bit is the row's `vbit`, and the value is copied by the row's kind
 * (u64 for 8-byte integers, GUID, base64 of a byte run, string, else a plain integer). So a
 * field's libcper name is declared once, in the layout table. A section's mapping states only
 * what is not a plain copy (`RowRules`): a converter for a libcper quirk, a rule with no row of
 * its own, libcper's key order where it differs from the byte order.
 *
 * A dotted name (`commandStatus.commandRegister`) says the row is a member of one libcper object:
 * the rows that share the first part make one rule, taken from the first of them (its converter
 * reads the others through the whole model).
 */
export interface RowRules {
  /** rule fields that replace the plain copy's, by our field name (converter, gating bit, …) */
  with?: Readonly<Record<string, Partial<Rule>>>;
  /** rules libcper prints that no row names: each placed after the rule of our field `after` ('^': first) */
  extra?: ReadonlyArray<Rule & { after: string }>;
  /** our field names in libcper's output order, where libcper's order is not the rows' */
  order?: readonly string[];
  /** plain integers (≤ 4 bytes, bit fields) refuse on input a value wider than their row */
  bounded?: boolean;
  /** how the structure's 8-byte integers are written (default: JSON integers; e.g. "0x%016llX" text) */
  u64?: Converter;
}

/** A plain integer that must fit its row: 0 .. 2^(bits) - 1. */
function boundedInt(max: bigint): Converter {
  return { ...int, name: `integer 0..${max}`, in: (v, path) => Number(integerIn(v, path, max)) };
}

/** The plain copy of a row kind. */
function plainConverter(row: Row, spec: RowRules): Converter | undefined {
  const bounded = spec.bounded === true;
  switch (row.kind) {
    case 'int':
      return row.width === 8 ? spec.u64 ?? u64 : bounded ? boundedInt((1n << BigInt(8 * row.width)) - 1n) : undefined;
    case 'bits':
      return bounded ? boundedInt((1n << BigInt(row.bits)) - 1n) : undefined;
    case 'guid':
      return row.view === undefined ? guid : undefined;
    case 'hex':
      return base64;
    case 'text':
      return text;
    default:
      return undefined;
  }
}

/** libcper's key of a row (the first part of a dotted name), if libcper prints it. */
export function libcperKey(row: Row): string | undefined {
  return row.meta.libcper?.split('.')[0];
}

/** The rules of a layout's rows (see the module comment); throws at load on a name the rows do not have. */
export function rulesFromRows(layout: { readonly rows: readonly Row[] }, spec: RowRules = {}): Rule[] {
  const byField = new Map<string, Rule>();
  const keys = new Set<string>();
  for (const row of layout.rows) {
    const key = libcperKey(row);
    if (key === undefined || keys.has(key)) continue;
    keys.add(key);
    const plain: Rule = { key, ours: row.name, bit: row.meta.vbit, conv: plainConverter(row, spec) };
    byField.set(row.name, { ...plain, ...spec.with?.[row.name] });
  }
  for (const name of [...Object.keys(spec.with ?? {}), ...(spec.order ?? [])]) {
    if (!byField.has(name)) throw new Error(`libcper rules: no row ${JSON.stringify(name)} with a libcper name`);
  }
  const fields = spec.order ?? [...byField.keys()];
  if (fields.length !== byField.size) throw new Error(`libcper rules: the order lists ${fields.length} of ${byField.size} rows`);
  const rules: Rule[] = [];
  const place = (after: string) => {
    for (const { after: a, ...r } of spec.extra ?? []) if (a === after) rules.push(r);
  };
  place('^');
  for (const name of fields) {
    rules.push(byField.get(name)!);
    place(name);
  }
  for (const e of spec.extra ?? []) if (e.after !== '^' && !byField.has(e.after)) throw new Error(`libcper rules: extra ${e.key} placed after unknown field ${e.after}`);
  return rules;
}
