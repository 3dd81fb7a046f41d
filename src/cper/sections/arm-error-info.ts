import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { viewOf } from '../compiled-parser';
import { EnumTable, EnumValue, enumField, enumValue, Flags, flagsDecoder, FlagTable, uint } from '../json/fields';
import { flagsOf, IntView, names, u16, u64, u8, validationBits, view } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import type { ArmTypeEncoding, CperOptions } from './SectionCodec';
import { presentFields } from './section-body-fields';
import { lazy } from '../json/lazy';

/**
 * ARM processor error-information structure (UEFI N.2.4.4.1), 32 bytes:
 *   0 Version u8 · 1 Length u8 (32) · 2 ValidationBits u16 · 4 Type u8 · 5 MultipleError u16 ·
 *   7 Flags u8 · 8 ErrorInformation u64 · 16 VirtualFaultAddress u64 · 24 PhysicalFaultAddress u64.
 * The Type byte has several encodings (see ArmTypeEncoding); the section names the one assumed.
 * ErrorInformation is decoded by type: cache and TLB share a layout, bus adds fields,
 * micro-architectural errors are vendor defined (raw only).
 */

export const ARM_ERROR_INFO_LENGTH = 32;

export const ARM_ERROR_INFO_FLAGS: FlagTable = names('firstErrorCaptured', 'lastErrorCaptured', 'propagated', 'overflow');

export type ArmErrorKind = 'cache' | 'tlb' | 'bus' | 'microArchitecture';
export const ARM_ERROR_KINDS: readonly ArmErrorKind[] = ['cache', 'tlb', 'bus', 'microArchitecture'];

/** Type byte value of each kind, per encoding (the enum encoding is an index, the others bit masks). */
const KIND_VALUES: Record<ArmTypeEncoding, Record<ArmErrorKind, number>> = {
  'uefi-2.10': { cache: 0x02, tlb: 0x04, bus: 0x08, microArchitecture: 0x10 },
  'uefi-2.11': { cache: 0x01, tlb: 0x02, bus: 0x04, microArchitecture: 0x08 },
  'edk2-v1': { cache: 0x01, tlb: 0x02, bus: 0x04, microArchitecture: 0x08 },
  enum: { cache: 0, tlb: 1, bus: 2, microArchitecture: 3 },
};

export const ARM_TYPE_ENCODINGS: readonly ArmTypeEncoding[] = ['uefi-2.10', 'uefi-2.11', 'enum', 'edk2-v1'];

/** The Type byte with the kinds it names under the assumed encoding. */
export interface ArmErrorType {
  raw: number;
  cache: boolean;
  tlb: boolean;
  bus: boolean;
  microArchitecture: boolean;
}

export function decodeArmErrorType(raw: number, encoding: ArmTypeEncoding): ArmErrorType {
  const v = KIND_VALUES[encoding];
  if (encoding === 'enum') {
    return { raw, cache: raw === v.cache, tlb: raw === v.tlb, bus: raw === v.bus, microArchitecture: raw === v.microArchitecture };
  }
  return {
    raw,
    cache: (raw & v.cache) !== 0,
    tlb: (raw & v.tlb) !== 0,
    bus: (raw & v.bus) !== 0,
    microArchitecture: (raw & v.microArchitecture) !== 0,
  };
}

/** Type byte for a set of kinds; undefined when the enum encoding is asked for more than one kind. */
export function armErrorTypeRaw(kinds: readonly ArmErrorKind[], encoding: ArmTypeEncoding): number | undefined {
  const v = KIND_VALUES[encoding];
  if (encoding === 'enum') return kinds.length === 1 ? v[kinds[0]] : undefined;
  let raw = 0;
  for (const k of kinds) raw |= v[k];
  return raw;
}

/** The ErrorInformation layout a type selects: the first kind named, in spec order. */
export function errorInformationKind(t: ArmErrorType): ArmErrorKind | 'none' {
  return ARM_ERROR_KINDS.find((k) => t[k]) ?? 'none';
}

/** Transaction types of the cache, TLB and bus words (the IA32/X64 check words use the same). */
export const TRANSACTION_TYPES: EnumTable = names('instruction', 'dataAccess', 'generic');

