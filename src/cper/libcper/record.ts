import { DecodeError, RasgwError } from '../../binary/errors';
import { guidFromBytes } from '../../binary/guid';
import { decodeCperRecord, encodeCperRecord, parseCperRecordJson } from '..';
import { CPER_HEADER_LENGTH, type CperRecord } from '../record';
import { SECTION_DESCRIPTOR_LENGTH } from '../section-descriptor';
import { NOTIFICATION_TYPES } from '../guids';
import { sectionCodecByGuid } from '../sections';
import { base64Text, LibcperObject, LibcperValue, layoutAt, stringText, valueText } from './json-text';
import { sectionIn, sectionOut, sectionOutText, SectionMapping } from './section-mapping';
import { closeObject, KeyText } from './text-pieces';
import { LIBCPER_KNOWN_SECTIONS, SECTION_MAPPINGS } from './sections';
import { asBig, bad, base64, bitfield, guid, integerIn, isObject, LibcperFallback, mapIn, mapOut, Model, Rule, rulesText, u64, valueWith, withText } from './table';
import { untrustedFixedText } from './sections/common';

/**
 * A UEFI CPER record ⇄ the JSON libcper's `cper-convert to-json` prints (openbmc/libcper,
 * cper-parse.c): `{ header, sectionDescriptors, sections }`. Decoding goes through our codec
 * (src/cper) and then the mapping tables; encoding builds our JSON input form from the tables and
 * encodes it with our codec, so both directions share one codec. libcper leaves out every field
 * whose validation bit is clear; on input a key's presence sets its bit, as libcper's to-cper does.
 *
 * ARM error-information types are read with UEFI 2.11's bit order (cache 1, TLB 2, bus 4, micro-
 * architectural 8), which is libcper's (its default differs from UEFI 2.10's, which Linux uses).
 */

const SEVERITY_NAMES: Readonly<Record<number, string>> = { 0: 'Recoverable', 1: 'Fatal', 2: 'Corrected', 3: 'Informational' };
const FLAG_NAMES: Readonly<Record<number, string>> = { 1: 'HW_ERROR_FLAGS_RECOVERED', 2: 'HW_ERROR_FLAGS_PREVERR', 4: 'HW_ERROR_FLAGS_SIMULATED' };
const SECTION_FLAG_NAMES = ['primary', 'containmentWarning', 'reset', 'errorThresholdExceeded', 'resourceNotAccessible', 'latentError', 'propagated', 'overflow'];

/** libcper's readable names of the notification types (cper-parse.c), by our names; keyed by GUID. */
const NOTIFICATION_NAMES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({ cmc: 'CMC', cpe: 'CPE', mce: 'MCE', pcie: 'PCIe', init: 'INIT', nmi: 'NMI', boot: 'Boot', dmar: 'DMAr', sea: 'SEA', sei: 'SEI', pei: 'PEI', cxlComponent: 'CXL Component' } as const).map(
    ([ours, name]) => [NOTIFICATION_TYPES[ours as keyof typeof NOTIFICATION_TYPES].guid, name],
  ),
);

const bcdToInt = (b: number) => (b >> 4) * 10 + (b & 0xf);
const two = (n: number) => (n < 10 ? '0' + n : String(n));

/**
 * libcper's timestamp_to_string: BCD digits read without checking they are BCD, century and year
 * taken modulo 100; undefined (both keys left out) when month > 12, day > 31, hours > 24,
 * minutes > 60 or seconds ≥ 60, as libcper decides.
 */
export function libcperTimestamp(raw: bigint): string | undefined {
  // the header's rules ask three times per record (two presence tests and the text): the last
  // answer is kept
  if (raw === lastTimestampRaw) return lastTimestampText;
  const text = timestampText(raw);
  lastTimestampRaw = raw;
  lastTimestampText = text;
  return text;
}
let lastTimestampRaw: bigint | undefined;
let lastTimestampText: string | undefined;

