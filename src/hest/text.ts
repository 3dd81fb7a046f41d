import { FieldInfo, FieldNames, walkFields } from '../acpi/text/fieldInfo';
import { IaslDump } from '../acpi/text/IaslDump';
import { FIXED_LENGTH, BANK_COUNT_OFFSET } from './ErrorSourceType';
import { MACHINE_CHECK_BANK_LENGTH } from './MachineCheckBank';

/** iasl's names for HEST structure types (AcpiDmHestSubnames). */
export function iaslHestTypeName(type: number): string {
  return IASL_HEST_TYPES[type] ?? 'Unknown Subtable Type';
}

const IASL_HEST_TYPES: Readonly<Record<number, string>> = {
  0: 'IA-32 Machine Check Exception',
  1: 'IA-32 Corrected Machine Check',
  2: 'IA-32 Non-Maskable Interrupt',
  6: 'PCI Express Root Port AER',
  7: 'PCI Express AER (AER Endpoint)',
  8: 'PCI Express/PCI-X Bridge AER',
  9: 'Generic Hardware Error Source',
  10: 'Generic Hardware Error Source V2',
  11: 'IA-32 Deferred Machine Check',
};

/**
 * iasl's names for notification types (AcpiDmHestNotifySubnames). ACPICA releases before the
 * RISC-V SSE addition print "Unknown Notify Type" for 12 and above; so does this formatter.
 */
export function iaslNotifyTypeName(type: number): string {
  return IASL_NOTIFY_TYPES[type] ?? 'Unknown Notify Type';
}

const IASL_NOTIFY_TYPES: readonly string[] = [
  'Polled',
  'External Interrupt',
  'Local Interrupt',
  'SCI',
  'NMI',
  'CMCI',
  'MCE',
  'GPIO',
  'SEA',
  'SEI',
  'GSIV',
  'Software Delegated Exception',
];

const HEADER: FieldInfo[] = [
  { op: 'hestType', offset: 0, name: 'Subtable Type' },
  { op: 'u16', offset: 2, name: 'Source Id' },
];

const IA32_FLAGS: FieldInfo[] = [
  { op: 'u16', offset: 4, name: 'Reserved1' },
  { op: 'u8', offset: 6, name: 'Flags (decoded below)' },
  { op: 'flag', offset: 6, name: 'Firmware First', bit: 0 },
  { op: 'flag', offset: 6, name: 'GHES Assist', bit: 2 },
  { op: 'u8', offset: 7, name: 'Enabled' },
  { op: 'u32', offset: 8, name: 'Records To Preallocate' },
  { op: 'u32', offset: 12, name: 'Max Sections Per Record' },
];

// ACPICA decodes the AER "Global" flag from bit 0 as well (both entries use ACPI_DMT_FLAG0);
// iasl prints it that way, so this does too.
const AER: FieldInfo[] = [
  { op: 'u16', offset: 4, name: 'Reserved' },
  { op: 'u8', offset: 6, name: 'Flags (decoded below)' },
  { op: 'flag', offset: 6, name: 'Firmware First', bit: 0 },
  { op: 'flag', offset: 6, name: 'Global', bit: 0 },
  { op: 'u8', offset: 7, name: 'Enabled' },
  { op: 'u32', offset: 8, name: 'Records To Preallocate' },
  { op: 'u32', offset: 12, name: 'Max Sections Per Record' },
  { op: 'u32', offset: 16, name: 'Bus' },
  { op: 'u16', offset: 20, name: 'Device' },
  { op: 'u16', offset: 22, name: 'Function' },
  { op: 'u16', offset: 24, name: 'DeviceControl' },
  { op: 'u16', offset: 26, name: 'Reserved' },
  { op: 'u32', offset: 28, name: 'Uncorrectable Mask' },
  { op: 'u32', offset: 32, name: 'Uncorrectable Severity' },
  { op: 'u32', offset: 36, name: 'Correctable Mask' },
  { op: 'u32', offset: 40, name: 'Advanced Capabilities' },
];

const GHES: FieldInfo[] = [
  { op: 'u16', offset: 4, name: 'Related Source Id' },
  { op: 'u8', offset: 6, name: 'Reserved' },
  { op: 'u8', offset: 7, name: 'Enabled' },
  { op: 'u32', offset: 8, name: 'Records To Preallocate' },
  { op: 'u32', offset: 12, name: 'Max Sections Per Record' },
  { op: 'u32', offset: 16, name: 'Max Raw Data Length' },
  { op: 'gas', offset: 20, name: 'Error Status Address' },
  { op: 'notify', offset: 32, name: 'Notify' },
  { op: 'u32', offset: 60, name: 'Error Status Block Length' },
];

