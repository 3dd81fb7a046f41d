import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { u64, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import { HexString, hexByteLength, hexField, identityShape, readHex, readTrailing, writeHex, zeroHex } from './section-body-fields';

/**
 * Intel VT-d DMAr error section (UEFI N.2.11.2), 144 bytes, no validation bits: a snapshot of the
 * remapping unit's registers and the table entries the faulting request walked.
 *   0 version u8 · 1 revision u8 · 2 OEM ID 6 bytes · 8 capability register u64 ·
 *   16 extended capability register u64 · 24 global command u32 · 28 global status u32 ·
 *   32 fault status u32 · 36 reserved 12 bytes · 48 fault record 16 bytes · 64 root entry 16 ·
 *   80 context entry 16 · 96 page-table entries for levels 6, 5, 4, 3, 2, 1 (u64 each).
 */

const INFO = SECTION_TYPES.vtdDmar;
export const DMAR_VTD_BODY_LENGTH = 144;

/** Page-table entry at each walk level, level 6 first on the wire. */
export interface DmarPageTableEntries {
  level6: bigint;
  level5: bigint;
  level4: bigint;
  level3: bigint;
  level2: bigint;
  level1: bigint;
}

const PTE_LEVELS = ['level6', 'level5', 'level4', 'level3', 'level2', 'level1'] as const;

export function readPageTableEntries(r: ByteReader, offset: number): DmarPageTableEntries {
  const out = {} as DmarPageTableEntries;
  PTE_LEVELS.forEach((name, i) => (out[name] = r.u64(offset + 8 * i, `pageTableEntries.${name}`)));
  return out;
}

export function writePageTableEntries(w: ByteWriter, offset: number, e: DmarPageTableEntries, path: string): void {
  PTE_LEVELS.forEach((name, i) => w.u64(offset + 8 * i, e[name], `${path}.pageTableEntries.${name}`));
}

export const pageTableEntriesInput = z
  .strictObject(Object.fromEntries(PTE_LEVELS.map((n) => [n, u64.optional()])) as Record<(typeof PTE_LEVELS)[number], z.ZodOptional<typeof u64>>)
  .transform((v): DmarPageTableEntries => {
    const out = {} as DmarPageTableEntries;
    for (const n of PTE_LEVELS) out[n] = v[n] ?? 0n;
    return out;
  });

export function zeroPageTableEntries(): DmarPageTableEntries {
  return { level6: 0n, level5: 0n, level4: 0n, level3: 0n, level2: 0n, level1: 0n };
}

export interface DmarVtdSection {
  type: 'vtdDmar';
  guid: string;
  version: number;
  revision: number;
  oemId: HexString;
  capability: bigint;
  extendedCapability: bigint;
  globalCommand: number;
  globalStatus: number;
  faultStatus: number;
  reserved: HexString;
  faultRecord: HexString;
  rootEntry: HexString;
  contextEntry: HexString;
  pageTableEntries: DmarPageTableEntries;
  trailing?: HexString;
}

function decode(r: ByteReader): DmarVtdSection {
  const s: DmarVtdSection = {
    type: 'vtdDmar',
    guid: INFO.guid,
    version: r.u8(0, 'version'),
    revision: r.u8(1, 'revision'),
    oemId: readHex(r, 2, 6, 'oemId'),
    capability: r.u64(8, 'capability'),
    extendedCapability: r.u64(16, 'extendedCapability'),
    globalCommand: r.u32(24, 'globalCommand'),
    globalStatus: r.u32(28, 'globalStatus'),
    faultStatus: r.u32(32, 'faultStatus'),
    reserved: readHex(r, 36, 12, 'reserved'),
    faultRecord: readHex(r, 48, 16, 'faultRecord'),
    rootEntry: readHex(r, 64, 16, 'rootEntry'),
    contextEntry: readHex(r, 80, 16, 'contextEntry'),
    pageTableEntries: readPageTableEntries(r, 96),
  };
  const trailing = readTrailing(r, DMAR_VTD_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: DmarVtdSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u8(o, s.version, p('version'));
  w.u8(o + 1, s.revision, p('revision'));
  writeHex(w, o + 2, s.oemId, p('oemId'), 6);
  w.u64(o + 8, s.capability, p('capability'));
  w.u64(o + 16, s.extendedCapability, p('extendedCapability'));
  w.u32(o + 24, s.globalCommand, p('globalCommand'));
  w.u32(o + 28, s.globalStatus, p('globalStatus'));
  w.u32(o + 32, s.faultStatus, p('faultStatus'));
  writeHex(w, o + 36, s.reserved, p('reserved'), 12);
  writeHex(w, o + 48, s.faultRecord, p('faultRecord'), 16);
  writeHex(w, o + 64, s.rootEntry, p('rootEntry'), 16);
  writeHex(w, o + 80, s.contextEntry, p('contextEntry'), 16);
  writePageTableEntries(w, o + 96, s.pageTableEntries, path);
  if (s.trailing !== undefined) writeHex(w, o + DMAR_VTD_BODY_LENGTH, s.trailing, p('trailing'));
}

/** JSON form: every field optional, zero when absent. */
export const dmarVtdInput: z.ZodType<DmarVtdSection> = z
  .strictObject({
    ...identityShape('vtdDmar', [INFO.guid]),
    version: uint(8).optional(),
    revision: uint(8).optional(),
    oemId: hexField(6).optional(),
    capability: u64.optional(),
    extendedCapability: u64.optional(),
    globalCommand: uint(32).optional(),
    globalStatus: uint(32).optional(),
    faultStatus: uint(32).optional(),
    reserved: hexField(12).optional(),
    faultRecord: hexField(16).optional(),
    rootEntry: hexField(16).optional(),
    contextEntry: hexField(16).optional(),
    pageTableEntries: pageTableEntriesInput.optional(),
    trailing: hexField().optional(),
  })
  .transform((v): DmarVtdSection => {
    const s: DmarVtdSection = {
      type: 'vtdDmar',
      guid: INFO.guid,
      version: v.version ?? 0,
      revision: v.revision ?? 0,
      oemId: v.oemId ?? zeroHex(6),
      capability: v.capability ?? 0n,
      extendedCapability: v.extendedCapability ?? 0n,
      globalCommand: v.globalCommand ?? 0,
      globalStatus: v.globalStatus ?? 0,
      faultStatus: v.faultStatus ?? 0,
      reserved: v.reserved ?? zeroHex(12),
      faultRecord: v.faultRecord ?? zeroHex(16),
      rootEntry: v.rootEntry ?? zeroHex(16),
      contextEntry: v.contextEntry ?? zeroHex(16),
      pageTableEntries: v.pageTableEntries ?? zeroPageTableEntries(),
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const dmarVtdCodec: SectionCodec<DmarVtdSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: DMAR_VTD_BODY_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => DMAR_VTD_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: dmarVtdInput,
};