function timestampText(raw: bigint): string | undefined {
  // the two 32-bit halves once, then plain shifts (this runs for every record written)
  const lo = Number(raw & 0xffffffffn);
  const hi = Number((raw >> 32n) & 0xffffffffn);
  const sec = bcdToInt(lo & 0xff), min = bcdToInt((lo >>> 8) & 0xff), hour = bcdToInt((lo >>> 16) & 0xff);
  const day = bcdToInt(hi & 0xff), month = bcdToInt((hi >>> 8) & 0xff), year = bcdToInt((hi >>> 16) & 0xff), century = bcdToInt(hi >>> 24);
  if (month > 12 || day > 31 || hour > 24 || min > 60 || sec >= 60) return undefined;
  return `${two(century % 100)}${two(year % 100)}-${two(month)}-${two(day)}T${two(hour)}:${two(min)}:${two(sec)}+00:00`;
}

/** libcper's string_to_timestamp (sscanf, then back to BCD) and the precise flag. */
function timestampRaw(text: string, precise: boolean, path: string): bigint {
  const m = /^(\d{2})(\d{2})-(\d{1,3})-(\d{1,3})T(\d{1,3}):(\d{1,3}):(\d{1,3})\+00:00$/.exec(text);
  if (!m) bad(path, `expected "CCYY-MM-DDTHH:MM:SS+00:00", got ${JSON.stringify(text)}`);
  const [century, year, month, day, hour, min, sec] = m.slice(1).map(Number);
  const bcd = (n: number, at: string) => (n > 99 ? bad(path, `${at} ${n} does not fit two BCD digits`) : BigInt(Math.floor(n / 10) * 16 + (n % 10)));
  return (
    bcd(sec, 'seconds') | (bcd(min, 'minutes') << 8n) | (bcd(hour, 'hours') << 16n) | ((precise ? 1n : 0n) << 24n) |
    (bcd(day, 'day') << 32n) | (bcd(month, 'month') << 40n) | (bcd(year, 'year') << 48n) | (bcd(century, 'century') << 56n)
  );
}

const MAJOR = new KeyText('major');
const MINOR = new KeyText('minor');
const CODE = new KeyText('code');
const NAME = new KeyText('name');
const GUID = new KeyText('guid');
const TYPE = new KeyText('type');

const revision = withText({
  name: 'revision as major/minor bytes',
  out: (v: unknown) => ({ major: Number(v) >> 8, minor: Number(v) & 0xff }),
  text: (v: unknown, _m: Model, depth: number) => MAJOR.first(depth) + String(Number(v) >> 8) + MINOR.next(depth) + String(Number(v) & 0xff) + closeObject(depth),
  in: (v: LibcperValue, path: string) => {
    if (!isObject(v)) bad(path, 'expected { "major": …, "minor": … }');
    return Number((integerIn(v.major ?? 0, `${path}/major`, 0xffn) << 8n) | integerIn(v.minor ?? 0, `${path}/minor`, 0xffn));
  },
});

const severity = withText({
  name: 'severity code/name',
  out: (v: unknown) => {
    const code = (v as { value: number }).value;
    return { code, name: SEVERITY_NAMES[code] ?? 'Unknown' };
  },
  text: (v: unknown, _m: Model, depth: number) => {
    const code = (v as { value: number }).value;
    return CODE.first(depth) + String(code) + NAME.next(depth) + stringText(SEVERITY_NAMES[code] ?? 'Unknown') + closeObject(depth);
  },
  in: (v: LibcperValue, path: string) => (isObject(v) ? Number(integerIn(v.code ?? null, `${path}/code`, 0xffff_ffffn)) : bad(path, 'expected { "code": …, "name": … }')),
});

