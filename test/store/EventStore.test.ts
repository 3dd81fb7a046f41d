import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { EventStore, STORE_FILE, SCHEMA_VERSION, specFromJsonText, specToJsonText } from '../../src/store';
import type { VmSpec } from '../../src/vm/contract';

const spec: VmSpec = {
  profile: 'qemu-10.2-virt',
  personality: 'apei-sei',
  linuxVersion: 'mainline',
  busyPolicy: 'queue',
  queueDepth: 8,
  diagnostics: true,
  midr: 0xfedc_ba98_7654_3210n,
  rasExtension: true,
};

function fixedClock(start = Date.UTC(2026, 0, 2, 3, 4, 5)) {
  let t = start;
  return () => new Date((t += 1000));
}

describe('EventStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps a VM spec with a u64 MIDR above 2^53 exactly', () => {
    expect(specToJsonText(spec)).toContain('"midr":"0xfedcba9876543210"');
    expect(specFromJsonText(specToJsonText(spec))).toEqual(spec);
    const store = EventStore.open(dir, { now: fixedClock() });
    const vm = store.putVm('vm-a', spec);
    expect(vm).toEqual({ id: 'vm-a', ordinal: 1, spec, createdAt: '2026-01-02T03:04:06.000Z', bootCount: 0 });
    store.putVm('vm-b', { ...spec, profile: 'qemu-7.2-virt' });
    expect(store.listVms().map((v) => [v.id, v.ordinal, v.spec.profile])).toEqual([
      ['vm-a', 1, 'qemu-10.2-virt'],
      ['vm-b', 2, 'qemu-7.2-virt'],
    ]);
    expect(store.recordBoot('vm-a')).toBe(1);
    expect(store.recordBoot('vm-a')).toBe(2);
    expect(store.getVm('vm-a')!.bootCount).toBe(2);
    expect(() => store.putVm('vm-a', spec)).toThrow(/UNIQUE/);
    store.close();
  });

  it('uses a WAL journal in the data directory', () => {
    const store = EventStore.open(dir);
    expect(store.file).toBe(path.join(dir, STORE_FILE));
    const db = new Database(store.file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    store.close();
  });

  it('records injection state changes with wall time, virtual clock and boot', () => {
    const store = EventStore.open(':memory:', { now: fixedClock() });
    store.putVm('v', spec);
    const bytes = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x48, 0, 0, 0, 0, 0, 0, 0]);
    const id = store.addInjection('v', 'rest', { notification: 'sei' }, bytes);
    expect(id).toBe('1');
    store.updateInjection(id, { state: 'queued', sourceId: 2, vmInjectionId: 'inj-7', clockNs: 5n, boot: 1 });
    store.updateInjection(id, { state: 'queued', clockNs: 6n, boot: 1 }); // same state: no history row
    store.updateInjection(id, { state: 'delivered', clockNs: 0x1_0000_0000_0000n, boot: 1 });
    store.updateInjection(id, {
      state: 'acknowledged',
      outcome: { logLines: ['[    1.000000] {1}[Hardware Error]: x'], actions: ['logged'], panicked: false },
      boot: 1,
    });
    const got = store.getInjection('v', id)!;
    expect(got).toMatchObject({
      id: '1',
      vmId: 'v',
      origin: 'rest',
      target: { notification: 'sei' },
      sourceId: 2,
      state: 'acknowledged',
      vmInjectionId: 'inj-7',
      outcome: { actions: ['logged'], panicked: false },
    });
    expect(Array.from(got.bytes)).toEqual(Array.from(bytes));
    expect(got.history).toEqual([
      { state: 'accepted', at: '2026-01-02T03:04:07.000Z' },
      { state: 'queued', at: '2026-01-02T03:04:08.000Z', clockNs: 5n, boot: 1 },
      { state: 'delivered', at: '2026-01-02T03:04:10.000Z', clockNs: 0x1_0000_0000_0000n, boot: 1 },
      { state: 'acknowledged', at: '2026-01-02T03:04:11.000Z', boot: 1 },
    ]);
    expect(store.getInjection('other', id)).toBeUndefined();
    expect(store.getInjection('v', '1; DROP TABLE vms')).toBeUndefined();
    expect(store.injectionCounts('v')).toEqual({ acknowledged: 1 });
    store.close();
  });

  it('lists open injections oldest first and pages lists by id', () => {
    const store = EventStore.open(':memory:');
    store.putVm('v', spec);
    const ids = [0, 1, 2, 3, 4].map((i) => store.addInjection('v', 'qmp', {}, Uint8Array.of(i)));
    store.updateInjection(ids[0], { state: 'acknowledged' });
    store.updateInjection(ids[1], { state: 'rejected', refusal: { code: 'source_busy', message: 'busy' } });
    store.updateInjection(ids[2], { state: 'delivered' });
    store.updateInjection(ids[3], { state: 'queued' });
    expect(store.openInjections('v').map((i) => [i.id, i.state])).toEqual([
      [ids[2], 'delivered'],
      [ids[3], 'queued'],
      [ids[4], 'accepted'],
    ]);
    expect(store.getInjection('v', ids[1])!.refusal).toEqual({ code: 'source_busy', message: 'busy' });
    expect(store.listInjections('v', { after: Number(ids[1]), limit: 2 }).map((i) => i.id)).toEqual([ids[2], ids[3]]);
    store.close();
  });

  it('numbers log lines per VM across boots and reads them after a sequence number', () => {
    const store = EventStore.open(':memory:');
    store.putVm('v', spec);
    store.putVm('w', spec);
    expect(store.appendLog('v', 1, ['a', 'b'])).toEqual([1, 2]);
    expect(store.appendLog('w', 1, ['x'])).toEqual([1]);
    expect(store.appendLog('v', 2, ['c'])).toEqual([3]);
    expect(store.log('v', { after: 1 }).map((l) => [l.seq, l.boot, l.line])).toEqual([
      [2, 1, 'b'],
      [3, 2, 'c'],
    ]);
    store.close();
  });

  it('keeps guest records (decoded JSON and raw bytes) and events; deleting a VM removes them', () => {
    const store = EventStore.open(':memory:', { now: fixedClock() });
    store.putVm('v', spec);
    const inj = store.addInjection('v', 'rest', {}, Uint8Array.of(9));
    const rid = store.addGuestRecord({
      vmId: 'v',
      injectionId: inj,
      sourceId: 1,
      boot: 1,
      severity: 'recoverable',
      sections: ['arm'],
      decoded: { blockStatus: { raw: 1 }, address: 0xffff_ffff_ffff_fff0n },
      bytes: Uint8Array.of(1, 2, 3),
    });
    expect(rid).toBe(1);
    const [rec] = store.guestRecords({ vmId: 'v' });
    expect(rec).toMatchObject({ id: 1, vmId: 'v', injectionId: inj, sourceId: 1, boot: 1, severity: 'recoverable', sections: ['arm'] });
    expect(rec.decoded).toEqual({ blockStatus: { raw: 1 }, address: '0xfffffffffffffff0' });
    expect(Array.from(rec.bytes)).toEqual([1, 2, 3]);
    expect(store.guestRecords({ since: '2100-01-01T00:00:00.000Z' })).toEqual([]);
    expect(store.guestRecordsOfInjection(inj)).toHaveLength(1);
    store.addEvent('v', 'panic', 1, { reason: 'GHES: Fatal hardware error' });
    expect(store.events('v').map((e) => [e.type, e.data])).toEqual([['panic', { reason: 'GHES: Fatal hardware error' }]]);
    expect(store.deleteVm('v')).toBe(true);
    expect(store.deleteVm('v')).toBe(false);
    expect(store.guestRecords()).toEqual([]);
    expect(store.events('v')).toEqual([]);
    expect(store.getInjection('v', inj)).toBeUndefined();
    store.close();
  });

  it('finds everything again after the file is closed and reopened', () => {
    const a = EventStore.open(dir);
    a.putVm('v', spec);
    const id = a.addInjection('v', 'rest', { sourceId: 1 }, Uint8Array.of(7, 7));
    a.updateInjection(id, { state: 'queued' });
    a.appendLog('v', 1, ['line']);
    a.close();
    const b = EventStore.open(dir);
    expect(b.listVms().map((v) => v.spec)).toEqual([spec]);
    expect(b.openInjections('v').map((i) => [i.id, i.state, Array.from(i.bytes)])).toEqual([[id, 'queued', [7, 7]]]);
    expect(b.appendLog('v', 2, ['next'])).toEqual([2]);
    b.close();
  });

  it('refuses a database written by a newer schema', () => {
    const a = EventStore.open(dir);
    a.close();
    const db = new Database(path.join(dir, STORE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => EventStore.open(dir)).toThrow(`schema version ${SCHEMA_VERSION + 1}, newer than this rasgw (${SCHEMA_VERSION})`);
  });

  it('rolls a failed transaction back', () => {
    const store = EventStore.open(':memory:');
    store.putVm('v', spec);
    expect(() =>
      store.transaction(() => {
        store.addInjection('v', 'rest', {}, Uint8Array.of(1));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.listInjections('v')).toEqual([]);
    store.close();
  });
});

describe('EventStore group commit', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-batch-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('commits writes of one batch together, and only then resolves committed()', async () => {
    const store = EventStore.open(dir, { groupCommitMs: 5 });
    store.putVm('v', spec);
    const reader = new Database(store.file, { readonly: true });
    const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM injections').get() as { n: number }).n;
    const a = store.batched(() => store.addInjection('v', 'rest', {}, Uint8Array.of(1)));
    const b = store.batched(() => store.addInjection('v', 'rest', {}, Uint8Array.of(2)));
    expect([a, b]).toEqual(['1', '2']);
    // another connection sees nothing before the commit
    expect(count()).toBe(0);
    let done = false;
    const p = store.committed().then(() => (done = true));
    expect(done).toBe(false);
    await p;
    expect(count()).toBe(2);
    // no open batch: resolves at once
    await store.committed();
    reader.close();
    store.close();
  });

  it('undoes only the failed part of a batch and commits the rest', async () => {
    const store = EventStore.open(dir, { groupCommitMs: 0 });
    store.putVm('v', spec);
    store.batched(() => store.addInjection('v', 'rest', {}, Uint8Array.of(1)));
    expect(() =>
      store.batched(() => {
        store.addInjection('v', 'rest', {}, Uint8Array.of(2));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await store.committed();
    expect(store.listInjections('v').map((i) => Array.from(i.bytes))).toEqual([[1]]);
    store.close();
  });

  it('commits a full batch without waiting for the window, and close() commits an open one', async () => {
    const store = EventStore.open(dir, { groupCommitMs: 60_000, maxBatch: 3 });
    store.putVm('v', spec);
    for (let i = 0; i < 3; i++) store.batched(() => store.addInjection('v', 'rest', {}, Uint8Array.of(i)));
    await store.committed();
    store.batched(() => store.addInjection('v', 'rest', {}, Uint8Array.of(9)));
    store.close();
    const again = EventStore.open(dir);
    expect(again.listInjections('v')).toHaveLength(4);
    again.close();
  });
});
