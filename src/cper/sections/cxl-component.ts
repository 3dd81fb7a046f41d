import { SECTION_TYPES } from '../guids';
import { count, struct, u64, u8, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { bytesPart, tableSection, TableModel, TableSectionCodec } from '../layout/section';
import { busRow, functionDeviceRows, segmentRow, slotRows, vendorDeviceRows } from './pci-id-rows';

/**
 * CXL component event sections (UEFI N.2.14). One layout serves every CXL event-record type; the
 * section type GUID is the CXL event-record identifier (general media, DRAM, memory module,
 * physical switch, virtual switch, MLD port, memory sparing), so one codec is made per GUID by
 * `cxlComponentCodec`. 32 + log bytes; the log starts at the event record's Common Event Record
 * (CXL offset 16, after the record's own identifier GUID). The length is checked against the body
 * before the log is read; bytes after it are kept as `trailing`; the model has no length field
 * (it is 32 + the log's size). Linux's GHES path drops a record whose length is not larger than
 * the 32-byte header; this decoder accepts an empty log.
 */

export const CXL_COMPONENT_HEADER_LENGTH = 32;

export const CXL_COMPONENT_KINDS = [
  SECTION_TYPES.cxlGeneralMedia,
  SECTION_TYPES.cxlDram,
  SECTION_TYPES.cxlMemoryModule,
  SECTION_TYPES.cxlPhysicalSwitch,
  SECTION_TYPES.cxlVirtualSwitch,
  SECTION_TYPES.cxlMldPort,
  SECTION_TYPES.cxlMemorySparing,
] as const;

export type CxlComponentKind = (typeof CXL_COMPONENT_KINDS)[number]['name'];

export const CXL_COMPONENT_DEVICE_ID = layout('CXL component device ID', 12, [
  ...vendorDeviceRows(0),
  ...functionDeviceRows(4),
  busRow(6),
  segmentRow(7, 2),
  ...slotRows(9),
  u8('reserved', 11, { doc: 'reserved' }),
], { truncated: 'at-start' });

export const CXL_COMPONENT_LAYOUT = layout('CXL component', CXL_COMPONENT_HEADER_LENGTH, [
  count('length', 0, 4, 'eventLog', { doc: 'length of the whole structure, this header included' }),
  validationBits('validationBits', 4, 8, { 2: 'eventLog' }),
  struct('deviceId', 12, CXL_COMPONENT_DEVICE_ID, { vbit: 0, doc: 'device identification', libcper: 'deviceID' }),
  u64('serialNumber', 24, { vbit: 1, doc: 'device serial number', libcper: 'deviceSerial' }),
]);

const EVENT_LOG = bytesPart('eventLog', 'length', 'the CXL component event log as hex, from the Common Event Record on', { total: true, vbits: [2] });

export type CxlComponentSection<K extends CxlComponentKind = CxlComponentKind> = TableModel<K, LayoutModel<typeof CXL_COMPONENT_LAYOUT>, [typeof EVENT_LOG]>;

/** The codec of one CXL component event type (the layout is shared; name and GUID differ). */
export function cxlComponentCodec<K extends CxlComponentKind>(name: K): TableSectionCodec<CxlComponentSection<K>> {
  const info = CXL_COMPONENT_KINDS.find((k) => k.name === name);
  if (info === undefined) throw new TypeError(`not a CXL component event section: ${name}`);
  return tableSection({
    info: { name, guid: info.guid, title: info.title },
    head: CXL_COMPONENT_LAYOUT,
    parts: [EVENT_LOG],
    doc: `${info.title} (UEFI N.2.14), 32 bytes + the CXL event log`,
    validation: { field: 'validationBits' },
    example: { type: name, deviceId: { vendorId: 0x8086, deviceId: 0x0d93, bus: 2 }, serialNumber: '0x1', eventLog: '00'.repeat(16) },
  });
}

/** One codec per CXL component event GUID. */
export const CXL_COMPONENT_CODECS: TableSectionCodec<CxlComponentSection>[] = CXL_COMPONENT_KINDS.map((k) => cxlComponentCodec(k.name));
