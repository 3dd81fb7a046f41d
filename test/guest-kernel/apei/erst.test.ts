import fs from 'fs';
import os from 'os';
import path from 'path';
import { ErstStatus } from '../../../src/acpi/Erst';
import { MemoryErstStorage } from '../../../src/device-model/erst/ErstStorage';
import { EINVAL, ENOENT, ENOSPC } from '../../../src/guest-kernel/apei/apei-exec';
import { erstInit } from '../../../src/guest-kernel/apei/ErstDriver';
import { inflateRawSync } from 'zlib';
import { CPER_CREATOR_PSTORE, CPER_SECTION_TYPE_DMESG, CPER_SECTION_TYPE_DMESG_Z } from '../../../src/guest-kernel/apei/pstore-erst';
import { guidFromBytes } from '../../../src/binary/guid';
import { EventStore } from '../../../src/store';
import { Vm } from '../../../src/vm/Vm';
import { defaultVmSpec } from '../../../src/vm/VmFactory';
import type { Personality } from '../../../src/vm/contract';

const WALL = () => 1_767_225_600n; // 2026-01-01T00:00:00Z

function record(id: bigint, length = 256, fill = 0x41): Uint8Array {
  const b = new Uint8Array(length).fill(fill);
  b.set([0x43, 0x50, 0x45, 0x52], 0); // "CPER"
  const dv = new DataView(b.buffer);
  dv.setUint32(20, length, true);
  dv.setBigUint64(96, id, true);
  return b;
}

function vm(personality: Personality = 'apei-sei', opts: { capacity?: number; storage?: MemoryErstStorage; cmdline?: string } = {}) {
  const storage = opts.storage ?? new MemoryErstStorage();
  return new Vm(defaultVmSpec({ profile: 'extended', personality, erst: { capacity: opts.capacity ?? 16 } }), 'g', { wallSeconds: WALL, erstStorage: () => storage, cmdline: opts.cmdline });
}

const lines = (v: Vm) => v.log().map((l) => l.line.replace(/^\[[ 0-9.]+\] /, ''));

describe.each<Personality>(['apei-sei', 'linux'])("the guest's ERST driver (%s personality)", (personality) => {
  it("boot: Linux's ERST and pstore lines after GHES, in order", () => {
    const v = vm(personality);
    const l = lines(v);
    const i = l.indexOf('ERST: Error Record Serialization Table (ERST) support is initialized.');
    expect(i).toBeGreaterThan(l.indexOf('HEST: Table parsing has been initialized.'));
    expect(l[i + 1]).toBe('pstore: Using crash dump compression: deflate');
    expect(l[i + 2]).toBe('pstore: Registered erst as persistent store backend');
    expect(l.some((x) => x.startsWith('ACPI: ERST 0x'))).toBe(true);
    expect(v.guest.erst.driver!.erange).toMatchObject({ base: v.erst!.exchange, size: 8192n, attr: 0, timings: (100n << 32n) | 10n });
  });

  it('write / count / iterate / read / clear through the interpreter against the device model', () => {
    const v = vm(personality);
    const d = v.guest.erst.driver!;
    const before = v.erst!.device.executed;
    expect(d.recordCount()).toBe(0);
    expect(d.write(record(0x10n))).toBe(0);
    expect(d.write(record(0x20n, 4096, 0x5a))).toBe(0);
    expect(v.erst!.device.executed - before).toBe(2);
    expect(d.recordCount()).toBe(2);
    expect(d.listIds()).toEqual([0x10n, 0x20n]);
    const r = d.read(0x20n);
    expect(r.len).toBe(4096);
    // erst_write stamps "ER" into the persistence information
    const expected = record(0x20n, 4096, 0x5a);
    expected[108] = 0x45;
    expected[109] = 0x52;
    expect(r.record).toEqual(expected);
    expect(d.read(0x99n).len).toBe(ENOENT);
    expect(v.erst!.device.lastOperation).toMatchObject({ operation: 'BEGIN_READ', status: ErstStatus.RECORD_NOT_FOUND });
    expect(d.clear(0x10n)).toBe(0);
    expect(d.clear(0x10n)).toBe(ENOENT);
    expect(d.listIds()).toEqual([0x20n]);
    // erst_write's own checks: signature, and the length against the range
    expect(d.write(new Uint8Array(256))).toBe(EINVAL);
    expect(d.write(record(0x30n, 9000))).toBe(EINVAL);
  });

  it('capacity full → NOT_ENOUGH_SPACE → -ENOSPC; an empty store reads -ENOENT', () => {
    const v = vm(personality, { capacity: 2 });
    const d = v.guest.erst.driver!;
    expect(d.read(1n).len).toBe(ENOENT);
    expect(v.erst!.device.lastOperation?.status).toBe(ErstStatus.RECORD_STORE_EMPTY);
    expect(d.write(record(1n))).toBe(0);
    expect(d.write(record(2n))).toBe(0);
    expect(d.write(record(3n))).toBe(ENOSPC);
    expect(v.erst!.device.lastOperation).toMatchObject({ statusName: 'NOT_ENOUGH_SPACE', recordId: 3n });
    // overwriting an existing id still works when full
    expect(d.write(record(2n, 300))).toBe(0);
  });

  it('records written before a reboot are found by the next boot (interpreter again)', () => {
    const v = vm(personality);
    v.guest.erst.driver!.write(record(0x77n));
    v.reboot();
    const d = v.guest.erst.driver!;
    expect(d.listIds()).toEqual([0x77n]);
    expect(d.read(0x77n).record!.subarray(0, 4)).toEqual(new Uint8Array([0x43, 0x50, 0x45, 0x52]));
  });
});

