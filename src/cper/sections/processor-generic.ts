import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
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
  FixedText,
  fixedTextField,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readFixedText,
  readTrailing,
  presentFields,
  validationBitsFrom,
  writeFixedText,
  writeHex,
} from './section-body-fields';

/**
 * Processor generic error section (UEFI N.2.4.1), 192 bytes:
 *   0 validation bits u64 · 8 processor type · 9 ISA · 10 error type · 11 operation · 12 flags ·
 *   13 level · 14 reserved u16 · 16 CPU version (x86 CPUID(1).EAX, ARM MIDR_EL1) u64 ·
 *   24 brand string 128 bytes ASCII · 152 processor ID (APIC ID, LID, ARM MPIDR_EL1) u64 ·
 *   160 target address · 168 requestor ID · 176 responder ID · 184 instruction IP (u64 each).
 */

const INFO = SECTION_TYPES.processorGeneric;
export const PROCESSOR_GENERIC_BODY_LENGTH = 192;
export const BRAND_STRING_LENGTH = 128;

/** Bit 13 is Microsoft's own "native model ID" extension; it is kept in `raw` but not named. */
export const PROCESSOR_GENERIC_VALIDATION_BITS: FlagTable = {
  0: 'processorType',
  1: 'isa',
  2: 'errorType',
  3: 'operation',
  4: 'flags',
  5: 'level',
  6: 'cpuVersion',
  7: 'brandString',
  8: 'processorId',
  9: 'targetAddress',
  10: 'requestorId',
  11: 'responderId',
  12: 'instructionIp',
};

export const PROCESSOR_TYPES: EnumTable = { 0: 'ia32x64', 1: 'ia64', 2: 'arm' };
export const PROCESSOR_ISAS: EnumTable = { 0: 'ia32', 1: 'ia64', 2: 'x64', 3: 'armA32T32', 4: 'armA64' };
/** The error type byte is a bit set (Linux prints each set bit): 0x01 cache, 0x02 TLB, 0x04 bus, 0x08 micro-architectural. */
export const PROCESSOR_ERROR_TYPE_BITS: FlagTable = { 0: 'cache', 1: 'tlb', 2: 'bus', 3: 'microArchitectural' };
export const PROCESSOR_OPERATIONS: EnumTable = { 0: 'generic', 1: 'dataRead', 2: 'dataWrite', 3: 'instructionExecution' };
export const PROCESSOR_FLAG_BITS: FlagTable = { 0: 'restartable', 1: 'preciseIp', 2: 'overflow', 3: 'corrected' };

export interface ProcessorGenericSection {
  type: 'processorGeneric';
  guid: string;
  validationBits: Flags64;
  processorType: EnumValue;
  isa: EnumValue;
  errorType: Flags;
  operation: EnumValue;
  flags: Flags;
  level: number;
  reserved: number;
  cpuVersion: bigint;
  brandString: FixedText;
  processorId: bigint;
  targetAddress: bigint;
  requestorId: bigint;
  responderId: bigint;
  instructionIp: bigint;
  trailing?: HexString;
}

