import { Parser } from 'binary-parser';
import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { compileParser } from '../compiled-parser';
import { fieldWriter } from '../wire-write';
import { SECTION_TYPES } from '../guids';
import {
  EnumValue,
  enumField,
  enumValue,
  Flags,
  Flags64,
  flags64Decoder,
  flags64Field,
  flagsDecoder,
  flagsField,
  FlagTable,
  u64,
  uint,
} from '../json/fields';
import { decodeErrorStatus, ErrorStatus, errorStatusField } from './error-status';
import { bankFromInput, MEMORY_ERROR_TYPES } from './memory';
import { HexString, hexField, presentFields, readTrailing, validationBitsFrom, writeHex } from './section-body-fields';
import type { CperOptions, SectionCodec } from './SectionCodec';

/**
 * Platform Memory Error 2 section (UEFI N.2.6), 96 bytes:
 *   0 ValidationBits u64 · 8 ErrorStatus u64 · 16 PhysicalAddress · 24 PhysicalAddressMask ·
 *   32 Node u16 · 34 Card u16 · 36 Module u16 · 38 Bank u16 · 40 Device u32 · 44 Row u32 ·
 *   48 Column u32 · 52 Rank u32 · 56 BitPosition u32 · 60 ChipID u8 · 61 MemoryErrorType u8 ·
 *   62 Status u8 (bit 0: 1 = uncorrected) · 63 Reserved u8 · 64 RequestorID u64 · 72 ResponderID ·
 *   80 TargetID · 88 CardHandle u32 · 92 ModuleHandle u32.
 * Its validation bits are numbered differently from the memory section's (bit 10 is Rank here).
 * Bytes after the 96 are kept as `trailing`.
 */

export const MEMORY2_VALIDATION_BITS: FlagTable = {
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
  10: 'rank',
  11: 'bitPosition',
  12: 'chipId',
  13: 'memoryErrorType',
  14: 'status',
  15: 'requestorId',
  16: 'responderId',
  17: 'targetId',
  18: 'cardHandle',
  19: 'moduleHandle',
  20: 'bankGroup',
  21: 'bankAddress',
};

export const MEMORY2_STATUS_BITS: FlagTable = { 0: 'uncorrected' };

export const MEMORY2_LENGTH = 96;

export interface Memory2Section {
  type: 'memory2';
  guid: string;
  validationBits: Flags64;
  errorStatus: ErrorStatus;
  physicalAddress: bigint;
  physicalAddressMask: bigint;
  node: number;
  card: number;
  module: number;
  /** bank, or bank address (bits 7:0) and bank group (bits 15:8) */
  bank: number;
  device: number;
  row: number;
  column: number;
  rank: number;
  bitPosition: number;
  /** 3DS die */
  chipId: number;
  memoryErrorType: EnumValue;
  /** bit 0 = uncorrected (0 corrected); bits 7:1 reserved */
  status: Flags;
  reserved: number;
  requestorId: bigint;
  responderId: bigint;
  targetId: bigint;
  cardHandle: number;
  moduleHandle: number;
  trailing?: HexString;
}

interface Memory2Fields {
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
  rank: number;
  bitPosition: number;
  chipId: number;
  memoryErrorType: number;
  status: number;
  reserved: number;
  requestorId: bigint;
  responderId: bigint;
  targetId: bigint;
  cardHandle: number;
  moduleHandle: number;
}

const memory2Parser = new Parser()
  .endianness('little')
  .uint64('validationBits')
  .uint64('errorStatus')
  .uint64('physicalAddress')
  .uint64('physicalAddressMask')
  .uint16('node')
  .uint16('card')
  .uint16('module')
  .uint16('bank')
  .uint32('device')
  .uint32('row')
  .uint32('column')
  .uint32('rank')
  .uint32('bitPosition')
  .uint8('chipId')
  .uint8('memoryErrorType')
  .uint8('status')
  .uint8('reserved')
  .uint64('requestorId')
  .uint64('responderId')
  .uint64('targetId')
  .uint32('cardHandle')
  .uint32('moduleHandle');

const readFields = compileParser<Memory2Fields>(memory2Parser, MEMORY2_LENGTH);
const validationBits = flags64Decoder(MEMORY2_VALIDATION_BITS);
const statusBits = flagsDecoder(MEMORY2_STATUS_BITS);

function decodeMemory2(r: ByteReader): Memory2Section {
  const f = readFields(r, 0);
  const out: Memory2Section = {
    type: 'memory2',
    guid: SECTION_TYPES.memory2.guid,
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
    rank: f.rank,
    bitPosition: f.bitPosition,
    chipId: f.chipId,
    memoryErrorType: enumValue(MEMORY_ERROR_TYPES, f.memoryErrorType),
    status: statusBits(f.status),
    reserved: f.reserved,
    requestorId: f.requestorId,
    responderId: f.responderId,
    targetId: f.targetId,
    cardHandle: f.cardHandle,
    moduleHandle: f.moduleHandle,
  };
  const trailing = readTrailing(r, MEMORY2_LENGTH);
  if (trailing !== undefined) out.trailing = trailing;
  return out;
}

