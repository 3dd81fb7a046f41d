import type { AddressInfo } from 'net';
import type { Server } from 'http';
import { createApp, Gateway, QmpGatewayBackend } from '../../src/gateway';
import { GATEWAY_VM_OPTIONS } from '../../src/gateway/Gateway';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import { digestDiff, graphDigest } from '../support/stateDigest';
import { TOKEN } from './helpers';
import { ghesInjectArmDefault } from '../qmp/ghesInjectArm';

/**
 * A write that fails after the write lock was taken (a group commit's COMMIT, one injection's
 * savepoint, a reboot's transaction) leaves every VM it touched as it was: the whole simulated
 * machine goes back with the store (docs/RELIABILITY.md §5, docs/ARCHITECTURE.md "Restore points").
 */

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const memory = (pa: number, severity = 'corrected') => ({ error: { type: 'memory', severity, physicalAddress: '0x' + pa.toString(16) } });
const APEI_SEI = { profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio' }], personality: 'apei-sei', diagnostics: true };
const QEMU_10_2 = { profile: 'qemu-10.2-virt', personality: 'linux', linuxVersion: '6.1' };

interface Rig {
  url: string;
  gateway: Gateway;
  store: EventStore;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** the next COMMIT fails as an I/O error would (the test reaches the store's connection) */
  failNextCommit(): void;
  close(): Promise<void>;
}

/** A gateway as the server builds it (store-backed ERST records), whose group commit waits 300 ms so concurrent requests share one batch. */
async function rig(): Promise<Rig> {
  const store = EventStore.open(':memory:', { groupCommitMs: 300 });
  const factory = createVmFactory({ vm: { ...GATEWAY_VM_OPTIONS, erstStorage: (vmId) => store.erst.storageFor(vmId), wallSeconds: () => 1_767_225_600n } });
  const gateway = new Gateway({ store, factory, clock: 'manual', retentionIntervalMs: 0 });
  const app = createApp({ gateway, token: TOKEN });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const db = (store as unknown as { db: { exec(sql: string): unknown } }).db;
  const exec = db.exec.bind(db);
  let failCommit = false;
  db.exec = (sql: string) => {
    if (sql === 'COMMIT' && failCommit) {
      failCommit = false;
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    }
    return exec(sql);
  };
  return {
    url,
    gateway,
    store,
    async call(method, path, body) {
      const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    failNextCommit: () => (failCommit = true),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      gateway.close();
      store.close();
    },
  };
}

/**
 * Everything a client or the gateway can see of a VM, and the VM itself: the VM view, the stored
 * log, injections, records and events, the crash report, the error status blocks and read-ack
 * registers as guest memory bytes, the guest's own log, the gateway's bookkeeping, and the digest
 * of every field and memory byte reachable from the VM object.
 */
async function vmDigest(r: Rig, id: string): Promise<Record<string, unknown>> {
  const vm = r.gateway.vm(id);
  const state = vm.state();
  const mem = (vm as unknown as { guestMemory: { read(a: bigint, n: number): Uint8Array } }).guestMemory;
  const blocks = state.sources.map((s) => ({ sourceId: s.sourceId, readAck: s.readAck, block: s.blockAddress ? Buffer.from(mem.read(s.blockAddress, s.errorBlockLength)).toString('hex') : '' }));
  return {
    view: (await r.call('GET', `/vms/${id}`)).body,
    storedLog: (await r.call('GET', `/vms/${id}/log`)).body,
    injections: (await r.call('GET', `/vms/${id}/errors`)).body,
    records: (await r.call('GET', `/vms/${id}/records`)).body,
    events: (await r.call('GET', `/vms/${id}/events`)).body,
    crash: await r.call('GET', `/vms/${id}/crash`).then((c) => ({ status: c.status, body: { ...c.body, requestId: undefined } })),
    hardwareErrors: Buffer.from(vm.hardwareErrors()).toString('hex'),
    blocks,
    guestLog: vm.log(),
    bookkeeping: r.gateway.retained(id),
    graph: graphDigest(vm),
  };
}

function expectSameVm(before: Record<string, unknown>, after: Record<string, unknown>): void {
  const { graph: g0, ...rest0 } = before;
  const { graph: g1, ...rest1 } = after;
  expect(rest1).toEqual(rest0);
  expect(digestDiff(g0 as string, g1 as string)).toBe('');
}

function nextInjectionId(store: EventStore): number {
  return (store as unknown as { nextInjectionId: number }).nextInjectionId;
}

/** The guest lines of a VM's log after `seq` (the text after the printk stamp). */
function linesAfter(r: Rig, id: string, seq: number): string[] {
  return r.store.log(id, { after: seq }).map((l) => l.line);
}

describe('a failed write leaves the VMs as they were', () => {
  it('a group commit whose COMMIT fails: every VM of the batch (one of them panicked in it; REST and QMP clients) is back byte for byte; all REST clients 503; then the next injection is the one a never-failed VM gets', async () => {
    const r = await rig();
    try {
      for (const [id, spec] of [['a', APEI_SEI], ['ca', APEI_SEI], ['b', QEMU_10_2], ['cb', QEMU_10_2]] as const) expect((await r.call('POST', '/vms', { id, ...spec })).status).toBe(201);
      // the same history on each VM and its control
      for (let i = 0; i < 3; i++) {
        const round = await Promise.all([
          ...['a', 'ca'].map((id) => r.call('POST', `/vms/${id}/errors`, memory(0x40001000 + 0x1000 * i))),
          ...['b', 'cb'].map((id) => r.call('POST', `/vms/${id}/errors`, { ...memory(0x40001000 + 0x1000 * i), sourceId: 1 })),
        ]);
        expect(round.map((x) => x.status)).toEqual([202, 202, 202, 202]);
      }
      const beforeA = await vmDigest(r, 'a');
      const beforeB = await vmDigest(r, 'b');
      const nextId = nextInjectionId(r.store);
      const logged: string[] = [];
      r.gateway.on('log:a', (e: { line: string }) => logged.push(e.line));

      r.failNextCommit();
      // concurrent clients, one batch: a QMP inject-ghes-v2-error on b (it opens the batch); a
      // corrected error, a recoverable one (memory failure), a fatal one (the guest panics) and
      // one after it on a; two more on b
      const qmp = new QmpGatewayBackend(r.gateway, 'b').injectCper(ghesInjectArmDefault());
      expect(qmp).toBeUndefined();
      const sent = await Promise.all([
        r.call('POST', '/vms/a/errors', memory(0x40010000)),
        r.call('POST', '/vms/a/errors', memory(0x40020000, 'recoverable')),
        r.call('POST', '/vms/b/errors', { ...memory(0x40030000), sourceId: 1 }),
        r.call('POST', '/vms/a/errors', memory(0x40040000, 'fatal')),
        r.call('POST', '/vms/b/errors', { ...memory(0x40050000, 'recoverable'), sourceId: 1 }),
        r.call('POST', '/vms/a/errors', memory(0x40060000)),
      ]);
      expect(sent.map((s) => s.status)).toEqual([503, 503, 503, 503, 503, 503]);
      for (const s of sent) expect(s.body).toMatchObject({ type: '/problems/store-unavailable', reason: 'io-error' });
      // the guest did panic inside the batch (its lines reached the live log stream)
      expect(logged.some((l) => l.includes('Kernel panic - not syncing'))).toBe(true);
      const health = await r.call('GET', '/healthz');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ store: { ok: false, reason: 'io-error' } });

      expectSameVm(beforeA, await vmDigest(r, 'a'));
      expectSameVm(beforeB, await vmDigest(r, 'b'));
      expect(nextInjectionId(r.store)).toBe(nextId);

      // recovery: the next injection gets the next id, and each VM prints exactly what its
      // control (which never saw the failed batch) prints for the same error
      const seqA = r.store.lastLogSeq('a');
      const next = await r.call('POST', '/vms/a/errors', memory(0x40070000));
      expect(next.status).toBe(202);
      expect(next.body.id).toBe(String(nextId));
      expect((await r.call('GET', '/healthz')).status).toBe(200);
      const control = await r.call('POST', '/vms/ca/errors', memory(0x40070000));
      expect(next.body.outcome).toEqual(control.body.outcome);
      expect(linesAfter(r, 'a', seqA).length).toBeGreaterThan(0);
      expect(r.store.log('a')).toEqual(r.store.log('ca').map((l) => ({ ...l, at: expect.any(String) })));
      for (const id of ['b', 'cb']) expect((await r.call('POST', `/vms/${id}/errors`, { ...memory(0x40070000), sourceId: 1 })).status).toBe(202);
      expect(r.gateway.vm('b').log()).toEqual(r.gateway.vm('cb').log());
      expect(r.store.log('b').map((l) => [l.seq, l.boot, l.line])).toEqual(r.store.log('cb').map((l) => [l.seq, l.boot, l.line]));
      expect(r.gateway.vm('a').state().guest).toEqual(r.gateway.vm('ca').state().guest);
    } finally {
      await r.close();
    }
  }, 20_000);

  it('one injection whose savepoint fails inside a batch that commits: that VM is as before it, the others of the batch are stored', async () => {
    const r = await rig();
    try {
      for (const [id, spec] of [['a', APEI_SEI], ['b', APEI_SEI], ['cb', APEI_SEI]] as const) expect((await r.call('POST', '/vms', { id, ...spec })).status).toBe(201);
      for (const id of ['a', 'b', 'cb']) expect((await r.call('POST', `/vms/${id}/errors`, memory(0x40001000))).status).toBe(202);
      const beforeB = await vmDigest(r, 'b');
      // writing b's next injection fails (an I/O error inside its savepoint), after its VM ran it
      const save = r.store.saveInjection.bind(r.store);
      let failB = true;
      r.store.saveInjection = (inj, boot) => {
        if (inj.vmId === 'b' && failB) {
          failB = false;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
        }
        save(inj, boot);
      };
      const sent = await Promise.all([
        r.call('POST', '/vms/a/errors', memory(0x40010000)),
        r.call('POST', '/vms/b/errors', memory(0x40020000, 'fatal')),
        r.call('POST', '/vms/a/errors', memory(0x40030000)),
      ]);
      expect(sent.map((s) => s.status)).toEqual([202, 503, 202]);
      expect(sent[1].body).toMatchObject({ type: '/problems/store-unavailable', reason: 'io-error' });
      expectSameVm(beforeB, await vmDigest(r, 'b'));
      // a's injections are stored, and the ids stay without gaps
      const ids = r.store.listInjections('a').map((i) => Number(i.id));
      expect(ids).toHaveLength(3);
      expect([sent[0].body.id, sent[2].body.id].map(Number).sort()).toEqual(ids.slice(1));
      expect(ids[2] - ids[1]).toBe(1);
      // b then behaves as its control
      const next = await r.call('POST', '/vms/b/errors', memory(0x40040000));
      const control = await r.call('POST', '/vms/cb/errors', memory(0x40040000));
      expect(next.status).toBe(202);
      expect(next.body.outcome).toEqual(control.body.outcome);
      expect(r.gateway.vm('b').log()).toEqual(r.gateway.vm('cb').log());
    } finally {
      await r.close();
    }
  }, 20_000);

  it('a reboot whose transaction fails after the VM rebooted in memory: the VM is as it was (boot count, memory, log, guest)', async () => {
    const r = await rig();
    try {
      expect((await r.call('POST', '/vms', { id: 'a', ...APEI_SEI })).status).toBe(201);
      expect((await r.call('POST', '/vms/a/errors', memory(0x40001000))).status).toBe(202);
      expect((await r.call('POST', '/vms/a/errors', memory(0x40002000, 'fatal'))).status).toBe(202);
      const before = await vmDigest(r, 'a');
      // the rebooted guest's first line cannot be stored
      const append = r.store.appendLog.bind(r.store);
      let fail = true;
      r.store.appendLog = (vmId, boot, lines) => {
        if (fail) {
          fail = false;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
        }
        return append(vmId, boot, lines);
      };
      const reboot = await r.call('POST', '/vms/a/reboot');
      expect(reboot.status).toBe(503);
      expect(reboot.body).toMatchObject({ reason: 'io-error' });
      expectSameVm(before, await vmDigest(r, 'a'));
      const again = await r.call('POST', '/vms/a/reboot');
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ bootCount: 2, boots: 2 });
    } finally {
      await r.close();
    }
  }, 20_000);

  it('an ERST clear and a VM deletion that joined a failed batch: the records and the VM come back', async () => {
    const r = await rig();
    try {
      for (const [id, spec] of [['e', APEI_SEI], ['x', QEMU_10_2], ['gone', QEMU_10_2]] as const) expect((await r.call('POST', '/vms', { id, ...spec })).status).toBe(201);
      // a panic: pstore saves the log in ERST records; the reboot reads them back
      expect((await r.call('POST', '/vms/e/errors', memory(0x40001000, 'fatal'))).status).toBe(202);
      expect((await r.call('POST', '/vms/e/reboot')).status).toBe(200);
      const records = (await r.call('GET', '/vms/e/erst')).body;
      expect((records.records as unknown[]).length).toBeGreaterThan(0);
      const beforeE = await vmDigest(r, 'e');
      const beforeGone = await vmDigest(r, 'gone');

      r.failNextCommit();
      const sent = await Promise.all([
        r.call('POST', '/vms/x/errors', { ...memory(0x40010000), sourceId: 1 }),
        r.call('DELETE', '/vms/e/erst'),
        r.call('DELETE', '/vms/gone'),
      ]);
      expect(sent.map((s) => s.status)).toEqual([503, 503, 503]);
      expect((await r.call('GET', '/vms/e/erst')).body).toEqual(records);
      expectSameVm(beforeE, await vmDigest(r, 'e'));
      expectSameVm(beforeGone, await vmDigest(r, 'gone'));
      expect((await r.call('GET', '/vms')).body).toMatchObject({ vms: [{ id: 'e' }, { id: 'x' }, { id: 'gone' }] });
      // and they work: the deletion goes through now
      expect((await r.call('DELETE', '/vms/gone')).status).toBe(204);
    } finally {
      await r.close();
    }
  }, 20_000);
});
