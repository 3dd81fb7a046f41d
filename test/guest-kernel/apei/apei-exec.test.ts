import { ErstEntry, ErstInstruction as I } from '../../../src/acpi/Erst';
import { GenericAddress } from '../../../src/acpi/GenericAddress';
import { GuestMemory } from '../../../src/guest-memory/GuestMemory';
import { ApeiExecContext, checkActionTable, EINVAL, EIO, ENOENT } from '../../../src/guest-kernel/apei/apei-exec';

/**
 * Linux's APEI interpreter on plain RAM registers: each instruction's semantics, ip handling
 * (GOTO, SKIP_NEXT_INSTRUCTION_IF_TRUE, rewinds), Linux's warnings, and bounded failure.
 */
const RAM = 0x4000_0000n;
const R1 = RAM + 0x100n;
const R2 = RAM + 0x108n;
const R3 = RAM + 0x110n;
const SRC = RAM + 0x1000n;
const DST = RAM + 0x2000n;

function entry(action: number, instruction: number, address: bigint, value = 0n, mask = 0xffff_ffff_ffff_ffffn, extra: Partial<ErstEntry> & { bits?: number; bitOffset?: number } = {}): ErstEntry {
  const bits = extra.bits ?? 64;
  return {
    action,
    instruction,
    flags: extra.flags ?? 0,
    register: new GenericAddress({ spaceId: 0, bitWidth: bits, bitOffset: extra.bitOffset ?? 0, accessSize: bits === 64 ? 4 : 3, address }),
    value,
    mask,
  };
}

function setup(entries: ErstEntry[]) {
  const memory = new GuestMemory().addRam(RAM, 0x10_0000n);
  const lines: string[] = [];
  let spent = 0n;
  const ctx = new ApeiExecContext(entries, { memory, printk: (_l, t) => lines.push(t), delayNs: (ns) => (spent += ns) });
  return { memory, ctx, lines, spent: () => spent };
}

