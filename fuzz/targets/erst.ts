import { ErstAction as A, ErstStatus as S, ERST_EMPTY_END_RECORD_ID } from '../../src/acpi/Erst';
import { bootMachine, createMachineMemory } from '../../src/device-model/boot';
import { ERST_REGISTER_PAGE } from '../../src/device-model/erst/ErstConfig';
import { ErstDevice } from '../../src/device-model/erst/ErstDevice';
import { MemoryErstStorage } from '../../src/device-model/erst/ErstStorage';
import type { GuestMemory, MmioHandler } from '../../src/guest-memory/GuestMemory';
import { erstInit } from '../../src/guest-kernel/apei/ErstDriver';
import { fixAcpiChecksum } from '../formats/acpiTable';
import type { LengthField } from '../fields';
import { FuzzInvariantError, FuzzTarget } from '../target';

/**
 * ERST fuzzing, two targets on one booted extended machine (memory changes of each input are
 * rolled back, and each input gets a fresh device and store):
 *
 * - `erst-table`: mutated ERST tables (instructions, GAS, values, masks, counts) go through the
 *   guest's erst_init and then a write / read / iterate / clear through the APEI interpreter
 *   against the device model. Nothing may throw; the interpreter stays bounded; the device's
 *   record index always matches its store.
 * - `erst-record`: mutated CPER records are written through the device's registers. The status
 *   must be the one QEMU's rules (plus rasgw's signature check) give for the header; a stored
 *   record reads back byte for byte and clears.
 */
class Rollback extends Error {}

interface Machine {
  memory: GuestMemory;
  registers: bigint;
  exchange: bigint;
  table: Uint8Array;
  /** the device the MMIO window currently reaches (replaced per input) */
  current: { device?: ErstDevice };
}

function machine(): Machine {
  const memory = createMachineMemory();
  const m = bootMachine({ profile: 'extended', erst: { capacity: 4 } }, memory);
  const blob = m.handoff.allocations.find((a) => a.file === 'etc/erst')!;
  const t = m.handoff.tables.find((x) => x.signature === 'ERST')!;
  const current: Machine['current'] = {};
  const proxy: MmioHandler = {
    read: (o, s) => current.device?.read(o, s) ?? 0n,
    write: (o, s, v, a) => current.device?.write(o, s, v, a),
  };
  memory.mapMmio(blob.address, BigInt(ERST_REGISTER_PAGE), 'ERST registers', proxy);
  return { memory, registers: blob.address, exchange: blob.address + 0x1000n, table: memory.read(t.address, t.length), current };
}

