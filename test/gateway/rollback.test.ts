import http from 'http';
import { Writable } from 'stream';
import { QmpGatewayBackend } from '../../src/gateway';
import { createLogger } from '../../src/log/logger';
import { EventStore } from '../../src/store';
import { digestDiff, graphDigest } from '../support/stateDigest';
import { TOKEN } from './helpers';
import { ghesInjectArmDefault } from '../qmp/ghesInjectArm';
import { ioError } from '../support/storeFailures';
import { startStoreRig, StoreRig } from '../support/storeRig';

/**
 * A write that fails after the write lock was taken (a group commit's COMMIT, one injection's
 * savepoint, a reboot's transaction) leaves every VM it touched as it was: the whole simulated
 * machine goes back with the store (docs/RELIABILITY.md §5, docs/ARCHITECTURE.md "Restore points").
 */

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const memory = (pa: number, severity = 'corrected') => ({ error: { type: 'memory', severity, physicalAddress: '0x' + pa.toString(16) } });
const APEI_SEI = { profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio' }], personality: 'apei-sei', diagnostics: true };
const QEMU_10_2 = { profile: 'qemu-10.2-virt', personality: 'linux', linuxVersion: '6.1' };

interface Rig extends StoreRig {
  /** the server log so far (JSON lines, info and up) */
  logged(): Array<Record<string, unknown>>;
}

/**
 * A gateway as the server builds it (store-backed ERST records, a server-mode logger), whose
 * group commit waits `groupCommitMs` (300 ms) so concurrent requests share one batch.
 */
async function rig(groupCommitMs = 300): Promise<Rig> {
  const lines: string[] = [];
  const logger = createLogger({
    mode: 'server',
    level: 'info',
    stream: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk).trim());
        cb();
      },
    }),
  });
  const r = await startStoreRig(EventStore.open(':memory:', { groupCommitMs }), logger);
  return { ...r, logged: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
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

interface SseEvent {
  id?: number;
  event: string;
  data: string;
}

interface Stream {
  /** the events received so far (log lines and notifications; comments and `retry` left out) */
  events: SseEvent[];
  /** the `log` events as [seq, line] */
  lines(): Array<[number, string]>;
  /** injection ids of the `notification` events */
  notifications(): string[];
  close(): void;
}

/** A live SSE client of GET /vms/{id}/log/stream (real HTTP); resolves once the stream is open. */
function openStream(r: Rig, vmId: string, from: { since?: number; lastEventId?: number }): Promise<Stream> {
  const url = new URL(r.url);
  const query = from.since === undefined ? '' : `?since=${from.since}`;
  const hdrs: Record<string, string> = { Authorization: headers.Authorization };
  if (from.lastEventId !== undefined) hdrs['Last-Event-ID'] = String(from.lastEventId);
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    let text = '';
    const req = http.get({ host: url.hostname, port: url.port, path: `/vms/${vmId}/log/stream${query}`, headers: hdrs }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`stream: ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
        let end: number;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const e: Partial<SseEvent> = {};
          for (const line of block.split('\n')) {
            const m = /^(id|event|data): (.*)$/.exec(line);
            if (!m) continue;
            if (m[1] === 'id') e.id = Number(m[2]);
            else if (m[1] === 'event') e.event = m[2];
            else e.data = m[2];
          }
          if (e.event) events.push(e as SseEvent);
        }
      });
      resolve({
        events,
        lines: () => events.filter((e) => e.event === 'log').map((e) => [e.id!, e.data]),
        notifications: () => events.filter((e) => e.event === 'notification').map((e) => String((JSON.parse(e.data) as { injectionId: string }).injectionId)),
        close: () => req.destroy(),
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

/** Waits (polling, up to 10 s: generous for a loaded machine) until `ok()` holds. */
async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const until = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The stored log of a VM after `seq` as [seq, line]. */
function storedAfter(r: Rig, id: string, seq: number): Array<[number, string]> {
  return r.store.log(id, { after: seq }).map((l) => [l.seq, l.line]);
}

/**
 * The /metrics lines that count the gateway's work (injections by result, panics, VMs, queue
 * depths, streams, retention), without the HTTP latency histogram (it counts the requests,
 * which were made whatever the store did).
 */
async function workMetrics(r: Rig): Promise<string[]> {
  const res = await fetch(r.url + '/metrics', { headers: { Authorization: headers.Authorization } });
  return (await res.text()).split('\n').filter((l) => l.startsWith('rasgw_') && !l.startsWith('rasgw_http_request_duration_seconds'));
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
      const metricsBefore = await workMetrics(r);
      const serverLogBefore = r.logged().length;
      // what the gateway announces (live events) and what the guest really printed
      const logged: string[] = [];
      r.gateway.on('log:a', (e: { line: string }) => logged.push(e.line));
      const printed: string[] = [];
      const unsubscribe = r.gateway.vm('a').subscribe((e) => e.type === 'log' && printed.push(e.line));

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
      unsubscribe();
      // the guest did panic inside the batch, but nobody was told: no live line, no count, no
      // server log line about the undone work (only the failed commit itself)
      expect(printed.some((l) => l.includes('Kernel panic - not syncing'))).toBe(true);
      expect(logged).toEqual([]);
      expect(await workMetrics(r)).toEqual(metricsBefore);
      expect(metricsBefore).toContain('rasgw_injections_total{result="acknowledged"} 12');
      expect(metricsBefore.filter((l) => l.startsWith('rasgw_guest_panics_total'))).toEqual([]);
      expect(r.logged().slice(serverLogBefore).map((l) => [l.level, l.message])).toEqual([
        ['error', 'a group commit failed: its injections are not stored, and the VMs it touched are back where it found them'],
      ]);
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

      // committed work is counted and logged: the 4 injections since, then a panic that commits
      expect(await workMetrics(r)).toContain('rasgw_injections_total{result="acknowledged"} 16');
      expect((await r.call('POST', '/vms/a/errors', memory(0x40080000, 'fatal'))).status).toBe(202);
      const metricsAfter = await workMetrics(r);
      expect(metricsAfter).toContain('rasgw_guest_panics_total{vm="a"} 1');
      expect(metricsAfter).toContain('rasgw_injections_total{result="acknowledged"} 17');
      expect(r.logged().filter((l) => l.message === 'guest panicked').map((l) => [l.vm, l.boot])).toEqual([['a', 1]]);
      expect(logged.some((l) => l.includes('Kernel panic - not syncing'))).toBe(true);
    } finally {
      await r.close();
    }
  }, 20_000);

  it('live log streams see no line of a failed batch (connected before it, or while it was open): then the next committed lines with their sequence numbers; Last-Event-ID resumes on exactly the stored lines', async () => {
    // a long window: the batch is certainly still open when the second stream connects
    const r = await rig(1000);
    const streams: Stream[] = [];
    try {
      expect((await r.call('POST', '/vms', { id: 'a', ...APEI_SEI })).status).toBe(201);
      expect((await r.call('POST', '/vms/a/errors', memory(0x40001000))).status).toBe(202);
      const seq0 = r.store.lastLogSeq('a');
      const id0 = nextInjectionId(r.store);
      const before = streams[streams.push(await openStream(r, 'a', { since: seq0 })) - 1];

      r.failNextCommit();
      const failing = Promise.all([
        r.call('POST', '/vms/a/errors', memory(0x40010000)),
        r.call('POST', '/vms/a/errors', memory(0x40020000, 'fatal')),
      ]);
      // the guest printed the batch's lines (written, not committed): a client connects now
      await waitFor('the batch to run both injections', () => nextInjectionId(r.store) === id0 + 2);
      const during = streams[streams.push(await openStream(r, 'a', { since: seq0 })) - 1];
      expect(r.store.committedLogSeq('a')).toBe(seq0);
      expect(r.store.lastLogSeq('a')).toBeGreaterThan(seq0 + 5);
      expect((await failing).map((x) => x.status)).toEqual([503, 503]);
      expect(r.store.lastLogSeq('a')).toBe(seq0);
      // neither stream got anything of it (the stream answers a GET on the same event loop:
      // one round trip more and anything sent would have arrived)
      await r.call('GET', '/vms/a');
      expect(before.events).toEqual([]);
      expect(during.events).toEqual([]);

      // the next injection commits: both streams get its notification and lines, numbered as stored
      const next = await r.call('POST', '/vms/a/errors', memory(0x40030000));
      expect(next.status).toBe(202);
      const stored = storedAfter(r, 'a', seq0);
      expect(stored.length).toBeGreaterThan(3);
      expect(stored[0][0]).toBe(seq0 + 1);
      for (const s of [before, during]) {
        await waitFor('the committed lines', () => s.lines().length >= stored.length);
        expect(s.lines()).toEqual(stored);
        expect(s.notifications()).toEqual([next.body.id]);
        // the notification comes before the guest's lines for it
        expect(s.events[0].event).toBe('notification');
      }
      // a client resuming after any of those lines gets exactly the stored lines after it
      for (const last of [seq0, seq0 + 2]) {
        const resumed = streams[streams.push(await openStream(r, 'a', { lastEventId: last })) - 1];
        await waitFor('the backlog', () => resumed.lines().length >= stored.length - (last - seq0));
        expect(resumed.lines()).toEqual(storedAfter(r, 'a', last));
      }
      // REST readers never saw the batch either: the stored log is the committed one
      expect((await r.call('GET', `/vms/a/log?since=${seq0}`)).body.lines).toEqual(r.store.log('a', { after: seq0 }));
    } finally {
      for (const s of streams) s.close();
      await r.close();
    }
  }, 30_000);

  it('one injection whose savepoint fails inside a batch that commits: that VM is as before it, the others of the batch are stored; only its live events and counts are dropped', async () => {
    const r = await rig();
    const streams: Stream[] = [];
    try {
      for (const [id, spec] of [['a', APEI_SEI], ['b', APEI_SEI], ['cb', APEI_SEI]] as const) expect((await r.call('POST', '/vms', { id, ...spec })).status).toBe(201);
      for (const id of ['a', 'b', 'cb']) expect((await r.call('POST', `/vms/${id}/errors`, memory(0x40001000))).status).toBe(202);
      const seqA = r.store.lastLogSeq('a');
      const seqB = r.store.lastLogSeq('b');
      const streamA = streams[streams.push(await openStream(r, 'a', { since: seqA })) - 1];
      const streamB = streams[streams.push(await openStream(r, 'b', { since: seqB })) - 1];
      const announcedB: string[] = [];
      r.gateway.on('log:b', (e: { line: string }) => announcedB.push(e.line));
      r.gateway.on('notification:b', (e: { injectionId: string }) => announcedB.push(e.injectionId));
      const metricsBefore = await workMetrics(r);
      expect(metricsBefore).toContain('rasgw_injections_total{result="acknowledged"} 3');
      const beforeB = await vmDigest(r, 'b');
      // writing b's next injection fails (an I/O error inside its savepoint), after its VM ran it
      const save = r.store.saveInjection.bind(r.store);
      let failB = true;
      r.store.saveInjection = (inj, boot) => {
        if (inj.vmId === 'b' && failB) {
          failB = false;
          throw ioError();
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
      // a's stream got a's two injections, as stored; b's got nothing, nobody heard of b's
      // injection, and only a's two are counted
      const storedA = storedAfter(r, 'a', seqA);
      await waitFor("a's lines", () => streamA.lines().length >= storedA.length);
      expect(streamA.lines()).toEqual(storedA);
      expect(streamA.notifications()).toEqual([sent[0].body.id, sent[2].body.id]);
      await r.call('GET', '/vms/b');
      expect(streamB.events).toEqual([]);
      expect(announcedB).toEqual([]);
      expect(await workMetrics(r)).toEqual(metricsBefore.map((l) => l.replace('rasgw_injections_total{result="acknowledged"} 3', 'rasgw_injections_total{result="acknowledged"} 5')));
      expect(r.logged().filter((l) => l.message === 'guest panicked')).toEqual([]);
      // b then behaves as its control
      const next = await r.call('POST', '/vms/b/errors', memory(0x40040000));
      const control = await r.call('POST', '/vms/cb/errors', memory(0x40040000));
      expect(next.status).toBe(202);
      expect(next.body.outcome).toEqual(control.body.outcome);
      expect(r.gateway.vm('b').log()).toEqual(r.gateway.vm('cb').log());
      // and its stream gets that injection's lines, numbered as stored (from seqB + 1)
      const storedB = storedAfter(r, 'b', seqB);
      expect(storedB[0][0]).toBe(seqB + 1);
      await waitFor("b's lines", () => streamB.lines().length >= storedB.length);
      expect(streamB.lines()).toEqual(storedB);
      expect(streamB.notifications()).toEqual([next.body.id]);
    } finally {
      for (const s of streams) s.close();
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
          throw ioError();
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

  it('an ERST clear, a VM deletion and a VM creation that joined a failed batch: the records and the VM come back, the new VM is not there, and none of it was announced', async () => {
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
      const gone = await openStream(r, 'gone', { since: r.store.lastLogSeq('gone') });
      const deleted: string[] = [];
      const created: string[] = [];
      r.gateway.on('vm-deleted', (id: string) => deleted.push(id));
      r.gateway.on('vm-created', (id: string) => created.push(id));

      r.failNextCommit();
      // the injection opens the batch; the clear and the deletion join it
      const id0 = nextInjectionId(r.store);
      const inject = r.call('POST', '/vms/x/errors', { ...memory(0x40010000), sourceId: 1 });
      await waitFor('the batch to open', () => nextInjectionId(r.store) === id0 + 1);
      const sent = await Promise.all([inject, r.call('DELETE', '/vms/e/erst'), r.call('DELETE', '/vms/gone'), r.call('POST', '/vms', { id: 'new', ...QEMU_10_2 })]);
      expect(sent.map((s) => s.status)).toEqual([503, 503, 503, 503]);
      expect((await r.call('GET', '/vms/e/erst')).body).toEqual(records);
      expectSameVm(beforeE, await vmDigest(r, 'e'));
      expectSameVm(beforeGone, await vmDigest(r, 'gone'));
      expect((await r.call('GET', '/vms')).body).toMatchObject({ vms: [{ id: 'e' }, { id: 'x' }, { id: 'gone' }] });
      // nobody was told of the deletion or the creation: the stream is still open, the QMP side
      // (which opens and closes an endpoint per VM on these events) heard nothing
      expect(gone.events).toEqual([]);
      expect(deleted).toEqual([]);
      expect(created).toEqual([]);
      expect((await r.call('GET', '/vms/new')).status).toBe(404);
      // and they work: the deletion goes through now, and is announced
      expect((await r.call('DELETE', '/vms/gone')).status).toBe(204);
      expect(deleted).toEqual(['gone']);
      expect((await r.call('POST', '/vms', { id: 'new', ...QEMU_10_2 })).status).toBe(201);
      expect(created).toEqual(['new']);
      await waitFor('the end of the stream', () => gone.events.length > 0);
      expect(gone.events).toEqual([{ event: 'end', data: 'vm deleted' }]);
      gone.close();
    } finally {
      await r.close();
    }
  }, 20_000);
});