describe('APEI instruction interpreter (apei-base.c + erst.c instruction table)', () => {
  it('READ_REGISTER applies bit offset and mask; READ_REGISTER_VALUE compares; WRITE_REGISTER(_VALUE) with PRESERVE', () => {
    const t = setup([
      entry(1, I.READ_REGISTER, R1, 0n, 0xffn, { bits: 16, bitOffset: 8 }),
      entry(2, I.READ_REGISTER_VALUE, R1, 0x34n, 0xffn, { bits: 16, bitOffset: 8 }),
      entry(3, I.WRITE_REGISTER_VALUE, R2, 0xabn, 0xffn, { bits: 16, bitOffset: 8, flags: 1 }),
      entry(4, I.WRITE_REGISTER, R3, 0n, 0xffffn),
    ]);
    t.memory.writeU64(R1, 0x1234n, 'guest');
    expect(t.ctx.exec(1)).toBe(0);
    expect(t.ctx.output).toBe(0x12n);
    expect(t.ctx.exec(2)).toBe(0);
    expect(t.ctx.output).toBe(0n);
    t.memory.writeU64(R1, 0x3400n, 'guest');
    t.ctx.exec(2);
    expect(t.ctx.output).toBe(1n);
    // 32-bit access (the GAS's access size): bits 8..15 replaced, the others preserved
    t.memory.writeU64(R2, 0xffff_0000_ff00_00ffn, 'guest');
    expect(t.ctx.exec(3)).toBe(0);
    expect(t.memory.readU64(R2)).toBe(0xffff_0000_ff00_abffn);
    t.ctx.setInput(0x12345n);
    expect(t.ctx.exec(4)).toBe(0);
    expect(t.memory.readU64(R3)).toBe(0x2345n);
  });

  it('NOOP, LOAD_VAR1/2, ADD, SUBTRACT, STORE_VAR1, ADD_VALUE, SUBTRACT_VALUE', () => {
    const t = setup([
      entry(1, I.LOAD_VAR1, R1),
      entry(1, I.NOOP, 0n),
      entry(1, I.LOAD_VAR2, R2),
      entry(1, I.ADD, 0n),
      entry(1, I.STORE_VAR1, R3),
      entry(2, I.SUBTRACT, 0n),
      entry(2, I.SUBTRACT, 0n),
      entry(2, I.STORE_VAR1, R3),
      entry(3, I.ADD_VALUE, R1),
      entry(4, I.SUBTRACT_VALUE, R1),
    ]);
    t.memory.writeU64(R1, 40n, 'guest');
    t.memory.writeU64(R2, 2n, 'guest');
    expect(t.ctx.exec(1)).toBe(0);
    expect(t.memory.readU64(R3)).toBe(42n);
    expect(t.ctx.exec(2)).toBe(0);
    expect(t.memory.readU64(R3)).toBe(38n);
    t.ctx.setInput(5n);
    t.ctx.exec(3);
    expect(t.memory.readU64(R1)).toBe(45n);
    t.ctx.setInput(50n);
    t.ctx.exec(4);
    expect(t.memory.readU64(R1)).toBe(0xffff_ffff_ffff_fffbn); // wraps like u64
  });

  it('GOTO and SKIP_NEXT_INSTRUCTION_IF_TRUE: skips exactly one entry, jumps to ctx.value, rewinds, bounded', () => {
    const loop = () => [entry(7, I.SUBTRACT_VALUE, R1), entry(7, I.SKIP_NEXT_INSTRUCTION_IF_TRUE, R1, 0n), entry(7, I.GOTO, 0n), entry(7, I.NOOP, 0n)];
    // input 1, R1 = 1: R1 becomes 0, the SKIP is true and jumps over the GOTO to the NOOP
    const w = setup(loop());
    w.memory.writeU64(R1, 1n, 'guest');
    w.ctx.setInput(1n);
    expect(w.ctx.exec(7)).toBe(0);
    expect(w.memory.readU64(R1)).toBe(0n);
    expect(w.ctx.steps).toBe(3); // SUBTRACT_VALUE, SKIP (true → ip 3), NOOP
    // R1 = 3, input 0: GOTO 0 rewinds the walk; SUBTRACT_VALUE subtracts 0 forever → the step budget ends it
    const v = setup(loop());
    v.memory.writeU64(R1, 3n, 'guest');
    v.ctx.setInput(0n);
    expect(v.ctx.exec(7)).toBe(EIO);
    expect(v.lines).toEqual(['[Firmware Warn]: ERST: Firmware does not respond in time.']);
    // R1 = 0: the SKIP is true at once (ip 0 + 2 = the NOOP)
    const x = setup([entry(9, I.SKIP_NEXT_INSTRUCTION_IF_TRUE, R1, 0n), entry(9, I.GOTO, 0n), entry(9, I.NOOP, 0n)]);
    expect(x.ctx.exec(9)).toBe(0);
    expect(x.ctx.steps).toBe(2);
  });

  it('STALL caps at 50 µs with a warning; STALL_WHILE_TRUE polls until the register changes or times out', () => {
    const t = setup([entry(1, I.STALL, 0n), entry(2, I.STALL_WHILE_TRUE, R1, 1n)]);
    t.ctx.setInput(10n);
    t.ctx.exec(1);
    expect(t.spent()).toBe(10_000n);
    t.ctx.setInput(100n);
    t.ctx.exec(1);
    expect(t.lines).toEqual(['[Firmware Warn]: ERST: Too long stall time for stall instruction: 0x64.']);
    expect(t.spent()).toBe(60_000n);
    // Linux compares with ctx->value (the caller's input), not the entry's Value field
    t.memory.writeU64(R1, 0n, 'guest');
    t.ctx.var1 = 10n;
    t.ctx.setInput(1n);
    expect(t.ctx.exec(2)).toBe(0);
    t.ctx.setInput(1n);
    t.memory.writeU64(R1, 1n, 'guest');
    expect(t.ctx.exec(2)).toBe(EIO);
    expect(t.lines[1]).toBe('[Firmware Warn]: ERST: Firmware does not respond in time.');
  });

  it('SET_SRC/DST_ADDRESS_BASE + MOVE_DATA copy var2 bytes at base + offset', () => {
    const t = setup([entry(1, I.SET_SRC_ADDRESS_BASE, R1), entry(1, I.SET_DST_ADDRESS_BASE, R2), entry(1, I.LOAD_VAR2, R3), entry(1, I.MOVE_DATA, RAM + 0x118n)]);
    t.memory.writeU64(R1, SRC, 'guest');
    t.memory.writeU64(R2, DST, 'guest');
    t.memory.writeU64(R3, 5n, 'guest');
    t.memory.writeU64(RAM + 0x118n, 0x10n, 'guest');
    t.memory.write(SRC + 0x10n, new Uint8Array([1, 2, 3, 4, 5, 6]), 'guest');
    expect(t.ctx.exec(1)).toBe(0);
    expect([...t.memory.read(DST + 0x10n, 6)]).toEqual([1, 2, 3, 4, 5, 0]);
  });

  it("unknown instruction, bad GAS, missing action: Linux's warnings and errnos, never a throw", () => {
    const t = setup([entry(1, 0x13, R1), entry(2, I.READ_REGISTER, 0n)]);
    expect(t.ctx.exec(1)).toBe(EINVAL);
    expect(t.lines[0]).toBe('[Firmware Warn]: APEI: Invalid action table, unknown instruction type: 19');
    expect(t.ctx.exec(2)).toBe(EINVAL);
    expect(t.lines[1]).toBe('[Firmware Bug]: APEI: Invalid physical address in GAR [0x0/64/0/4/0]');
    expect(t.ctx.exec(3)).toBe(ENOENT);
    expect(t.ctx.exec(3, true)).toBe(0);
    expect(checkActionTable([entry(1, 0x20, R1)])).toEqual({ rc: EINVAL, warnings: ['[Firmware Warn]: APEI: Invalid action table, unknown instruction type: 32'] });
    const badSpace = entry(1, I.READ_REGISTER, R1);
    badSpace.register.spaceId = 3;
    expect(checkActionTable([badSpace]).warnings).toEqual(['[Firmware Bug]: APEI: Invalid address space type in GAR [0x40000100/64/0/4/3]']);
    // a register outside RAM: the access fails with EINVAL and a warning
    const out = setup([entry(1, I.READ_REGISTER, 0x10n)]);
    expect(out.ctx.exec(1)).toBe(EINVAL);
    expect(out.lines).toHaveLength(1);
  });
});
