import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { GUID_PATTERN } from '../../binary/guid';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { viewOf } from '../compiled-parser';
import { IA32_CHECK_TYPES, SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, Flags, flagsDecoder, flagsField, FlagTable } from '../json/fields';
import { count, enumOf, flags64Of, guidOf, GuidView, hex, IntView, names, struct, u32, u64, validationBits, view } from '../layout/fields';
import { GENERIC_OPERATION_NAMES, PARTICIPATION_TYPES, TRANSACTION_TYPES } from './arm-error-info';
import { layout, LayoutModel, Layout } from '../layout/layout';
import { handSection } from '../layout/section';
import { checkCount, HexString, hexByteLength, hexField, identityShape, readHex, writeHexField } from './section-body-fields';
import { lazy } from '../json/lazy';
import { bitsOfHalves } from '../../binary/bits64';

/**
 * IA32/X64 processor error section (UEFI N.2.4.2), 64 + 64·N + contexts bytes: the header
 * (HEADER_LAYOUT), N error-information structures (ERROR_INFO_LAYOUT), then M context structures
 * (CONTEXT_LAYOUT + the register array). N and M are bits 7:2 and 13:8 of the validation word,
 * not fields of their own; both are checked against the bytes present before they size a loop.
 * The spec pads each context to a multiple of 16 bytes; Linux and libcper step by 16 + array
 * size, so padding belongs inside the array size and the decoder steps the same way (the array is
 * kept as bytes, padding included). The check-info word's bit fields depend on the structure type
 * (CHECK_LAYOUTS). The counts in the validation word, the check-info word and the context walk are
 * the hand-written parts.
 */

const INFO = SECTION_TYPES.ia32x64;
export const IA32_HEADER_LENGTH = 64;
export const IA32_ERROR_INFO_LENGTH = 64;
export const IA32_CONTEXT_HEADER_LENGTH = 16;
export const IA32_MAX_COUNT = 63;

export interface Ia32ValidationBits {
  raw: bigint;
  localApicId: boolean;
  cpuidInfo: boolean;
  /** bits 7:2 */
  errorInfoCount: number;
  /** bits 13:8 */
  contextCount: number;
}

export function ia32ValidationBits(raw: bigint): Ia32ValidationBits {
  return {
    raw,
    localApicId: (raw & 1n) === 1n,
    cpuidInfo: ((raw >> 1n) & 1n) === 1n,
    errorInfoCount: Number((raw >> 2n) & 0x3fn),
    contextCount: Number((raw >> 8n) & 0x3fn),
  };
}

const validationInput = lazy(() => z.union([
  z.string(),
  z.number(),
  z.strictObject({
    raw: z.union([z.string(), z.number()]).optional(),
    localApicId: z.boolean().optional(),
    cpuidInfo: z.boolean().optional(),
    errorInfoCount: z.number().optional(),
    contextCount: z.number().optional(),
  }),
]));

const validationView: IntView<Ia32ValidationBits> = {
  decode: (raw) => ia32ValidationBits(raw as bigint),
  encode: (v) => v.raw,
  get input() {
    return validationInput() as unknown as z.ZodType<Ia32ValidationBits>;
  },
  zero: () => ia32ValidationBits(0n),
  describe: 'u64: bit 0 local APIC ID valid, bit 1 CPUID info valid, bits 7:2 error-info count, bits 13:8 context count (the counts are the array lengths)',
};

export const IA32_CPUID_LAYOUT = layout('IA32 CPUID info', 48, [
  u64('eax', 0, { doc: 'CPUID(1).EAX', libcper: 'eax' }),
  u64('ebx', 8, { doc: 'CPUID(1).EBX', libcper: 'ebx' }),
  u64('ecx', 16, { doc: 'CPUID(1).ECX', libcper: 'ecx' }),
  u64('edx', 24, { doc: 'CPUID(1).EDX', libcper: 'edx' }),
  hex('reserved', 32, 16, { doc: '16 bytes without a stated meaning' }),
], { truncated: 'at-start' });

export type Ia32CpuidInfo = LayoutModel<typeof IA32_CPUID_LAYOUT>;

export const IA32_HEADER_LAYOUT = layout('IA32/X64', IA32_HEADER_LENGTH, [
  view('validationBits', 0, 8, validationView, { doc: 'validation word with the two counts' }),
  u64('localApicId', 8, { doc: 'local APIC ID (validation bit 0)', libcper: 'localAPICID' }),
  struct('cpuidInfo', 16, IA32_CPUID_LAYOUT, { doc: 'CPUID(1) registers zero-extended to u64 (validation bit 1)', libcper: 'cpuidInfo' }),
]);

