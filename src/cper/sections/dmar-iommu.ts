import { SECTION_TYPES } from '../guids';
import { hex, struct, u64, u8 } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';
import { PAGE_TABLE_ENTRIES } from './dmar-vtd';

/**
 * IOMMU DMAr error section (UEFI N.2.11.3, AMD IOMMU), 144 bytes, no validation bits. JSON form:
 * every field optional, zero when absent.
 */

const INFO = SECTION_TYPES.iommuDmar;
export const DMAR_IOMMU_BODY_LENGTH = 144;

export const DMAR_IOMMU_LAYOUT = layout('IOMMU DMAr', DMAR_IOMMU_BODY_LENGTH, [
  u8('revision', 0, { doc: 'revision', libcper: 'revision' }),
  hex('reserved1', 1, 7, { doc: 'reserved' }),
  u64('control', 8, { doc: 'control register', libcper: 'controlRegister' }),
  u64('status', 16, { doc: 'status register', libcper: 'statusRegister' }),
  hex('reserved2', 24, 8, { doc: 'reserved' }),
  hex('eventLogEntry', 32, 16, { doc: 'event log entry', libcper: 'eventLogEntry' }),
  hex('reserved3', 48, 16, { doc: 'reserved' }),
  hex('deviceTableEntry', 64, 32, { doc: 'device table entry', libcper: 'deviceTableEntry' }),
  struct('pageTableEntries', 96, PAGE_TABLE_ENTRIES, { doc: 'page-table entries of the walk, levels 6..1' }),
]);

export const dmarIommuCodec = tableSection({
  info: INFO,
  head: DMAR_IOMMU_LAYOUT,
  doc: 'IOMMU DMAr error (UEFI N.2.11.3), 144 bytes',
  example: { type: 'iommuDmar', revision: 1, control: '0x1', status: '0x4', eventLogEntry: '00'.repeat(16) },
});

export type DmarIommuSection = TableModel<'iommuDmar', LayoutModel<typeof DMAR_IOMMU_LAYOUT>>;
