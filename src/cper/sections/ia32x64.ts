import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { GUID_PATTERN } from '../../binary/guid';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { IA32_CHECK_TYPES, SECTION_TYPES } from '../guids';
import {
  EnumTable,
  EnumValue,
  enumField,
  enumValue,
  Flags,
  Flags64,
  flags64Field,
  flags64Value,
  flagsField,
  FlagTable,
  flagsValue,
  u64,
  uint,
} from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import {
  checkCount,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readHex,
  readTrailing,
  validationBitsFrom,
  writeHex,
  zeroHex,
} from './section-body-fields';

/**
 * IA32/X64 processor error section (UEFI N.2.4.2), 64 + 64·N + contexts bytes:
 *   0 validation bits u64: bit 0 local APIC ID valid, bit 1 CPUID info valid, bits 7:2 number of
 *     error-information structures N (0..63), bits 13:8 number of context structures M (0..63) ·
 *   8 local APIC ID u64 · 16 CPUID info 48 bytes (CPUID(1) EAX, EBX, ECX, EDX zero-extended to
 *     u64 each, then 16 bytes without a stated meaning) ·
 *   64 N error-information structures of 64 bytes · then M context structures.
 * Error information: 0 structure type GUID (cache, TLB, bus or micro-architecture check) ·
 *   16 validation bits u64 (check info, target ID, requestor ID, responder ID, IP) ·
 *   24 check info u64 (bit fields depend on the structure type, see CHECK_LAYOUTS) · 32 target ID ·
 *   40 requestor ID · 48 responder ID · 56 instruction pointer.
 * Context: 0 register context type u16 · 2 register array size u16 (bytes) · 4 MSR address u32 ·
 *   8 memory-mapped register address u64 · 16 the register array. The spec pads each context to a
 *   multiple of 16 bytes; Linux and libcper step by 16 + array size, so padding belongs inside the
 *   array size and the decoder steps the same way (the array is kept as bytes, padding included).
 * Both counts are checked against the bytes present before they size a loop.
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

export interface Ia32CpuidInfo {
  eax: bigint;
  ebx: bigint;
  ecx: bigint;
  edx: bigint;
  reserved: HexString;
}

// ---- check info ------------------------------------------------------------------------------

export type Ia32CheckKind = 'cache' | 'tlb' | 'bus' | 'microArchitecture';

const KIND_BY_GUID = new Map<string, Ia32CheckKind>(Object.entries(IA32_CHECK_TYPES).map(([k, g]) => [g, k as Ia32CheckKind]));

export const IA32_TRANSACTION_TYPES: EnumTable = { 0: 'instruction', 1: 'dataAccess', 2: 'generic' };
export const IA32_OPERATIONS: EnumTable = {
  0: 'genericError',
  1: 'genericRead',
  2: 'genericWrite',
  3: 'dataRead',
  4: 'dataWrite',
  5: 'instructionFetch',
  6: 'prefetch',
};
/** Cache checks add eviction and snoop. */
export const IA32_CACHE_OPERATIONS: EnumTable = { ...IA32_OPERATIONS, 7: 'eviction', 8: 'snoop' };
export const IA32_PARTICIPATION_TYPES: EnumTable = {
  0: 'localProcessorOriginated',
  1: 'localProcessorResponded',
  2: 'localProcessorObserved',
  3: 'generic',
};
export const IA32_ADDRESS_SPACES: EnumTable = { 0: 'memory', 1: 'reserved', 2: 'io', 3: 'other' };
export const IA32_MS_ERROR_TYPES: EnumTable = {
  0: 'noError',
  1: 'unclassified',
  2: 'microcodeRomParity',
  3: 'external',
  4: 'frc',
  5: 'internalUnclassified',
};

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
 * Bits 29:16 as the cache, TLB and bus check words all lay them out; only the operation field's
 * meanings differ (the cache check has its own list).
 */
function cacheTlbBusFields(operations: EnumTable): Array<[string, number, number, number, EnumTable?]> {
  return [
    ['transactionType', 16, 2, 0, IA32_TRANSACTION_TYPES],
    ['operation', 18, 4, 1, operations],
    ['level', 22, 3, 2],
    ['processorContextCorrupt', 25, 1, 3],
    ['uncorrected', 26, 1, 4],
    ['preciseIp', 27, 1, 5],
    ['restartableIp', 28, 1, 6],
    ['overflow', 29, 1, 7],
  ];
}