// ---- check info ------------------------------------------------------------------------------

export type Ia32CheckKind = 'cache' | 'tlb' | 'bus' | 'microArchitecture';

const KIND_BY_GUID = new Map<string, Ia32CheckKind>(Object.entries(IA32_CHECK_TYPES).map(([k, g]) => [g, k as Ia32CheckKind]));

export const IA32_OPERATIONS: EnumTable = names(...GENERIC_OPERATION_NAMES);
/** Cache checks add eviction and snoop. */
export const IA32_CACHE_OPERATIONS: EnumTable = names(...GENERIC_OPERATION_NAMES, 'eviction', 'snoop');
export const IA32_ADDRESS_SPACES: EnumTable = names('memory', 'reserved', 'io', 'other');
export const IA32_MS_ERROR_TYPES: EnumTable = names('noError', 'unclassified', 'microcodeRomParity', 'external', 'frc', 'internalUnclassified');

/** One bit field of a check-info word: position, width, the validation bit that covers it, its enum. */
interface CheckField {
  name: string;
  shift: number;
  width: number;
  validationBit: number;
  table?: EnumTable;
}

function fields(list: Array<[string, number, number, number, EnumTable?]>): CheckField[] {
  return list.map(([name, shift, width, validationBit, table]) => ({ name, shift, width, validationBit, table }));
}

/**
 * The five one-bit fields every check word has in this order (processor context corrupt,
 * uncorrected, precise IP, restartable IP, overflow), from bit `shift` and validation bit `vbit` on.
 */
function statusFlags(shift: number, vbit: number): Array<[string, number, number, number]> {
  return ['processorContextCorrupt', 'uncorrected', 'preciseIp', 'restartableIp', 'overflow'].map((name, i) => [name, shift + i, 1, vbit + i]);
}

/**
 * Bits 29:16 as the cache, TLB and bus check words all lay them out; only the operation field's
 * meanings differ (the cache check has its own list).
 */
function cacheTlbBusFields(operations: EnumTable): Array<[string, number, number, number, EnumTable?]> {
  return [
    ['transactionType', 16, 2, 0, TRANSACTION_TYPES],
    ['operation', 18, 4, 1, operations],
    ['level', 22, 3, 2],
    ...statusFlags(25, 3),
  ];
}

/** Bit layouts of the check-info word per structure type (bits 15:0 are always its own validation bits). */
export const CHECK_LAYOUTS: Readonly<Record<Ia32CheckKind, CheckField[]>> = {
  cache: fields(cacheTlbBusFields(IA32_CACHE_OPERATIONS)),
  tlb: fields(cacheTlbBusFields(IA32_OPERATIONS)),
  bus: fields([
    ...cacheTlbBusFields(IA32_OPERATIONS),
    ['participationType', 30, 2, 8, PARTICIPATION_TYPES],
    ['timeOut', 32, 1, 9],
    ['addressSpace', 33, 2, 10, IA32_ADDRESS_SPACES],
  ]),
  microArchitecture: fields([
    ['errorType', 16, 3, 0, IA32_MS_ERROR_TYPES],
    ...statusFlags(19, 1),
  ]),
};

const VALIDATION_TABLES: Record<Ia32CheckKind, FlagTable> = Object.fromEntries(
  Object.entries(CHECK_LAYOUTS).map(([kind, list]) => [kind, Object.fromEntries(list.map((f) => [f.validationBit, f.name]))]),
) as Record<Ia32CheckKind, FlagTable>;

/**
 * A check-info word: `raw` is the source of truth. For a known structure type, `validation` is
 * bits 15:0 by name and each field is decoded (enums as { value, name }, one-bit fields as
 * booleans, `level` as a number), whether or not its validation bit is set.
 */
export type Ia32CheckInfo = { raw: bigint; validation?: Flags } & Record<string, bigint | Flags | EnumValue | boolean | number | undefined>;

