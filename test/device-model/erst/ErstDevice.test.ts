import { ErstAction as A, ErstStatus as S, ERST_EMPTY_END_RECORD_ID } from '../../../src/acpi/Erst';
import { attachErst } from '../../../src/device-model/erst/attachErst';
import { ERST_TIMINGS } from '../../../src/device-model/erst/ErstDevice';
import { ErstStorage, MemoryErstStorage } from '../../../src/device-model/erst/ErstStorage';
import { bootMachine, createMachineMemory } from '../../../src/device-model/boot';

/**
 * The device model's ERST executor driven directly through its MMIO registers (ACTION +0,
 * VALUE +8), as a guest's instructions would: every action, every command status.
 */
function setup(capacity = 3, storage: ErstStorage = new MemoryErstStorage()) {
  const memory = createMachineMemory();
  const m = bootMachine({ profile: 'extended', erst: { capacity } }, memory);
  const a = attachErst(m, memory, storage);
  const act = (code: number) => memory.writeU32(a.registers, code, 'guest');
  const setValue = (v: bigint) => memory.writeU64(a.registers + 8n, v, 'guest');
  const value = () => memory.readU64(a.registers + 8n);
  const exec = (op: number, opts: { offset?: bigint; id?: bigint } = {}) => {
    act(op);
    if (opts.offset !== undefined) {
      setValue(opts.offset);
      act(A.SET_RECORD_OFFSET);
    }
    if (opts.id !== undefined) {
      setValue(opts.id);
      act(A.SET_RECORD_IDENTIFIER);
    }
    setValue(0x9cn);
    act(A.EXECUTE_OPERATION);
    act(A.CHECK_BUSY_STATUS);
    expect(value()).toBe(0n);
    act(A.GET_COMMAND_STATUS);
    const status = Number(value());
    act(A.END);
    return status;
  };
  const record = (id: bigint, length = 200, sig = 'CPER') => {
    const b = new Uint8Array(length);
    b.set(new TextEncoder().encode(sig), 0);
    const dv = new DataView(b.buffer);
    dv.setUint32(20, length, true);
    dv.setBigUint64(96, id, true);
    b[length - 1] = 0x5a;
    return b;
  };
  const put = (bytes: Uint8Array, at = 0) => memory.write(a.exchange + BigInt(at), bytes, 'guest');
  const getId = () => {
    act(A.GET_RECORD_IDENTIFIER);
    return value();
  };
  return { memory, a, act, setValue, value, exec, record, put, getId, storage };
}

