import { ByteReader } from '../binary/ByteReader';
import { ByteWriter } from '../binary/ByteWriter';
import { DecodeError, EncodeError } from '../binary/errors';
import { decodeGenericAddress, GenericAddress, GAS_LENGTH } from './GenericAddress';
import { QEMU_HEADER_DEFAULTS, TableHeader, TABLE_HEADER_LENGTH, decodeTableHeader } from './TableHeader';

/**
 * ERST — Error Record Serialization Table (ACPI 6.5 §18.5.1).
 *
 *   0  table header (36, signature "ERST", revision 1)
 *  36  Serialization Header Size u32 (ACPI and QEMU: 48, the whole header; Linux also accepts 12)
 *  40  Reserved u32
 *  44  Instruction Entry Count u32
 *  48  Serialization Instruction Entries, 32 bytes each:
 *        0 Serialization Action u8 · 1 Instruction u8 · 2 Flags u8 (bit 0 PRESERVE_REGISTER) ·
 *        3 Reserved u8 · 4 Register Region (GAS, 12) · 16 Value u64 · 24 Mask u64
 *
 * Codes: actions (ACPI 6.5 Table 18.23, QEMU hw/acpi/erst.c ACTION_*, Linux enum acpi_erst_actions),
 * instructions (Table 18.25, INST_* / enum acpi_erst_instructions), command status (Table 18.24).
 */

export const ERST_HEADER_LENGTH = 48;
export const ERST_ENTRY_LENGTH = 32;
export const ERST_REVISION = 1;

export const ErstAction = {
  BEGIN_WRITE: 0x0,
  BEGIN_READ: 0x1,
  BEGIN_CLEAR: 0x2,
  END: 0x3,
  SET_RECORD_OFFSET: 0x4,
  EXECUTE_OPERATION: 0x5,
  CHECK_BUSY_STATUS: 0x6,
  GET_COMMAND_STATUS: 0x7,
  GET_RECORD_IDENTIFIER: 0x8,
  SET_RECORD_IDENTIFIER: 0x9,
  GET_RECORD_COUNT: 0xa,
  BEGIN_DUMMY_WRITE: 0xb,
  RESERVED: 0xc,
  GET_ERROR_LOG_ADDRESS_RANGE: 0xd,
  GET_ERROR_LOG_ADDRESS_LENGTH: 0xe,
  GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES: 0xf,
  GET_EXECUTE_OPERATION_TIMINGS: 0x10,
} as const;

export const ErstInstruction = {
  READ_REGISTER: 0x00,
  READ_REGISTER_VALUE: 0x01,
  WRITE_REGISTER: 0x02,
  WRITE_REGISTER_VALUE: 0x03,
  NOOP: 0x04,
  LOAD_VAR1: 0x05,
  LOAD_VAR2: 0x06,
  STORE_VAR1: 0x07,
  ADD: 0x08,
  SUBTRACT: 0x09,
  ADD_VALUE: 0x0a,
  SUBTRACT_VALUE: 0x0b,
  STALL: 0x0c,
  STALL_WHILE_TRUE: 0x0d,
  SKIP_NEXT_INSTRUCTION_IF_TRUE: 0x0e,
  GOTO: 0x0f,
  SET_SRC_ADDRESS_BASE: 0x10,
  SET_DST_ADDRESS_BASE: 0x11,
  MOVE_DATA: 0x12,
} as const;

export const ErstStatus = {
  SUCCESS: 0x0,
  NOT_ENOUGH_SPACE: 0x1,
  HARDWARE_NOT_AVAILABLE: 0x2,
  FAILED: 0x3,
  RECORD_STORE_EMPTY: 0x4,
  RECORD_NOT_FOUND: 0x5,
} as const;

export type ErstStatusName = keyof typeof ErstStatus;

/** Flags bit 0: PRESERVE_REGISTER (read-modify-write with the mask). */
export const ERST_FLAG_PRESERVE_REGISTER = 0x1;

/** ACPI: record identifier 0 = "unspecified" (the first record); all ones = none / end of the store. */
export const ERST_UNSPECIFIED_RECORD_ID = 0n;
export const ERST_EMPTY_END_RECORD_ID = 0xffff_ffff_ffff_ffffn;

