import { IaslDump } from './IaslDump';

/**
 * A field of a table as ACPICA's disassembler describes it (one `ACPI_DMTABLE_INFO` entry):
 * opcode, offset inside the structure, printed name. `walkFields` prints a list of them the way
 * `AcpiDmDumpTable` does, including its truncation messages.
 */
export type FieldOp =
  | 'u8'
  | 'u16'
  | 'u24'
  | 'u32'
  | 'u56'
  | 'u64'
  | 'name4'
  | 'name6'
  | 'name8'
  | 'sig'
  | 'checksum'
  | 'spaceId'
  | 'accessWidth'
  | 'hestType'
  | 'notifyType'
  | 'gas'
  | 'notify'
  | 'flag';

export interface FieldInfo {
  op: FieldOp;
  offset: number;
  name: string;
  /** bit number for `flag` */
  bit?: number;
}

const SIZE: Record<FieldOp, number> = {
  u8: 1,
  u16: 2,
  u24: 3,
  u32: 4,
  u56: 7,
  u64: 8,
  name4: 4,
  name6: 6,
  name8: 8,
  sig: 4,
  checksum: 1,
  spaceId: 1,
  accessWidth: 1,
  hestType: 2,
  notifyType: 1,
  gas: 12,
  notify: 28,
  flag: 0,
};

/** Names iasl prints next to enumerated values. */
export interface FieldNames {
  hestType: (v: number) => string;
  notifyType: (v: number) => string;
  spaceId: (v: number) => string;
  accessWidth: (v: number) => string;
  /** description after the signature (`Hardware Error Source Table`), undefined when unknown */
  tableDescription: (sig: string) => string | undefined;
}

/** Sub-structures printed inline (ACPICA's AcpiDmTableInfoGas / AcpiDmTableInfoHestNotify). */
export const GAS_FIELDS: FieldInfo[] = [
  { op: 'spaceId', offset: 0, name: 'Space ID' },
  { op: 'u8', offset: 1, name: 'Bit Width' },
  { op: 'u8', offset: 2, name: 'Bit Offset' },
  { op: 'accessWidth', offset: 3, name: 'Encoded Access Width' },
  { op: 'u64', offset: 4, name: 'Address' },
];

export const NOTIFY_FIELDS: FieldInfo[] = [
  { op: 'notifyType', offset: 0, name: 'Notify Type' },
  { op: 'u8', offset: 1, name: 'Notify Length' },
  { op: 'u16', offset: 2, name: 'Configuration Write Enable' },
  { op: 'u32', offset: 4, name: 'PollInterval' },
  { op: 'u32', offset: 8, name: 'Vector' },
  { op: 'u32', offset: 12, name: 'Polling Threshold Value' },
  { op: 'u32', offset: 16, name: 'Polling Threshold Window' },
  { op: 'u32', offset: 20, name: 'Error Threshold Value' },
  { op: 'u32', offset: 24, name: 'Error Threshold Window' },
];

/** The common table header (AcpiDmTableInfoHeader). */
export const HEADER_FIELDS: FieldInfo[] = [
  { op: 'sig', offset: 0, name: 'Signature' },
  { op: 'u32', offset: 4, name: 'Table Length' },
  { op: 'u8', offset: 8, name: 'Revision' },
  { op: 'checksum', offset: 9, name: 'Checksum' },
  { op: 'name6', offset: 10, name: 'Oem ID' },
  { op: 'name8', offset: 16, name: 'Oem Table ID' },
  { op: 'u32', offset: 24, name: 'Oem Revision' },
  { op: 'name4', offset: 28, name: 'Asl Compiler ID' },
  { op: 'u32', offset: 32, name: 'Asl Compiler Revision' },
];

/**
 * Prints `fields` of the structure at table offset `base` (ACPICA's AcpiDmDumpTable with
 * TableLength, TableOffset, SubtableLength). Returns false when the table ended in the middle of
 * a structure (the caller stops, as iasl does).
 */
export function walkFields(d: IaslDump, names: FieldNames, tableLength: number, base: number, subtableLength: number, fields: FieldInfo[]): boolean {
  // ACPICA's LastOutputBlankLine: local to one AcpiDmDumpTable call and never reset by a normal line.
  let lastBlank = false;
  for (const f of fields) {
    const at = base + f.offset;
    if (subtableLength && f.offset > subtableLength) {
      d.text(`/**** ACPI subtable terminates early (Len ${subtableLength}) - may be older version (dump table) */`);
      return true;
    }
    if (at >= tableLength) {
      d.text('/**** ACPI table terminates in the middle of a data structure! (dump table) */');
      return false;
    }
    const size = SIZE[f.op];
    if ((f.op === 'gas' || f.op === 'notify') && !lastBlank) {
      d.blank();
      lastBlank = true;
    }
    if (at + size > tableLength) {
      if (subtableLength) {
        d.text('/**** ACPI subtable terminates early - may be older version (dump table) */');
        return true;
      }
      d.text('/**** ACPI table terminates in the middle of a data structure! */');
      return false;
    }
    switch (f.op) {
      case 'flag':
        d.flag(f.name, (d.bytes[at] >> (f.bit ?? 0)) & 1);
        break;
      case 'u8':
      case 'u16':
      case 'u24':
      case 'u32':
      case 'u56':
      case 'u64':
        d.uint(at, size, f.name);
        break;
      case 'name4':
      case 'name6':
      case 'name8':
        d.name(at, size, f.name);
        break;
      case 'sig':
        d.signature(names.tableDescription(String.fromCharCode(...d.bytes.subarray(at, at + 4))));
        break;
      case 'checksum':
        d.checksum(tableLength);
        break;
      case 'spaceId':
        d.named(at, 1, f.name, names.spaceId);
        break;
      case 'accessWidth':
        d.named(at, 1, f.name, names.accessWidth);
        break;
      case 'notifyType':
        d.named(at, 1, f.name, names.notifyType);
        break;
      case 'hestType':
        d.named(at, 2, f.name, names.hestType);
        break;
      case 'gas':
        d.structTitle(at, size, f.name, 'Generic Address Structure');
        if (!walkFields(d, names, tableLength, at, size, GAS_FIELDS)) return false;
        d.blank();
        lastBlank = true;
        break;
      case 'notify':
        d.structTitle(at, size, f.name, 'Hardware Error Notification Structure');
        if (!walkFields(d, names, tableLength, at, size, NOTIFY_FIELDS)) return false;
        d.blank();
        lastBlank = true;
        break;
    }
  }
  return true;
}
