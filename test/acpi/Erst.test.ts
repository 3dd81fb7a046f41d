import { verifyTableChecksum } from '../../src/acpi';
import { buildErstBytes, decodeErst, ErstAction, ErstInstruction, QEMU_ERST_ENTRY_COUNT, qemuErstEntries } from '../../src/acpi/Erst';
import { formatTableText } from '../../src/acpi/text/formatTableText';
import { tableToJson } from '../../src/acpi/text/tableToJson';
import { DecodeError } from '../../src/binary/errors';
import { bootMachine, createMachineMemory } from '../../src/device-model/boot';
import { iaslDisassemble, iaslFields } from './iasl';

/** The booted extended machine's ERST as the guest finds it (patched, checksummed). */
function bootedErst(opts: Parameters<typeof bootMachine>[0] = { profile: 'extended' }) {
  const memory = createMachineMemory();
  const m = bootMachine(opts, memory);
  const t = m.handoff.tables.find((x) => x.signature === 'ERST');
  const erstBlob = m.handoff.allocations.find((a) => a.file === 'etc/erst');
  return { m, memory, table: t, bytes: t ? memory.read(t.address, t.length) : new Uint8Array(0), registers: erstBlob?.address ?? 0n };
}

const u8 = (b: Uint8Array, o: number) => b[o];
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);
const u64 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(o, true);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

