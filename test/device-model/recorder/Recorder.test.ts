import { GuestMemory } from '../../../src/guest-memory/GuestMemory';
import { Recorder, RecordRequest, QEMU_BUSY_TEXT } from '../../../src/device-model/recorder/Recorder';
import { locateBlock, LocatorConfig } from '../../../src/device-model/recorder/BlockLocator';
import { RecordQueue } from '../../../src/device-model/recorder/RecordQueue';

/**
 * A hand-made etc/hardware_errors for two GHESv2 sources at 0x7c410000 (QEMU's layout:
 * registers at 8i, read-acks at 8N + 8i, 1 KiB blocks at 16N + 1024i), as the firmware leaves it.
 */
const HW = 0x7c41_0000n;
function machine(n = 2) {
  const memory = new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
  const size = 16 * n + 1024 * n;
  memory.claim({ base: HW, size: BigInt(size), owner: 'device-model', name: 'etc/hardware_errors', writers: ['firmware', 'device-model', 'guest'] });
  for (let i = 0; i < n; i++) {
    memory.writeU64(HW + BigInt(8 * i), HW + BigInt(16 * n + 1024 * i), 'firmware');
    memory.writeU64(HW + BigInt(8 * n + 8 * i), 1n, 'firmware');
  }
  const sources = Array.from({ length: n }, (_, i) => ({ sourceId: i, version: 'ghesv2' as const, addressRegisterOffset: 8 * i, readAckRegisterOffset: 8 * n + 8 * i, blockLength: 1024 }));
  const locator: LocatorConfig = { mode: 'hardware-errors-addr', writeBack: () => HW, sources };
  return { memory, locator, n };
}

function block(tag: number, len = 172): Uint8Array {
  const b = new Uint8Array(len);
  b[0] = 1;
  b[100] = tag;
  return b;
}

const guestAck = (memory: GuestMemory, n: number, i: number) => memory.writeU64(HW + BigInt(8 * n + 8 * i), 1n, 'guest');

describe('Recorder', () => {
  test('writes 0 to read-ack, then the record at the block the register points to, then notifies', () => {
    const { memory, locator } = machine();
    const delivered: string[] = [];
    const rec = new Recorder({ memory, locator, sources: [{ sourceId: 1, blockLength: 1024, busyPolicy: 'queue', queueDepth: 4 }], onDelivered: (r) => delivered.push(r.id) });
    const out = rec.record({ id: 'a', sourceId: 1, bytes: block(7) });
    expect(out).toEqual({ state: 'delivered', block: { sourceId: 1, registerAddress: HW + 8n, blockAddress: HW + 32n + 1024n, readAckAddress: HW + 24n } });
    expect(memory.readU64(HW + 24n)).toBe(0n);
    expect(memory.read(HW + 32n + 1024n, 172)).toEqual(block(7));
    expect(memory.readU64(HW + 16n)).toBe(1n); // source 0's ack untouched
    expect(delivered).toEqual(['a']);
  });

  test('busy under the reject policy answers with QEMU’s text and writes nothing', () => {
    const { memory, locator } = machine();
    const rec = new Recorder({ memory, locator, sources: [{ sourceId: 0, blockLength: 1024, busyPolicy: 'reject', queueDepth: 4 }], onDelivered: () => undefined });
    rec.record({ id: 'a', sourceId: 0, bytes: block(1) });
    const snap = memory.snapshot();
    expect(rec.record({ id: 'b', sourceId: 0, bytes: block(2) })).toEqual({ state: 'rejected', code: 'source_busy', message: QEMU_BUSY_TEXT });
    expect(QEMU_BUSY_TEXT).toBe('OSPM does not acknowledge previous error, so can not record CPER for current error anymore');
    expect(memory.snapshot()).toEqual(snap);
  });

  test('busy under the queue policy keeps FIFO order, delivers one per ack, refuses when full', () => {
    const { memory, locator, n } = machine();
    const order: string[] = [];
    const rec = new Recorder({ memory, locator, sources: [{ sourceId: 0, blockLength: 1024, busyPolicy: 'queue', queueDepth: 2 }], onDelivered: (r) => order.push(r.id) });
    expect(rec.record({ id: 'a', sourceId: 0, bytes: block(1) }).state).toBe('delivered');
    expect(rec.record({ id: 'b', sourceId: 0, bytes: block(2) })).toEqual({ state: 'queued', position: 1 });
    expect(rec.record({ id: 'c', sourceId: 0, bytes: block(3) })).toEqual({ state: 'queued', position: 2 });
    const full = rec.record({ id: 'd', sourceId: 0, bytes: block(4) });
    expect(full).toMatchObject({ state: 'rejected', code: 'queue_full' });
    expect(rec.pump()).toBe(0); // not acknowledged yet
    guestAck(memory, n, 0);
    expect(rec.pump()).toBe(1);
    expect(memory.read(HW + 32n, 172)[100]).toBe(2);
    guestAck(memory, n, 0);
    // even when the source is free again, a new record does not overtake the queued one
    expect(rec.record({ id: 'e', sourceId: 0, bytes: block(5) })).toEqual({ state: 'queued', position: 2 });
    expect(rec.pump()).toBe(1);
    guestAck(memory, n, 0);
    expect(rec.pump()).toBe(1);
    expect(order).toEqual(['a', 'b', 'c', 'e']);
    expect(rec.queueLength(0)).toBe(0);
  });

  test('a record longer than the block is refused with the maximum, never truncated', () => {
    const { memory, locator } = machine();
    const rec = new Recorder({ memory, locator, sources: [{ sourceId: 0, blockLength: 1024, busyPolicy: 'queue', queueDepth: 2 }], onDelivered: () => undefined });
    const snap = memory.snapshot();
    expect(rec.record({ id: 'a', sourceId: 0, bytes: block(1, 1025) })).toEqual({ state: 'rejected', code: 'record_too_large', message: 'GHES CPER record is too big: 1025', maxLength: 1024 });
    expect(memory.snapshot()).toEqual(snap);
    expect(rec.record({ id: 'b', sourceId: 0, bytes: block(1, 1024) }).state).toBe('delivered');
  });

  test('unknown source and missing write-back are refused', () => {
    const { memory, locator } = machine();
    const rec = new Recorder({ memory, locator: { ...locator, writeBack: () => 0n }, sources: [{ sourceId: 0, blockLength: 1024, busyPolicy: 'queue', queueDepth: 2 }], onDelivered: () => undefined });
    expect(rec.record({ id: 'a', sourceId: 9, bytes: block(1) })).toMatchObject({ state: 'rejected', code: 'no_such_source', message: 'HEST: Source 9 not found.' });
    expect(rec.record({ id: 'b', sourceId: 0, bytes: block(1) })).toMatchObject({ state: 'rejected', code: 'not_booted' });
  });

  test('a register the guest pointed at guest-owned memory is refused and read-ack is left as it was', () => {
    const { memory, locator } = machine();
    memory.claim({ base: 0x4000_8000n, size: 32n, owner: 'guest', name: 'crash registers', writers: ['guest'] });
    memory.writeU64(HW, 0x4000_8000n, 'guest');
    const rec = new Recorder({ memory, locator, sources: [{ sourceId: 0, blockLength: 1024, busyPolicy: 'queue', queueDepth: 2 }], onDelivered: () => undefined });
    const out = rec.record({ id: 'a', sourceId: 0, bytes: block(1) });
    expect(out).toMatchObject({ state: 'rejected', code: 'no_such_source', message: expect.stringMatching(/device-model may not write crash registers/) });
    expect(memory.readU64(HW + 16n)).toBe(1n);
    expect(memory.readU64(0x4000_8000n)).toBe(0n);
  });
});