/** The names iasl prints for actions (AcpiDmErstActions) and instructions (AcpiDmErstInstructions). */
const IASL_ACTION_NAMES = [
  'Begin Write Operation',
  'Begin Read Operation',
  'Begin Clear Operation',
  'End Operation',
  'Set Record Offset',
  'Execute Operation',
  'Check Busy Status',
  'Get Command Status',
  'Get Record Identifier',
  'Set Record Identifier',
  'Get Record Count',
  'Begin Dummy Write',
  'Unused/Unknown Action',
  'Get Error Address Range',
  'Get Error Address Length',
  'Get Error Attributes',
  'Execute Timings',
];
const IASL_INSTRUCTION_NAMES = [
  'Read Register',
  'Read Register Value',
  'Write Register',
  'Write Register Value',
  'Noop',
  'Load Var1',
  'Load Var2',
  'Store Var1',
  'Add',
  'Subtract',
  'Add Value',
  'Subtract Value',
  'Stall',
  'Stall While True',
  'Skip If True',
  'Goto',
  'Set Source Address',
  'Set Destination Address',
  'Move Data',
];

export function iaslErstActionName(v: number): string {
  return IASL_ACTION_NAMES[v] ?? 'Unknown Serialization Action';
}

export function iaslErstInstructionName(v: number): string {
  return IASL_INSTRUCTION_NAMES[v] ?? 'Unknown Instruction';
}

/** Spec name of a code of `codes` (`BEGIN_WRITE`…), `UNKNOWN_0x..` otherwise. */
function codeNames(codes: Readonly<Record<string, number>>): (v: number) => string {
  const names = new Map(Object.entries(codes).map(([k, v]) => [v, k]));
  return (v) => names.get(v) ?? `UNKNOWN_0x${v.toString(16)}`;
}

export const erstActionName = codeNames(ErstAction);
export const erstInstructionName = codeNames(ErstInstruction);
export const erstStatusName = codeNames(ErstStatus);

export interface ErstEntry {
  action: number;
  instruction: number;
  flags: number;
  reserved?: number;
  register: GenericAddress;
  value: bigint;
  mask: bigint;
}

export interface ErstTable {
  header: TableHeader;
  headerLength: number;
  reserved: number;
  entryCount: number;
  entries: ErstEntry[];
}

function u64ok(v: bigint): boolean {
  return v >= 0n && v <= ERST_EMPTY_END_RECORD_ID;
}

/** Writes the table (checksum 0: the loader's ADD_CHECKSUM, or applyTableChecksum, fills it). */
export function buildErstBytes(entries: readonly ErstEntry[], header: Partial<Pick<TableHeader, 'oemId' | 'oemTableId' | 'oemRevision' | 'creatorId' | 'creatorRevision'>> = {}): Uint8Array {
  const length = ERST_HEADER_LENGTH + ERST_ENTRY_LENGTH * entries.length;
  const bytes = new Uint8Array(length);
  const w = new ByteWriter(bytes);
  new TableHeader({ signature: 'ERST', length, revision: ERST_REVISION, checksum: 0, ...QEMU_HEADER_DEFAULTS, ...header }).writeTo(w, 0, 'header');
  w.u32(36, ERST_HEADER_LENGTH, 'headerLength');
  w.u32(40, 0, 'reserved');
  w.u32(44, entries.length, 'entryCount');
  entries.forEach((e, i) => {
    const at = ERST_HEADER_LENGTH + i * ERST_ENTRY_LENGTH;
    const p = `entries[${i}]`;
    if (!u64ok(e.value)) throw new EncodeError({ code: 'out_of_range', path: `${p}.value`, message: 'value must be a u64' });
    if (!u64ok(e.mask)) throw new EncodeError({ code: 'out_of_range', path: `${p}.mask`, message: 'mask must be a u64' });
    w.u8(at, e.action, `${p}.action`);
    w.u8(at + 1, e.instruction, `${p}.instruction`);
    w.u8(at + 2, e.flags, `${p}.flags`);
    w.u8(at + 3, e.reserved ?? 0, `${p}.reserved`);
    e.register.writeTo(w, at + 4, `${p}.register`);
    w.u64(at + 16, e.value, `${p}.value`);
    w.u64(at + 24, e.mask, `${p}.mask`);
  });
  return bytes;
}

