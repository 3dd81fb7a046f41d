import { Parser } from 'binary-parser';
import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { compileParser } from '../compiled-parser';
import { fieldWriter } from '../wire-write';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import {
  EnumTable,
  EnumValue,
  enumField,
  enumValue,
  Flags,
  flagsDecoder,
  flagsField,
  FlagTable,
  u64,
  uint,
} from '../json/fields';
import type { ArmTypeEncoding } from './SectionCodec';
import { presentFields } from './section-body-fields';

/**
 * ARM processor error-information structure (UEFI N.2.4.4.1), 32 bytes:
 *   0 Version u8 · 1 Length u8 (32) · 2 ValidationBits u16 · 4 Type u8 · 5 MultipleError u16 ·
 *   7 Flags u8 · 8 ErrorInformation u64 · 16 VirtualFaultAddress u64 · 24 PhysicalFaultAddress u64.
 * The Type byte has several encodings (see ArmTypeEncoding); the section names the one assumed.
 * ErrorInformation is decoded by type: cache and TLB share a layout, bus adds fields,
 * micro-architectural errors are vendor defined (raw only).
 */

export const ARM_ERROR_INFO_LENGTH = 32;

export const ARM_ERROR_INFO_VALIDATION_BITS: FlagTable = {
  0: 'multipleError',
  1: 'flags',
  2: 'errorInformation',
  3: 'virtualFaultAddress',
  4: 'physicalFaultAddress',
};

export const ARM_ERROR_INFO_FLAGS: FlagTable = {
  0: 'firstErrorCaptured',
  1: 'lastErrorCaptured',
  2: 'propagated',
  3: 'overflow',
};

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
  if (t.cache) return 'cache';
  if (t.tlb) return 'tlb';
  if (t.bus) return 'bus';
  if (t.microArchitecture) return 'microArchitecture';
  return 'none';
}

export const TRANSACTION_TYPES: EnumTable = { 0: 'instruction', 1: 'dataAccess', 2: 'generic' };

export const CACHE_OPERATIONS: EnumTable = {
  0: 'genericError',
  1: 'genericRead',
  2: 'genericWrite',
  3: 'dataRead',
  4: 'dataWrite',
  5: 'instructionFetch',
  6: 'prefetch',
  7: 'eviction',
  8: 'snooping',
  9: 'snooped',
  10: 'management',
};

export const TLB_OPERATIONS: EnumTable = {
  0: 'genericError',
  1: 'genericRead',
  2: 'genericWrite',
  3: 'dataRead',
  4: 'dataWrite',
  5: 'instructionFetch',
  6: 'prefetch',
  7: 'localManagementOperation',
  8: 'externalManagementOperation',
};

export const BUS_OPERATIONS: EnumTable = {
  0: 'genericError',
  1: 'genericRead',
  2: 'genericWrite',
  3: 'dataRead',
  4: 'dataWrite',
  5: 'instructionFetch',
  6: 'prefetch',
};

export const PARTICIPATION_TYPES: EnumTable = {
  0: 'localProcessorOriginated',
  1: 'localProcessorResponded',
  2: 'localProcessorObserved',
  3: 'generic',
};

export const ADDRESS_SPACES: EnumTable = { 0: 'externalMemory', 1: 'internalMemory', 3: 'deviceMemory' };

export const ACCESS_MODES: EnumTable = { 0: 'secure', 1: 'normal' };

/** Validation bits inside a cache/TLB ErrorInformation word (bits 15:0). */
export const CACHE_INFO_VALIDATION_BITS: FlagTable = {
  0: 'transactionType',
  1: 'operation',
  2: 'level',
  3: 'processorContextCorrupt',
  4: 'corrected',
  5: 'precisePc',
  6: 'restartablePc',
};

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

export interface ArmErrorInfo {
  /** 0 in every published spec; 1 marks the UEFI 2.11 type bits in the edk2 proposal */
  version: number;
  /** structure length byte (32); kept as found, the walk always steps 32 bytes as Linux's printer does */
  length: number;
  validationBits: Flags;
  type: ArmErrorType;
  /** 0 single error, 1 multiple errors with unknown count, ≥ 2 the count */
  multipleError: number;
  flags: Flags;
  errorInformation: ArmErrorInformation;
  virtualFaultAddress: bigint;
  physicalFaultAddress: bigint;
}

interface ErrorInfoFields {
  version: number;
  length: number;
  validationBits: number;
  type: number;
  multipleError: number;
  flags: number;
  infoLo: number;
  infoHi: number;
  virtualFaultAddress: bigint;
  physicalFaultAddress: bigint;
}

