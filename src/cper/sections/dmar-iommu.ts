import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { u64, uint } from '../json/fields';
import {
  DmarPageTableEntries,
  pageTableEntriesInput,
  readPageTableEntries,
  writePageTableEntries,
  zeroPageTableEntries,
} from './dmar-vtd';
import type { SectionCodec } from './SectionCodec';
import { HexString, hexByteLength, hexField, identityShape, readHex, readTrailing, writeHex, zeroHex } from './section-body-fields';

/**
 * IOMMU DMAr error section (UEFI N.2.11.3, AMD IOMMU), 144 bytes, no validation bits:
 *   0 revision u8 · 1 reserved 7 bytes · 8 control register u64 · 16 status register u64 ·
 *   24 reserved 8 bytes · 32 event log entry 16 bytes · 48 reserved 16 bytes ·
 *   64 device table entry 32 bytes · 96 page-table entries for levels 6..1 (u64 each).
 */

const INFO = SECTION_TYPES.iommuDmar;
export const DMAR_IOMMU_BODY_LENGTH = 144;

export interface DmarIommuSection {
  type: 'iommuDmar';
  guid: string;
  revision: number;
  /** bytes 1..7 */
  reserved1: HexString;
  control: bigint;
  status: bigint;
  /** bytes 24..31 */
  reserved2: HexString;
  eventLogEntry: HexString;
  /** bytes 48..63 */
  reserved3: HexString;
  deviceTableEntry: HexString;
  pageTableEntries: DmarPageTableEntries;
  trailing?: HexString;
}

function decode(r: ByteReader): DmarIommuSection {
  const s: DmarIommuSection = {
    type: 'iommuDmar',
    guid: INFO.guid,
    revision: r.u8(0, 'revision'),
    reserved1: readHex(r, 1, 7, 'reserved1'),
    control: r.u64(8, 'control'),
    status: r.u64(16, 'status'),
    reserved2: readHex(r, 24, 8, 'reserved2'),
    eventLogEntry: readHex(r, 32, 16, 'eventLogEntry'),
    reserved3: readHex(r, 48, 16, 'reserved3'),
    deviceTableEntry: readHex(r, 64, 32, 'deviceTableEntry'),
    pageTableEntries: readPageTableEntries(r, 96),
  };
  const trailing = readTrailing(r, DMAR_IOMMU_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: DmarIommuSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u8(o, s.revision, p('revision'));
  writeHex(w, o + 1, s.reserved1, p('reserved1'), 7);
  w.u64(o + 8, s.control, p('control'));
  w.u64(o + 16, s.status, p('status'));
  writeHex(w, o + 24, s.reserved2, p('reserved2'), 8);
  writeHex(w, o + 32, s.eventLogEntry, p('eventLogEntry'), 16);
  writeHex(w, o + 48, s.reserved3, p('reserved3'), 16);
  writeHex(w, o + 64, s.deviceTableEntry, p('deviceTableEntry'), 32);
  writePageTableEntries(w, o + 96, s.pageTableEntries, path);
  if (s.trailing !== undefined) writeHex(w, o + DMAR_IOMMU_BODY_LENGTH, s.trailing, p('trailing'));
}

/** JSON form: every field optional, zero when absent. */
export const dmarIommuInput: z.ZodType<DmarIommuSection> = z
  .strictObject({
    ...identityShape('iommuDmar', [INFO.guid]),
    revision: uint(8).optional(),
    reserved1: hexField(7).optional(),
    control: u64.optional(),
    status: u64.optional(),
    reserved2: hexField(8).optional(),
    eventLogEntry: hexField(16).optional(),
    reserved3: hexField(16).optional(),
    deviceTableEntry: hexField(32).optional(),
    pageTableEntries: pageTableEntriesInput.optional(),
    trailing: hexField().optional(),
  })
  .transform((v): DmarIommuSection => {
    const s: DmarIommuSection = {
      type: 'iommuDmar',
      guid: INFO.guid,
      revision: v.revision ?? 0,
      reserved1: v.reserved1 ?? zeroHex(7),
      control: v.control ?? 0n,
      status: v.status ?? 0n,
      reserved2: v.reserved2 ?? zeroHex(8),
      eventLogEntry: v.eventLogEntry ?? zeroHex(16),
      reserved3: v.reserved3 ?? zeroHex(16),
      deviceTableEntry: v.deviceTableEntry ?? zeroHex(32),
      pageTableEntries: v.pageTableEntries ?? zeroPageTableEntries(),
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const dmarIommuCodec: SectionCodec<DmarIommuSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: DMAR_IOMMU_BODY_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => DMAR_IOMMU_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: dmarIommuInput,
};