/** Offset of entry i's GAS address field inside the table (the loader's ADD_POINTER targets). */
export function erstEntryAddressOffset(i: number): number {
  return ERST_HEADER_LENGTH + i * ERST_ENTRY_LENGTH + 4 + 4;
}

/**
 * Strict decode: the header, the serialization header and every entry. Refuses (DecodeError with
 * the byte offset) a table shorter than 48 bytes, a length beyond the bytes present, or an entry
 * count that disagrees with the length.
 */
export function decodeErst(bytes: Uint8Array): ErstTable {
  const header = decodeTableHeader(bytes);
  if (header.signature !== 'ERST') throw new DecodeError({ code: 'bad_signature', offset: 0, path: 'header.signature', message: `expected "ERST", got ${JSON.stringify(header.signature)}` });
  if (header.length < ERST_HEADER_LENGTH) throw new DecodeError({ code: 'bad_length', offset: 4, path: 'header.length', message: `ERST length ${header.length} is shorter than its 48-byte header` });
  if (header.length > bytes.length) throw new DecodeError({ code: 'truncated', offset: 4, path: 'header.length', message: `ERST length ${header.length} exceeds the ${bytes.length} bytes present` });
  const r = new ByteReader(bytes, 0, header.length, 'erst');
  const entryCount = r.u32(44, 'entryCount');
  const room = Math.floor((header.length - ERST_HEADER_LENGTH) / ERST_ENTRY_LENGTH);
  if (entryCount !== room || (header.length - ERST_HEADER_LENGTH) % ERST_ENTRY_LENGTH !== 0) {
    throw new DecodeError({ code: 'bad_count', offset: 44, path: 'erst.entryCount', message: `Instruction Entry Count ${entryCount} disagrees with the table length ${header.length} (room for ${room} 32-byte entries${(header.length - ERST_HEADER_LENGTH) % ERST_ENTRY_LENGTH ? ' and a partial one' : ''})` });
  }
  const entries: ErstEntry[] = [];
  for (let i = 0; i < entryCount; i++) {
    const at = ERST_HEADER_LENGTH + i * ERST_ENTRY_LENGTH;
    const e = r.sub(at, ERST_ENTRY_LENGTH, `entries[${i}]`);
    entries.push({
      action: e.u8(0, 'action'),
      instruction: e.u8(1, 'instruction'),
      flags: e.u8(2, 'flags'),
      reserved: e.u8(3, 'reserved'),
      register: decodeGenericAddress(e, 4, 'register'),
      value: e.u64(16, 'value'),
      mask: e.u64(24, 'mask'),
    });
  }
  return { header, headerLength: r.u32(36, 'headerLength'), reserved: r.u32(40, 'reserved'), entryCount, entries };
}

/** The JSON form (u64 as bigint here; the caller's toJsonValue makes them "0x…"). */
export function erstToJson(t: ErstTable): Record<string, unknown> {
  return {
    header: t.header.toJSON(),
    headerLength: t.headerLength,
    reserved: t.reserved,
    entryCount: t.entryCount,
    entries: t.entries.map((e, i) => ({
      offset: ERST_HEADER_LENGTH + i * ERST_ENTRY_LENGTH,
      action: { value: e.action, name: erstActionName(e.action) },
      instruction: { value: e.instruction, name: erstInstructionName(e.instruction) },
      flags: e.flags,
      reserved: e.reserved ?? 0,
      register: e.register.toJSON(),
      value: e.value,
      mask: e.mask,
    })),
  };
}

// ---------------------------------------------------------------- the device model's instruction list

/**
 * The register window of rasgw's ERST device (QEMU's two-register interface: an ACTION register
 * at +0 that the guest writes action codes to, a VALUE register at +8 for arguments and results).
 */
export const ERST_ACTION_REGISTER = 0;
export const ERST_VALUE_REGISTER = 8;
/** QEMU's magic value that EXECUTE_OPERATION writes to VALUE before the action code. */
export const ERST_EXECUTE_OPERATION_MAGIC = 0x9cn;

interface RegisterUse {
  instruction: number;
  offset: number;
  bits: 32 | 64;
}

