import { dumpHestBody, iaslHestTypeName, iaslNotifyTypeName } from '../../hest/text';
import { dumpErstBody } from './erstText';
import { FieldInfo, FieldNames, HEADER_FIELDS, walkFields } from './fieldInfo';
import { IaslDump, IaslLayout } from './IaslDump';

/** ACPICA's names for address spaces (AcpiUtGetRegionName). */
export function iaslSpaceIdName(id: number): string {
  const names = ['SystemMemory', 'SystemIO', 'PCI_Config', 'EmbeddedControl', 'SMBus', 'SystemCMOS', 'PCIBARTarget', 'IPMI', 'GeneralPurposeIo', 'GenericSerialBus', 'PCC', 'PlatformRtMechanism'];
  if (id >= 0x80) return 'UserDefinedRegion';
  if (id === 0x7e) return 'DataTable';
  if (id === 0x7f) return 'FunctionalFixedHW';
  return names[id] ?? 'InvalidSpaceId';
}

/** ACPICA's names for GAS access sizes (AcpiDmGasAccessWidth). */
export function iaslAccessWidthName(size: number): string {
  return ['Undefined/Legacy', 'Byte Access:8', 'Word Access:16', 'DWord Access:32', 'QWord Access:64'][size] ?? 'Unknown Width Encoding';
}

/** Descriptions iasl prints after a signature (AcpiAhGetTableInfo), for the tables rasgw deals with. */
const TABLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  APIC: 'Multiple APIC Description Table (MADT)',
  BERT: 'Boot Error Record Table',
  DBG2: 'Debug Port table type 2',
  DSDT: 'Differentiated System Description Table (AML table)',
  EINJ: 'Error Injection table',
  ERST: 'Error Record Serialization Table',
  FACP: 'Fixed ACPI Description Table (FADT)',
  FACS: 'Firmware ACPI Control Structure',
  GTDT: 'Generic Timer Description Table',
  HEST: 'Hardware Error Source Table',
  IORT: 'IO Remapping Table',
  MCFG: 'Memory Mapped Configuration table',
  PPTT: 'Processor Properties Topology Table',
  RSDT: 'Root System Description Table',
  SDEI: 'Software Delegated Exception Interface Table',
  SPCR: 'Serial Port Console Redirection table',
  SRAT: 'System Resource Affinity Table',
  SSDT: 'Secondary System Description Table (AML table)',
  XSDT: 'Extended System Description Table',
};

export const IASL_NAMES: FieldNames = {
  hestType: iaslHestTypeName,
  notifyType: iaslNotifyTypeName,
  spaceId: iaslSpaceIdName,
  accessWidth: iaslAccessWidthName,
  tableDescription: (sig) => TABLE_DESCRIPTIONS[sig],
};

export interface FormatTableTextOptions {
  /** line layout of the ACPICA release to imitate (default `current`) */
  layout?: IaslLayout;
  /** append iasl's "Raw Table Data" hex dump (default true) */
  rawData?: boolean;
}

const RSDP_V1: FieldInfo[] = [
  { op: 'name8', offset: 0, name: 'Signature' },
  { op: 'u8', offset: 8, name: 'Checksum' },
  { op: 'name6', offset: 9, name: 'Oem ID' },
  { op: 'u8', offset: 15, name: 'Revision' },
  { op: 'u32', offset: 16, name: 'RSDT Address' },
];
const RSDP_V2: FieldInfo[] = [
  { op: 'u32', offset: 20, name: 'Length' },
  { op: 'u64', offset: 24, name: 'XSDT Address' },
  { op: 'u8', offset: 32, name: 'Extended Checksum' },
  { op: 'u24', offset: 33, name: 'Reserved' },
];
const BERT: FieldInfo[] = [
  { op: 'u32', offset: 36, name: 'Boot Error Region Length' },
  { op: 'u64', offset: 40, name: 'Boot Error Region Address' },
];

/**
 * A table printed one named field per line, as `iasl -d` prints it (without iasl's comment
 * banner): the header fields with iasl's checksum note, then the body for RSDP, XSDT, RSDT, HEST
 * (every structure type, banks, GAS and notification structures) and BERT, then the raw hex
 * dump. Other signatures get the header, iasl's "**** Unknown ACPI table signature" line for
 * signatures it does not know, and the raw dump. Never throws on malformed bytes: like iasl it
 * stops with its "terminates in the middle of a data structure" comment.
 */
export function formatTableText(bytes: Uint8Array, options: FormatTableTextOptions = {}): string {
  const d = new IaslDump(bytes, options.layout ?? 'current');
  const isRsdp = bytes.length >= 8 && String.fromCharCode(...bytes.subarray(0, 8)) === 'RSD PTR ';
  let length: number;
  if (isRsdp) {
    length = dumpRsdp(d);
  } else if (bytes.length < 36) {
    d.text(`/**** Table is too short for an ACPI table header: ${bytes.length} byte(s) */`);
    length = bytes.length;
  } else {
    length = Math.min(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true), bytes.length);
    const sig = String.fromCharCode(...bytes.subarray(0, 4));
    if (walkFields(d, IASL_NAMES, length, 0, 0, HEADER_FIELDS)) {
      d.blank();
      dumpBody(d, sig, length);
    }
  }
  if (options.rawData ?? true) d.rawData(length);
  return d.toString();
}

function dumpBody(d: IaslDump, sig: string, length: number): void {
  switch (sig) {
    case 'HEST':
      dumpHestBody(d, IASL_NAMES, length);
      return;
    case 'XSDT':
    case 'RSDT': {
      const size = sig === 'XSDT' ? 8 : 4;
      const entries = Math.floor((length - 36) / size);
      for (let i = 0; i < entries; i++) {
        const at = 36 + i * size;
        d.text(d.header2(at, size, 'ACPI Table Address', i) + d.hexValue(at, size));
      }
      return;
    }
    case 'BERT':
      walkFields(d, IASL_NAMES, length, 0, 0, BERT);
      return;
    case 'ERST':
      dumpErstBody(d, IASL_NAMES, length);
      return;
    default:
      if (IASL_NAMES.tableDescription(sig) === undefined) {
        d.blank().text(sig.startsWith('OEM') ? `**** OEM-defined ACPI table [${sig}], unknown contents` : `**** Unknown ACPI table signature [${sig}]`).blank();
      }
  }
}

/** AcpiDmDumpRsdp: the ACPI 1.0 part, its checksum note, then the 2.0 part for revision > 0. */
function dumpRsdp(d: IaslDump): number {
  const b = d.bytes;
  let length = Math.min(20, b.length);
  if (!walkFields(d, IASL_NAMES, length, 0, 0, RSDP_V1)) return length;
  const sum = (n: number, skip: number) => {
    let s = 0;
    for (let i = 0; i < n && i < b.length; i++) if (i !== skip) s = (s + b[i]) & 0xff;
    return (0x100 - s) & 0xff;
  };
  const c1 = sum(20, 8);
  if (c1 !== b[8]) d.text(`/* Incorrect Checksum above, should be 0x${hex2(c1)} */`);
  if (b[15] > 0) {
    length = Math.min(new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(20, true), b.length);
    if (!walkFields(d, IASL_NAMES, length, 0, 0, RSDP_V2)) return length;
    const c2 = sum(36, 32);
    if (c2 !== b[32]) d.text(`/* Incorrect Extended Checksum above, should be 0x${hex2(c2)} */`);
  }
  return length;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
