import { NULL_GUID } from '../../binary/guid';
import { viewOf } from '../compiled-parser';
import { SECTION_TYPES } from '../guids';
import { EnumTable, enumValue } from '../json/fields';
import { enumOf, guid, hex, u64, u8, view } from '../layout/fields';
import { layout } from '../layout/layout';
import { extendCodec, tableSection, TableSectionCodec } from '../layout/section';
import { HexString, hexByteLength, readTrailing, writeHexField } from './section-body-fields';

/**
 * Firmware error record reference section (UEFI N.2.10), tables below.
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

const REVISION_0_ROWS = [
  view('recordType', 0, 1, enumOf(FIRMWARE_RECORD_TYPES), { doc: 'firmware error record type (default 2 for revision ≥ 1, 0 for revision 0)', libcper: 'errorRecordType' }),
  u8('revision', 1, { doc: 'revision of this section (default 2)', libcper: 'revision', zero: () => 2 }),
  hex('reserved', 2, 6, { doc: 'bytes 2..7 (reserved)' }),
  u64('recordIdentifier', 8, { doc: 'record identifier (revision 0 only; later revisions write 0)', libcper: 'recordID' }),
] as const;

/** Revision 0: 16 bytes, no GUID. */
export const FIRMWARE_REFERENCE_REV0_LAYOUT = layout('firmware reference revision 0', FIRMWARE_REFERENCE_MIN_LENGTH, REVISION_0_ROWS);

/** Revision 1 and later: 32 bytes. */
export const FIRMWARE_REFERENCE_LAYOUT = layout('firmware reference', FIRMWARE_REFERENCE_LENGTH, [
  ...REVISION_0_ROWS,
  guid('recordIdentifierGuid', 16, { doc: 'GUID of the referenced record (revision ≥ 1; names the record for type 2; null GUID when not given)', libcper: 'recordIDGUID' }),
]);

export type FirmwareReferenceSection = {
  type: 'firmwareErrorRecordReference';
  guid: string;
  recordType: ReturnType<typeof enumValue>;
  revision: number;
  reserved: HexString;
  recordIdentifier: bigint;
  /** present exactly when revision ≥ 1 */
  recordIdentifierGuid?: string;
  trailing?: HexString;
};

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

const decodeRev0 = FIRMWARE_REFERENCE_REV0_LAYOUT.decoderWith({ type: INFO.name, guid: INFO.guid });
const decodeRev1 = FIRMWARE_REFERENCE_LAYOUT.decoderWith({ type: INFO.name, guid: INFO.guid });

function layoutOf(revision: number) {
  return revision === 0 ? FIRMWARE_REFERENCE_REV0_LAYOUT : FIRMWARE_REFERENCE_LAYOUT;
}

/**
 * JSON form: `revision` defaults to 2 (the current one); `recordIdentifierGuid` defaults to the
 * null GUID for revision ≥ 1 and is refused for revision 0, whose body has no room for it.
 */
export const firmwareReferenceCodec: TableSectionCodec<FirmwareReferenceSection> = extendCodec(
  tableSection({
    info: INFO,
    head: FIRMWARE_REFERENCE_LAYOUT,
    doc: 'UEFI N.2.10, 16 bytes (revision 0) or 32',
    resolve: (v, out, ctx) => {
      if (out.revision === 0) {
        if (v.recordIdentifierGuid !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['recordIdentifierGuid'], message: 'a revision 0 reference has no GUID (its body is 16 bytes)' });
          return false;
        }
        delete (out as FirmwareReferenceSection).recordIdentifierGuid;
      }
      if (v.recordType === undefined) out.recordType = enumValue(FIRMWARE_RECORD_TYPES, out.revision === 0 ? 0 : 2);
      return true;
    },
    example: { type: 'firmwareErrorRecordReference', revision: 2, recordType: 'socType2', recordIdentifierGuid: '8f87f311-c998-4d9e-a0c4-6065518c4f6d' },
  }), {
  minLength: FIRMWARE_REFERENCE_MIN_LENGTH,
  decode: (r) => {
    const revision = r.u8(1, 'revision');
    const need = firmwareReferenceLayoutLength(revision);
    if (r.length < need) {
      throw r.error('bad_length', Math.min(r.length, 1), 'revision', `revision ${revision} defines ${need} bytes of fields but the body has ${r.length}`);
    }
    const s = (revision === 0 ? decodeRev0 : decodeRev1)(r.bytes, viewOf(r), r.abs(0)) as FirmwareReferenceSection;
    const trailing = readTrailing(r, need);
    if (trailing !== undefined) s.trailing = trailing;
    return s;
  },
  byteLength: (s) => firmwareReferenceLayoutLength(s.revision) + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, o, s, _opts, path) => {
    const l = layoutOf(s.revision);
    l.encodeAt(w, o, s.revision === 0 ? s : { ...s, recordIdentifierGuid: s.recordIdentifierGuid ?? NULL_GUID }, path);
    if (s.trailing !== undefined) writeHexField(w, o + l.size, s.trailing, path, 'trailing');
  },
  spans: (s, base, path) => layoutOf(s.revision).spans(base, path),
});
