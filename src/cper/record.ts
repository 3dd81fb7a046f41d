import { z } from 'zod';
import { ByteReader } from '../binary/ByteReader';
import { ByteWriter } from '../binary/ByteWriter';
import { EncodeError } from '../binary/errors';
import { u16, u32 } from './layout/fields';
import { layout } from './layout/layout';
import { NULL_GUID } from '../binary/guid';
import { toHex } from '../binary/hexdump';
import { notificationTypeByGuid, notificationTypeByName } from './guids';
import {
  EnumValue,
  enumField,
  Flags,
  flagsDecoder,
  flagsField,
  FlagTable,
  guid as guidField,
  NamedGuid,
  namedGuid,
  u64,
  uint,
} from './json/fields';
import {
  completeSectionEntry,
  CperSectionEntry,
  decodeSectionDescriptor,
  encodeSectionDescriptor,
  readDescriptorFields,
  SECTION_DESCRIPTOR_LENGTH,
  sectionEntryInput,
} from './section-descriptor';
import { decodeSection, encodeSection, sectionByteLength } from './sections';
import { HexString, hexField, writeHex } from './sections/section-body-fields';
import { CperOptions, DEFAULT_CPER_OPTIONS } from './sections/SectionCodec';
import { SEVERITY, severity as severityValue, severityOf } from './severity';
import { CperTimestamp, decodeTimestamp, timestampInput, ZERO_TIMESTAMP } from './timestamp';
import { lazy } from './json/lazy';

/**
 * Common Platform Error Record (UEFI N.2.1): a 128-byte header
 *   0 "CPER" · 4 Revision u16 (BCD minor, major) · 6 0xFFFFFFFF · 10 SectionCount u16 ·
 *   12 ErrorSeverity u32 · 16 ValidationBits u32 (0 platform id, 1 timestamp, 2 partition id) ·
 *   20 RecordLength u32 · 24 Timestamp · 32 PlatformID · 48 PartitionID · 64 CreatorID ·
 *   80 NotificationType (GUIDs) · 96 RecordID u64 · 104 Flags u32 (0 recovered, 1 previous
 *   error, 2 simulated) · 108 PersistenceInfo u64 · 116 Reserved 12,
 * then SectionCount 72-byte descriptors from 128, and the bodies anywhere after them, each at its
 * descriptor's SectionOffset. Bodies may come in any order, overlap, or leave gaps; the bytes of
 * the record that no body covers are kept (`unusedAreas`, non-zero runs only), as are the bytes
 * after RecordLength (`trailing`).
 */

export const CPER_HEADER_LENGTH = 128;
export const CPER_SIGNATURE = 0x52455043; // "CPER" read as a little-endian u32
export const CPER_SIGNATURE_END = 0xffffffff;
export const CPER_REVISION = 0x0101;

export const RECORD_VALIDATION_BITS: FlagTable = { 0: 'platformId', 1: 'timestamp', 2: 'partitionId' };
export const RECORD_FLAGS: FlagTable = { 0: 'recovered', 1: 'previousError', 2: 'simulated' };

/** A run of record bytes that no section body covers. */
export interface UnusedArea {
  offset: number;
  data: HexString;
}

export interface CperRecord {
  revision: number;
  /** always sections.length */
  sectionCount: number;
  errorSeverity: EnumValue;
  validationBits: Flags;
  recordLength: number;
  timestamp: CperTimestamp;
  platformId: string;
  partitionId: string;
  creatorId: string;
  notificationType: NamedGuid;
  recordId: bigint;
  flags: Flags;
  persistenceInfo: bigint;
  /** the 12 reserved bytes at 116 */
  reserved: HexString;
  sections: CperSectionEntry[];
  unusedAreas?: UnusedArea[];
  trailing?: HexString;
}

