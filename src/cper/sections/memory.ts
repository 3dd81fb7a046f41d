import { Parser } from 'binary-parser';
import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { compileParser } from '../compiled-parser';
import { fieldWriter } from '../wire-write';
import { SECTION_TYPES } from '../guids';
import {
  EnumTable,
  EnumValue,
  enumField,
  enumValue,
  Flags64,
  flags64Decoder,
  flags64Field,
  FlagTable,
  u64,
  uint,
} from '../json/fields';
import { decodeErrorStatus, ErrorStatus, errorStatusField } from './error-status';
import { HexString, hexField, presentFields, readTrailing, validationBitsFrom, writeHex } from './section-body-fields';
import type { CperOptions, SectionCodec } from './SectionCodec';

/**
 * Platform Memory Error section (UEFI N.2.5), 80 bytes:
 *   0 ValidationBits u64 · 8 ErrorStatus u64 · 16 PhysicalAddress · 24 PhysicalAddressMask ·
 *   32 Node u16 · 34 Card · 36 Module · 38 Bank · 40 Device · 42 Row · 44 Column · 46 BitPosition ·
 *   48 RequestorID u64 · 56 ResponderID · 64 TargetID · 72 MemoryErrorType u8 · 73 Extended u8 ·
 *   74 RankNumber u16 · 76 CardHandle u16 · 78 ModuleHandle u16.
 * The UEFI 2.1/2.2 layout stops after MemoryErrorType (73 bytes); Linux still accepts it, so a body
 * of 73..79 bytes decodes with that layout (`layoutSize` 73) and re-encodes at 73 (plus any
 * trailing bytes). Bytes after the layout are kept as `trailing`.
 */

export const MEMORY_VALIDATION_BITS: FlagTable = {
  0: 'errorStatus',
  1: 'physicalAddress',
  2: 'physicalAddressMask',
  3: 'node',
  4: 'card',
  5: 'module',
  6: 'bank',
  7: 'device',
  8: 'row',
  9: 'column',
  10: 'bitPosition',
  11: 'requestorId',
  12: 'responderId',
  13: 'targetId',
  14: 'memoryErrorType',
  15: 'rankNumber',
  16: 'cardHandle',
  17: 'moduleHandle',
  18: 'extendedRow',
  19: 'bankGroup',
  20: 'bankAddress',
  21: 'chipIdentification',
};

/** Memory error types (shared with memory 2). */
export const MEMORY_ERROR_TYPES: EnumTable = {
  0: 'unknown',
  1: 'noError',
  2: 'singleBitEcc',
  3: 'multiBitEcc',
  4: 'singleSymbolChipkillEcc',
  5: 'multiSymbolChipkillEcc',
  6: 'masterAbort',
  7: 'targetAbort',
  8: 'parityError',
  9: 'watchdogTimeout',
  10: 'invalidAddress',
  11: 'mirrorBroken',
  12: 'memorySparing',
  13: 'scrubCorrected',
  14: 'scrubUncorrected',
  15: 'physicalMemoryMapOut',
};

export const MEMORY_LENGTH = 80;
export const MEMORY_LEGACY_LENGTH = 73;

export interface MemorySection {
  type: 'memory';
  guid: string;
  /** 80, or 73 for the UEFI 2.1/2.2 layout that ends after memoryErrorType */
  layoutSize: 80 | 73;
  validationBits: Flags64;
  errorStatus: ErrorStatus;
  physicalAddress: bigint;
  physicalAddressMask: bigint;
  node: number;
  card: number;
  module: number;
  /** plain bank number, or bank address (bits 7:0) and bank group (bits 15:8) with validation bits 19/20 */
  bank: number;
  device: number;
  /** row bits 15:0; bits 17:16 are in `extended` bits 1:0 (validation bit 18) */
  row: number;
  column: number;
  bitPosition: number;
  requestorId: bigint;
  responderId: bigint;
  targetId: bigint;
  memoryErrorType: EnumValue;
  /** bit 0 row bit 16, bit 1 row bit 17, bits 7:5 chip identification; 0 in the 73-byte layout */
  extended: number;
  rankNumber: number;
  /** SMBIOS type 16 handle */
  cardHandle: number;
  /** SMBIOS type 17 handle */
  moduleHandle: number;
  /** bytes of the body after the layout */
  trailing?: HexString;
}