describe('ERST table built by the device model (extended profile)', () => {
  it('header and serialization header, field by field', () => {
    const { bytes } = bootedErst();
    expect(ascii(bytes, 0, 4)).toBe('ERST');
    expect(u32(bytes, 4)).toBe(48 + 32 * 27);
    expect(bytes.length).toBe(912);
    expect(u8(bytes, 8)).toBe(1);
    expect(verifyTableChecksum(bytes).ok).toBe(true);
    expect(ascii(bytes, 10, 6)).toBe('BOCHS ');
    expect(ascii(bytes, 16, 8)).toBe('BXPC    ');
    expect(u32(bytes, 24)).toBe(1);
    expect(ascii(bytes, 28, 4)).toBe('BXPC');
    expect(u32(bytes, 32)).toBe(1);
    expect(u32(bytes, 36)).toBe(48);
    expect(u32(bytes, 40)).toBe(0);
    expect(u32(bytes, 44)).toBe(QEMU_ERST_ENTRY_COUNT);
  });

  it("every entry is QEMU's: action, instruction, flags, GAS (patched to the register window), value, mask", () => {
    const { bytes, registers } = bootedErst();
    expect(registers).toBeGreaterThan(0n);
    const A = ErstAction;
    const I = ErstInstruction;
    // [action, instruction, register offset, bits, value]
    const expected: Array<[number, number, number, number, bigint]> = [
      [A.BEGIN_WRITE, I.WRITE_REGISTER_VALUE, 0, 32, 0n],
      [A.BEGIN_READ, I.WRITE_REGISTER_VALUE, 0, 32, 1n],
      [A.BEGIN_CLEAR, I.WRITE_REGISTER_VALUE, 0, 32, 2n],
      [A.END, I.WRITE_REGISTER_VALUE, 0, 32, 3n],
      [A.SET_RECORD_OFFSET, I.WRITE_REGISTER, 8, 32, 0n],
      [A.SET_RECORD_OFFSET, I.WRITE_REGISTER_VALUE, 0, 32, 4n],
      [A.EXECUTE_OPERATION, I.WRITE_REGISTER_VALUE, 8, 32, 0x9cn],
      [A.EXECUTE_OPERATION, I.WRITE_REGISTER_VALUE, 0, 32, 5n],
      [A.CHECK_BUSY_STATUS, I.WRITE_REGISTER_VALUE, 0, 32, 6n],
      [A.CHECK_BUSY_STATUS, I.READ_REGISTER_VALUE, 8, 32, 1n],
      [A.GET_COMMAND_STATUS, I.WRITE_REGISTER_VALUE, 0, 32, 7n],
      [A.GET_COMMAND_STATUS, I.READ_REGISTER, 8, 32, 0n],
      [A.GET_RECORD_IDENTIFIER, I.WRITE_REGISTER_VALUE, 0, 32, 8n],
      [A.GET_RECORD_IDENTIFIER, I.READ_REGISTER, 8, 64, 0n],
      [A.SET_RECORD_IDENTIFIER, I.WRITE_REGISTER, 8, 64, 0n],
      [A.SET_RECORD_IDENTIFIER, I.WRITE_REGISTER_VALUE, 0, 32, 9n],
      [A.GET_RECORD_COUNT, I.WRITE_REGISTER_VALUE, 0, 32, 0xan],
      [A.GET_RECORD_COUNT, I.READ_REGISTER, 8, 32, 0n],
      [A.BEGIN_DUMMY_WRITE, I.WRITE_REGISTER_VALUE, 0, 32, 0xbn],
      [A.GET_ERROR_LOG_ADDRESS_RANGE, I.WRITE_REGISTER_VALUE, 0, 32, 0xdn],
      [A.GET_ERROR_LOG_ADDRESS_RANGE, I.READ_REGISTER, 8, 64, 0n],
      [A.GET_ERROR_LOG_ADDRESS_LENGTH, I.WRITE_REGISTER_VALUE, 0, 32, 0xen],
      [A.GET_ERROR_LOG_ADDRESS_LENGTH, I.READ_REGISTER, 8, 64, 0n],
      [A.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES, I.WRITE_REGISTER_VALUE, 0, 32, 0xfn],
      [A.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES, I.READ_REGISTER, 8, 32, 0n],
      [A.GET_EXECUTE_OPERATION_TIMINGS, I.WRITE_REGISTER_VALUE, 0, 32, 0x10n],
      [A.GET_EXECUTE_OPERATION_TIMINGS, I.READ_REGISTER, 8, 64, 0n],
    ];
    expect(expected).toHaveLength(27);
    expected.forEach(([action, instruction, reg, bits, value], i) => {
      const at = 48 + 32 * i;
      expect([i, u8(bytes, at), u8(bytes, at + 1), u8(bytes, at + 2), u8(bytes, at + 3)]).toEqual([i, action, instruction, 0, 0]);
      expect([i, u8(bytes, at + 4), u8(bytes, at + 5), u8(bytes, at + 6), u8(bytes, at + 7)]).toEqual([i, 0, bits, 0, bits === 32 ? 3 : 4]);
      expect([i, u64(bytes, at + 8)]).toEqual([i, registers + BigInt(reg)]);
      expect([i, u64(bytes, at + 16)]).toEqual([i, value]);
      expect([i, u64(bytes, at + 24)]).toEqual([i, bits === 32 ? 0xffffffffn : 0xffffffffffffffffn]);
    });
  });

  it('XSDT lists HEST then ERST; the loader script allocates etc/erst and patches every entry', () => {
    const { m, table } = bootedErst();
    const xsdt = m.handoff.tables.find((t) => t.signature === 'XSDT')!;
    expect(xsdt.length).toBe(52);
    const hest = m.handoff.tables.find((t) => t.signature === 'HEST')!;
    const xsdtBytes = m.files.tables.subarray(m.layout.xsdtOffset, m.layout.xsdtOffset + 52);
    expect(u64(xsdtBytes, 36)).toBe(0n); // unpatched: HEST offset in etc/acpi/tables
    expect(u64(xsdtBytes, 44)).toBe(BigInt(m.layout.erst!.tableOffset));
    expect(table!.address).toBe(hest.address + BigInt(hest.length));
    const cmds = m.files.loader;
    const alloc = cmds.filter((c) => c.type === 'ALLOCATE').map((c) => (c as { file: string }).file);
    expect(alloc).toContain('etc/erst');
    const toErst = cmds.filter((c) => c.type === 'ADD_POINTER' && (c as { srcFile: string }).srcFile === 'etc/erst');
    expect(toErst).toHaveLength(27);
    const sums = cmds.filter((c) => c.type === 'ADD_CHECKSUM').map((c) => (c as { start: number }).start);
    expect(sums).toContain(m.layout.erst!.tableOffset);
  });

  it('the register window and exchange buffer belong to the device model', () => {
    const { memory, registers } = bootedErst();
    const owner = memory.ownerOf(registers)!;
    expect(owner.name).toBe('etc/erst');
    expect(owner.owner).toBe('device-model');
    expect(memory.ownerOf(registers + 0x1000n)!.owner).toBe('device-model');
    expect(owner.size).toBe(0x1000n + 8192n);
  });

  it('erst:false leaves it out; the QEMU profiles have none and refuse it; sizes are validated', () => {
    expect(bootedErst({ profile: 'extended', erst: false }).table).toBeUndefined();
    expect(bootedErst({ profile: 'qemu-7.2-virt' }).table).toBeUndefined();
    expect(bootedErst({ profile: 'qemu-10.2-virt' }).table).toBeUndefined();
    expect(() => bootMachine({ profile: 'qemu-7.2-virt', erst: true })).toThrow(/has no ERST/);
    expect(() => bootMachine({ profile: 'extended', erst: { recordSize: 5000 } })).toThrow(/power of two/);
    expect(() => bootMachine({ profile: 'extended', erst: { capacity: 0 } })).toThrow(/capacity|1 to/);
    const big = bootedErst({ profile: 'extended', erst: { recordSize: 16384, capacity: 4 } });
    expect(big.memory.ownerOf(big.registers)!.size).toBe(0x1000n + 16384n);
  });

  it('iasl -d disassembles it without an error or warning, and our text is its text', () => {
    const { bytes } = bootedErst();
    const r = iaslDisassemble(bytes, 'erst');
    expect(r.status).toBe(0);
    expect(r.output).not.toMatch(/error|warning/i);
    expect(r.dsl).not.toMatch(/\*\*\*\*|Incorrect checksum/);
    expect(r.output).toContain('Acpi Data Table [ERST] decoded');
    const fields = iaslFields(r.body);
    expect(fields.filter((f) => f.name === 'Action').map((f) => f.value.slice(0, 2))).toEqual(decodeErst(bytes).entries.map((e) => e.action.toString(16).toUpperCase().padStart(2, '0')));
    expect(fields.find((f) => f.name === 'Instruction Entry Count')!.value).toBe('0000001B');
    const ours = formatTableText(bytes, { layout: r.layout });
    expect(ours.trimEnd()).toBe(r.body.trimEnd());
  });

  it('JSON form and strict decode errors with offsets', () => {
    const { bytes } = bootedErst();
    const j = tableToJson(bytes) as { entryCount: number; entries: Array<{ action: { name: string }; instruction: { name: string }; value: string }>; checksumValid: boolean };
    expect(j.checksumValid).toBe(true);
    expect(j.entryCount).toBe(27);
    expect(j.entries[6]).toMatchObject({ action: { name: 'EXECUTE_OPERATION' }, instruction: { name: 'WRITE_REGISTER_VALUE' }, value: '0x9c' });
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(44, 28, true);
    expect(() => decodeErst(bad)).toThrow(DecodeError);
    try {
      decodeErst(bad);
    } catch (e) {
      expect((e as DecodeError).offset).toBe(44);
      expect((e as DecodeError).code).toBe('bad_count');
    }
    expect((tableToJson(bad) as { error: { code: string } }).error.code).toBe('bad_count');
    expect(() => decodeErst(bytes.subarray(0, 40))).toThrow(DecodeError);
  });

  it('buildErstBytes round-trips through decodeErst', () => {
    const entries = qemuErstEntries(0x9000_0000n);
    const t = decodeErst(buildErstBytes(entries));
    expect(t.entries.map((e) => [e.action, e.instruction, e.register.address, e.value, e.mask])).toEqual(entries.map((e) => [e.action, e.instruction, e.register.address, e.value, e.mask]));
  });
});