/** Header rules (cper_header_to_ir order); `bit` is the record's validation bit. */
const HEADER_RULES: Rule[] = [
  { key: 'revision', ours: 'revision', conv: revision },
  { key: 'sectionCount', ours: 'sectionCount' },
  { key: 'severity', ours: 'errorSeverity', conv: severity },
  { key: 'recordLength', ours: 'recordLength' },
  {
    key: 'timestamp',
    ours: 'timestamp',
    bit: 1,
    when: (m) => libcperTimestamp((m.timestamp as { raw: bigint }).raw) !== undefined,
    conv: { name: 'timestamp text', out: (v) => libcperTimestamp((v as { raw: bigint }).raw) ?? '', in: (v) => v },
  },
  {
    key: 'timestampIsPrecise',
    ours: 'timestamp',
    bit: 1,
    derived: true,
    when: (m) => libcperTimestamp((m.timestamp as { raw: bigint }).raw) !== undefined,
    conv: { name: 'timestamp flag byte ≠ 0', out: (v) => (((v as { raw: bigint }).raw >> 24n) & 0xffn) !== 0n, in: () => undefined },
  },
  { key: 'platformID', ours: 'platformId', bit: 0, conv: guid },
  { key: 'partitionID', ours: 'partitionId', bit: 2, conv: guid },
  { key: 'creatorID', ours: 'creatorId', conv: guid },
  {
    key: 'notificationType',
    ours: 'notificationType',
    conv: withText({
      name: 'notification GUID and libcper name',
      out: (v) => {
        const g = (v as { guid: string }).guid;
        return { guid: g, type: NOTIFICATION_NAMES[g] ?? 'Unknown' };
      },
      text: (v, _m, depth) => {
        const g = (v as { guid: string }).guid;
        return GUID.first(depth) + stringText(g) + TYPE.next(depth) + stringText(NOTIFICATION_NAMES[g] ?? 'Unknown') + closeObject(depth);
      },
      in: (v, path) => (isObject(v) ? guid.in(v.guid ?? null, `${path}/guid`) : bad(path, 'expected { "guid": …, "type": … }')),
    }),
  },
  { key: 'recordID', ours: 'recordId', conv: u64 },
  { key: 'flags', ours: 'flags', conv: valueWith('name', (n) => FLAG_NAMES[n] ?? 'Unknown', 0xffff_ffffn, 'flags value/name (one name for the whole word)') },
  { key: 'persistenceInfo', ours: 'persistenceInfo', conv: u64 },
];

const DATA = new KeyText('data');

const fruText = {
  name: 'FRU text (left out when not printable ASCII)',
  out: (v: unknown) => untrustedFixedText(v, 20) ?? '',
  in: (v: LibcperValue, path: string) => (typeof v === 'string' ? v : bad(path, 'expected a string')),
};

/** Descriptor rules (cper_section_descriptor_to_ir order); `bit` is the descriptor's validation bit. */
const DESCRIPTOR_RULES: Rule[] = [
  { key: 'sectionOffset', ours: 'sectionOffset' },
  { key: 'sectionLength', ours: 'sectionLength' },
  { key: 'revision', ours: 'revision', conv: revision },
  { key: 'flags', ours: 'flags', conv: bitfield(SECTION_FLAG_NAMES) },
  {
    key: 'sectionType',
    conv: withText({
      name: 'section type GUID and libcper name',
      out: (_v, m) => {
        const g = (m.section as { guid: string }).guid;
        return { data: g, type: LIBCPER_KNOWN_SECTIONS[g] ?? 'Unknown' };
      },
      text: (_v, m, depth) => {
        const g = (m.section as { guid: string }).guid;
        return DATA.first(depth) + stringText(g) + TYPE.next(depth) + stringText(LIBCPER_KNOWN_SECTIONS[g] ?? 'Unknown') + closeObject(depth);
      },
      in: () => undefined,
    }),
    derived: true,
  },
  { key: 'fruID', ours: 'fruId', bit: 0, conv: guid },
  { key: 'fruText', ours: 'fruText', bit: 1, conv: fruText, when: (m) => untrustedFixedText(m.fruText, 20) !== undefined },
  { key: 'severity', ours: 'sectionSeverity', conv: severity },
];