interface MemoryFields {
  validationBits: bigint;
  errorStatus: bigint;
  physicalAddress: bigint;
  physicalAddressMask: bigint;
  node: number;
  card: number;
  module: number;
  bank: number;
  device: number;
  row: number;
  column: number;
  bitPosition: number;
  requestorId: bigint;
  responderId: bigint;
  targetId: bigint;
  memoryErrorType: number;
  extended: number;
  rankNumber: number;
  cardHandle: number;
  moduleHandle: number;
}

const legacyParser = new Parser()
  .endianness('little')
  .uint64('validationBits')
  .uint64('errorStatus')
  .uint64('physicalAddress')
  .uint64('physicalAddressMask')
  .uint16('node')
  .uint16('card')
  .uint16('module')
  .uint16('bank')
  .uint16('device')
  .uint16('row')
  .uint16('column')
  .uint16('bitPosition')
  .uint64('requestorId')
  .uint64('responderId')
  .uint64('targetId')
  .uint8('memoryErrorType');

const fullParser = new Parser()
  .endianness('little')
  .nest({ type: legacyParser })
  .uint8('extended')
  .uint16('rankNumber')
  .uint16('cardHandle')
  .uint16('moduleHandle');

const readLegacy = compileParser<MemoryFields>(legacyParser, MEMORY_LEGACY_LENGTH);
const readFull = compileParser<MemoryFields>(fullParser, MEMORY_LENGTH);
const validationBits = flags64Decoder(MEMORY_VALIDATION_BITS);

function decodeMemory(r: ByteReader): MemorySection {
  const legacy = r.length < MEMORY_LENGTH;
  const f = legacy
    ? readLegacy(r, 0)
    : readFull(r, 0);
  const size = legacy ? MEMORY_LEGACY_LENGTH : MEMORY_LENGTH;
  const out: MemorySection = {
    type: 'memory',
    guid: SECTION_TYPES.memory.guid,
    layoutSize: size,
    validationBits: validationBits(f.validationBits),
    errorStatus: decodeErrorStatus(f.errorStatus),
    physicalAddress: f.physicalAddress,
    physicalAddressMask: f.physicalAddressMask,
    node: f.node,
    card: f.card,
    module: f.module,
    bank: f.bank,
    device: f.device,
    row: f.row,
    column: f.column,
    bitPosition: f.bitPosition,
    requestorId: f.requestorId,
    responderId: f.responderId,
    targetId: f.targetId,
    memoryErrorType: enumValue(MEMORY_ERROR_TYPES, f.memoryErrorType),
    extended: legacy ? 0 : f.extended,
    rankNumber: legacy ? 0 : f.rankNumber,
    cardHandle: legacy ? 0 : f.cardHandle,
    moduleHandle: legacy ? 0 : f.moduleHandle,
  };
  const trailing = readTrailing(r, size);
  if (trailing !== undefined) out.trailing = trailing;
  return out;
}

function trailingLength(t: HexString | undefined): number {
  return t === undefined ? 0 : t.length >>> 1;
}

function encodeMemory(w: ByteWriter, o: number, s: MemorySection, _opts: CperOptions, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  const fw = fieldWriter(w);
  fw.u64(o, s.validationBits.raw, path, 'validationBits')
    .u64(o + 8, s.errorStatus.raw, path, 'errorStatus')
    .u64(o + 16, s.physicalAddress, path, 'physicalAddress')
    .u64(o + 24, s.physicalAddressMask, path, 'physicalAddressMask')
    .u16(o + 32, s.node, path, 'node')
    .u16(o + 34, s.card, path, 'card')
    .u16(o + 36, s.module, path, 'module')
    .u16(o + 38, s.bank, path, 'bank')
    .u16(o + 40, s.device, path, 'device')
    .u16(o + 42, s.row, path, 'row')
    .u16(o + 44, s.column, path, 'column')
    .u16(o + 46, s.bitPosition, path, 'bitPosition')
    .u64(o + 48, s.requestorId, path, 'requestorId')
    .u64(o + 56, s.responderId, path, 'responderId')
    .u64(o + 64, s.targetId, path, 'targetId')
    .u8(o + 72, s.memoryErrorType.value, path, 'memoryErrorType');
  if (s.layoutSize === MEMORY_LENGTH) {
    fw.u8(o + 73, s.extended, path, 'extended')
      .u16(o + 74, s.rankNumber, path, 'rankNumber')
      .u16(o + 76, s.cardHandle, path, 'cardHandle')
      .u16(o + 78, s.moduleHandle, path, 'moduleHandle');
  } else if (s.extended !== 0 || s.rankNumber !== 0 || s.cardHandle !== 0 || s.moduleHandle !== 0) {
    throw new EncodeError({
      code: 'bad_value',
      offset: o + 73,
      path: p('layoutSize'),
      message: 'the 73-byte layout has no extended, rankNumber, cardHandle or moduleHandle field; they must be 0',
    });
  }
  if (s.trailing !== undefined) writeHex(w, o + s.layoutSize, s.trailing, p('trailing'));
}