function encodeMemory2(w: ByteWriter, o: number, s: Memory2Section, _opts: CperOptions, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  fieldWriter(w).u64(o, s.validationBits.raw, path, 'validationBits')
    .u64(o + 8, s.errorStatus.raw, path, 'errorStatus')
    .u64(o + 16, s.physicalAddress, path, 'physicalAddress')
    .u64(o + 24, s.physicalAddressMask, path, 'physicalAddressMask')
    .u16(o + 32, s.node, path, 'node')
    .u16(o + 34, s.card, path, 'card')
    .u16(o + 36, s.module, path, 'module')
    .u16(o + 38, s.bank, path, 'bank')
    .u32(o + 40, s.device, path, 'device')
    .u32(o + 44, s.row, path, 'row')
    .u32(o + 48, s.column, path, 'column')
    .u32(o + 52, s.rank, path, 'rank')
    .u32(o + 56, s.bitPosition, path, 'bitPosition')
    .u8(o + 60, s.chipId, path, 'chipId')
    .u8(o + 61, s.memoryErrorType.value, path, 'memoryErrorType')
    .u8(o + 62, s.status.raw, path, 'status')
    .u8(o + 63, s.reserved, path, 'reserved')
    .u64(o + 64, s.requestorId, path, 'requestorId')
    .u64(o + 72, s.responderId, path, 'responderId')
    .u64(o + 80, s.targetId, path, 'targetId')
    .u32(o + 88, s.cardHandle, path, 'cardHandle')
    .u32(o + 92, s.moduleHandle, path, 'moduleHandle');
  if (s.trailing !== undefined) writeHex(w, o + MEMORY2_LENGTH, s.trailing, p('trailing'));
}

const memory2Input = z
  .strictObject({
    type: z.literal('memory2'),
    guid: z.literal(SECTION_TYPES.memory2.guid).optional(),
    validationBits: flags64Field(MEMORY2_VALIDATION_BITS).optional(),
    errorStatus: errorStatusField.optional(),
    physicalAddress: u64.optional(),
    physicalAddressMask: u64.optional(),
    node: uint(16).optional(),
    card: uint(16).optional(),
    module: uint(16).optional(),
    bank: uint(16).optional(),
    /** input only: bank group (bank bits 15:8, validation bit 20) */
    bankGroup: uint(8).optional(),
    /** input only: bank address (bank bits 7:0, validation bit 21) */
    bankAddress: uint(8).optional(),
    device: uint(32).optional(),
    row: uint(32).optional(),
    column: uint(32).optional(),
    rank: uint(32).optional(),
    bitPosition: uint(32).optional(),
    chipId: uint(8).optional(),
    memoryErrorType: enumField(MEMORY_ERROR_TYPES, 8).optional(),
    status: flagsField(MEMORY2_STATUS_BITS, 8).optional(),
    reserved: uint(8).optional(),
    requestorId: u64.optional(),
    responderId: u64.optional(),
    targetId: u64.optional(),
    cardHandle: uint(32).optional(),
    moduleHandle: uint(32).optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): Memory2Section => {
    const bank = bankFromInput(v, ctx);
    if (bank === undefined) return z.NEVER;
    const out: Memory2Section = {
      type: 'memory2',
      guid: SECTION_TYPES.memory2.guid,
      validationBits: validationBitsFrom(MEMORY2_VALIDATION_BITS, v.validationBits, presentFields(MEMORY2_VALIDATION_BITS, v)),
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
      rank: v.rank ?? 0,
      bitPosition: v.bitPosition ?? 0,
      chipId: v.chipId ?? 0,
      memoryErrorType: v.memoryErrorType ?? enumValue(MEMORY_ERROR_TYPES, 0),
      status: v.status ?? statusBits(0),
      reserved: v.reserved ?? 0,
      requestorId: v.requestorId ?? 0n,
      responderId: v.responderId ?? 0n,
      targetId: v.targetId ?? 0n,
      cardHandle: v.cardHandle ?? 0,
      moduleHandle: v.moduleHandle ?? 0,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) out.trailing = v.trailing;
    return out;
  });

export const memory2Codec: SectionCodec<Memory2Section> = {
  name: 'memory2',
  guid: SECTION_TYPES.memory2.guid,
  title: SECTION_TYPES.memory2.title,
  minLength: MEMORY2_LENGTH,
  decode: (r) => decodeMemory2(r),
  byteLength: (s) => MEMORY2_LENGTH + (s.trailing === undefined ? 0 : s.trailing.length >>> 1),
  encode: encodeMemory2,
  input: memory2Input,
};