describe('pstore on ERST', () => {
  it('panic → reboot → the previous boot log is a pstore record, listed as /sys/fs/pstore/dmesg-erst-<id> (pstore.compress=none: plain DMESG)', () => {
    const v = vm('apei-sei', { cmdline: 'console=ttyAMA0 pstore.compress=none' });
    expect(lines(v)).not.toContain('pstore: Using crash dump compression: deflate');
    for (let i = 0; i < 5; i++) v.guest.printk('info', `workload line ${i}`);
    v.guest.panic('test: the end', 'ghes-fatal', {});
    const written = v.guest.erst.pstore!.written;
    expect(written).toHaveLength(1);
    const id = written[0].id;
    // cper_next_record_id: real seconds << 32, + 1
    expect(id >> 32n).toBe(WALL() + 1n); // the guest clock is past 1 s when it panics
    expect(id & 0xffff_ffffn).toBe(1n);
    const rec = v.erst!.storage.load()[0].bytes;
    const dv = new DataView(rec.buffer, rec.byteOffset);
    expect(String.fromCharCode(...rec.subarray(0, 4))).toBe('CPER');
    expect(dv.getUint16(4, true)).toBe(0x0100);
    expect(dv.getUint32(6, true)).toBe(0xffffffff);
    expect(dv.getUint16(10, true)).toBe(1);
    expect(dv.getUint32(12, true)).toBe(1); // fatal
    expect(dv.getUint32(16, true)).toBe(2); // timestamp valid
    expect(dv.getUint32(20, true)).toBe(rec.length);
    expect(dv.getBigUint64(24, true)).toBe(WALL() + 1n); // plain seconds, as Linux writes them
    expect(guidFromBytes(rec, 64).toLowerCase()).toBe(CPER_CREATOR_PSTORE);
    expect(guidFromBytes(rec, 80).toLowerCase()).toBe('e8f56ffe-919c-4cc5-ba88-65abe14913bb');
    expect(dv.getBigUint64(96, true)).toBe(id);
    expect(dv.getUint32(104, true)).toBe(2); // PREVERR
    expect(String.fromCharCode(rec[108], rec[109])).toBe('ER');
    expect(dv.getUint32(128, true)).toBe(200);
    expect(dv.getUint32(132, true)).toBe(rec.length - 200);
    expect(dv.getUint32(140, true)).toBe(1); // primary
    expect(guidFromBytes(rec, 144).toLowerCase()).toBe(CPER_SECTION_TYPE_DMESG);
    const text = Buffer.from(rec.subarray(200)).toString();
    expect(text.startsWith('Panic#1 Part1\n<6>[    0.000000] ACPI: RSDP ')).toBe(true);
    expect(text).toContain('<6>[    1.269950] workload line 1\n');
    expect(text.endsWith('] Kernel panic - not syncing: test: the end\n')).toBe(true);
    expect(text).toMatch(/<0>\[ +[0-9.]+\] Kernel panic/);

    v.reboot();
    const files = v.guest.erst.files;
    expect(files).toEqual([{ name: `dmesg-erst-${id}`, type: 'dmesg', id, time: WALL() + 1n, compressed: false, text }]);
    // the new boot's clock is later: a second panic gets a new id, both records kept
    v.guest.panic('again', 'ghes-fatal', {});
    expect(v.erst!.storage.load().map((r) => r.id)).toHaveLength(2);
    expect(v.guest.erst.pstore!.written[0].id).toBeGreaterThan(id);
  });

  it('compressed (the default): DMESG_Z section with the raw-deflated text; the next boot lists it inflated', () => {
    const v = vm();
    v.guest.panic('zipped', 'ghes-fatal', {});
    const rec = v.erst!.storage.load()[0].bytes;
    expect(guidFromBytes(rec, 144).toLowerCase()).toBe(CPER_SECTION_TYPE_DMESG_Z);
    const text = inflateRawSync(rec.subarray(200)).toString();
    expect(text.startsWith('Panic#1 Part1\n')).toBe(true);
    expect(text.endsWith('] Kernel panic - not syncing: zipped\n')).toBe(true);
    expect(new DataView(rec.buffer, rec.byteOffset).getUint32(132, true)).toBe(rec.length - 200);
    v.reboot();
    expect(v.guest.erst.files).toHaveLength(1);
    expect(v.guest.erst.files[0]).toMatchObject({ type: 'dmesg', compressed: false, text });
    expect(v.guest.erst.files[0].name).toMatch(/^dmesg-erst-\d+$/);
  });

  it('a long log is split into parts, newest first, until kmsg_bytes (10240)', () => {
    const v = vm('apei-sei', { cmdline: 'console=ttyAMA0 pstore.compress=none' });
    for (let i = 0; i < 300; i++) v.guest.printk('info', `line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    v.guest.panic('long', 'ghes-fatal', {});
    const w = v.guest.erst.pstore!.written;
    expect(w.map((x) => x.part)).toEqual([1, 2]);
    const texts = v.erst!.storage.load().map((r) => Buffer.from(r.bytes.subarray(200)).toString());
    expect(texts[0].startsWith('Panic#1 Part1\n')).toBe(true);
    expect(texts[1].startsWith('Panic#1 Part2\n')).toBe(true);
    expect(texts[0]).toContain('Kernel panic - not syncing: long');
    expect(texts[0].length).toBeLessThanOrEqual(8192 - 200);
    // Part2 holds the lines just before Part1's first line
    const firstOf1 = texts[0].split('\n')[1];
    const lastOf2 = texts[1].trimEnd().split('\n').pop()!;
    const n = (s: string) => Number(/line (\d{4})/.exec(s)?.[1]);
    expect(n(firstOf1)).toBe(n(lastOf2) + 1);
  });

  it('a full store: pstore reports the backend error once; nothing is lost that was stored', () => {
    const v = vm('apei-sei', { capacity: 1 });
    v.guest.erst.driver!.write(record(5n));
    v.guest.panic('full', 'ghes-fatal', {});
    expect(lines(v)).toContain('pstore: backend (erst) writing error (-28)');
    expect(v.erst!.storage.load().map((r) => r.id)).toEqual([5n]);
  });

  it('a kernel-mode SEA oops is dumped as "Oops#1 Part1"', () => {
    const v = vm();
    v.guest.raiseSea(0x96000010);
    const rec = v.erst!.storage.load();
    expect(rec).toHaveLength(1);
    expect(inflateRawSync(rec[0].bytes.subarray(200)).toString()).toMatch(/^Oops#1 Part1\n/);
  });

  it('Linux 6.1 does not run GET_EXECUTE_OPERATION_TIMINGS (added in 6.8); 6.12 and mainline do', () => {
    const old = new Vm(defaultVmSpec({ profile: 'extended', linuxVersion: '6.1' }), 'old', { wallSeconds: WALL });
    expect(old.guest.erst.driver!.erange.timings).toBe(0n);
    const lts = new Vm(defaultVmSpec({ profile: 'extended', linuxVersion: '6.12' }), 'lts', { wallSeconds: WALL });
    expect(lts.guest.erst.driver!.erange.timings).toBe((100n << 32n) | 10n);
    // 6.1's deflate buffer is bufsize·100/45: a 12 KiB log still fits one compressed part
    for (let i = 0; i < 150; i++) old.guest.printk('info', `line ${i} ${'y'.repeat(70)}`);
    old.guest.panic('old', 'ghes-fatal', {});
    expect(old.guest.erst.pstore!.written.map((w) => [w.part, w.compressed])).toEqual([[1, true]]);
  });

  it('erst_disable on the command line: the disabled line, no ERST, no pstore', () => {
    const v = vm('apei-sei', { cmdline: 'console=ttyAMA0 erst_disable' });
    expect(lines(v)).toContain('ERST: Error Record Serialization Table (ERST) support is disabled.');
    expect(lines(v).some((l) => l.startsWith('pstore:'))).toBe(false);
    expect(v.guest.erst.driver).toBeUndefined();
  });

  it('a broken table is refused with Linux lines (header length, count, instruction, GAS)', () => {
    const v = vm();
    const t = v.guest.foundTables.find((x) => x.signature === 'ERST')!.bytes;
    const run = (patch: (b: Uint8Array, dv: DataView) => void) => {
      const b = t.slice();
      patch(b, new DataView(b.buffer));
      const out: string[] = [];
      const r = erstInit(b, { memory: v.guestMemory, printk: (_l, s) => out.push(s), printkInfo: (s) => out.push(s), delayNs: () => undefined });
      return { ok: r.ok, out };
    };
    expect(run((_b, dv) => dv.setUint32(36, 40, true))).toEqual({ ok: false, out: ['ERST: [Firmware Bug]: ERST table is invalid.'] });
    expect(run((_b, dv) => dv.setUint32(44, 26, true))).toEqual({ ok: false, out: ['ERST: [Firmware Bug]: ERST table is invalid.'] });
    expect(run((b) => (b[48 + 1] = 0x30))).toEqual({ ok: false, out: ['[Firmware Warn]: APEI: Invalid action table, unknown instruction type: 48'] });
    expect(run((b) => (b[48 + 4] = 5)).out[0]).toMatch(/^\[Firmware Bug\]: APEI: Invalid address space type in GAR \[0x[0-9a-f]+\/32\/0\/3\/5\]$/);
    // header length 12 is accepted by Linux
    expect(run((_b, dv) => dv.setUint32(36, 12, true)).ok).toBe(true);
    // no GET_ERROR_LOG_ADDRESS_RANGE entries (re-labelled RESERVED): "Failed to get Error Log Address Range."
    expect(run((b) => {
      b[48 + 32 * 19] = 0x0c;
      b[48 + 32 * 20] = 0x0c;
    })).toEqual({ ok: false, out: ['ERST: Failed to get Error Log Address Range.'] });
  });

  it('across a gateway restart: the store-backed records are read by a new VM through the interpreter', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-erst-guest-'));
    try {
      let store = EventStore.open(dir);
      store.putVm('s', defaultVmSpec({ profile: 'extended' }));
      const make = () => new Vm(defaultVmSpec({ profile: 'extended' }), 's', { wallSeconds: WALL, erstStorage: (id) => store.erst.storageFor(id) });
      const a = make();
      expect(a.guest.erst.driver!.write(record(0xabcn, 1024))).toBe(0);
      a.guest.panic('before restart', 'ghes-fatal', {});
      store.close();
      store = EventStore.open(dir);
      const b = make();
      const ids = b.guest.erst.driver!.listIds();
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(0xabcn);
      expect(b.guest.erst.driver!.read(0xabcn).len).toBe(1024);
      expect(b.guest.erst.files.map((f) => f.name)).toEqual([`dmesg-erst-${ids[1]}`]);
      expect(b.guest.erst.files[0].text).toContain('Kernel panic - not syncing: before restart');
      store.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
