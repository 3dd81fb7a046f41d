import { z } from 'zod';
import type { ByteReader } from '../binary/ByteReader';
import type { ByteWriter } from '../binary/ByteWriter';
import { EncodeError } from '../binary/errors';
import { u16, u32, u8 } from './layout/fields';
import { layout } from './layout/layout';
import { NULL_GUID } from '../binary/guid';
import { EnumValue, enumField, Flags, flagsDecoder, flagsField, FlagTable, guid as guidField, uint } from './json/fields';
import { SECTION_FLAGS } from './section-flags';
import { decodeSectionOfType, encodeSection, SectionModel, sectionByteLength, sectionByteLengthIn, sectionInput } from './sections';
import { fixedTextField, FixedText, writeFixedText } from './sections/section-body-fields';
import { fixedTextAt, guidAt } from './wire-fields';
import { fieldWriter } from './wire-write';
import type { CperOptions } from './sections/SectionCodec';
import { SEVERITY, severity as severityValue } from './severity';
import { CperTimestamp, decodeTimestamp, timestampInput, ZERO_TIMESTAMP } from './timestamp';
import { lazy } from './json/lazy';

/**
 * Generic Error Data Entry (ACPI 18.3.2.7.1): the header that precedes each section body in a
 * Generic Error Status Block.
 *   0 SectionType GUID · 16 ErrorSeverity u32 · 20 Revision u16 · 22 ValidationBits u8 (0 FRU id,
 *   1 FRU text, 2 timestamp) · 23 Flags u8 (section flags) · 24 ErrorDataLength u32 (body only) ·
 *   28 FRUId GUID · 44 FRUText 20 bytes · 64 Timestamp 8 bytes (revision 0x0300 and up only).
 * The header is 72 bytes when the revision's major byte (Revision >> 8) is 3 or more, else 64,
 * which is how Linux sizes it.
 */

export const DATA_ENTRY_HEADER_V2 = 64;
export const DATA_ENTRY_HEADER_V3 = 72;
export const DATA_ENTRY_REVISION = 0x0300;

export const DATA_ENTRY_VALIDATION_BITS: FlagTable = { 0: 'fruId', 1: 'fruText', 2: 'timestamp' };

export interface GenericErrorDataEntry {
  errorSeverity: EnumValue;
  /** 0x0300 for ACPI 6.1+ (72-byte header with timestamp); 0x0201 and below have no timestamp */
  revision: number;
  validationBits: Flags;
  flags: Flags;
  /** ErrorDataLength: bytes of the section body */
  errorDataLength: number;
  fruId: string;
  fruText: FixedText;
  /** present exactly when the header is the 72-byte form */
  timestamp?: CperTimestamp;
  section: SectionModel;
}

/** Header size for a revision: 72 when the major byte is ≥ 3, else 64. */
export function dataEntryHeaderLength(revision: number): number {
  return revision >>> 8 >= 3 ? DATA_ENTRY_HEADER_V3 : DATA_ENTRY_HEADER_V2;
}

/** The numeric fields at entry offset 16 (the section type GUID is before them, the FRU fields after). */
const ENTRY_FIELDS = layout('data entry', 12, [u32('errorSeverity', 0), u16('revision', 4), u8('validationBits', 6), u8('flags', 7), u32('errorDataLength', 8)], {
  truncated: 'at-start',
});
const validationBits = flagsDecoder(DATA_ENTRY_VALIDATION_BITS);
const sectionFlags = flagsDecoder(SECTION_FLAGS);

/**
 * Decodes the entry at window offset `offset` of `r` (the status block's data area). The caller
 * has checked that the header and its body fit (see status-block.ts).
 */
export function decodeDataEntry(r: ByteReader, offset: number, index: number, opts: CperOptions): GenericErrorDataEntry {
  const f = ENTRY_FIELDS.read(r, offset + 16, undefined, index);
  const header = dataEntryHeaderLength(f.revision);
  r.need(offset, header, index);
  const b = r.bytes;
  const at = r.abs(offset);
  const entry = {
    errorSeverity: severityValue(f.errorSeverity),
    revision: f.revision,
    validationBits: validationBits(f.validationBits),
    flags: sectionFlags(f.flags),
    errorDataLength: f.errorDataLength,
    fruId: guidAt(b, at + 28),
    fruText: fixedTextAt(b, at + 44, 20),
  } as GenericErrorDataEntry;
  if (header === DATA_ENTRY_HEADER_V3) entry.timestamp = decodeTimestamp(b, at + 64);
  entry.section = decodeSectionOfType(r.sub(offset + header, f.errorDataLength, `[${index}].section`), b, at, opts);
  return entry;
}