export function decodeCheckInfo(kind: Ia32CheckKind | 'unknown', raw: bigint): Ia32CheckInfo {
  const out: Ia32CheckInfo = { raw };
  if (kind === 'unknown') return out;
  // every field lies in bits 34:0: read from the word's two 32-bit halves as numbers
  const lo = Number(raw & 0xffff_ffffn);
  const hi = Number((raw >> 32n) & 0xffff_ffffn);
  out.validation = VALIDATION_DECODERS[kind](lo & 0xffff);
  for (const f of CHECK_LAYOUTS[kind]) {
    const v = bitsOfHalves(lo, hi, f.shift, f.width);
    out[f.name] = f.table ? enumValue(f.table, v) : f.width === 1 ? v === 1 : v;
  }
  return out;
}

/** The validation word's decoder per kind (flagsDecoder: one fixed-shape object, as flagsValue gives). */
const VALIDATION_DECODERS = Object.fromEntries(
  Object.entries(VALIDATION_TABLES).map(([kind, table]) => [kind, flagsDecoder(table)]),
) as Record<Ia32CheckKind, (raw: number) => Flags>;

/** Builds a check-info word from named fields: each field given sets its bits and its validation bit. */
function composeCheckInfo(kind: Ia32CheckKind | 'unknown', v: Record<string, unknown>, addIssue: (path: string[], msg: string) => void): bigint | undefined {
  const layout = kind === 'unknown' ? [] : CHECK_LAYOUTS[kind];
  const known = new Set(kind === 'unknown' ? ['raw'] : ['raw', 'validation', ...layout.map((f) => f.name)]);
  const unknownKeys = Object.keys(v).filter((key) => !known.has(key));
  for (const key of unknownKeys) addIssue([key], kind === 'unknown' ? 'an unknown structure type takes only a raw check-info word' : `not a ${kind} check-info field`);
  if (unknownKeys.length > 0) return undefined;
  if (v.raw !== undefined) {
    const raw = parseU64(v.raw);
    if (raw === undefined) addIssue(['raw'], `check info: ${uintInputError(v.raw, U64_MAX, 'a u64') ?? 'expected a u64'}`);
    return raw;
  }
  if (kind === 'unknown') {
    addIssue([], 'the check info of an unknown structure type must be given as a raw u64');
    return undefined;
  }
  let raw = 0n;
  let ok = true;
  let validation = 0;
  for (const f of layout) {
    const given = v[f.name];
    if (given === undefined) continue;
    const max = 2 ** f.width - 1;
    let n: number | undefined;
    if (f.table) {
      const parsed = enumField(f.table, 8).safeParse(given);
      n = parsed.success ? parsed.data.value : undefined;
    } else if (f.width === 1) n = typeof given === 'boolean' ? Number(given) : undefined;
    else n = typeof given === 'number' ? given : undefined;
    if (n === undefined || !Number.isInteger(n) || n < 0 || n > max) {
      addIssue([f.name], `expected ${f.table ? 'a name or value' : f.width === 1 ? 'a boolean' : 'an integer'} that fits ${f.width} bit(s)`);
      ok = false;
      continue;
    }
    raw |= BigInt(n) << BigInt(f.shift);
    validation |= 1 << f.validationBit;
  }
  if (v.validation !== undefined) {
    const parsed = flagsField(VALIDATION_TABLES[kind], 16).safeParse(v.validation);
    if (!parsed.success) {
      addIssue(['validation'], 'validation must be a 16-bit flag word');
      ok = false;
    } else validation = parsed.data.raw;
  }
  return ok ? raw | BigInt(validation) : undefined;
}

// ---- error information and contexts -------------------------------------------------------------

export interface Ia32StructureType {
  guid: string;
  name: Ia32CheckKind | 'unknown';
}

function structureType(guid: string): Ia32StructureType {
  return { guid, name: KIND_BY_GUID.get(guid) ?? 'unknown' };
}

const KIND_NAMES = new Map<string, string>(Object.entries(IA32_CHECK_TYPES).map(([k, g]) => [k.toLowerCase(), g]));