/** The numeric fields of the record header's first 24 bytes. */
const HEADER_FIELDS = layout('CPER record header', 24, [
  u32('signatureStart', 0), u16('revision', 4), u32('signatureEnd', 6), u16('sectionCount', 10), u32('errorSeverity', 12), u32('validationBits', 16), u32('recordLength', 20),
], { truncated: 'at-start' });
const validationBits = flagsDecoder(RECORD_VALIDATION_BITS);
const recordFlags = flagsDecoder(RECORD_FLAGS);

function namedNotification(g: string): NamedGuid {
  return { guid: g, name: notificationTypeByGuid(g)?.name ?? 'unknown' };
}

/** Non-zero runs of `[from, to)` not covered by any of `covered` (sorted by start). */
function unusedAreas(bytes: Uint8Array, base: number, from: number, to: number, covered: Array<[number, number]>): UnusedArea[] {
  const out: UnusedArea[] = [];
  let cursor = from;
  const emit = (a: number, b: number) => {
    let s = a;
    while (s < b) {
      while (s < b && bytes[base + s] === 0) s++;
      if (s >= b) return;
      let e = s;
      while (e < b && bytes[base + e] !== 0) e++;
      out.push({ offset: s, data: toHex(bytes.subarray(base + s, base + e)) });
      s = e;
    }
  };
  for (const [a, b] of covered) {
    if (a > cursor) emit(cursor, Math.min(a, to));
    cursor = Math.max(cursor, b);
  }
  if (cursor < to) emit(cursor, to);
  return out;
}

export function decodeCperRecordFrom(r: ByteReader, opts: CperOptions = DEFAULT_CPER_OPTIONS): CperRecord {
  const h = HEADER_FIELDS.read(r, 0, undefined, '');
  if (h.signatureStart !== CPER_SIGNATURE) throw r.error('bad_signature', 0, 'signatureStart', 'record does not start with "CPER"');
  if (h.signatureEnd !== CPER_SIGNATURE_END) {
    throw r.error('bad_signature', 6, 'signatureEnd', `signature end is 0x${h.signatureEnd.toString(16)}, must be 0xffffffff`);
  }
  r.need(0, CPER_HEADER_LENGTH, '');
  const n = h.sectionCount;
  const descriptorsEnd = CPER_HEADER_LENGTH + n * SECTION_DESCRIPTOR_LENGTH;
  if (h.recordLength < CPER_HEADER_LENGTH) {
    throw r.error('bad_length', 20, 'recordLength', `record length ${h.recordLength} is shorter than the 128-byte header`);
  }
  if (descriptorsEnd > h.recordLength) {
    throw r.error('bad_count', 10, 'sectionCount', `${n} section descriptor(s) need ${descriptorsEnd} bytes, the record length is ${h.recordLength}`);
  }
  if (h.recordLength > r.length) {
    throw r.error('bad_length', 20, 'recordLength', `record length ${h.recordLength} runs past the ${r.length} bytes present`);
  }
  const record = r.sub(0, h.recordLength, '');
  const sections: CperSectionEntry[] = new Array(n);
  const covered: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const at = CPER_HEADER_LENGTH + i * SECTION_DESCRIPTOR_LENGTH;
    const f = readDescriptorFields(record, at, i);
    if (f.sectionOffset < descriptorsEnd) {
      throw record.error('bad_offset', at, `sections[${i}].sectionOffset`, `section offset ${f.sectionOffset} lies inside the header or the descriptors (they end at ${descriptorsEnd})`);
    }
    if (f.sectionOffset + f.sectionLength > h.recordLength) {
      throw record.error('bad_length', at + 4, `sections[${i}].sectionLength`, `section ${f.sectionOffset} + ${f.sectionLength} runs past the record length ${h.recordLength}`);
    }
    const type = record.guid(at + 16, `sections[${i}].sectionType`);
    const body = decodeSection(record.sub(f.sectionOffset, f.sectionLength, `sections[${i}].section`), type, opts);
    sections[i] = decodeSectionDescriptor(record, at, i, f, body);
    if (f.sectionLength > 0) covered.push([f.sectionOffset, f.sectionOffset + f.sectionLength]);
  }
  covered.sort((a, b) => a[0] - b[0]);
  const out: CperRecord = {
    revision: h.revision,
    sectionCount: n,
    errorSeverity: severityValue(h.errorSeverity),
    validationBits: validationBits(h.validationBits),
    recordLength: h.recordLength,
    timestamp: decodeTimestamp(r.bytes, r.abs(24)),
    platformId: r.guid(32, 'platformId'),
    partitionId: r.guid(48, 'partitionId'),
    creatorId: r.guid(64, 'creatorId'),
    notificationType: namedNotification(r.guid(80, 'notificationType')),
    recordId: r.u64(96, 'recordId'),
    flags: recordFlags(r.u32(104, 'flags')),
    persistenceInfo: r.u64(108, 'persistenceInfo'),
    reserved: toHex(r.bytesAt(116, 12, 'reserved')),
    sections,
  };
  const unused = unusedAreas(r.bytes, r.start, descriptorsEnd, h.recordLength, covered);
  if (unused.length > 0) out.unusedAreas = unused;
  if (h.recordLength < r.length) out.trailing = toHex(r.bytesAt(h.recordLength, r.length - h.recordLength, 'trailing'));
  return out;
}