/** Encoded size of an entry; checks that its errorDataLength is the size of its section. */
export function dataEntryByteLength(e: GenericErrorDataEntry, opts: CperOptions, path = 'entry'): number {
  const body = sectionByteLengthIn(e.section, opts, path);
  if (e.errorDataLength !== body) {
    throw new EncodeError({ code: 'bad_length', path: `${path}.errorDataLength`, message: `errorDataLength ${e.errorDataLength} but the section encodes to ${body} bytes` });
  }
  return dataEntryHeaderLength(e.revision) + body;
}

/**
 * Writes the entry at `o` (measured and checked with dataEntryByteLength first); returns its
 * length. `sectionPath` is `${path}.section`, which a caller encoding many entries can pass ready made.
 */
export function encodeDataEntry(w: ByteWriter, o: number, e: GenericErrorDataEntry, opts: CperOptions, path: string, sectionPath = `${path}.section`): number {
  const header = dataEntryHeaderLength(e.revision);
  const body = e.errorDataLength;
  const fw = fieldWriter(w);
  fw.guid(o, e.section.guid, path, 'section.guid')
    .u32(o + 16, e.errorSeverity.value, path, 'errorSeverity')
    .u16(o + 20, e.revision, path, 'revision')
    .u8(o + 22, e.validationBits.raw, path, 'validationBits')
    .u8(o + 23, e.flags.raw, path, 'flags')
    .u32(o + 24, body, path, 'errorDataLength')
    .guid(o + 28, e.fruId, path, 'fruId');
  if (e.fruText.raw === undefined && e.fruText.text === '') fw.fill(o + 44, 20, 0, path, 'fruText');
  else writeFixedText(w, o + 44, e.fruText, 20, `${path}.fruText`);
  if (header === DATA_ENTRY_HEADER_V3) fw.u64(o + 64, (e.timestamp ?? ZERO_TIMESTAMP).raw, path, 'timestamp');
  encodeSection(w, o + header, e.section, opts, sectionPath);
  return header + body;
}

export const dataEntryInput = lazy(() => z.strictObject({
  errorSeverity: enumField(SEVERITY, 32).optional(),
  revision: uint(16).optional(),
  validationBits: flagsField(DATA_ENTRY_VALIDATION_BITS, 8).optional(),
  flags: flagsField(SECTION_FLAGS, 8).optional(),
  errorDataLength: uint(32).optional(),
  fruId: guidField().optional(),
  fruText: fixedTextField(20).optional(),
  timestamp: timestampInput().optional(),
  section: sectionInput(),
}));

export type DataEntryInput = z.output<ReturnType<typeof dataEntryInput>>;

/**
 * Completes an entry input: severity defaults to the block's, revision to 0x0300, validation bits
 * to the optional fields given; errorDataLength is the body size (checked when given). Returns a
 * message and path below the entry on a contradiction.
 */
export function completeDataEntry(
  v: DataEntryInput,
  blockSeverity: EnumValue,
  opts: CperOptions,
): GenericErrorDataEntry | { path: (string | number)[]; message: string } {
  const revision = v.revision ?? DATA_ENTRY_REVISION;
  const v3 = dataEntryHeaderLength(revision) === DATA_ENTRY_HEADER_V3;
  if (!v3 && v.timestamp !== undefined) {
    return { path: ['timestamp'], message: `revision 0x${revision.toString(16)} has the 64-byte header, which has no timestamp` };
  }
  const body = sectionByteLength(v.section, opts);
  if (v.errorDataLength !== undefined && v.errorDataLength !== body) {
    return { path: ['errorDataLength'], message: `errorDataLength ${v.errorDataLength} but the section encodes to ${body} bytes` };
  }
  const entry = {
    errorSeverity: v.errorSeverity ?? blockSeverity,
    revision,
    validationBits:
      v.validationBits ??
      validationBits((v.fruId !== undefined ? 1 : 0) | (v.fruText !== undefined ? 2 : 0) | (v.timestamp !== undefined ? 4 : 0)),
    flags: v.flags ?? sectionFlags(0),
    errorDataLength: body,
    fruId: v.fruId ?? NULL_GUID,
    fruText: v.fruText ?? { text: '' },
  } as GenericErrorDataEntry;
  if (v3) entry.timestamp = v.timestamp ?? ZERO_TIMESTAMP;
  entry.section = v.section;
  return entry;
}