const CORRECTED: FieldInfo[] = [
  ...HEADER,
  ...IA32_FLAGS,
  { op: 'notify', offset: 16, name: 'Notify' },
  { op: 'u8', offset: 44, name: 'Num Hardware Banks' },
  { op: 'u24', offset: 45, name: 'Reserved2' },
];

/** Field lists per type (ACPICA's AcpiDmTableInfoHest0 … Hest11). */
export const HEST_FIELDS: Readonly<Record<number, FieldInfo[]>> = {
  0: [
    ...HEADER,
    ...IA32_FLAGS,
    { op: 'u64', offset: 16, name: 'Global Capability Data' },
    { op: 'u64', offset: 24, name: 'Global Control Data' },
    { op: 'u8', offset: 32, name: 'Num Hardware Banks' },
    { op: 'u56', offset: 33, name: 'Reserved2' },
  ],
  1: CORRECTED,
  2: [
    ...HEADER,
    { op: 'u32', offset: 4, name: 'Reserved' },
    { op: 'u32', offset: 8, name: 'Records To Preallocate' },
    { op: 'u32', offset: 12, name: 'Max Sections Per Record' },
    { op: 'u32', offset: 16, name: 'Max Raw Data Length' },
  ],
  6: [...HEADER, ...AER, { op: 'u32', offset: 44, name: 'Root Error Command' }],
  7: [...HEADER, ...AER],
  8: [
    ...HEADER,
    ...AER,
    { op: 'u32', offset: 44, name: '2nd Uncorrectable Mask' },
    { op: 'u32', offset: 48, name: '2nd Uncorrectable Severity' },
    { op: 'u32', offset: 52, name: '2nd Advanced Capabilities' },
  ],
  9: [...HEADER, ...GHES],
  10: [
    ...HEADER,
    ...GHES,
    { op: 'gas', offset: 64, name: 'Read Ack Register' },
    { op: 'u64', offset: 76, name: 'Read Ack Preserve' },
    { op: 'u64', offset: 84, name: 'Read Ack Write' },
  ],
  11: CORRECTED,
};

export const BANK_FIELDS: FieldInfo[] = [
  { op: 'u8', offset: 0, name: 'Bank Number' },
  { op: 'u8', offset: 1, name: 'Clear Status On Init' },
  { op: 'u8', offset: 2, name: 'Status Format' },
  { op: 'u8', offset: 3, name: 'Reserved' },
  { op: 'u32', offset: 4, name: 'Control Register' },
  { op: 'u64', offset: 8, name: 'Control Data' },
  { op: 'u32', offset: 16, name: 'Status Register' },
  { op: 'u32', offset: 20, name: 'Address Register' },
  { op: 'u32', offset: 24, name: 'Misc Register' },
];

/**
 * The HEST body the way `iasl -d` prints it (AcpiDmDumpHest): Error Source Count, then every
 * structure until the table's end (iasl walks to Length, not to the count), each preceded by a
 * blank line, banks after their structure. An unknown type ends the dump with
 * "**** Unknown HEST subtable type 0x<type>". Bytes past the buffer read as 0.
 */
export function dumpHestBody(d: IaslDump, names: FieldNames, tableLength: number): void {
  if (!walkFields(d, names, tableLength, 0, 0, [{ op: 'u32', offset: 36, name: 'Error Source Count' }])) return;
  const at = (i: number) => (i < d.bytes.length ? d.bytes[i] : 0);
  let offset = 40;
  while (offset < tableLength) {
    const type = at(offset) | (at(offset + 1) << 8);
    const fields = HEST_FIELDS[type];
    if (!fields) {
      d.blank().text(`**** Unknown HEST subtable type 0x${type.toString(16).toUpperCase()}`);
      return;
    }
    const fixed = FIXED_LENGTH[type];
    const bankAt = BANK_COUNT_OFFSET[type];
    let banks = bankAt === undefined ? 0 : at(offset + bankAt);
    d.blank();
    if (!walkFields(d, names, tableLength, offset, fixed, fields)) return;
    let next = offset + fixed;
    while (banks > 0) {
      d.blank();
      if (!walkFields(d, names, tableLength, next, MACHINE_CHECK_BANK_LENGTH, BANK_FIELDS)) return;
      next += MACHINE_CHECK_BANK_LENGTH;
      banks--;
    }
    offset = next;
  }
}