/** Checks the record's offsets and lengths against its content; returns the encoded size. */
export function cperRecordByteLength(c: CperRecord, opts: CperOptions = DEFAULT_CPER_OPTIONS): number {
  const n = c.sections.length;
  const descriptorsEnd = CPER_HEADER_LENGTH + n * SECTION_DESCRIPTOR_LENGTH;
  if (c.sectionCount !== n) throw new EncodeError({ code: 'bad_count', offset: 10, path: 'sectionCount', message: `sectionCount ${c.sectionCount} but the record has ${n} sections` });
  if (c.recordLength < descriptorsEnd) throw new EncodeError({ code: 'bad_length', offset: 20, path: 'recordLength', message: `record length ${c.recordLength} is shorter than header + descriptors (${descriptorsEnd})` });
  for (let i = 0; i < n; i++) {
    const s = c.sections[i];
    const path = `sections[${i}]`;
    const length = sectionByteLength(s.section, opts, `${path}.section`);
    if (s.sectionLength !== length) throw new EncodeError({ code: 'bad_length', path: `${path}.sectionLength`, message: `sectionLength ${s.sectionLength} but the section encodes to ${length} bytes` });
    if (s.sectionOffset < descriptorsEnd) throw new EncodeError({ code: 'bad_offset', path: `${path}.sectionOffset`, message: `section offset ${s.sectionOffset} lies inside the header or the descriptors (they end at ${descriptorsEnd})` });
    if (s.sectionOffset + length > c.recordLength) throw new EncodeError({ code: 'bad_length', path: `${path}.sectionLength`, message: `section ${s.sectionOffset} + ${length} runs past the record length ${c.recordLength}` });
  }
  for (let i = 0; i < (c.unusedAreas ?? []).length; i++) {
    const a = c.unusedAreas![i];
    const end = a.offset + (a.data.length >>> 1);
    if (a.offset < descriptorsEnd || end > c.recordLength) {
      throw new EncodeError({ code: 'bad_offset', path: `unusedAreas[${i}]`, message: `area ${a.offset}..${end} must lie between the descriptors (${descriptorsEnd}) and the record length (${c.recordLength})` });
    }
  }
  if (c.reserved.length !== 24) throw new EncodeError({ code: 'bad_length', offset: 116, path: 'reserved', message: 'reserved is exactly 12 bytes' });
  return c.recordLength + (c.trailing === undefined ? 0 : c.trailing.length >>> 1);
}