/** Bit layouts of the check-info word per structure type (bits 15:0 are always its own validation bits). */
export const CHECK_LAYOUTS: Readonly<Record<Ia32CheckKind, CheckField[]>> = {
  cache: fields(cacheTlbBusFields(IA32_CACHE_OPERATIONS)),
  tlb: fields(cacheTlbBusFields(IA32_OPERATIONS)),
  bus: fields([
    ...cacheTlbBusFields(IA32_OPERATIONS),
    ['participationType', 30, 2, 8, IA32_PARTICIPATION_TYPES],
    ['timeOut', 32, 1, 9],
    ['addressSpace', 33, 2, 10, IA32_ADDRESS_SPACES],
  ]),
  microArchitecture: fields([
    ['errorType', 16, 3, 0, IA32_MS_ERROR_TYPES],
    ['processorContextCorrupt', 19, 1, 1],
    ['uncorrected', 20, 1, 2],
    ['preciseIp', 21, 1, 3],
    ['restartableIp', 22, 1, 4],
    ['overflow', 23, 1, 5],
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
  out.validation = flagsValue(VALIDATION_TABLES[kind], Number(raw & 0xffffn));
  for (const f of CHECK_LAYOUTS[kind]) {
    const v = Number((raw >> BigInt(f.shift)) & ((1n << BigInt(f.width)) - 1n));
    out[f.name] = f.table ? enumValue(f.table, v) : f.width === 1 ? v === 1 : v;
  }
  return out;
}

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

export const IA32_ERROR_INFO_VALIDATION_BITS: FlagTable = {
  0: 'checkInfo',
  1: 'targetId',
  2: 'requestorId',
  3: 'responderId',
  4: 'instructionPointer',
};

export interface Ia32StructureType {
  guid: string;
  name: Ia32CheckKind | 'unknown';
}

export interface Ia32ErrorInfo {
  structureType: Ia32StructureType;
  validationBits: Flags64;
  checkInfo: Ia32CheckInfo;
  targetId: bigint;
  requestorId: bigint;
  responderId: bigint;
  instructionPointer: bigint;
}

export const IA32_REGISTER_CONTEXT_TYPES: EnumTable = {
  0: 'unclassified',
  1: 'msr',
  2: 'ia32ExecutionContext',
  3: 'x64ExecutionContext',
  4: 'fxsave',
  5: 'debugRegisters32',
  6: 'debugRegisters64',
  7: 'memoryMappedRegisters',
};

export interface Ia32Context {
  registerContextType: EnumValue;
  /** MSR address of the first register (type 1) */
  msrAddress: number;
  /** address of the memory-mapped registers (type 7) */
  mmRegisterAddress: bigint;
  /** the register array; RegisterArraySize is its length (any padding is part of it) */
  registerArray: HexString;
}

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

function structureType(guid: string): Ia32StructureType {
  return { guid, name: KIND_BY_GUID.get(guid) ?? 'unknown' };
}

function decode(r: ByteReader): Ia32x64Section {
  const validationBits = ia32ValidationBits(r.u64(0, 'validationBits'));
  const cpuid = r.sub(16, 48, 'cpuidInfo');
  const s: Ia32x64Section = {
    type: 'ia32x64',
    guid: INFO.guid,
    validationBits,
    localApicId: r.u64(8, 'localApicId'),
    cpuidInfo: { eax: cpuid.u64(0, 'eax'), ebx: cpuid.u64(8, 'ebx'), ecx: cpuid.u64(16, 'ecx'), edx: cpuid.u64(24, 'edx'), reserved: readHex(cpuid, 32, 16, 'reserved') },
    errorInfo: [],
    contexts: [],
  };
  const n = validationBits.errorInfoCount;
  checkCount(r, 0, 'validationBits.errorInfoCount', n, IA32_ERROR_INFO_LENGTH, IA32_HEADER_LENGTH);
  for (let i = 0; i < n; i++) {
    const e = r.sub(IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * i, IA32_ERROR_INFO_LENGTH, `errorInfo[${i}]`);
    const type = structureType(e.guid(0, 'structureType'));
    s.errorInfo.push({
      structureType: type,
      validationBits: flags64Value(IA32_ERROR_INFO_VALIDATION_BITS, e.u64(16, 'validationBits')),
      checkInfo: decodeCheckInfo(type.name, e.u64(24, 'checkInfo')),
      targetId: e.u64(32, 'targetId'),
      requestorId: e.u64(40, 'requestorId'),
      responderId: e.u64(48, 'responderId'),
      instructionPointer: e.u64(56, 'instructionPointer'),
    });
  }
  let at = IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * n;
  const m = validationBits.contextCount;
  // every context has at least its 16-byte header: check the count before walking
  checkCount(r, 0, 'validationBits.contextCount', m, IA32_CONTEXT_HEADER_LENGTH, at);
  for (let i = 0; i < m; i++) {
    const h = r.sub(at, IA32_CONTEXT_HEADER_LENGTH, `contexts[${i}]`);
    const size = h.u16(2, 'registerArraySize');
    if (at + IA32_CONTEXT_HEADER_LENGTH + size > r.length) {
      throw h.error(
        'bad_length',
        2,
        'registerArraySize',
        `register array of ${size} bytes at body offset ${at + IA32_CONTEXT_HEADER_LENGTH} runs past the ${r.length}-byte body`,
      );
    }
    s.contexts.push({
      registerContextType: enumValue(IA32_REGISTER_CONTEXT_TYPES, h.u16(0, 'registerContextType')),
      msrAddress: h.u32(4, 'msrAddress'),
      mmRegisterAddress: h.u64(8, 'mmRegisterAddress'),
      registerArray: readHex(r, at + IA32_CONTEXT_HEADER_LENGTH, size, `contexts[${i}].registerArray`),
    });
    at += IA32_CONTEXT_HEADER_LENGTH + size;
  }
  const trailing = readTrailing(r, at);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function byteLength(s: Ia32x64Section): number {
  let n = IA32_HEADER_LENGTH + IA32_ERROR_INFO_LENGTH * s.errorInfo.length;
  for (const c of s.contexts) n += IA32_CONTEXT_HEADER_LENGTH + hexByteLength(c.registerArray);
  return n + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
}

function encode(w: ByteWriter, o: number, s: Ia32x64Section, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  // the counts in the validation word are the array lengths; a hand-built model that disagrees is an error
  const vb = ia32ValidationBits(s.validationBits.raw);
  if (vb.errorInfoCount !== s.errorInfo.length || vb.contextCount !== s.contexts.length) {
    throw new EncodeError({
      code: 'bad_count',
      offset: o,
      path: p('validationBits'),
      message: `validation bits count ${vb.errorInfoCount} error info and ${vb.contextCount} contexts, the model has ${s.errorInfo.length} and ${s.contexts.length}`,
    });
  }
  w.u64(o, s.validationBits.raw, p('validationBits'));
  w.u64(o + 8, s.localApicId, p('localApicId'));
  w.u64(o + 16, s.cpuidInfo.eax, p('cpuidInfo.eax'));
  w.u64(o + 24, s.cpuidInfo.ebx, p('cpuidInfo.ebx'));
  w.u64(o + 32, s.cpuidInfo.ecx, p('cpuidInfo.ecx'));
  w.u64(o + 40, s.cpuidInfo.edx, p('cpuidInfo.edx'));
  writeHex(w, o + 48, s.cpuidInfo.reserved, p('cpuidInfo.reserved'), 16);
  let at = o + IA32_HEADER_LENGTH;
  s.errorInfo.forEach((e, i) => {
    const q = (f: string) => p(`errorInfo[${i}].${f}`);
    w.guid(at, e.structureType.guid, q('structureType'));
    w.u64(at + 16, e.validationBits.raw, q('validationBits'));
    w.u64(at + 24, e.checkInfo.raw, q('checkInfo'));
    w.u64(at + 32, e.targetId, q('targetId'));
    w.u64(at + 40, e.requestorId, q('requestorId'));
    w.u64(at + 48, e.responderId, q('responderId'));
    w.u64(at + 56, e.instructionPointer, q('instructionPointer'));
    at += IA32_ERROR_INFO_LENGTH;
  });
  s.contexts.forEach((c, i) => {
    const q = (f: string) => p(`contexts[${i}].${f}`);
    const size = hexByteLength(c.registerArray);
    w.u16(at, c.registerContextType.value, q('registerContextType'));
    w.u16(at + 2, size, q('registerArraySize'));
    w.u32(at + 4, c.msrAddress, q('msrAddress'));
    w.u64(at + 8, c.mmRegisterAddress, q('mmRegisterAddress'));
    writeHex(w, at + IA32_CONTEXT_HEADER_LENGTH, c.registerArray, q('registerArray'), size);
    at += IA32_CONTEXT_HEADER_LENGTH + size;
  });
  if (s.trailing !== undefined) writeHex(w, at, s.trailing, p('trailing'));
}

// ---- JSON input ---------------------------------------------------------------------------------

const KIND_NAMES = new Map<string, string>(Object.entries(IA32_CHECK_TYPES).map(([k, g]) => [k.toLowerCase(), g]));

/** A structure type: a GUID, a known name (cache, tlb, bus, microArchitecture) or `{ guid, name }` (guid wins). */
const structureTypeInput = z
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
  });

const errorInfoInput = z
  .strictObject({
    structureType: structureTypeInput,
    validationBits: flags64Field(IA32_ERROR_INFO_VALIDATION_BITS).optional(),
    checkInfo: z.union([z.string(), z.number(), z.record(z.string(), z.unknown())]).optional(),
    targetId: u64.optional(),
    requestorId: u64.optional(),
    responderId: u64.optional(),
    instructionPointer: u64.optional(),
  })
  .transform((v, ctx): Ia32ErrorInfo => {
    let raw = 0n;
    if (v.checkInfo !== undefined) {
      const given = typeof v.checkInfo === 'object' ? v.checkInfo : { raw: v.checkInfo };
      const composed = composeCheckInfo(v.structureType.name, given, (path, message) =>
        ctx.addIssue({ code: 'custom', path: ['checkInfo', ...path], message }),
      );
      if (composed === undefined) return z.NEVER;
      raw = composed;
    }
    return {
      structureType: v.structureType,
      validationBits: validationBitsFrom(IA32_ERROR_INFO_VALIDATION_BITS, v.validationBits, {
        checkInfo: v.checkInfo !== undefined,
        targetId: v.targetId !== undefined,
        requestorId: v.requestorId !== undefined,
        responderId: v.responderId !== undefined,
        instructionPointer: v.instructionPointer !== undefined,
      }),
      checkInfo: decodeCheckInfo(v.structureType.name, raw),
      targetId: v.targetId ?? 0n,
      requestorId: v.requestorId ?? 0n,
      responderId: v.responderId ?? 0n,
      instructionPointer: v.instructionPointer ?? 0n,
    };
  });

const contextInput = z
  .strictObject({
    registerContextType: enumField(IA32_REGISTER_CONTEXT_TYPES, 16).optional(),
    msrAddress: uint(32).optional(),
    mmRegisterAddress: u64.optional(),
    registerArray: hexField().refine((h) => h.length / 2 <= 0xffff, 'a register array is at most 65535 bytes').optional(),
  })
  .transform(
    (c): Ia32Context => ({
      registerContextType: c.registerContextType ?? enumValue(IA32_REGISTER_CONTEXT_TYPES, 0),
      msrAddress: c.msrAddress ?? 0,
      mmRegisterAddress: c.mmRegisterAddress ?? 0n,
      registerArray: c.registerArray ?? '',
    }),
  );

const validationInput = z.union([
  z.string(),
  z.number(),
  z.strictObject({
    raw: z.union([z.string(), z.number()]).optional(),
    localApicId: z.boolean().optional(),
    cpuidInfo: z.boolean().optional(),
    errorInfoCount: z.number().optional(),
    contextCount: z.number().optional(),
  }),
]);

/**
 * JSON form: every field optional. The two counts in the validation word are the lengths of
 * `errorInfo` and `contexts` (at most 63 each); a given word (raw or named) must agree with them.
 * Without one, the local APIC ID and CPUID bits are set when those fields are given. `checkInfo`
 * is a u64, `{ raw }`, or the named fields of its structure type (each one given sets its
 * validation bit).
 */
export const ia32x64Input: z.ZodType<Ia32x64Section> = z
  .strictObject({
    ...identityShape('ia32x64', [INFO.guid]),
    validationBits: validationInput.optional(),
    localApicId: u64.optional(),
    cpuidInfo: z
      .strictObject({ eax: u64.optional(), ebx: u64.optional(), ecx: u64.optional(), edx: u64.optional(), reserved: hexField(16).optional() })
      .optional(),
    errorInfo: z.array(errorInfoInput).max(IA32_MAX_COUNT).optional(),
    contexts: z.array(contextInput).max(IA32_MAX_COUNT).optional(),
    trailing: hexField().optional(),
  })
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
    const c = v.cpuidInfo ?? {};
    const s: Ia32x64Section = {
      type: 'ia32x64',
      guid: INFO.guid,
      validationBits: vb,
      localApicId: v.localApicId ?? 0n,
      cpuidInfo: { eax: c.eax ?? 0n, ebx: c.ebx ?? 0n, ecx: c.ecx ?? 0n, edx: c.edx ?? 0n, reserved: c.reserved ?? zeroHex(16) },
      errorInfo,
      contexts,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const ia32x64Codec: SectionCodec<Ia32x64Section> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: IA32_HEADER_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => byteLength(s),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: ia32x64Input,
};
