import { ERST_ENTRY_LENGTH, ERST_HEADER_LENGTH, iaslErstActionName, iaslErstInstructionName } from '../Erst';
import { FieldInfo, FieldNames, GAS_FIELDS, walkFields } from './fieldInfo';
import type { IaslDump } from './IaslDump';

/**
 * The ERST body as `iasl -d` prints it (ACPICA's AcpiDmDumpErst): the serialization header, then
 * each 32-byte instruction entry after a blank line (Action and Instruction with iasl's names,
 * the flags byte with its decoded PRESERVE bit, the register GAS, Value, Mask). A table that ends
 * inside an entry stops with iasl's truncation comment.
 */
const HEADER: FieldInfo[] = [
  { op: 'u32', offset: 36, name: 'Serialization Header Length' },
  { op: 'u32', offset: 40, name: 'Reserved' },
  { op: 'u32', offset: 44, name: 'Instruction Entry Count' },
];

export function dumpErstBody(d: IaslDump, names: FieldNames, length: number): void {
  if (!walkFields(d, names, length, 0, 0, HEADER)) return;
  for (let at = ERST_HEADER_LENGTH; at < length; at += ERST_ENTRY_LENGTH) {
    d.blank();
    if (at + ERST_ENTRY_LENGTH > length) {
      d.text('/**** ACPI table terminates in the middle of a data structure! */');
      return;
    }
    d.named(at, 1, 'Action', iaslErstActionName);
    d.named(at + 1, 1, 'Instruction', iaslErstInstructionName);
    d.uint(at + 2, 1, 'Flags (decoded below)');
    d.flag('Preserve Register Bits', d.bytes[at + 2] & 1);
    d.uint(at + 3, 1, 'Reserved');
    d.blank();
    d.structTitle(at + 4, 12, 'Register Region', 'Generic Address Structure');
    if (!walkFields(d, names, length, at + 4, 12, GAS_FIELDS)) return;
    d.blank();
    d.uint(at + 16, 8, 'Value');
    d.uint(at + 24, 8, 'Mask');
  }
}
