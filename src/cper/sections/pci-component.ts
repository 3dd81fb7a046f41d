import { SECTION_TYPES } from '../guids';
import { count, errorStatusView, hex, struct, u24, u64, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { arrayPart, tableSection, TableModel } from '../layout/section';
import { busRow, functionDeviceRows, segmentRow, vendorDeviceRows } from './pci-id-rows';
import { classCodeInput } from './section-body-fields';

/**
 * PCI/PCI-X component error section (UEFI N.2.9), 40 + 16·(M + I) bytes: the header, then M memory
 * and I I/O register pairs {address u64, data u64}; 2 to 8 bytes of each data word are
 * meaningful. The spec's "Bytes 1-2: Device Id" is a typo for bytes 2-3. MemoryNumber and
 * IoNumber are the array lengths; both are checked against the body before any pair is read.
 * Without `validationBits`, errorStatus / idInfo set their bits, and any register array given sets
 * memoryNumber, ioNumber and registerDataPairs.
 */

const INFO = SECTION_TYPES.pciComponent;
export const PCI_COMPONENT_HEADER_LENGTH = 40;
export const PCI_REGISTER_PAIR_LENGTH = 16;

export const COMPONENT_ID = layout('PCI component ID', 16, [
  ...vendorDeviceRows(0),
  u24('classCode', 4, { doc: '24-bit class code', libcper: 'classCode', input: classCodeInput }),
  ...functionDeviceRows(7),
  busRow(9),
  segmentRow(10, 1),
  hex('reserved', 11, 5, { doc: 'bytes 11..15 (reserved)' }),
], { truncated: 'at-start' });

const REGISTER_PAIR = layout('PCI register pair', PCI_REGISTER_PAIR_LENGTH, [
  u64('address', 0, { doc: 'register address', required: true }),
  u64('data', 8, { doc: 'register data', required: true }),
]);

export const PCI_COMPONENT_LAYOUT = layout('PCI component', PCI_COMPONENT_HEADER_LENGTH, [
  validationBits('validationBits', 0, 8, { 2: 'memoryNumber', 3: 'ioNumber', 4: 'registerDataPairs' }),
  view('errorStatus', 8, 8, errorStatusView, { vbit: 0, doc: 'UEFI Error Status', libcper: 'errorStatus' }),
  struct('idInfo', 16, COMPONENT_ID, { vbit: 1, doc: 'component identification', libcper: 'idInfo' }),
  count('memoryNumber', 32, 4, 'memoryRegisters', { doc: 'number of memory register pairs' }),
  count('ioNumber', 36, 4, 'ioRegisters', { doc: 'number of I/O register pairs' }),
]);

const PARTS = [
  arrayPart('memoryRegisters', 'memoryNumber', REGISTER_PAIR, 'memory-mapped register pairs { address, data }', [2, 3, 4]),
  arrayPart('ioRegisters', 'ioNumber', REGISTER_PAIR, 'I/O register pairs { address, data }', [2, 3, 4]),
] as const;

export const pciComponentCodec = tableSection({
  info: INFO,
  head: PCI_COMPONENT_LAYOUT,
  parts: PARTS,
  doc: 'PCI/PCI-X component error (UEFI N.2.9), 40 bytes + 16 per register pair',
  validation: { field: 'validationBits' },
  example: { type: 'pciComponent', idInfo: { vendorId: 0x8086, deviceId: 0x1234, bus: 3 }, ioRegisters: [{ address: '0xcfc', data: '0x7' }] },
});

export type PciComponentSection = TableModel<'pciComponent', LayoutModel<typeof PCI_COMPONENT_LAYOUT>, typeof PARTS>;
