import { z } from 'zod';
import type { ByteReader } from '../binary/ByteReader';
import type { ByteWriter } from '../binary/ByteWriter';
import { u16, u32, u8 } from './layout/fields';
import { layout, LayoutModel } from './layout/layout';
import { fieldWriter } from './wire-write';
import { NULL_GUID } from '../binary/guid';
import { EnumValue, enumField, Flags, flagsDecoder, flagsField, FlagTable, guid as guidField, uint } from './json/fields';
import { SECTION_FLAGS } from './section-flags';
import { SectionModel, sectionInput } from './sections';
import { fixedTextField, FixedText, readFixedText, writeFixedText } from './sections/section-body-fields';
import { SEVERITY, severity as severityValue } from './severity';
import { lazy } from './json/lazy';

/**
 * CPER section descriptor (UEFI N.2.2), 72 bytes:
 *   0 SectionOffset u32 (from the start of the record) · 4 SectionLength u32 · 8 Revision u16
 *   (0x0100) · 10 ValidationBits u8 (0 FRU id, 1 FRU text) · 11 Reserved u8 · 12 Flags u32
 *   (section flags) · 16 SectionType GUID · 32 FRUId GUID · 48 SectionSeverity u32 · 52 FRUText 20.
 * The model pairs each descriptor with its decoded body (`section`, whose GUID is SectionType).
 */

export const SECTION_DESCRIPTOR_LENGTH = 72;
export const SECTION_DESCRIPTOR_REVISION = 0x0100;

export const DESCRIPTOR_VALIDATION_BITS: FlagTable = { 0: 'fruId', 1: 'fruText' };

export interface CperSectionEntry {
  sectionOffset: number;
  sectionLength: number;
  revision: number;
  validationBits: Flags;
  reserved: number;
  flags: Flags;
  fruId: string;
  sectionSeverity: EnumValue;
  fruText: FixedText;
  section: SectionModel;
}

/** The numeric fields of a section descriptor's first 16 bytes. */
const DESCRIPTOR_FIELDS = layout('section descriptor', 16, [
  u32('sectionOffset', 0), u32('sectionLength', 4), u16('revision', 8), u8('validationBits', 10), u8('reserved', 11), u32('flags', 12),
], { truncated: 'at-start' });

export type DescriptorFields = LayoutModel<typeof DESCRIPTOR_FIELDS>;

const validationBits = flagsDecoder(DESCRIPTOR_VALIDATION_BITS);
const sectionFlags = flagsDecoder(SECTION_FLAGS);

/** Reads the numeric fields of the descriptor at `offset` (used to check them before the body is read). */
export function readDescriptorFields(r: ByteReader, offset: number, index: number): DescriptorFields {
  return DESCRIPTOR_FIELDS.read(r, offset, undefined, `sections[${index}]`);
}

/** Decodes the descriptor at `offset`, pairing it with an already decoded body. */
export function decodeSectionDescriptor(r: ByteReader, offset: number, index: number, f: DescriptorFields, section: SectionModel): CperSectionEntry {
  const name = `sections[${index}]`;
  r.need(offset, SECTION_DESCRIPTOR_LENGTH, name);
  return {
    sectionOffset: f.sectionOffset,
    sectionLength: f.sectionLength,
    revision: f.revision,
    validationBits: validationBits(f.validationBits),
    reserved: f.reserved,
    flags: sectionFlags(f.flags),
    fruId: r.guid(offset + 32, `${name}.fruId`),
    sectionSeverity: severityValue(r.u32(offset + 48, `${name}.sectionSeverity`)),
    fruText: readFixedText(r, offset + 52, 20, `${name}.fruText`),
    section,
  };
}

export function encodeSectionDescriptor(w: ByteWriter, o: number, d: CperSectionEntry, path: string): void {
  fieldWriter(w).u32(o, d.sectionOffset, path, 'sectionOffset')
    .u32(o + 4, d.sectionLength, path, 'sectionLength')
    .u16(o + 8, d.revision, path, 'revision')
    .u8(o + 10, d.validationBits.raw, path, 'validationBits')
    .u8(o + 11, d.reserved, path, 'reserved')
    .u32(o + 12, d.flags.raw, path, 'flags')
    .guid(o + 16, d.section.guid, path, 'section.guid')
    .guid(o + 32, d.fruId, path, 'fruId')
    .u32(o + 48, d.sectionSeverity.value, path, 'sectionSeverity');
  writeFixedText(w, o + 52, d.fruText, 20, `${path}.fruText`);
}

export const sectionEntryInput = lazy(() => z.strictObject({
  sectionOffset: uint(32).optional(),
  sectionLength: uint(32).optional(),
  revision: uint(16).optional(),
  validationBits: flagsField(DESCRIPTOR_VALIDATION_BITS, 8).optional(),
  reserved: uint(8).optional(),
  flags: flagsField(SECTION_FLAGS, 32).optional(),
  fruId: guidField().optional(),
  sectionSeverity: enumField(SEVERITY, 32).optional(),
  fruText: fixedTextField(20).optional(),
  section: sectionInput(),
}));

export type SectionEntryInput = z.output<ReturnType<typeof sectionEntryInput>>;

/** Fills a descriptor's optional fields; offset and length are placed by the record schema. */
export function completeSectionEntry(v: SectionEntryInput, recordSeverity: EnumValue, offset: number, length: number): CperSectionEntry {
  return {
    sectionOffset: offset,
    sectionLength: length,
    revision: v.revision ?? SECTION_DESCRIPTOR_REVISION,
    validationBits: v.validationBits ?? validationBits((v.fruId !== undefined ? 1 : 0) | (v.fruText !== undefined ? 2 : 0)),
    reserved: v.reserved ?? 0,
    flags: v.flags ?? sectionFlags(0),
    fruId: v.fruId ?? NULL_GUID,
    sectionSeverity: v.sectionSeverity ?? recordSeverity,
    fruText: v.fruText ?? { text: '' },
    section: v.section,
  };
}
