import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { NULL_GUID } from '../../binary/guid';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, guid as guidField, u64, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import { HexString, hexByteLength, hexField, identityShape, readHex, readTrailing, writeHex, zeroHex } from './section-body-fields';

/**
 * Firmware error record reference section (UEFI N.2.10):
 *   0 record type u8 · 1 revision u8 · 2 reserved 6 bytes · 8 record identifier u64 ·
 *   16 record identifier GUID (revision ≥ 1).
 * Revision 0 bodies are 16 bytes (no GUID); revision 1 and later are 32. The identifier u64 is
 * meaningful for revision 0 only (later revisions must write 0); the GUID names the record for
 * record type 2.
 *
 * Linux (`cper_print_fw_err`) accepts any body of at least 16 bytes and hex-dumps what follows
 * the fields its revision defines, starting at 16 (revision 0), 8 (revision 1: neither the u64 nor
 * the GUID is printed) or 32 (revision ≥ 2) — see `linuxFirmwareRecordDataOffset`. It subtracts
 * that offset from the section length without checking, so a revision ≥ 2 body shorter than 32
 * bytes makes it dump past the section. This decoder instead rejects a body shorter than its
 * revision's layout with a typed `bad_length` error.
 */

const INFO = SECTION_TYPES.firmwareErrorRecordReference;
export const FIRMWARE_REFERENCE_MIN_LENGTH = 16;
export const FIRMWARE_REFERENCE_LENGTH = 32;

export const FIRMWARE_RECORD_TYPES: EnumTable = { 0: 'ipfSal', 1: 'socType1', 2: 'socType2' };

/** Linux's wording (`fw_err_rec_type_strs`); other values print "unknown". */
export const FIRMWARE_RECORD_TYPE_TEXT: Readonly<Record<number, string>> = {
  0: 'IPF SAL Error Record',
  1: 'SOC Firmware Error Record Type1 (Legacy CrashLog Support)',
  2: 'SOC Firmware Error Record Type2',
};

export interface FirmwareReferenceSection {
  type: 'firmwareErrorRecordReference';
  guid: string;
  recordType: EnumValue;
  revision: number;
  /** bytes 2..7 */
  reserved: HexString;
  recordIdentifier: bigint;
  /** present exactly when revision ≥ 1 */
  recordIdentifierGuid?: string;
  trailing?: HexString;
}

/** Size of the fields a revision defines: 16 for revision 0, 32 after. */
export function firmwareReferenceLayoutLength(revision: number): number {
  return revision === 0 ? FIRMWARE_REFERENCE_MIN_LENGTH : FIRMWARE_REFERENCE_LENGTH;
}

/** Where Linux starts its hex dump of extra data: 16 (revision 0), 8 (revision 1), 32 (later). */
export function linuxFirmwareRecordDataOffset(revision: number): number {
  if (revision === 0) return 16;
  if (revision === 1) return 8;
  return 32;
}

function decode(r: ByteReader): FirmwareReferenceSection {
  const revision = r.u8(1, 'revision');
  const need = firmwareReferenceLayoutLength(revision);
  if (r.length < need) {
    throw r.error(
      'bad_length',
      Math.min(r.length, 1),
      'revision',
      `revision ${revision} defines ${need} bytes of fields but the body has ${r.length}`,
    );
  }
  const s: FirmwareReferenceSection = {
    type: 'firmwareErrorRecordReference',
    guid: INFO.guid,
    recordType: enumValue(FIRMWARE_RECORD_TYPES, r.u8(0, 'recordType')),
    revision,
    reserved: readHex(r, 2, 6, 'reserved'),
    recordIdentifier: r.u64(8, 'recordIdentifier'),
  };
  if (revision !== 0) s.recordIdentifierGuid = r.guid(16, 'recordIdentifierGuid');
  const trailing = readTrailing(r, need);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: FirmwareReferenceSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u8(o, s.recordType.value, p('recordType'));
  w.u8(o + 1, s.revision, p('revision'));
  writeHex(w, o + 2, s.reserved, p('reserved'), 6);
  w.u64(o + 8, s.recordIdentifier, p('recordIdentifier'));
  if (s.revision !== 0) w.guid(o + 16, s.recordIdentifierGuid ?? NULL_GUID, p('recordIdentifierGuid'));
  if (s.trailing !== undefined) writeHex(w, o + firmwareReferenceLayoutLength(s.revision), s.trailing, p('trailing'));
}

/**
 * JSON form: `revision` defaults to 2 (the current one); `recordIdentifierGuid` defaults to the
 * null GUID for revision ≥ 1 and is refused for revision 0, whose body has no room for it.
 */
export const firmwareReferenceInput: z.ZodType<FirmwareReferenceSection> = z
  .strictObject({
    ...identityShape('firmwareErrorRecordReference', [INFO.guid]),
    recordType: enumField(FIRMWARE_RECORD_TYPES).optional(),
    revision: uint(8).optional(),
    reserved: hexField(6).optional(),
    recordIdentifier: u64.optional(),
    recordIdentifierGuid: guidField.optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): FirmwareReferenceSection => {
    const revision = v.revision ?? 2;
    if (revision === 0 && v.recordIdentifierGuid !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordIdentifierGuid'], message: 'a revision 0 reference has no GUID (its body is 16 bytes)' });
      return z.NEVER;
    }
    const s: FirmwareReferenceSection = {
      type: 'firmwareErrorRecordReference',
      guid: INFO.guid,
      recordType: v.recordType ?? enumValue(FIRMWARE_RECORD_TYPES, revision === 0 ? 0 : 2),
      revision,
      reserved: v.reserved ?? zeroHex(6),
      recordIdentifier: v.recordIdentifier ?? 0n,
    };
    if (revision !== 0) s.recordIdentifierGuid = v.recordIdentifierGuid ?? NULL_GUID;
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const firmwareReferenceCodec: SectionCodec<FirmwareReferenceSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: FIRMWARE_REFERENCE_MIN_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => firmwareReferenceLayoutLength(s.revision) + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: firmwareReferenceInput,
};