function decode(r: ByteReader): ProcessorGenericSection {
  const s: ProcessorGenericSection = {
    type: 'processorGeneric',
    guid: INFO.guid,
    validationBits: flags64Value(PROCESSOR_GENERIC_VALIDATION_BITS, r.u64(0, 'validationBits')),
    processorType: enumValue(PROCESSOR_TYPES, r.u8(8, 'processorType')),
    isa: enumValue(PROCESSOR_ISAS, r.u8(9, 'isa')),
    errorType: flagsValue(PROCESSOR_ERROR_TYPE_BITS, r.u8(10, 'errorType')),
    operation: enumValue(PROCESSOR_OPERATIONS, r.u8(11, 'operation')),
    flags: flagsValue(PROCESSOR_FLAG_BITS, r.u8(12, 'flags')),
    level: r.u8(13, 'level'),
    reserved: r.u16(14, 'reserved'),
    cpuVersion: r.u64(16, 'cpuVersion'),
    brandString: readFixedText(r, 24, BRAND_STRING_LENGTH, 'brandString'),
    processorId: r.u64(152, 'processorId'),
    targetAddress: r.u64(160, 'targetAddress'),
    requestorId: r.u64(168, 'requestorId'),
    responderId: r.u64(176, 'responderId'),
    instructionIp: r.u64(184, 'instructionIp'),
  };
  const trailing = readTrailing(r, PROCESSOR_GENERIC_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: ProcessorGenericSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u64(o, s.validationBits.raw, p('validationBits'));
  w.u8(o + 8, s.processorType.value, p('processorType'));
  w.u8(o + 9, s.isa.value, p('isa'));
  w.u8(o + 10, s.errorType.raw, p('errorType'));
  w.u8(o + 11, s.operation.value, p('operation'));
  w.u8(o + 12, s.flags.raw, p('flags'));
  w.u8(o + 13, s.level, p('level'));
  w.u16(o + 14, s.reserved, p('reserved'));
  w.u64(o + 16, s.cpuVersion, p('cpuVersion'));
  writeFixedText(w, o + 24, s.brandString, BRAND_STRING_LENGTH, p('brandString'));
  w.u64(o + 152, s.processorId, p('processorId'));
  w.u64(o + 160, s.targetAddress, p('targetAddress'));
  w.u64(o + 168, s.requestorId, p('requestorId'));
  w.u64(o + 176, s.responderId, p('responderId'));
  w.u64(o + 184, s.instructionIp, p('instructionIp'));
  if (s.trailing !== undefined) writeHex(w, o + PROCESSOR_GENERIC_BODY_LENGTH, s.trailing, p('trailing'));
}

/**
 * JSON form: every field optional (zero / empty when absent); without `validationBits` the bits
 * of the fields present are set. `brandString` is a plain string or `{ text, raw? }` as decoded.
 */
export const processorGenericInput: z.ZodType<ProcessorGenericSection> = z
  .strictObject({
    ...identityShape('processorGeneric', [INFO.guid]),
    validationBits: flags64Field(PROCESSOR_GENERIC_VALIDATION_BITS).optional(),
    processorType: enumField(PROCESSOR_TYPES).optional(),
    isa: enumField(PROCESSOR_ISAS).optional(),
    errorType: flagsField(PROCESSOR_ERROR_TYPE_BITS, 8).optional(),
    operation: enumField(PROCESSOR_OPERATIONS).optional(),
    flags: flagsField(PROCESSOR_FLAG_BITS, 8).optional(),
    level: uint(8).optional(),
    reserved: uint(16).optional(),
    cpuVersion: u64.optional(),
    brandString: fixedTextField(BRAND_STRING_LENGTH).optional(),
    processorId: u64.optional(),
    targetAddress: u64.optional(),
    requestorId: u64.optional(),
    responderId: u64.optional(),
    instructionIp: u64.optional(),
    trailing: hexField().optional(),
  })
  .transform((v): ProcessorGenericSection => {
    const s: ProcessorGenericSection = {
      type: 'processorGeneric',
      guid: INFO.guid,
      validationBits: validationBitsFrom(PROCESSOR_GENERIC_VALIDATION_BITS, v.validationBits, presentFields(PROCESSOR_GENERIC_VALIDATION_BITS, v)),
      processorType: v.processorType ?? enumValue(PROCESSOR_TYPES, 0),
      isa: v.isa ?? enumValue(PROCESSOR_ISAS, 0),
      errorType: v.errorType ?? flagsValue(PROCESSOR_ERROR_TYPE_BITS, 0),
      operation: v.operation ?? enumValue(PROCESSOR_OPERATIONS, 0),
      flags: v.flags ?? flagsValue(PROCESSOR_FLAG_BITS, 0),
      level: v.level ?? 0,
      reserved: v.reserved ?? 0,
      cpuVersion: v.cpuVersion ?? 0n,
      brandString: v.brandString ?? { text: '' },
      processorId: v.processorId ?? 0n,
      targetAddress: v.targetAddress ?? 0n,
      requestorId: v.requestorId ?? 0n,
      responderId: v.responderId ?? 0n,
      instructionIp: v.instructionIp ?? 0n,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const processorGenericCodec: SectionCodec<ProcessorGenericSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: PROCESSOR_GENERIC_BODY_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => PROCESSOR_GENERIC_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: processorGenericInput,
};