/** Writes every body; where bodies overlap, the overlapping bytes must agree. */
function writeBodies(w: ByteWriter, c: CperRecord, opts: CperOptions): void {
  const spans = c.sections.map((s, i) => ({ i, a: s.sectionOffset, b: s.sectionOffset + s.sectionLength })).sort((x, y) => x.a - y.a);
  let overlap = false;
  for (let k = 1; k < spans.length; k++) if (spans[k].a < spans[k - 1].b) overlap = true;
  if (!overlap) {
    for (let i = 0; i < c.sections.length; i++) encodeSection(w, c.sections[i].sectionOffset, c.sections[i].section, opts, `sections[${i}].section`);
    return;
  }
  const written = new Uint8Array(w.length);
  for (let i = 0; i < c.sections.length; i++) {
    const s = c.sections[i];
    const scratch = new ByteWriter(s.sectionLength);
    encodeSection(scratch, 0, s.section, opts, `sections[${i}].section`);
    for (let k = 0; k < s.sectionLength; k++) {
      const at = s.sectionOffset + k;
      if (written[at] && w.bytes[at] !== scratch.bytes[k]) {
        throw new EncodeError({ code: 'bad_offset', offset: at, path: `sections[${i}].sectionOffset`, message: `section ${i} overlaps an earlier section with different bytes at record offset ${at}` });
      }
      written[at] = 1;
    }
    w.bytesAt(s.sectionOffset, scratch.bytes, `sections[${i}].section`);
  }
}

export function encodeCperRecordTo(c: CperRecord, opts: CperOptions = DEFAULT_CPER_OPTIONS): Uint8Array {
  const total = cperRecordByteLength(c, opts);
  const w = new ByteWriter(total);
  w.u32(0, CPER_SIGNATURE)
    .u16(4, c.revision, 'revision')
    .u32(6, CPER_SIGNATURE_END)
    .u16(10, c.sectionCount, 'sectionCount')
    .u32(12, c.errorSeverity.value, 'errorSeverity')
    .u32(16, c.validationBits.raw, 'validationBits')
    .u32(20, c.recordLength, 'recordLength')
    .u64(24, c.timestamp.raw, 'timestamp')
    .guid(32, c.platformId, 'platformId')
    .guid(48, c.partitionId, 'partitionId')
    .guid(64, c.creatorId, 'creatorId')
    .guid(80, c.notificationType.guid, 'notificationType')
    .u64(96, c.recordId, 'recordId')
    .u32(104, c.flags.raw, 'flags')
    .u64(108, c.persistenceInfo, 'persistenceInfo');
  writeHex(w, 116, c.reserved, 'reserved', 12);
  for (let i = 0; i < c.sections.length; i++) {
    encodeSectionDescriptor(w, CPER_HEADER_LENGTH + i * SECTION_DESCRIPTOR_LENGTH, c.sections[i], `sections[${i}]`);
  }
  for (let i = 0; i < (c.unusedAreas ?? []).length; i++) writeHex(w, c.unusedAreas![i].offset, c.unusedAreas![i].data, `unusedAreas[${i}].data`);
  writeBodies(w, c, opts);
  if (c.trailing !== undefined) writeHex(w, c.recordLength, c.trailing, 'trailing');
  return w.bytes;
}

const notificationInput = lazy(() => namedGuid(notificationTypeByName, notificationTypeByGuid));

/**
 * JSON input of a CPER record. Without offsets the bodies are packed after the descriptors in
 * order; a section with an offset is placed there and the next unplaced one follows the furthest
 * body so far. The record length defaults to the end of the last body or unused area.
 */