const errorInfoParser = new Parser()
  .endianness('little')
  .uint8('version')
  .uint8('length')
  .uint16('validationBits')
  .uint8('type')
  .uint16('multipleError')
  .uint8('flags')
  .uint32('infoLo')
  .uint32('infoHi')
  .uint64('virtualFaultAddress')
  .uint64('physicalFaultAddress');

const readErrorInfo = compileParser<ErrorInfoFields>(errorInfoParser, ARM_ERROR_INFO_LENGTH);
const errorInfoValidation = flagsDecoder(ARM_ERROR_INFO_VALIDATION_BITS);
const errorInfoFlags = flagsDecoder(ARM_ERROR_INFO_FLAGS);

/** Decodes the error-info structure at `offset` of the section body. */
export function decodeArmErrorInfo(r: ByteReader, offset: number, index: number, encoding: ArmTypeEncoding): ArmErrorInfo {
  const f = readErrorInfo(r, offset, `errorInfo[${index}]`);
  const type = decodeArmErrorType(f.type, encoding);
  return {
    version: f.version,
    length: f.length,
    validationBits: errorInfoValidation(f.validationBits),
    type,
    multipleError: f.multipleError,
    flags: errorInfoFlags(f.flags),
    errorInformation: decodeErrorInformation(f.infoLo, f.infoHi, errorInformationKind(type)),
    virtualFaultAddress: f.virtualFaultAddress,
    physicalFaultAddress: f.physicalFaultAddress,
  };
}

export function encodeArmErrorInfo(w: ByteWriter, o: number, e: ArmErrorInfo, path: string): void {
  fieldWriter(w).u8(o, e.version, path, 'version')
    .u8(o + 1, e.length, path, 'length')
    .u16(o + 2, e.validationBits.raw, path, 'validationBits')
    .u8(o + 4, e.type.raw, path, 'type')
    .u16(o + 5, e.multipleError, path, 'multipleError')
    .u8(o + 7, e.flags.raw, path, 'flags')
    .u64(o + 8, e.errorInformation.raw, path, 'errorInformation')
    .u64(o + 16, e.virtualFaultAddress, path, 'virtualFaultAddress')
    .u64(o + 24, e.physicalFaultAddress, path, 'physicalFaultAddress');
}

// ---------------------------------------------------------------------------------------------
// JSON input. The Type names and the ErrorInformation fields can only be turned into bytes once
// the section's type encoding is known, so the item schema yields an intermediate form that the
// section schema resolves (resolveArmErrorInfo).

const kindName = z.enum(ARM_ERROR_KINDS as [ArmErrorKind, ...ArmErrorKind[]]);

/** Type input: a kind name, a list of names, the raw byte, or `{ raw }` / `{ cache: true, … }`. */
const typeInput = z.union([
  kindName,
  z.array(kindName).min(1),
  z.number(),
  z.strictObject({
    raw: uint(8).optional(),
    cache: z.boolean().optional(),
    tlb: z.boolean().optional(),
    bus: z.boolean().optional(),
    microArchitecture: z.boolean().optional(),
  }),
]);

const errorInformationFields = {
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
};

/** ErrorInformation input: a u64, or an object (raw wins; otherwise built from the named fields). */
const errorInformationInput = z.union([z.string(), z.number(), z.strictObject(errorInformationFields)]);

export const armErrorInfoInput = z.strictObject({
  version: uint(8).optional(),
  length: uint(8).optional(),
  validationBits: flagsField(ARM_ERROR_INFO_VALIDATION_BITS, 16).optional(),
  type: typeInput,
  multipleError: uint(16).optional(),
  flags: flagsField(ARM_ERROR_INFO_FLAGS, 8).optional(),
  errorInformation: errorInformationInput.optional(),
  virtualFaultAddress: u64.optional(),
  physicalFaultAddress: u64.optional(),
});

export type ArmErrorInfoInput = z.output<typeof armErrorInfoInput>;

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
  v: z.output<typeof errorInformationInput> | undefined,
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
  const validationBits =
    v.validationBits ??
    errorInfoValidation(
      (v.multipleError !== undefined ? 1 : 0) |
        (v.flags !== undefined ? 2 : 0) |
        (v.errorInformation !== undefined ? 4 : 0) |
        (v.virtualFaultAddress !== undefined ? 8 : 0) |
        (v.physicalFaultAddress !== undefined ? 16 : 0),
    );
  return {
    version: v.version ?? (encoding === 'edk2-v1' ? 1 : 0),
    length: v.length ?? ARM_ERROR_INFO_LENGTH,
    validationBits,
    type,
    multipleError: v.multipleError ?? 0,
    flags: v.flags ?? errorInfoFlags(0),
    errorInformation,
    virtualFaultAddress: v.virtualFaultAddress ?? 0n,
    physicalFaultAddress: v.physicalFaultAddress ?? 0n,
  };
}

export { isProblem as isInputProblem };