/** A structure type: a GUID, a known name (cache, tlb, bus, microArchitecture) or `{ guid, name }` (guid wins). */
const structureTypeInput = lazy(() => z
  .union([z.string(), z.strictObject({ guid: z.string().optional(), name: z.string().optional() })])
  .transform((v, ctx): Ia32StructureType => {
    const text = typeof v === 'string' ? v : v.guid ?? v.name ?? '';
    if (GUID_PATTERN.test(text)) return structureType(text.toLowerCase());
    const g = KIND_NAMES.get(text.toLowerCase());
    if (g === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a GUID or one of cache, tlb, bus, microArchitecture, got ${JSON.stringify(text)}` });
      return z.NEVER;
    }
    return structureType(g);
  }));

const structureTypeView: GuidView<Ia32StructureType> = { decode: structureType, encode: (t) => t.guid, get input() { return structureTypeInput(); }, zero: () => structureType(IA32_CHECK_TYPES.cache) };

/** The check-info word as read; the section decoder replaces it with the view its structure type selects. */
const rawCheckInfo: IntView<Ia32CheckInfo> = {
  decode: (raw) => ({ raw: raw as bigint }),
  encode: (v) => v.raw,
  get input() {
    return z.union([z.string(), z.number(), z.record(z.string(), z.unknown())]) as unknown as z.ZodType<Ia32CheckInfo>;
  },
  zero: () => ({ raw: 0n }),
  describe: 'u64, { raw }, or the named fields of its structure type (each one given sets its validation bit)',
};

export const IA32_ERROR_INFO_LAYOUT = layout('IA32/X64 error information', IA32_ERROR_INFO_LENGTH, [
  guidOf('structureType', 0, structureTypeView, { doc: 'cache, TLB, bus or micro-architecture check (a GUID or its name)', libcper: 'type', required: true }),
  validationBits('validationBits', 16, 8),
  view('checkInfo', 24, 8, rawCheckInfo, { vbit: 0, doc: 'check information (bit fields per structure type)', libcper: 'checkInfo' }),
  u64('targetId', 32, { vbit: 1, doc: 'target identifier', libcper: 'targetAddressID' }),
  u64('requestorId', 40, { vbit: 2, doc: 'requestor identifier', libcper: 'requestorID' }),
  u64('responderId', 48, { vbit: 3, doc: 'responder identifier', libcper: 'responderID' }),
  u64('instructionPointer', 56, { vbit: 4, doc: 'instruction pointer', libcper: 'instructionPointer' }),
]);

export const IA32_ERROR_INFO_VALIDATION_BITS: FlagTable = IA32_ERROR_INFO_LAYOUT.validationTable!;
export type Ia32ErrorInfo = LayoutModel<typeof IA32_ERROR_INFO_LAYOUT>;

export const IA32_REGISTER_CONTEXT_TYPES: EnumTable = names(
  'unclassified', 'msr', 'ia32ExecutionContext', 'x64ExecutionContext', 'fxsave', 'debugRegisters32', 'debugRegisters64', 'memoryMappedRegisters',
);

export const IA32_CONTEXT_LAYOUT = layout('IA32/X64 context', IA32_CONTEXT_HEADER_LENGTH, [
  view('registerContextType', 0, 2, enumOf(IA32_REGISTER_CONTEXT_TYPES, 2), { doc: 'register context type', libcper: 'registerContextType' }),
  count('registerArraySize', 2, 2, 'registerArray', { doc: 'bytes in the register array' }),
  u32('msrAddress', 4, { doc: 'MSR address of the first register (type 1)', libcper: 'msrAddress' }),
  u64('mmRegisterAddress', 8, { doc: 'address of the memory-mapped registers (type 7)', libcper: 'mmRegisterAddress' }),
]);

/** A context; `registerArray` holds the register bytes (RegisterArraySize is its length, any padding included). */
export type Ia32Context = LayoutModel<typeof IA32_CONTEXT_LAYOUT> & { registerArray: HexString };

export interface Ia32x64Section {
  type: 'ia32x64';
  guid: string;
  validationBits: Ia32ValidationBits;
  localApicId: bigint;
  cpuidInfo: Ia32CpuidInfo;
  errorInfo: Ia32ErrorInfo[];
  contexts: Ia32Context[];
  trailing?: HexString;
}

const decodeHeader = IA32_HEADER_LAYOUT.decoderWith({ type: 'ia32x64', guid: INFO.guid });

function decode(r: ByteReader): Ia32x64Section {
  IA32_HEADER_LAYOUT.check(r, 0);
  const view = viewOf(r);
  const s = decodeHeader(r.bytes, view, r.abs(0)) as unknown as Ia32x64Section;
  const n = s.validationBits.errorInfoCount;
  checkCount(r, 0, 'validationBits.errorInfoCount', n, IA32_ERROR_INFO_LENGTH, IA32_HEADER_LENGTH);
  s.errorInfo = [];
  for (let i = 0; i < n; i++) {
    const e = IA32_ERROR_INFO_LAYOUT.decodeAt(r.bytes, view, r.abs(IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * i));
    e.checkInfo = decodeCheckInfo(e.structureType.name, e.checkInfo.raw);
    s.errorInfo.push(e);
  }
  let at = IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * n;
  const m = s.validationBits.contextCount;
  // every context has at least its 16-byte header: check the count before walking
  checkCount(r, 0, 'validationBits.contextCount', m, IA32_CONTEXT_HEADER_LENGTH, at);
  s.contexts = [];
  for (let i = 0; i < m; i++) {
    const size = r.u16(at + 2);
    if (at + IA32_CONTEXT_HEADER_LENGTH + size > r.length) {
      throw r.error('bad_length', at + 2, `contexts[${i}].registerArraySize`, `register array of ${size} bytes at body offset ${at + IA32_CONTEXT_HEADER_LENGTH} runs past the ${r.length}-byte body`);
    }
    const c = IA32_CONTEXT_LAYOUT.decodeAt(r.bytes, view, r.abs(at)) as Ia32Context;
    c.registerArray = readHex(r, at + IA32_CONTEXT_HEADER_LENGTH, size, `contexts[${i}].registerArray`);
    s.contexts.push(c);
    at += IA32_CONTEXT_HEADER_LENGTH + size;
  }
  if (at < r.length) s.trailing = readHex(r, at, r.length - at, 'trailing');
  return s;
}

function byteLength(s: Ia32x64Section): number {
  let n = IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * s.errorInfo.length;
  for (const c of s.contexts) n += IA32_CONTEXT_HEADER_LENGTH + hexByteLength(c.registerArray);
  return n + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
}

function encode(w: ByteWriter, o: number, s: Ia32x64Section, _opts: unknown, path: string): void {
  // the counts in the validation word are the array lengths; a hand-built model that disagrees is an error
  const vb = ia32ValidationBits(s.validationBits.raw);
  if (vb.errorInfoCount !== s.errorInfo.length || vb.contextCount !== s.contexts.length) {
    throw new EncodeError({
      code: 'bad_count',
      offset: o,
      path: `${path}.validationBits`,
      message: `validation bits count ${vb.errorInfoCount} error info and ${vb.contextCount} contexts, the model has ${s.errorInfo.length} and ${s.contexts.length}`,
    });
  }
  IA32_HEADER_LAYOUT.encodeAt(w, o, s, path);
  let at = o + IA32_HEADER_LENGTH;
  s.errorInfo.forEach((e, i) => {
    IA32_ERROR_INFO_LAYOUT.encodeAt(w, at, e, `${path}.errorInfo[${i}]`);
    at += IA32_ERROR_INFO_LENGTH;
  });
  s.contexts.forEach((c, i) => {
    const size = hexByteLength(c.registerArray);
    IA32_CONTEXT_LAYOUT.encodeAt(w, at, c, `${path}.contexts[${i}]`, { registerArray: size });
    writeHexField(w, at + IA32_CONTEXT_HEADER_LENGTH, c.registerArray, `${path}.contexts[${i}]`, 'registerArray', size);
    at += IA32_CONTEXT_HEADER_LENGTH + size;
  });
  if (s.trailing !== undefined) writeHexField(w, at, s.trailing, path, 'trailing');
}

// ---- JSON input ---------------------------------------------------------------------------------

const errorInfoVbits = flags64Of(IA32_ERROR_INFO_VALIDATION_BITS);

const errorInfoInput = lazy(() => z.strictObject(IA32_ERROR_INFO_LAYOUT.shape).transform((v, ctx): Ia32ErrorInfo => {
  const e = IA32_ERROR_INFO_LAYOUT.fill(v);
  let raw = 0n;
  const given = v.checkInfo as string | number | Record<string, unknown> | undefined;
  if (given !== undefined) {
    const composed = composeCheckInfo(e.structureType.name, typeof given === 'object' ? given : { raw: given }, (path, message) =>
      ctx.addIssue({ code: 'custom', path: ['checkInfo', ...path], message }),
    );
    if (composed === undefined) return z.NEVER;
    raw = composed;
  }
  e.checkInfo = decodeCheckInfo(e.structureType.name, raw);
  if (v.validationBits === undefined) e.validationBits = errorInfoVbits.decode(IA32_ERROR_INFO_LAYOUT.presentBits(v));
  return e;
}));

const contextInput = lazy(() => z
  .strictObject({
    ...IA32_CONTEXT_LAYOUT.shape,
    registerArray: hexField().refine((h) => h.length / 2 <= 0xffff, 'a register array is at most 65535 bytes').optional(),
  })
  .transform((c): Ia32Context => ({ ...IA32_CONTEXT_LAYOUT.fill(c), registerArray: (c.registerArray as string | undefined) ?? '' })));

const IA32_EXAMPLE = {
  type: 'ia32x64',
  localApicId: 2,
  errorInfo: [{ structureType: 'cache', checkInfo: { transactionType: 'dataAccess', operation: 'dataRead', level: 1, uncorrected: true } }],
};

export const ia32x64Input = lazy((): z.ZodType<Ia32x64Section> => z
  .strictObject({
    ...identityShape('ia32x64', [INFO.guid]),
    validationBits: validationInput().optional().describe(validationView.describe),
    localApicId: IA32_HEADER_LAYOUT.shape.localApicId,
    cpuidInfo: IA32_HEADER_LAYOUT.shape.cpuidInfo,
    errorInfo: z.array(errorInfoInput()).max(IA32_MAX_COUNT).optional().describe('error-information structures (64 bytes each, at most 63)'),
    contexts: z.array(contextInput()).max(IA32_MAX_COUNT).optional().describe('processor context structures (16-byte header + register array, at most 63)'),
    trailing: hexField().optional().describe('bytes of the body after the contexts, kept as hex'),
  })
  .describe(`${INFO.title} section (${INFO.guid}): IA32/X64 processor error (UEFI N.2.4.2), 64 bytes + error info + contexts`)
  .transform((v, ctx): Ia32x64Section => {
    const errorInfo = v.errorInfo ?? [];
    const contexts = v.contexts ?? [];
    const counts = (BigInt(errorInfo.length) << 2n) | (BigInt(contexts.length) << 8n);
    let raw: bigint;
    let countsAgree = true;
    const given = v.validationBits;
    if (given === undefined) {
      raw = counts | (v.localApicId !== undefined ? 1n : 0n) | (v.cpuidInfo !== undefined ? 2n : 0n);
    } else if (typeof given !== 'object' || given.raw !== undefined) {
      const parsed = parseU64(typeof given === 'object' ? given.raw : given);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', path: ['validationBits'], message: `validation bits: ${uintInputError(typeof given === 'object' ? given.raw : given, U64_MAX, 'a u64') ?? 'expected a u64'}` });
        return z.NEVER;
      }
      raw = parsed;
    } else {
      raw = counts | (given.localApicId ? 1n : 0n) | (given.cpuidInfo ? 2n : 0n);
      if (given.errorInfoCount !== undefined && given.errorInfoCount !== errorInfo.length) countsAgree = false;
      if (given.contextCount !== undefined && given.contextCount !== contexts.length) countsAgree = false;
    }
    const vb = ia32ValidationBits(raw);
    if (!countsAgree || vb.errorInfoCount !== errorInfo.length || vb.contextCount !== contexts.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['validationBits'],
        message: `the counts in the validation bits must equal the array lengths (${errorInfo.length} error info, ${contexts.length} contexts)`,
      });
      return z.NEVER;
    }
    const s: Ia32x64Section = {
      type: 'ia32x64',
      guid: INFO.guid,
      validationBits: vb,
      localApicId: (v.localApicId as bigint | undefined) ?? 0n,
      cpuidInfo: (v.cpuidInfo as Ia32CpuidInfo | undefined) ?? IA32_CPUID_LAYOUT.zero(),
      errorInfo,
      contexts,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  }));

export const ia32x64Codec = handSection<Ia32x64Section>(INFO, IA32_HEADER_LAYOUT as Layout<unknown>, {
  minLength: IA32_HEADER_LENGTH, decode, byteLength, encode, get input() { return ia32x64Input(); },
  spans: (s, base, path) => {
    const out = [...IA32_HEADER_LAYOUT.spans(base, path), ...IA32_ERROR_INFO_LAYOUT.itemSpans(base + IA32_HEADER_LENGTH, s.errorInfo.length, `${path}/errorInfo`)];
    let at = base + IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * s.errorInfo.length;
    s.contexts.forEach((c, i) => {
      out.push(...IA32_CONTEXT_LAYOUT.spans(at, `${path}/contexts/${i}`));
      out.push({ offset: at + IA32_CONTEXT_HEADER_LENGTH, length: hexByteLength(c.registerArray), path: `${path}/contexts/${i}/registerArray`, name: 'registerArray' });
      at += IA32_CONTEXT_HEADER_LENGTH + hexByteLength(c.registerArray);
    });
    return out;
  },
  example: IA32_EXAMPLE,
});