describe('locateBlock in HEST mode walks the guest’s HEST copy', () => {
  test('entry + 24 → register → block; entry + 68 → read-ack; other types and missing ids refused', () => {
    const memory = new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
    const hest = 0x7c43_e000n;
    const t = new Uint8Array(40 + 64 + 92);
    const dv = new DataView(t.buffer);
    t.set([0x48, 0x45, 0x53, 0x54]);
    dv.setUint32(4, t.length, true);
    dv.setUint32(36, 2, true);
    dv.setUint16(40, 9, true); // GHES, id 5
    dv.setUint16(42, 5, true);
    dv.setBigUint64(40 + 24, HW, true);
    dv.setUint16(104, 10, true); // GHESv2, id 1
    dv.setUint16(106, 1, true);
    dv.setBigUint64(104 + 24, HW + 8n, true);
    dv.setBigUint64(104 + 68, HW + 24n, true);
    memory.write(hest, t, 'firmware');
    memory.writeU64(HW, HW + 0x100n, 'firmware');
    memory.writeU64(HW + 8n, HW + 0x500n, 'firmware');
    const cfg: LocatorConfig = { mode: 'hest-addr', writeBack: () => hest, sources: [] };
    expect(locateBlock(memory, cfg, 1)).toEqual({ sourceId: 1, registerAddress: HW + 8n, blockAddress: HW + 0x500n, readAckAddress: HW + 24n });
    expect(locateBlock(memory, cfg, 5)).toEqual({ sourceId: 5, registerAddress: HW, blockAddress: HW + 0x100n });
    expect(locateBlock(memory, cfg, 2)).toEqual({ code: 'no_such_source', message: 'HEST: Source 2 not found.' });
    dv.setUint16(40, 6, true);
    memory.write(hest, t, 'firmware');
    expect(locateBlock(memory, cfg, 1)).toEqual({ code: 'no_such_source', message: 'HEST: type 6 not supported.' });
  });

  test('a count larger than the table never walks past the HEST length', () => {
    const memory = new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
    const hest = 0x7c43_e000n;
    const t = new Uint8Array(40);
    new DataView(t.buffer).setUint32(4, 40, true);
    new DataView(t.buffer).setUint32(36, 0xffffffff, true);
    memory.write(hest, t, 'firmware');
    expect(locateBlock(memory, { mode: 'hest-addr', writeBack: () => hest, sources: [] }, 0)).toEqual({ code: 'no_such_source', message: 'HEST: Source 0 not found.' });
  });
});

describe('RecordQueue', () => {
  test('bounded FIFO that compacts', () => {
    const q = new RecordQueue<RecordRequest>(100);
    for (let i = 0; i < 100; i++) expect(q.push({ id: String(i), sourceId: 0, bytes: new Uint8Array() })).toBe(true);
    expect(q.push({ id: 'x', sourceId: 0, bytes: new Uint8Array() })).toBe(false);
    for (let i = 0; i < 90; i++) expect(q.shift()!.id).toBe(String(i));
    expect(q.toArray().map((r) => r.id)).toEqual(['90', '91', '92', '93', '94', '95', '96', '97', '98', '99']);
    expect(q.length).toBe(10);
  });
});