const mappingByGuid = new Map<string, SectionMapping>(SECTION_MAPPINGS.map((s) => [s.guid, s]));
const headerText = rulesText(HEADER_RULES);
const descriptorText = rulesText(DESCRIPTOR_RULES);
/** libcper short name → mappings (the CXL component kinds share one name; the GUID picks) */
const mappingByShortName = new Map<string, SectionMapping[]>();
for (const s of SECTION_MAPPINGS) mappingByShortName.set(s.shortName, [...(mappingByShortName.get(s.shortName) ?? []), s]);

function sectionToLibcper(section: Model, body: Uint8Array): LibcperObject {
  const g = section.guid as string;
  const mapping = mappingByGuid.get(g);
  if (mapping === undefined || section.type !== mapping.ours) {
    // a section libcper decodes field by field: printing it as base64 would not be libcper's form
    const name = LIBCPER_KNOWN_SECTIONS[g];
    if (name !== undefined) {
      const codec = sectionCodecByGuid(g);
      const why = codec === undefined ? `rasgw has no codec for ${name} sections (GUID ${g})` : `rasgw's ${codec.title} codec has no libcper mapping`;
      throw new RasgwError({ code: 'bad_value', path: 'section', message: `libcper decodes this ${name} section, but ${why}, so libcper's form of it cannot be written` });
    }
    // libcper prints a section type it does not know as base64
    return { Unknown: { data: Buffer.from(body).toString('base64') } };
  }
  const o: LibcperObject = {};
  try {
    const message = mapping.message?.(section);
    if (message !== undefined) o.message = message;
    o[mapping.shortName] = sectionOut(mapping, section);
  } catch (e) {
    // libcper could not parse this section either: it prints the bytes as an Unknown section
    if (e instanceof LibcperFallback) return { Unknown: { data: Buffer.from(body).toString('base64') } };
    throw e;
  }
  return o;
}

/** An error's own text, without the code/offset/path prefix that a restated error repeats. */
function detailOf(e: RasgwError): string {
  return e.message.slice(RasgwError.format({ code: e.code, offset: e.offset, path: e.path, message: '' }).length);
}

/**
 * A decode error inside the body of a section libcper knows, restated as what it means here: our
 * strict codec refused the section, so there is no model to write libcper's form from (libcper's
 * own parser is more lenient with some malformed bodies). Undefined for any other error.
 */
function strictSectionFailure(bytes: Uint8Array, e: unknown): RasgwError | undefined {
  if (!(e instanceof DecodeError)) return undefined;
  const m = /^sections\[(\d+)\]\.section/.exec(e.path);
  if (m === null) return undefined;
  const typeAt = CPER_HEADER_LENGTH + SECTION_DESCRIPTOR_LENGTH * Number(m[1]) + 16;
  if (typeAt + 16 > bytes.length) return undefined;
  const name = LIBCPER_KNOWN_SECTIONS[guidFromBytes(bytes, typeAt)];
  if (name === undefined) return undefined;
  return new DecodeError({
    code: e.code,
    offset: e.offset,
    path: e.path,
    message: `rasgw's strict codec could not decode this ${name} section (${detailOf(e)}), so libcper's form of the record cannot be written`,
  });
}

/** The libcper JSON of a CPER record's bytes (as `cper-convert to-json` prints it). */
export function cperRecordToLibcper(bytes: Uint8Array): LibcperObject {
  let record: CperRecord;
  try {
    record = decodeCperRecord(bytes, { armTypeEncoding: 'uefi-2.11' });
  } catch (e) {
    throw strictSectionFailure(bytes, e) ?? e;
  }
  const header = mapOut(HEADER_RULES, record as unknown as Model);
  const sectionDescriptors: LibcperValue[] = [];
  const sections: LibcperValue[] = [];
  record.sections.forEach((s, i) => {
    sectionDescriptors.push(mapOut(DESCRIPTOR_RULES, s as unknown as Model));
    try {
      sections.push(sectionToLibcper(s.section as unknown as Model, bytes.subarray(s.sectionOffset, s.sectionOffset + s.sectionLength)));
    } catch (e) {
      if (e instanceof RasgwError) throw new RasgwError({ code: e.code, offset: s.sectionOffset, path: `sections[${i}].${e.path}`, message: detailOf(e) });
      throw e;
    }
  });
  return { header, sectionDescriptors, sections };
}