describe('ERST executor (device model)', () => {
  it('GET_ERROR_LOG_ADDRESS_RANGE/LENGTH/ATTRIBUTES, TIMINGS, RECORD_COUNT answer in VALUE', () => {
    const t = setup();
    t.act(A.GET_ERROR_LOG_ADDRESS_RANGE);
    expect(t.value()).toBe(t.a.exchange);
    t.act(A.GET_ERROR_LOG_ADDRESS_LENGTH);
    expect(t.value()).toBe(8192n);
    t.act(A.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES);
    expect(t.value()).toBe(0n);
    t.act(A.GET_EXECUTE_OPERATION_TIMINGS);
    expect(t.value()).toBe(ERST_TIMINGS);
    t.act(A.GET_RECORD_COUNT);
    expect(t.value()).toBe(0n);
    expect(t.getId()).toBe(ERST_EMPTY_END_RECORD_ID);
  });

  it('write, read back, iterate (first/next, all ones at the end, then again from the first), clear', () => {
    const t = setup();
    t.put(t.record(0x11n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    t.put(t.record(0x22n, 300), 512);
    expect(t.exec(A.BEGIN_WRITE, { offset: 512n })).toBe(S.SUCCESS);
    t.act(A.GET_RECORD_COUNT);
    expect(t.value()).toBe(2n);
    expect([t.getId(), t.getId(), t.getId(), t.getId()]).toEqual([0x11n, 0x22n, ERST_EMPTY_END_RECORD_ID, 0x11n]);
    t.memory.write(t.a.exchange, new Uint8Array(1024), 'guest');
    expect(t.exec(A.BEGIN_READ, { offset: 0n, id: 0x22n })).toBe(S.SUCCESS);
    expect(t.memory.read(t.a.exchange, 300)).toEqual(t.record(0x22n, 300));
    // id 0 = unspecified: the first record
    expect(t.exec(A.BEGIN_READ, { offset: 0n, id: 0n })).toBe(S.SUCCESS);
    expect(t.memory.read(t.a.exchange, 200)).toEqual(t.record(0x11n));
    expect(t.exec(A.BEGIN_CLEAR, { id: 0x11n })).toBe(S.SUCCESS);
    expect(t.a.device.recordIds()).toEqual([0x22n]);
    expect(t.storage.load().map((r) => r.id)).toEqual([0x22n]);
    // overwrite keeps the count
    t.put(t.record(0x22n, 400));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    expect(t.a.device.recordCount).toBe(1);
    expect(t.storage.load()[0].bytes.length).toBe(400);
    expect(t.exec(A.BEGIN_DUMMY_WRITE)).toBe(S.SUCCESS);
  });

  it('each error status', () => {
    const t = setup(2);
    // RECORD_STORE_EMPTY: read with nothing stored
    expect(t.exec(A.BEGIN_READ, { offset: 0n, id: 5n })).toBe(S.RECORD_STORE_EMPTY);
    // FAILED: bad offset, short length, length past the buffer, id 0, id all ones, no CPER signature
    t.put(t.record(1n));
    expect(t.exec(A.BEGIN_WRITE, { offset: BigInt(8192 - 127) })).toBe(S.FAILED);
    t.put(t.record(1n));
    t.memory.writeU32(t.a.exchange + 20n, 100, 'guest');
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.FAILED);
    t.memory.writeU32(t.a.exchange + 20n, 9000, 'guest');
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.FAILED);
    t.put(t.record(0n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.FAILED);
    t.put(t.record(ERST_EMPTY_END_RECORD_ID));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.FAILED);
    t.put(t.record(7n, 200, 'XXXX'));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.FAILED);
    // NOT_ENOUGH_SPACE: capacity 2
    t.put(t.record(1n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    t.put(t.record(2n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    t.put(t.record(3n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.NOT_ENOUGH_SPACE);
    expect(t.a.device.recordIds()).toEqual([1n, 2n]);
    // RECORD_NOT_FOUND: read and clear of an unknown id; the identifier restarts at the first
    expect(t.exec(A.BEGIN_READ, { offset: 0n, id: 9n })).toBe(S.RECORD_NOT_FOUND);
    expect(t.exec(A.BEGIN_CLEAR, { id: 9n })).toBe(S.RECORD_NOT_FOUND);
    // FAILED: clear of id 0 / all ones, read of all ones, read at a bad offset
    expect(t.exec(A.BEGIN_CLEAR, { id: 0n })).toBe(S.FAILED);
    expect(t.exec(A.BEGIN_CLEAR, { id: ERST_EMPTY_END_RECORD_ID })).toBe(S.FAILED);
    expect(t.exec(A.BEGIN_READ, { offset: 0n, id: ERST_EMPTY_END_RECORD_ID })).toBe(S.FAILED);
    expect(t.exec(A.BEGIN_READ, { offset: 8100n, id: 1n })).toBe(S.FAILED);
    // a record that does not fit behind the offset
    expect(t.exec(A.BEGIN_READ, { offset: BigInt(8192 - 128), id: 1n })).toBe(S.FAILED);
  });

  it('HARDWARE_NOT_AVAILABLE when the persistent store fails; nothing changes', () => {
    const failing: ErstStorage = {
      load: () => [],
      put: () => {
        throw new Error('disk full');
      },
      remove: () => {
        throw new Error('disk full');
      },
    };
    const t = setup(4, failing);
    t.put(t.record(5n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.HARDWARE_NOT_AVAILABLE);
    expect(t.a.device.recordCount).toBe(0);
  });

  it('EXECUTE_OPERATION without the magic does nothing; unknown actions and other offsets are ignored', () => {
    const t = setup();
    t.put(t.record(1n));
    t.act(A.BEGIN_WRITE);
    t.setValue(0n);
    t.act(A.SET_RECORD_OFFSET);
    t.setValue(0x9dn);
    t.act(A.EXECUTE_OPERATION);
    expect(t.a.device.recordCount).toBe(0);
    t.act(0x77);
    t.memory.writeU32(t.a.registers + 4n, 5, 'guest');
    t.memory.writeU32(t.a.registers + 0x100n, 5, 'guest');
    expect(t.memory.readU32(t.a.registers + 0x100n)).toBe(0);
    // 32-bit halves of VALUE
    t.memory.writeU32(t.a.registers + 12n, 0xaabbccdd, 'guest');
    t.memory.writeU32(t.a.registers + 8n, 0x11223344, 'guest');
    expect(t.value()).toBe(0xaabbccdd11223344n);
    expect(t.memory.readU32(t.a.registers + 12n)).toBe(0xaabbccdd);
    // bulk access to the register window is refused with a typed error
    expect(() => t.memory.read(t.a.registers, 16)).toThrow(/MMIO window/);
  });

  it('records survive a new device on the same storage (reboot) in slot order', () => {
    const storage = new MemoryErstStorage();
    const t = setup(3, storage);
    for (const id of [3n, 1n, 2n]) {
      t.put(t.record(id));
      expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    }
    expect(t.exec(A.BEGIN_CLEAR, { id: 3n })).toBe(S.SUCCESS);
    t.put(t.record(9n));
    expect(t.exec(A.BEGIN_WRITE, { offset: 0n })).toBe(S.SUCCESS);
    const t2 = setup(3, storage);
    expect(t2.a.device.recordIds()).toEqual([9n, 1n, 2n]);
    expect([t2.getId(), t2.getId(), t2.getId(), t2.getId()]).toEqual([9n, 1n, 2n, ERST_EMPTY_END_RECORD_ID]);
  });
});

describe('ERST option checkSignature', () => {
  it('false accepts a record without "CPER" as QEMU does', () => {
    const memory = createMachineMemory();
    const m = bootMachine({ profile: 'extended', erst: { checkSignature: false } }, memory);
    const a = attachErst(m, memory, new MemoryErstStorage());
    const b = new Uint8Array(128);
    new DataView(b.buffer).setUint32(20, 128, true);
    new DataView(b.buffer).setBigUint64(96, 7n, true);
    memory.write(a.exchange, b, 'guest');
    const act = (c: number) => memory.writeU32(a.registers, c, 'guest');
    act(A.BEGIN_WRITE);
    memory.writeU64(a.registers + 8n, 0n, 'guest');
    act(A.SET_RECORD_OFFSET);
    memory.writeU64(a.registers + 8n, 0x9cn, 'guest');
    act(A.EXECUTE_OPERATION);
    act(A.GET_COMMAND_STATUS);
    expect(memory.readU64(a.registers + 8n)).toBe(BigInt(S.SUCCESS));
    expect(a.device.recordIds()).toEqual([7n]);
    expect(() => bootMachine({ profile: 'extended', erst: { checkSignature: 'yes' as unknown as boolean } })).toThrow(/checkSignature/);
  });
});