/** Operations 0..6, common to the ARM and IA32/X64 cache, TLB and bus words. */
export const GENERIC_OPERATION_NAMES = ['genericError', 'genericRead', 'genericWrite', 'dataRead', 'dataWrite', 'instructionFetch', 'prefetch'];
export const CACHE_OPERATIONS: EnumTable = names(...GENERIC_OPERATION_NAMES, 'eviction', 'snooping', 'snooped', 'management');
export const TLB_OPERATIONS: EnumTable = names(...GENERIC_OPERATION_NAMES, 'localManagementOperation', 'externalManagementOperation');
export const BUS_OPERATIONS: EnumTable = names(...GENERIC_OPERATION_NAMES);
/** Bus participation types (the IA32/X64 bus check uses the same). */
export const PARTICIPATION_TYPES: EnumTable = names('localProcessorOriginated', 'localProcessorResponded', 'localProcessorObserved', 'generic');

export const ADDRESS_SPACES: EnumTable = { 0: 'externalMemory', 1: 'internalMemory', 3: 'deviceMemory' };

export const ACCESS_MODES: EnumTable = { 0: 'secure', 1: 'normal' };

/** Validation bits inside a cache/TLB ErrorInformation word (bits 15:0). */
export const CACHE_INFO_VALIDATION_BITS: FlagTable = names(
  'transactionType', 'operation', 'level', 'processorContextCorrupt', 'corrected', 'precisePc', 'restartablePc',
);

/** Validation bits inside a bus ErrorInformation word: the cache ones plus bits 7–11. */
export const BUS_INFO_VALIDATION_BITS: FlagTable = {
  ...CACHE_INFO_VALIDATION_BITS,
  7: 'participationType',
  8: 'timeOut',
  9: 'addressSpace',
  10: 'memoryAttributes',
  11: 'accessMode',
};

/**
 * The ErrorInformation u64 with its decoded view. `raw` is the source of truth; the other fields
 * are present for cache, TLB and bus kinds only:
 * bits 15:0 validation · 17:16 transaction type · 21:18 operation · 24:22 level · 25 processor
 * context corrupt · 26 corrected (1 = corrected; the opposite sense of IA32) · 27 precise PC ·
 * 28 restartable PC; bus only: 30:29 participation type · 31 time-out · 33:32 address space ·
 * 42:34 memory access attributes · 43 access mode (0 secure, 1 normal).
 */
export interface ArmErrorInformation {
  raw: bigint;
  kind: ArmErrorKind | 'none';
  validationBits?: Flags;
  transactionType?: EnumValue;
  operation?: EnumValue;
  level?: number;
  processorContextCorrupt?: boolean;
  corrected?: boolean;
  precisePc?: boolean;
  restartablePc?: boolean;
  participationType?: EnumValue;
  timeOut?: boolean;
  addressSpace?: EnumValue;
  memoryAttributes?: number;
  accessMode?: EnumValue;
}

const cacheValidation = flagsDecoder(CACHE_INFO_VALIDATION_BITS);
const busValidation = flagsDecoder(BUS_INFO_VALIDATION_BITS);

/** Decodes an ErrorInformation word given as its low and high 32-bit halves. */
export function decodeErrorInformation(lo: number, hi: number, kind: ArmErrorKind | 'none'): ArmErrorInformation {
  const raw = (BigInt(hi) << 32n) | BigInt(lo);
  if (kind === 'none' || kind === 'microArchitecture') return { raw, kind };
  const ops = kind === 'cache' ? CACHE_OPERATIONS : kind === 'tlb' ? TLB_OPERATIONS : BUS_OPERATIONS;
  const out: ArmErrorInformation = {
    raw,
    kind,
    validationBits: kind === 'bus' ? busValidation(lo & 0xffff) : cacheValidation(lo & 0xffff),
    transactionType: enumValue(TRANSACTION_TYPES, (lo >>> 16) & 3),
    operation: enumValue(ops, (lo >>> 18) & 0xf),
    level: (lo >>> 22) & 7,
    processorContextCorrupt: ((lo >>> 25) & 1) === 1,
    corrected: ((lo >>> 26) & 1) === 1,
    precisePc: ((lo >>> 27) & 1) === 1,
    restartablePc: ((lo >>> 28) & 1) === 1,
  };
  if (kind === 'bus') {
    out.participationType = enumValue(PARTICIPATION_TYPES, (lo >>> 29) & 3);
    out.timeOut = ((lo >>> 31) & 1) === 1;
    out.addressSpace = enumValue(ADDRESS_SPACES, hi & 3);
    out.memoryAttributes = (hi >>> 2) & 0x1ff;
    out.accessMode = enumValue(ACCESS_MODES, (hi >>> 11) & 1);
  }
  return out;
}

export function decodeErrorInformationRaw(raw: bigint, kind: ArmErrorKind | 'none'): ArmErrorInformation {
  return decodeErrorInformation(Number(raw & 0xffff_ffffn), Number(raw >> 32n), kind);
}

