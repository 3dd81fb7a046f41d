import { SECTION_TYPES } from '../guids';
import { hex, struct, u32, u64, u8 } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';

/**
 * Intel VT-d DMAr error section (UEFI N.2.11.2), 144 bytes, no validation bits: a snapshot of the
 * remapping unit's registers and the table entries the faulting request walked. JSON form: every
 * field optional, zero when absent.
 */

const INFO = SECTION_TYPES.vtdDmar;
export const DMAR_VTD_BODY_LENGTH = 144;

/** Page-table entry at each walk level, level 6 first on the wire (shared with the IOMMU section). */
export const PAGE_TABLE_ENTRIES = layout('DMAr page-table entries', 48, [
  u64('level6', 0, { doc: 'level 6 page-table entry', libcper: 'pageTableEntry_Level6' }),
  u64('level5', 8, { doc: 'level 5 page-table entry', libcper: 'pageTableEntry_Level5' }),
  u64('level4', 16, { doc: 'level 4 page-table entry', libcper: 'pageTableEntry_Level4' }),
  u64('level3', 24, { doc: 'level 3 page-table entry', libcper: 'pageTableEntry_Level3' }),
  u64('level2', 32, { doc: 'level 2 page-table entry', libcper: 'pageTableEntry_Level2' }),
  u64('level1', 40, { doc: 'level 1 page-table entry', libcper: 'pageTableEntry_Level1' }),
]);

export const DMAR_VTD_LAYOUT = layout('VT-d DMAr', DMAR_VTD_BODY_LENGTH, [
  u8('version', 0, { doc: 'VT-d version', libcper: 'version' }),
  u8('revision', 1, { doc: 'revision', libcper: 'revision' }),
  hex('oemId', 2, 6, { doc: 'OEM ID', libcper: 'oemID' }),
  u64('capability', 8, { doc: 'capability register', libcper: 'capabilityRegister' }),
  u64('extendedCapability', 16, { doc: 'extended capability register', libcper: 'extendedCapabilityRegister' }),
  u32('globalCommand', 24, { doc: 'global command register', libcper: 'globalCommandRegister' }),
  u32('globalStatus', 28, { doc: 'global status register', libcper: 'globalStatusRegister' }),
  u32('faultStatus', 32, { doc: 'fault status register', libcper: 'faultStatusRegister' }),
  hex('reserved', 36, 12, { doc: 'reserved' }),
  hex('faultRecord', 48, 16, { doc: 'fault record', libcper: 'faultRecord' }),
  hex('rootEntry', 64, 16, { doc: 'root entry', libcper: 'rootEntry' }),
  hex('contextEntry', 80, 16, { doc: 'context entry', libcper: 'contextEntry' }),
  struct('pageTableEntries', 96, PAGE_TABLE_ENTRIES, { doc: 'page-table entries of the walk, levels 6..1' }),
]);

export const dmarVtdCodec = tableSection({
  info: INFO,
  head: DMAR_VTD_LAYOUT,
  doc: 'Intel VT-d DMAr error (UEFI N.2.11.2), 144 bytes',
  example: { type: 'vtdDmar', version: 1, capability: '0xd2008c40660462', faultStatus: 2, faultRecord: '00'.repeat(15) + '80' },
});

export type DmarVtdSection = TableModel<'vtdDmar', LayoutModel<typeof DMAR_VTD_LAYOUT>>;