function gasFor(base: bigint, offset: number, bits: 32 | 64): GenericAddress {
  // QEMU: access width = ctz(bit width) - 2 (3 = DWord for 32, 4 = QWord for 64)
  return new GenericAddress({ spaceId: 0, bitWidth: bits, bitOffset: 0, accessSize: bits === 32 ? 3 : 4, address: base + BigInt(offset) });
}

/**
 * QEMU's build_erst instruction list, byte for byte: for each action, the instructions on the
 * ACTION/VALUE registers with QEMU's widths, values and masks (mask = all ones of the register
 * width). `registerBase` is what the GAS address fields hold: 0 in the unpatched fw_cfg blob
 * (the loader's ADD_POINTER adds the register window's address), or a guest address.
 */
export function qemuErstEntries(registerBase = 0n): ErstEntry[] {
  const out: ErstEntry[] = [];
  const add = (action: number, use: RegisterUse, value: bigint) => {
    out.push({
      action,
      instruction: use.instruction,
      flags: 0,
      register: gasFor(registerBase, use.offset, use.bits),
      value,
      mask: use.bits === 32 ? 0xffff_ffffn : 0xffff_ffff_ffff_ffffn,
    });
  };
  const I = ErstInstruction;
  const wrAction: RegisterUse = { instruction: I.WRITE_REGISTER_VALUE, offset: ERST_ACTION_REGISTER, bits: 32 };
  const rdValue32Val: RegisterUse = { instruction: I.READ_REGISTER_VALUE, offset: ERST_VALUE_REGISTER, bits: 32 };
  const rdValue32: RegisterUse = { instruction: I.READ_REGISTER, offset: ERST_VALUE_REGISTER, bits: 32 };
  const rdValue64: RegisterUse = { instruction: I.READ_REGISTER, offset: ERST_VALUE_REGISTER, bits: 64 };
  const wrValue32Val: RegisterUse = { instruction: I.WRITE_REGISTER_VALUE, offset: ERST_VALUE_REGISTER, bits: 32 };
  const wrValue32: RegisterUse = { instruction: I.WRITE_REGISTER, offset: ERST_VALUE_REGISTER, bits: 32 };
  const wrValue64: RegisterUse = { instruction: I.WRITE_REGISTER, offset: ERST_VALUE_REGISTER, bits: 64 };
  const A = ErstAction;
  // QEMU's three shapes: the action code written to ACTION alone; an argument written to VALUE,
  // then the action code; the action code, then the result read from VALUE.
  const act = (a: number) => add(a, wrAction, BigInt(a));
  const argThenAct = (a: number, use: RegisterUse, value = 0n) => (add(a, use, value), act(a));
  const actThenRead = (a: number, use: RegisterUse, value = 0n) => (act(a), add(a, use, value));
  act(A.BEGIN_WRITE);
  act(A.BEGIN_READ);
  act(A.BEGIN_CLEAR);
  act(A.END);
  argThenAct(A.SET_RECORD_OFFSET, wrValue32);
  argThenAct(A.EXECUTE_OPERATION, wrValue32Val, ERST_EXECUTE_OPERATION_MAGIC);
  actThenRead(A.CHECK_BUSY_STATUS, rdValue32Val, 0x01n);
  actThenRead(A.GET_COMMAND_STATUS, rdValue32);
  actThenRead(A.GET_RECORD_IDENTIFIER, rdValue64);
  argThenAct(A.SET_RECORD_IDENTIFIER, wrValue64);
  actThenRead(A.GET_RECORD_COUNT, rdValue32);
  act(A.BEGIN_DUMMY_WRITE);
  actThenRead(A.GET_ERROR_LOG_ADDRESS_RANGE, rdValue64);
  actThenRead(A.GET_ERROR_LOG_ADDRESS_LENGTH, rdValue64);
  actThenRead(A.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES, rdValue32);
  actThenRead(A.GET_EXECUTE_OPERATION_TIMINGS, rdValue64);
  return out;
}

/** Number of entries of QEMU's list (the table is 48 + 32·N bytes). */
export const QEMU_ERST_ENTRY_COUNT = 27;

export { GAS_LENGTH, TABLE_HEADER_LENGTH };