const kindName = lazy(() => z.enum(ARM_ERROR_KINDS as [ArmErrorKind, ...ArmErrorKind[]]));

/** Type input: a kind name, a list of names, the raw byte, or `{ raw }` / `{ cache: true, … }`. */
const typeInput = lazy(() => z.union([
  kindName(),
  z.array(kindName()).min(1),
  z.number(),
  z.strictObject({
    raw: uint(8).optional(),
    cache: z.boolean().optional(),
    tlb: z.boolean().optional(),
    bus: z.boolean().optional(),
    microArchitecture: z.boolean().optional(),
  }),
]));

const errorInformationFields = lazy(() => ({
  raw: z.union([z.string(), z.number()]).optional(),
  kind: z.enum(['cache', 'tlb', 'bus', 'microArchitecture', 'none']).optional(),
  validationBits: z.union([z.number(), z.record(z.string(), z.union([z.number(), z.boolean()]))]).optional(),
  transactionType: enumField(TRANSACTION_TYPES, 8).optional(),
  operation: z.union([z.string(), z.number(), z.strictObject({ value: z.number().optional(), name: z.string().optional() })]).optional(),
  level: z.number().int().min(0).max(7).optional(),
  processorContextCorrupt: z.boolean().optional(),
  corrected: z.boolean().optional(),
  precisePc: z.boolean().optional(),
  restartablePc: z.boolean().optional(),
  participationType: enumField(PARTICIPATION_TYPES, 8).optional(),
  timeOut: z.boolean().optional(),
  addressSpace: enumField(ADDRESS_SPACES, 8).optional(),
  memoryAttributes: z.number().int().min(0).max(0x1ff).optional(),
  accessMode: enumField(ACCESS_MODES, 8).optional(),
}));

/** ErrorInformation input: a u64, or an object (raw wins; otherwise built from the named fields). */
const errorInformationInput = lazy(() => z.union([z.string(), z.number(), z.strictObject(errorInformationFields())]));

const typeView: IntView<ArmErrorType> = {
  decode: (raw, opts) => decodeArmErrorType(Number(raw), (opts as CperOptions).armTypeEncoding),
  encode: (t) => t.raw,
  get input() {
    return typeInput() as unknown as z.ZodType<ArmErrorType>;
  },
  zero: () => decodeArmErrorType(0, 'uefi-2.10'),
  describe: 'the error kind: cache, tlb, bus, microArchitecture, a list of them, the raw byte, or { raw } / { cache: true, … }; the byte per kind depends on typeEncoding',
};

const errorInformationView: IntView<ArmErrorInformation> = {
  decode: (raw) => decodeErrorInformationRaw(raw as bigint, 'none'),
  encode: (e) => e.raw,
  get input() {
    return errorInformationInput() as unknown as z.ZodType<ArmErrorInformation>;
  },
  zero: () => decodeErrorInformationRaw(0n, 'none'),
  describe: 'a u64, or { raw } or the named fields of the layout the entry type selects (cache/TLB, bus; micro-architectural is raw only)',
};

/** The 32-byte error-information structure; ErrorInformation is decoded by hand (its layout depends on Type). */
export const ARM_ERROR_INFO_LAYOUT = layout('ARM error information', ARM_ERROR_INFO_LENGTH, [
  u8('version', 0, { doc: '0 in every published spec; 1 marks the UEFI 2.11 type bits in the edk2 proposal (default 1 for edk2-v1)', libcper: 'version' }),
  u8('length', 1, { doc: 'structure length byte (32); kept as found, the walk always steps 32 bytes as Linux does', libcper: 'length' }),
  validationBits('validationBits', 2, 2),
  view('type', 4, 1, typeView, { doc: 'error type', libcper: 'errorType', required: true }),
  u16('multipleError', 5, { vbit: 0, doc: '0 single error, 1 multiple errors with unknown count, ≥ 2 the count', libcper: 'multipleError' }),
  view('flags', 7, 1, flagsOf(ARM_ERROR_INFO_FLAGS, 1), { vbit: 1, doc: 'first/last error captured, propagated, overflow', libcper: 'flags' }),
  view('errorInformation', 8, 8, errorInformationView, { vbit: 2, doc: 'the error information word, decoded by type', libcper: 'errorInformation', decodedByHand: true }),
  u64('virtualFaultAddress', 16, { vbit: 3, doc: 'virtual fault address', libcper: 'virtualFaultAddress' }),
  u64('physicalFaultAddress', 24, { vbit: 4, doc: 'physical fault address', libcper: 'physicalFaultAddress' }),
], { truncated: 'at-start' });