const HEADER = new KeyText('header');
const SECTION_DESCRIPTORS = new KeyText('sectionDescriptors');
const SECTIONS = new KeyText('sections');
const MESSAGE = new KeyText('message');
const UNKNOWN = new KeyText('Unknown');
const shortNameKeys = new Map<string, KeyText>();

/** sectionToLibcper's object as text at `depth` (the same choices, errors and fallbacks). */
function sectionText(section: Model, body: Uint8Array, depth: number): string {
  const mapping = mappingByGuid.get(section.guid as string);
  if (mapping === undefined || section.type !== mapping.ours) return valueText(sectionToLibcper(section, body), depth);
  let key = shortNameKeys.get(mapping.shortName);
  if (key === undefined) shortNameKeys.set(mapping.shortName, (key = new KeyText(mapping.shortName)));
  try {
    const message = mapping.message?.(section);
    const inner = sectionOutText(mapping, section, depth + 1);
    if (message === undefined) return key.first(depth) + inner + closeObject(depth);
    return MESSAGE.first(depth) + stringText(message) + key.next(depth) + inner + closeObject(depth);
  } catch (e) {
    if (e instanceof LibcperFallback) return UNKNOWN.first(depth) + DATA.first(depth + 1) + base64Text(Buffer.from(body).toString('base64')) + closeObject(depth + 1) + closeObject(depth);
    throw e;
  }
}

/**
 * `libcperJsonText(cperRecordToLibcper(bytes))` written directly: the same text (and the same
 * errors), without building the libcper object first. Each part's text comes from the compiled
 * rule writers (table.ts rulesText) and the converters' direct writers, so the layout tables stay
 * the one declaration of libcper's form; what `rasgw decode --format libcper` runs.
 */
export function cperRecordToLibcperText(bytes: Uint8Array): string {
  let record: CperRecord;
  try {
    record = decodeCperRecord(bytes, { armTypeEncoding: 'uefi-2.11' });
  } catch (e) {
    throw strictSectionFailure(bytes, e) ?? e;
  }
  const header = headerText(record as unknown as Model, 1);
  const n = record.sections.length;
  let descriptors: string;
  let sections: string;
  if (n === 0) {
    const close = layoutAt(1).close;
    descriptors = sections = '[' + close + ']';
  } else {
    const { open, sep, close } = layoutAt(1);
    descriptors = '[' + open;
    sections = '[' + open;
    for (let i = 0; i < n; i++) {
      const s = record.sections[i];
      descriptors += (i === 0 ? '' : sep) + descriptorText(s as unknown as Model, 2);
      try {
        sections += (i === 0 ? '' : sep) + sectionText(s.section as unknown as Model, bytes.subarray(s.sectionOffset, s.sectionOffset + s.sectionLength), 2);
      } catch (e) {
        if (e instanceof RasgwError) throw new RasgwError({ code: e.code, offset: s.sectionOffset, path: `sections[${i}].${e.path}`, message: detailOf(e) });
        throw e;
      }
    }
    descriptors += close + ']';
    sections += close + ']';
  }
  return HEADER.first(0) + header + SECTION_DESCRIPTORS.next(0) + descriptors + SECTIONS.next(0) + sections + closeObject(0);
}

