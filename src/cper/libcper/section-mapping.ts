import type { LibcperObject, LibcperValue } from './json-text';
import type { Row } from '../layout/fields';
import { SECTION_CODECS } from '../sections';
import { LIBCPER_KNOWN_SECTIONS } from './known-sections';
import { valueText } from './json-text';
import { mapIn, mapOut, Model, Rule, rulesText } from './table';

/**
 * One section type's libcper mapping: our section `type` and GUID, libcper's names for it (the
 * section's key in `sections[]`, the readable type of its descriptor), the field rules, the
 * one-line `message` libcper writes, and how our validation word is sized. Sections whose
 * libcper form is not a flat rule list (arrays of sub-structures) give `out`/`in` built from
 * rules of their parts.
 */
export interface SectionMapping {
  ours: string;
  guid: string;
  /** libcper's ShortName: the key of the section object */
  shortName: string;
  /** libcper's ReadableName: `sectionDescriptors[].sectionType.type` */
  readable: string;
  rules: readonly Rule[];
  /** libcper's description string (`message`); undefined when libcper writes none */
  message?: (m: Model) => string | undefined;
  /** how our JSON input takes the validation word: 'u64' (bigint) or 'u32' (number), none if absent (from the layout) */
  validation?: 'u64' | 'u32';
  /** keys the rules do not list but `in` reads (nested arrays handled by a custom `in`) */
  extraKeys?: readonly string[];
  /** custom output (default: mapOut of the rules) */
  out?: (m: Model) => LibcperObject;
  /**
   * the text of `out(m)` at nesting depth `depth`, written directly (default: the text of `out`'s
   * value, or the rules' compiled text writer when there is no custom `out`)
   */
  text?: (m: Model, depth: number) => string;
  /** custom input (default: mapIn of the rules, validation bits from the keys present) */
  in?: (o: LibcperValue, path: string, ctx: SectionContext) => Model;
}

/**
 * A section mapping whose GUID is our codec's (by our section type) and whose readable name is
 * libcper's for that GUID, so neither is written twice. Throws at load for a type we have no
 * codec for or a GUID libcper does not decode.
 */
export function sectionMapping(spec: Omit<SectionMapping, 'guid' | 'readable' | 'validation'>): SectionMapping {
  const codec = SECTION_CODECS.find((c) => c.name === spec.ours) as { guid: string; head?: { rows: readonly Row[]; validationTable?: unknown } } | undefined;
  if (codec === undefined) throw new Error(`libcper mapping ${spec.ours}: no section codec of that name`);
  const readable = LIBCPER_KNOWN_SECTIONS[codec.guid];
  if (readable === undefined) throw new Error(`libcper mapping ${spec.ours}: libcper does not decode section type ${codec.guid}`);
  // the JSON input form of the validation word follows the layout's validation row
  const word = codec.head?.validationTable === undefined ? undefined : codec.head.rows.find((r) => r.name === 'validationBits');
  const validation = word === undefined ? undefined : word.size === 8 ? 'u64' : 'u32';
  return { ...spec, guid: codec.guid, readable, validation };
}

/** What the record around a section says about it (its descriptor's sectionLength). */
export interface SectionContext {
  sectionLength?: number;
}

export function sectionOut(s: SectionMapping, m: Model): LibcperObject {
  return s.out ? s.out(m) : mapOut(s.rules, m);
}

/** The text of sectionOut(s, m) at nesting depth `depth`, written directly where a writer exists. */
export function sectionOutText(s: SectionMapping, m: Model, depth: number): string {
  if (s.text) return s.text(m, depth);
  return s.out ? valueText(s.out(m), depth) : rulesText(s.rules)(m, depth);
}

/** libcper section object → our section JSON input. */
export function sectionIn(s: SectionMapping, o: LibcperValue, path: string, ctx: SectionContext = {}): Model {
  if (s.in) return { type: s.ours, ...s.in(o, path, ctx) };
  const { fields, bits } = mapIn(s.rules, o, path, s.extraKeys);
  const out: Model = { type: s.ours, ...fields };
  if (s.validation === 'u64') out.validationBits = '0x' + bits.toString(16);
  else if (s.validation === 'u32') out.validationBits = Number(bits);
  return out;
}

/** "A" or "An" before a word, as libcper's messages read. */
export function article(word: string): string {
  return /^[AEIOU]/i.test(word) ? 'An' : 'A';
}