export const ARM_ERROR_INFO_VALIDATION_BITS: FlagTable = ARM_ERROR_INFO_LAYOUT.validationTable!;
export type ArmErrorInfo = LayoutModel<typeof ARM_ERROR_INFO_LAYOUT>;

const errorInfoValidation = flagsDecoder(ARM_ERROR_INFO_VALIDATION_BITS);
const OPTIONS_BY_ENCODING = new Map<ArmTypeEncoding, CperOptions>();

/** Decodes the error-info structure at `offset` of the section body. */
export function decodeArmErrorInfo(r: ByteReader, offset: number, index: number, encoding: ArmTypeEncoding): ArmErrorInfo {
  ARM_ERROR_INFO_LAYOUT.check(r, offset, `errorInfo[${index}]`);
  let opts = OPTIONS_BY_ENCODING.get(encoding);
  if (opts === undefined) OPTIONS_BY_ENCODING.set(encoding, (opts = { armTypeEncoding: encoding }));
  const view = viewOf(r);
  const at = r.abs(offset);
  const e = ARM_ERROR_INFO_LAYOUT.decodeAt(r.bytes, view, at, opts);
  e.errorInformation = decodeErrorInformation(view.getUint32(at + 8, true), view.getUint32(at + 12, true), errorInformationKind(e.type));
  return e;
}

export function encodeArmErrorInfo(w: ByteWriter, o: number, e: ArmErrorInfo, path: string): void {
  ARM_ERROR_INFO_LAYOUT.encodeAt(w, o, e, path);
}

// ---------------------------------------------------------------------------------------------
// JSON input. The Type names and the ErrorInformation fields can only be turned into bytes once
// the section's type encoding is known, so the item schema yields an intermediate form that the
// section schema resolves (resolveArmErrorInfo).

/** Error-info input: the table's fields; Type and ErrorInformation stay unresolved until the section's type encoding is known. */
export const armErrorInfoInput = lazy(() => z.strictObject(ARM_ERROR_INFO_LAYOUT.shape));

/** A parsed error-info input (the other fields as the table parses them). */
export type ArmErrorInfoInput = Record<string, unknown> & { type: z.output<ReturnType<typeof typeInput>>; errorInformation?: z.output<ReturnType<typeof errorInformationInput>> };

/** A problem found while resolving an input: a message and the path below the error-info item. */
export interface InputProblem {
  path: (string | number)[];
  message: string;
}

function resolveType(t: ArmErrorInfoInput['type'], encoding: ArmTypeEncoding): ArmErrorType | InputProblem {
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t < 0 || t > 0xff) return { path: ['type'], message: 'type byte must be 0..255' };
    return decodeArmErrorType(t, encoding);
  }
  let kinds: ArmErrorKind[];
  if (typeof t === 'string') kinds = [t];
  else if (Array.isArray(t)) kinds = t;
  else {
    if (t.raw !== undefined) return decodeArmErrorType(t.raw, encoding);
    kinds = ARM_ERROR_KINDS.filter((k) => t[k] === true);
  }
  const raw = armErrorTypeRaw(kinds, encoding);
  if (raw === undefined) {
    return { path: ['type'], message: `the ${encoding} type encoding names exactly one kind per entry, got ${JSON.stringify(kinds)}` };
  }
  return decodeArmErrorType(raw, encoding);
}

function bitsOf(table: FlagTable, v: number | Record<string, number | boolean> | undefined, present: Record<string, boolean>): number | InputProblem {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) return { path: ['errorInformation', 'validationBits'], message: 'must be 0..65535' };
    return v;
  }
  if (v !== undefined && v.raw !== undefined) {
    const raw = v.raw;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 0xffff) {
      return { path: ['errorInformation', 'validationBits', 'raw'], message: 'must be 0..65535' };
    }
    return raw;
  }
  const names = new Set(Object.values(table));
  let raw = 0;
  for (const [bit, name] of Object.entries(table)) {
    const on = v === undefined ? present[name] : v[name] === true;
    if (on) raw |= 1 << Number(bit);
  }
  if (v !== undefined) {
    for (const key of Object.keys(v)) {
      if (!names.has(key)) return { path: ['errorInformation', 'validationBits', key], message: `unknown validation bit "${key}"` };
    }
  }
  return raw;
}