/**
 * The Bank word of a memory or memory 2 input: `bank` as given, or bank group (bits 15:8) and bank
 * address (bits 7:0). Giving both forms is an issue at `bank`, and the result is then undefined.
 */
export function bankFromInput(
  v: { bank?: number; bankGroup?: number; bankAddress?: number },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): number | undefined {
  if (v.bank !== undefined && (v.bankGroup !== undefined || v.bankAddress !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['bank'], message: 'give either bank or bankGroup/bankAddress, not both' });
    return undefined;
  }
  return v.bank ?? (((v.bankGroup ?? 0) << 8) | (v.bankAddress ?? 0));
}

const memoryInput = z
  .strictObject({
    type: z.literal('memory'),
    guid: z.literal(SECTION_TYPES.memory.guid).optional(),
    layoutSize: z.union([z.literal(80), z.literal(73)]).optional(),
    validationBits: flags64Field(MEMORY_VALIDATION_BITS).optional(),
    errorStatus: errorStatusField.optional(),
    physicalAddress: u64.optional(),
    physicalAddressMask: u64.optional(),
    node: uint(16).optional(),
    card: uint(16).optional(),
    module: uint(16).optional(),
    bank: uint(16).optional(),
    /** input only: bank group (bank bits 15:8, validation bit 19) */
    bankGroup: uint(8).optional(),
    /** input only: bank address (bank bits 7:0, validation bit 20) */
    bankAddress: uint(8).optional(),
    device: uint(16).optional(),
    row: uint(16).optional(),
    column: uint(16).optional(),
    bitPosition: uint(16).optional(),
    requestorId: u64.optional(),
    responderId: u64.optional(),
    targetId: u64.optional(),
    memoryErrorType: enumField(MEMORY_ERROR_TYPES, 8).optional(),
    extended: uint(8).optional(),
    rankNumber: uint(16).optional(),
    cardHandle: uint(16).optional(),
    moduleHandle: uint(16).optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): MemorySection => {
    const bank = bankFromInput(v, ctx);
    if (bank === undefined) return z.NEVER;
    const layoutSize = v.layoutSize ?? MEMORY_LENGTH;
    if (layoutSize === MEMORY_LEGACY_LENGTH) {
      for (const f of ['extended', 'rankNumber', 'cardHandle', 'moduleHandle'] as const) {
        if (v[f] !== undefined && v[f] !== 0) {
          ctx.addIssue({ code: 'custom', path: [f], message: 'not part of the 73-byte layout' });
          return z.NEVER;
        }
      }
    }
    const out: MemorySection = {
      type: 'memory',
      guid: SECTION_TYPES.memory.guid,
      layoutSize,
      validationBits: validationBitsFrom(MEMORY_VALIDATION_BITS, v.validationBits, presentFields(MEMORY_VALIDATION_BITS, v)),
      errorStatus: v.errorStatus ?? decodeErrorStatus(0n),
      physicalAddress: v.physicalAddress ?? 0n,
      physicalAddressMask: v.physicalAddressMask ?? 0n,
      node: v.node ?? 0,
      card: v.card ?? 0,
      module: v.module ?? 0,
      bank,
      device: v.device ?? 0,
      row: v.row ?? 0,
      column: v.column ?? 0,
      bitPosition: v.bitPosition ?? 0,
      requestorId: v.requestorId ?? 0n,
      responderId: v.responderId ?? 0n,
      targetId: v.targetId ?? 0n,
      memoryErrorType: v.memoryErrorType ?? enumValue(MEMORY_ERROR_TYPES, 0),
      extended: v.extended ?? 0,
      rankNumber: v.rankNumber ?? 0,
      cardHandle: v.cardHandle ?? 0,
      moduleHandle: v.moduleHandle ?? 0,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) out.trailing = v.trailing;
    return out;
  });

export const memoryCodec: SectionCodec<MemorySection> = {
  name: 'memory',
  guid: SECTION_TYPES.memory.guid,
  title: SECTION_TYPES.memory.title,
  minLength: MEMORY_LEGACY_LENGTH,
  decode: (r) => decodeMemory(r),
  byteLength: (s) => s.layoutSize + trailingLength(s.trailing),
  encode: encodeMemory,
  input: memoryInput,
};