/** Our section JSON input from a libcper section object (descriptor gives the GUID of an Unknown). */
function sectionFromLibcper(o: LibcperValue, sectionType: string | undefined, path: string, sectionLength: number | undefined): Model {
  if (!isObject(o)) bad(path, 'expected a section object');
  const keys = Object.keys(o).filter((k) => k !== 'message');
  if (keys.length !== 1) bad(path, `expected one section key besides "message", got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  const key = keys[0];
  if (key === 'Unknown') {
    if (sectionType === undefined) bad(`${path}/Unknown`, 'an Unknown section needs its descriptor\'s sectionType.data');
    const inner = o.Unknown;
    if (!isObject(inner)) bad(`${path}/Unknown`, 'expected { "data": "<base64>" }');
    return { type: 'unknown', guid: sectionType, data: base64.in(inner.data ?? null, `${path}/Unknown/data`) };
  }
  const candidates = mappingByShortName.get(key)?.filter((m) => sectionCodecByGuid(m.guid)?.name === m.ours);
  const mapping = candidates?.find((m) => m.guid === sectionType) ?? candidates?.[0];
  if (mapping === undefined) bad(`${path}/${key}`, `unknown or unmapped libcper section ${JSON.stringify(key)} (mapped: ${[...mappingByShortName.keys()].join(', ')}, Unknown)`);
  if (sectionType !== undefined && sectionType !== mapping.guid) bad(`${path}/${key}`, `the descriptor's section type ${sectionType} is not ${mapping.readable} (${mapping.guid})`);
  return sectionIn(mapping, o[key], `${path}/${key}`, { sectionLength });
}

/** Our CPER record JSON input from libcper's JSON (validated; errors name the JSON pointer). */
export function libcperToCperRecordInput(json: LibcperValue): Model {
  if (!isObject(json)) bad('', 'expected { "header", "sectionDescriptors", "sections" }');
  for (const k of Object.keys(json)) if (!['header', 'sectionDescriptors', 'sections'].includes(k)) bad(`/${k}`, 'unknown field (expected header, sectionDescriptors, sections)');
  const h = mapIn(HEADER_RULES, json.header, '/header');
  const header = json.header as LibcperObject;
  const fields: Model = { ...h.fields, validationBits: Number(h.bits) };
  if (typeof header.timestamp === 'string') {
    const precise = header.timestampIsPrecise;
    if (precise !== undefined && typeof precise !== 'boolean') bad('/header/timestampIsPrecise', 'expected true or false');
    fields.timestamp = { raw: '0x' + timestampRaw(header.timestamp, precise === true, '/header/timestamp').toString(16) };
  } else if (header.timestamp !== undefined) bad('/header/timestamp', 'expected a string');
  if (fields.notificationType !== undefined) fields.notificationType = { guid: fields.notificationType };
  const descriptors = json.sectionDescriptors;
  const bodies = json.sections;
  if (!Array.isArray(descriptors)) bad('/sectionDescriptors', 'expected an array');
  if (!Array.isArray(bodies)) bad('/sections', 'expected an array');
  if (descriptors.length !== bodies.length) bad('/sections', `${bodies.length} sections for ${descriptors.length} section descriptors`);
  fields.sections = descriptors.map((d, i) => {
    const { fields: df, bits } = mapIn(DESCRIPTOR_RULES, d, `/sectionDescriptors/${i}`);
    const type = isObject((d as LibcperObject).sectionType) ? ((d as LibcperObject).sectionType as LibcperObject).data : undefined;
    if (type !== undefined && typeof type !== 'string') bad(`/sectionDescriptors/${i}/sectionType/data`, 'expected a GUID');
    const length = typeof df.sectionLength === 'number' ? df.sectionLength : undefined;
    return { ...df, validationBits: Number(bits), section: sectionFromLibcper(bodies[i], type?.toLowerCase(), `/sections/${i}`, length) };
  });
  return fields;
}

/** Our JSON input takes u64 values as "0x…" text (every u64 field reads it); bigints become that. */
function bigintsAsHex(v: unknown): unknown {
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (Array.isArray(v)) return v.map(bigintsAsHex);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigintsAsHex(x)]));
  return v;
}

/** The CPER record bytes of libcper's JSON, through our codec. */
export function libcperToCperRecord(json: LibcperValue): Uint8Array {
  const input = bigintsAsHex(libcperToCperRecordInput(json));
  return encodeCperRecord(parseCperRecordJson(input), { armTypeEncoding: 'uefi-2.11' });
}

export { asBig };