export const cperRecordInput = lazy(() => z
  .strictObject({
    revision: uint(16).optional(),
    sectionCount: uint(16).optional(),
    errorSeverity: enumField(SEVERITY, 32).optional(),
    validationBits: flagsField(RECORD_VALIDATION_BITS, 32).optional(),
    recordLength: uint(32).optional(),
    timestamp: timestampInput().optional(),
    platformId: guidField().optional(),
    partitionId: guidField().optional(),
    creatorId: guidField().optional(),
    notificationType: notificationInput().optional(),
    recordId: u64().optional(),
    flags: flagsField(RECORD_FLAGS, 32).optional(),
    persistenceInfo: u64().optional(),
    reserved: hexField(12).optional(),
    sections: z.array(sectionEntryInput()).max(0xffff).optional(),
    unusedAreas: z.array(z.strictObject({ offset: uint(32), data: hexField() })).optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): CperRecord => {
    const opts = DEFAULT_CPER_OPTIONS;
    const inputs = v.sections ?? [];
    if (v.sectionCount !== undefined && v.sectionCount !== inputs.length) {
      ctx.addIssue({ code: 'custom', path: ['sectionCount'], message: `sectionCount ${v.sectionCount} but sections has ${inputs.length} entries` });
      return z.NEVER;
    }
    const errorSeverity = severityOf(v.errorSeverity, inputs.map((s) => s.sectionSeverity));
    if (errorSeverity === undefined) {
      ctx.addIssue({ code: 'custom', path: ['errorSeverity'], message: 'errorSeverity is required when no section gives sectionSeverity' });
      return z.NEVER;
    }
    const descriptorsEnd = CPER_HEADER_LENGTH + inputs.length * SECTION_DESCRIPTOR_LENGTH;
    let cursor = descriptorsEnd;
    let end = descriptorsEnd;
    const sections: CperSectionEntry[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const s = inputs[i];
      const length = sectionByteLength(s.section, opts);
      if (s.sectionLength !== undefined && s.sectionLength !== length) {
        ctx.addIssue({ code: 'custom', path: ['sections', i, 'sectionLength'], message: `sectionLength ${s.sectionLength} but the section encodes to ${length} bytes` });
        return z.NEVER;
      }
      const offset = s.sectionOffset ?? cursor;
      if (offset < descriptorsEnd) {
        ctx.addIssue({ code: 'custom', path: ['sections', i, 'sectionOffset'], message: `section offset ${offset} lies inside the header or the descriptors (they end at ${descriptorsEnd})` });
        return z.NEVER;
      }
      cursor = Math.max(cursor, offset + length);
      end = Math.max(end, offset + length);
      sections.push(completeSectionEntry(s, errorSeverity, offset, length));
    }
    const areas = (v.unusedAreas ?? []).filter((a) => a.data.length > 0);
    for (const a of areas) end = Math.max(end, a.offset + (a.data.length >>> 1));
    const recordLength = v.recordLength ?? end;
    if (recordLength < end) {
      ctx.addIssue({ code: 'custom', path: ['recordLength'], message: `record length ${recordLength} is shorter than its content (${end} bytes)` });
      return z.NEVER;
    }
    const out: CperRecord = {
      revision: v.revision ?? CPER_REVISION,
      sectionCount: sections.length,
      errorSeverity,
      validationBits:
        v.validationBits ??
        validationBits((v.platformId !== undefined ? 1 : 0) | (v.timestamp !== undefined ? 2 : 0) | (v.partitionId !== undefined ? 4 : 0)),
      recordLength,
      timestamp: v.timestamp ?? ZERO_TIMESTAMP,
      platformId: v.platformId ?? NULL_GUID,
      partitionId: v.partitionId ?? NULL_GUID,
      creatorId: v.creatorId ?? NULL_GUID,
      notificationType: v.notificationType ?? namedNotification(NULL_GUID),
      recordId: v.recordId ?? 0n,
      flags: v.flags ?? recordFlags(0),
      persistenceInfo: v.persistenceInfo ?? 0n,
      reserved: v.reserved ?? '00'.repeat(12),
      sections,
    };
    if (areas.length > 0) out.unusedAreas = areas;
    if (v.trailing !== undefined && v.trailing.length > 0) out.trailing = v.trailing;
    return out;
  }));
