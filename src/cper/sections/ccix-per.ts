import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { Flags64, flags64Field, flags64Value, FlagTable, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import {
  checkLength,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readHex,
  readTrailing,
  validationBitsFrom,
  writeHex,
} from './section-body-fields';

/**
 * CCIX protocol error record (PER) log section (UEFI N.2.12), 16 + log bytes:
 *   0 length u32 (the whole structure, this header included) · 4 validation bits u64 ·
 *   12 source ID u8 (the CCIX agent that logged the error) · 13 port ID u8 (bits 7:5 reserved) ·
 *   14 reserved u16 · 16 the CCIX PER log, in dwords (its own header holds its dword count).
 * The length field is checked against the body before the log is read; bytes after `length`
 * are kept as `trailing`. The model has no length field: it is 16 + the log's size.
 */

const INFO = SECTION_TYPES.ccixPer;
export const CCIX_PER_HEADER_LENGTH = 16;

export const CCIX_PER_VALIDATION_BITS: FlagTable = { 0: 'sourceId', 1: 'portId', 2: 'perLog' };

export interface CcixPerSection {
  type: 'ccixPer';
  guid: string;
  validationBits: Flags64;
  sourceId: number;
  portId: number;
  reserved: number;
  perLog: HexString;
  trailing?: HexString;
}

function decode(r: ByteReader): CcixPerSection {
  const length = r.u32(0, 'length');
  if (length < CCIX_PER_HEADER_LENGTH) {
    throw r.error('bad_length', 0, 'length', `length ${length} is smaller than the ${CCIX_PER_HEADER_LENGTH}-byte header`);
  }
  checkLength(r, 0, 'length', 0, length);
  const s: CcixPerSection = {
    type: 'ccixPer',
    guid: INFO.guid,
    validationBits: flags64Value(CCIX_PER_VALIDATION_BITS, r.u64(4, 'validationBits')),
    sourceId: r.u8(12, 'sourceId'),
    portId: r.u8(13, 'portId'),
    reserved: r.u16(14, 'reserved'),
    perLog: readHex(r, CCIX_PER_HEADER_LENGTH, length - CCIX_PER_HEADER_LENGTH, 'perLog'),
  };
  const trailing = readTrailing(r, length);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: CcixPerSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  const logLength = hexByteLength(s.perLog);
  w.u32(o, CCIX_PER_HEADER_LENGTH + logLength, p('length'));
  w.u64(o + 4, s.validationBits.raw, p('validationBits'));
  w.u8(o + 12, s.sourceId, p('sourceId'));
  w.u8(o + 13, s.portId, p('portId'));
  w.u16(o + 14, s.reserved, p('reserved'));
  writeHex(w, o + CCIX_PER_HEADER_LENGTH, s.perLog, p('perLog'));
  if (s.trailing !== undefined) writeHex(w, o + CCIX_PER_HEADER_LENGTH + logLength, s.trailing, p('trailing'));
}

/**
 * JSON form: every field optional; `perLog` is hex (the CCIX log is made of dwords, but its
 * size is not forced here so that any decoded body re-encodes). Without `validationBits` the bits
 * of the fields present are set.
 */
export const ccixPerInput: z.ZodType<CcixPerSection> = z
  .strictObject({
    ...identityShape('ccixPer', [INFO.guid]),
    validationBits: flags64Field(CCIX_PER_VALIDATION_BITS).optional(),
    sourceId: uint(8).optional(),
    portId: uint(8).optional(),
    reserved: uint(16).optional(),
    perLog: hexField().optional(),
    trailing: hexField().optional(),
  })
  .transform((v): CcixPerSection => {
    const s: CcixPerSection = {
      type: 'ccixPer',
      guid: INFO.guid,
      validationBits: validationBitsFrom(CCIX_PER_VALIDATION_BITS, v.validationBits, {
        sourceId: v.sourceId !== undefined,
        portId: v.portId !== undefined,
        perLog: v.perLog !== undefined,
      }),
      sourceId: v.sourceId ?? 0,
      portId: v.portId ?? 0,
      reserved: v.reserved ?? 0,
      perLog: v.perLog ?? '',
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const ccixPerCodec: SectionCodec<CcixPerSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: CCIX_PER_HEADER_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => CCIX_PER_HEADER_LENGTH + hexByteLength(s.perLog) + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: ccixPerInput,
};