function resolveErrorInformation(
  v: z.output<ReturnType<typeof errorInformationInput>> | undefined,
  kind: ArmErrorKind | 'none',
): ArmErrorInformation | InputProblem {
  if (v === undefined) return decodeErrorInformationRaw(0n, kind);
  if (typeof v !== 'object' || v.raw !== undefined) {
    const raw = parseU64(typeof v === 'object' ? v.raw : v);
    if (raw === undefined) return { path: ['errorInformation'], message: `errorInformation: ${uintInputError(typeof v === 'object' ? v.raw : v, U64_MAX, 'a u64') ?? 'expected a u64'}` };
    return decodeErrorInformationRaw(raw, kind);
  }
  if (v.kind !== undefined && v.kind !== kind) {
    return { path: ['errorInformation', 'kind'], message: `the entry type selects the ${kind} layout, not ${v.kind}` };
  }
  const busOnly = ['participationType', 'timeOut', 'addressSpace', 'memoryAttributes', 'accessMode'] as const;
  const common = ['transactionType', 'operation', 'level', 'processorContextCorrupt', 'corrected', 'precisePc', 'restartablePc'] as const;
  if (kind === 'none' || kind === 'microArchitecture') {
    for (const f of [...common, ...busOnly, 'validationBits'] as const) {
      if (v[f] !== undefined) return { path: ['errorInformation', f], message: `the ${kind} layout is vendor defined: give errorInformation as a raw u64` };
    }
    return decodeErrorInformationRaw(0n, kind);
  }
  if (kind !== 'bus') {
    for (const f of busOnly) if (v[f] !== undefined) return { path: ['errorInformation', f], message: `only the bus layout has ${f}` };
  }
  const ops = kind === 'cache' ? CACHE_OPERATIONS : kind === 'tlb' ? TLB_OPERATIONS : BUS_OPERATIONS;
  let op = 0;
  if (v.operation !== undefined) {
    const parsed = enumField(ops, 8).safeParse(v.operation);
    if (!parsed.success || parsed.data.value > 0xf) {
      return { path: ['errorInformation', 'operation'], message: `expected one of ${Object.values(ops).join(', ')} or 0..15` };
    }
    op = parsed.data.value;
  }
  const table = kind === 'bus' ? BUS_INFO_VALIDATION_BITS : CACHE_INFO_VALIDATION_BITS;
  const validation = bitsOf(table, v.validationBits, presentFields(table, v));
  if (typeof validation !== 'number') return validation;
  const tt = v.transactionType?.value ?? 0;
  if (tt > 3) return { path: ['errorInformation', 'transactionType'], message: 'transaction type is 2 bits' };
  let lo =
    validation |
    (tt << 16) |
    (op << 18) |
    ((v.level ?? 0) << 22) |
    ((v.processorContextCorrupt ? 1 : 0) << 25) |
    ((v.corrected ? 1 : 0) << 26) |
    ((v.precisePc ? 1 : 0) << 27) |
    ((v.restartablePc ? 1 : 0) << 28);
  let hi = 0;
  if (kind === 'bus') {
    const part = v.participationType?.value ?? 0;
    const space = v.addressSpace?.value ?? 0;
    const mode = v.accessMode?.value ?? 0;
    if (part > 3) return { path: ['errorInformation', 'participationType'], message: 'participation type is 2 bits' };
    if (space > 3) return { path: ['errorInformation', 'addressSpace'], message: 'address space is 2 bits' };
    if (mode > 1) return { path: ['errorInformation', 'accessMode'], message: 'access mode is 1 bit' };
    lo |= (part << 29) | ((v.timeOut ? 1 : 0) << 31);
    hi = space | ((v.memoryAttributes ?? 0) << 2) | (mode << 11);
  }
  return decodeErrorInformation(lo >>> 0, hi >>> 0, kind);
}

function isProblem(x: unknown): x is InputProblem {
  return typeof x === 'object' && x !== null && 'message' in x && 'path' in x && !('raw' in x);
}

/** Completes one error-info input under the section's type encoding. */
export function resolveArmErrorInfo(v: ArmErrorInfoInput, encoding: ArmTypeEncoding): ArmErrorInfo | InputProblem {
  const type = resolveType(v.type, encoding);
  if (isProblem(type)) return type;
  const errorInformation = resolveErrorInformation(v.errorInformation, errorInformationKind(type));
  if (isProblem(errorInformation)) return errorInformation;
  const given = v as Record<string, unknown>;
  const e = ARM_ERROR_INFO_LAYOUT.fill(given);
  e.type = type;
  e.errorInformation = errorInformation;
  if (given.version === undefined) e.version = encoding === 'edk2-v1' ? 1 : 0;
  if (given.length === undefined) e.length = ARM_ERROR_INFO_LENGTH;
  if (given.validationBits === undefined) e.validationBits = errorInfoValidation(Number(ARM_ERROR_INFO_LAYOUT.presentBits(given)));
  return e;
}

export { isProblem as isInputProblem };