function withDevice<T>(mc: Machine, fn: (d: ErstDevice, storage: MemoryErstStorage) => T): T {
  const storage = new MemoryErstStorage();
  const device = new ErstDevice({ memory: mc.memory, registers: mc.registers, exchange: mc.exchange, exchangeSize: 8192, capacity: 4, storage });
  mc.current.device = device;
  let out: T | undefined;
  try {
    mc.memory.transaction(() => {
      out = fn(device, storage);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  } finally {
    mc.current.device = undefined;
  }
  return out as T;
}

function consistent(d: ErstDevice, storage: MemoryErstStorage): void {
  const ids = storage.load().map((r) => r.id);
  const mine = d.recordIds();
  if (ids.length !== mine.length || ids.some((id, i) => id !== mine[i])) throw new FuzzInvariantError(`device index [${mine.join(',')}] differs from its store [${ids.join(',')}]`);
  if (ids.length > d.capacity) throw new FuzzInvariantError(`${ids.length} records stored with capacity ${d.capacity}`);
}

export function cperRecordSeed(id: bigint, length: number): Uint8Array {
  const b = new Uint8Array(length);
  b.set([0x43, 0x50, 0x45, 0x52], 0);
  const dv = new DataView(b.buffer);
  dv.setUint16(4, 0x0101, true);
  dv.setUint32(6, 0xffffffff, true);
  dv.setUint32(20, length, true);
  dv.setBigUint64(96, id, true);
  for (let i = 128; i < length; i++) b[i] = i & 0xff;
  return b;
}

export function erstTableTarget(): FuzzTarget {
  let mc: Machine | undefined;
  const get = () => (mc ??= machine());
  return {
    name: 'erst-table',
    description: "mutated ERST tables through the guest's erst_init and the APEI interpreter against the device model: no throw, bounded, index = store",
    kind: 'system',
    seeds: () => [get().table],
    fields: (seed): LengthField[] => [
      { offset: 4, width: 4, name: 'erst.length', base: 0 },
      { offset: 36, width: 4, name: 'erst.headerLength' },
      { offset: 44, width: 4, name: 'erst.entryCount' },
      ...Array.from({ length: Math.floor((seed.length - 48) / 32) }, (_, i) => ({ offset: 48 + 32 * i + 16, width: 8 as const, name: `entries[${i}].value` })),
    ],
    fixup: fixAcpiChecksum,
    maxInputMs: 2000,
    rejectsTyped: false,
    run(input) {
      const m = get();
      return withDevice(m, (device, storage) => {
        const lines: string[] = [];
        let spent = 0n;
        const init = erstInit(input, { memory: m.memory, printk: (_l, t) => lines.push(t), printkInfo: (t) => lines.push(t), delayNs: (ns) => (spent += ns) });
        if (!init.ok) return `refused:${init.rc}`;
        const d = init.driver;
        const wrc = d.write(cperRecordSeed(0x1234n, 256));
        const r = d.read(0x1234n);
        const ids = d.listIds();
        const crc = d.clear(0x1234n);
        consistent(device, storage);
        if (lines.length > 64) throw new FuzzInvariantError(`the guest printed ${lines.length} lines for one table`);
        if (ids.length > 1024) throw new FuzzInvariantError(`listIds gave ${ids.length} ids`);
        if (spent > 10_000_000_000n) throw new FuzzInvariantError(`the interpreter stalled ${spent} ns`);
        return `init-ok/write:${wrc}/read:${r.len > 0 ? 'ok' : r.len}/clear:${crc}`;
      });
    },
  };
}

export function erstRecordTarget(): FuzzTarget {
  let mc: Machine | undefined;
  const get = () => (mc ??= machine());
  return {
    name: 'erst-record',
    description: 'mutated CPER records written through the ERST registers: the status follows the header, stored records read back exactly',
    kind: 'system',
    seeds: () => [cperRecordSeed(0x55n, 128), cperRecordSeed(0x1_0000_0001n, 600)],
    fields: (): LengthField[] => [
      { offset: 20, width: 4, name: 'cper.recordLength', base: 0 },
      { offset: 96, width: 8, name: 'cper.recordId' },
      { offset: 10, width: 2, name: 'cper.sectionCount' },
    ],
    maxLength: 9000,
    rejectsTyped: false,
    run(input) {
      const m = get();
      return withDevice(m, (device, storage) => {
        const mem = m.memory;
        const act = (a: number) => mem.writeU32(m.registers, a, 'guest');
        const setValue = (v: bigint) => mem.writeU64(m.registers + 8n, v, 'guest');
        const exec = (op: number, id?: bigint) => {
          act(op);
          setValue(0n);
          act(A.SET_RECORD_OFFSET);
          if (id !== undefined) {
            setValue(id);
            act(A.SET_RECORD_IDENTIFIER);
          }
          setValue(0x9cn);
          act(A.EXECUTE_OPERATION);
          act(A.GET_COMMAND_STATUS);
          return Number(mem.readU64(m.registers + 8n));
        };
        const bytes = input.subarray(0, 8192);
        mem.write(m.exchange, new Uint8Array(8192), 'guest');
        mem.write(m.exchange, bytes, 'guest');
        const status = exec(A.BEGIN_WRITE);
        const dv = new DataView(new Uint8Array([...bytes, ...new Uint8Array(Math.max(0, 128 - bytes.length))]).buffer);
        const length = dv.getUint32(20, true);
        const id = dv.getBigUint64(96, true);
        const sig = String.fromCharCode(...new Uint8Array(dv.buffer, 0, 4));
        const valid = length >= 128 && length <= 8192 && sig === 'CPER' && id !== 0n && id !== ERST_EMPTY_END_RECORD_ID;
        const expected = valid ? S.SUCCESS : S.FAILED;
        if (status !== expected) throw new FuzzInvariantError(`write status ${status}, expected ${expected} (length ${length}, id 0x${id.toString(16)}, signature ${JSON.stringify(sig)})`);
        consistent(device, storage);
        if (status !== S.SUCCESS) return 'refused';
        const stored = storage.load()[0].bytes;
        const want = new Uint8Array(length);
        want.set(bytes.subarray(0, length));
        if (stored.length !== length || stored.some((b, i) => b !== want[i])) throw new FuzzInvariantError('the stored record differs from the bytes written');
        mem.write(m.exchange, new Uint8Array(8192), 'guest');
        const rs = exec(A.BEGIN_READ, id);
        if (rs !== S.SUCCESS) throw new FuzzInvariantError(`reading back record 0x${id.toString(16)}: status ${rs}`);
        const back = mem.read(m.exchange, length);
        if (back.some((b, i) => b !== want[i])) throw new FuzzInvariantError('the record read back differs from the one written');
        const cs = exec(A.BEGIN_CLEAR, id);
        if (cs !== S.SUCCESS || device.recordCount !== 0) throw new FuzzInvariantError(`clear: status ${cs}, ${device.recordCount} left`);
        return 'stored';
      });
    },
  };
}
