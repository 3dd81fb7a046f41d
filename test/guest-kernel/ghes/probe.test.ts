import { GuestMemory } from '../../../src/guest-memory/GuestMemory';
import { GhesDriver, GhesKernel, RecordContext } from '../../../src/guest-kernel/ghes/GhesDriver';
import { GhesDescriptor, NOTIFY } from '../../../src/guest-kernel/ghes/GhesDescriptor';
import { MemoryFailure } from '../../../src/guest-kernel/mm/MemoryFailure';
import { MemoryMap } from '../../../src/guest-kernel/mm/MemoryMap';
import { DEFAULT_WORKLOAD } from '../../../src/guest-kernel/tasks';
import type { Personality } from '../../../src/vm/contract';

/** The GHES driver against a minimal test kernel: probe messages and the read-ack handshake. */
function driver(personality: Personality = 'linux') {
  const memory = new GuestMemory().addRam(0x40000000n, 0x1000000n);
  const lines: string[] = [];
  const acks: number[] = [];
  const done: RecordContext[] = [];
  const timers: number[] = [];
  const k: GhesKernel = {
    version: 'mainline',
    personality,
    printk: (_l, t) => lines.push(t),
    now: () => 0n,
    halted: () => false,
    panicTimeout: () => 0,
    panic: () => undefined,
    currentTask: () => DEFAULT_WORKLOAD,
    sendSigbus: () => undefined,
    isRamPfn: () => true,
    pfnValid: () => true,
    memoryFailure: new MemoryFailure(new MemoryMap({ ram: memory.ramRegions }), 'mainline'),
    render: () => [{ level: 'err', text: 'record' }],
    attribute: () => undefined,
    addPollTimer: (ms) => timers.push(ms),
    hooks: { pickup: () => undefined, acked: (id) => acks.push(id), recordDone: (c) => done.push(c) },
  };
  return { memory, lines, acks, done, timers, ghes: new GhesDriver(k, memory) };
}

const REG = 0x40002000n;
const ACK = 0x40002008n;
const BLOCK = 0x40003000n;
const gas = (address: bigint, bitOffset = 0) => ({ spaceId: 0, bitWidth: 64 - bitOffset, bitOffset, accessWidth: 4, address });
function desc(over: Partial<GhesDescriptor> = {}): GhesDescriptor {
  return {
    type: 10,
    sourceId: 4,
    enabled: true,
    errorStatusAddress: gas(REG),
    notify: { type: NOTIFY.GPIO, pollIntervalMs: 0, vector: 0 },
    errorBlockLength: 1024,
    readAck: { register: gas(ACK), preserve: 0xfffffffffffffffen, write: 1n },
    hestOffset: 40,
    ...over,
  };
}

describe('ghes_probe', () => {
  test('refusals and their exact messages', () => {
    const d = driver();
    expect(d.ghes.probe(desc({ enabled: false }))).toBeUndefined();
    expect(d.ghes.probe(desc({ errorBlockLength: 19 }))).toBeUndefined();
    expect(d.ghes.probe(desc({ errorStatusAddress: gas(0n) }))).toBeUndefined();
    expect(d.ghes.probe(desc({ notify: { type: NOTIFY.SEI, pollIntervalMs: 0, vector: 0 } }))).toBeUndefined();
    expect(d.ghes.probe(desc({ notify: { type: 12, pollIntervalMs: 0, vector: 0 } }))).toBeUndefined();
    expect(d.lines).toEqual([
      '[Firmware Bug]: GHES: Invalid error block length: 19 for generic hardware error source: 4',
      '[Firmware Bug]: APEI: Invalid physical address in GAR [0x0/64/0/4/0]',
      '[Firmware Warn]: GHES: Unknown notification type: 9 for generic hardware error source: 4',
      '[Firmware Warn]: GHES: Unknown notification type: 12 for generic hardware error source: 4',
    ]);
  });

  test('accepted with warnings: block longer than 64 KiB (capped), poll interval 0', () => {
    const d = driver('apei-sei');
    expect(d.ghes.probe(desc({ errorBlockLength: 70000 }))!.bufferLength).toBe(65536);
    expect(d.ghes.probe(desc({ sourceId: 5, notify: { type: NOTIFY.POLLED, pollIntervalMs: 0, vector: 0 } }))).toBeDefined();
    expect(d.ghes.probe(desc({ sourceId: 6, notify: { type: NOTIFY.POLLED, pollIntervalMs: 250, vector: 0 } }))).toBeDefined();
    expect(d.ghes.probe(desc({ sourceId: 7, notify: { type: NOTIFY.SEI, pollIntervalMs: 0, vector: 0 } }))).toBeDefined();
    expect(d.lines).toEqual([
      '[Firmware Warn]: GHES: Error status block length is too long: 70000 for generic hardware error source: 4.',
      '[Firmware Warn]: GHES: Poll interval is 0 for generic hardware error source: 5, disabled.',
    ]);
    expect(d.timers).toEqual([250]);
  });
});

describe('clear and acknowledge', () => {
  test('block_status cleared, then read-ack = (value & preserve<<off) | write<<off at the GAS bit offset', () => {
    const d = driver();
    d.memory.writeU64(REG, BLOCK, 'guest');
    d.memory.writeU64(ACK, 0xf0n, 'guest');
    const bytes = new Uint8Array(20);
    bytes[0] = 1; // block_status set, data_length 0: a valid zero-section record
    bytes[16] = 2;
    d.memory.write(BLOCK, bytes, 'guest');
    const src = d.ghes.probe(desc({ readAck: { register: gas(ACK, 4), preserve: 0x0en, write: 0x1n } }))!;
    expect(src).toBeDefined();
    expect(d.memory.readU32(BLOCK)).toBe(0);
    // (0xf0 & (0x0e << 4)) | (0x1 << 4) = 0xe0 | 0x10
    expect(d.memory.readU64(ACK)).toBe(0xf0n);
    expect(d.acks).toEqual([4]);
    expect(d.lines).toEqual(['record']);
    expect(d.done[0].actions).toEqual(['logged']);
  });

  test('nothing is cleared or acked when block_status is 0 or the register is 0', () => {
    const d = driver();
    d.memory.writeU64(ACK, 0n, 'guest');
    d.ghes.probe(desc());
    d.memory.writeU64(REG, BLOCK, 'guest');
    expect(d.ghes.proc(d.ghes.sources[0])).toBe(false);
    expect(d.memory.readU64(ACK)).toBe(0n);
    expect(d.acks).toEqual([]);
  });
});
