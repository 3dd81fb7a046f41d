import fs from 'fs';
import http from 'http';
import path from 'path';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { serrorEsr, serrorIss, seaEsr } from '../../src/device-model/notify/syndrome';
import type { Vm } from '../../src/vm';
import { AUTH, tempDir, testGateway, TestGateway } from './helpers';
import { SEI_RECOVERABLE_NOTIFICATION } from '../support/notifications';

/**
 * Every injection carries `notification`, the fact of what the device model raised,
 * in the 202, in GET /vms/{id}/errors/{eid} (and its outcome), in /events, on the SSE stream and
 * in the stored row (read back after a restart). The values are compared with what the device
 * model actually handed the guest (the guest's entry points are spied on).
 */
const RECOVERABLE = fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/linux-guest/memory-recoverable.gesb')).toString('base64');
const CORRECTED = fs.readFileSync(path.join(__dirname, '../../../shared/fixtures/linux-guest/memory-corrected.gesb')).toString('base64');

const SOURCES = [
  { sourceId: 0, notification: 'sei' },
  { sourceId: 1, notification: 'sea' },
  { sourceId: 2, notification: 'gpio', vector: 4 },
  { sourceId: 3, notification: 'sdei', vector: 7 },
  { sourceId: 4, notification: 'external', vector: 40 },
  { sourceId: 5, notification: 'gsiv', vector: 50 },
  { sourceId: 6, notification: 'polled', pollIntervalMs: 500 },
  { sourceId: 7, notification: 'sci', vector: 9 },
  { sourceId: 8, notification: 'mce' },
  { sourceId: 9, notification: 'sei' },
  { sourceId: 10, notification: 'local', vector: 3 },
  { sourceId: 11, notification: 'nmi' },
];

/** Reads an SSE stream and collects its events. */
class SseReader {
  readonly events: Array<{ event: string; data: string }> = [];
  private buf = '';
  private req?: http.ClientRequest;
  private waiters: Array<() => void> = [];
  open(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get(url, { headers: AUTH }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          this.buf += d;
          let i: number;
          while ((i = this.buf.indexOf('\n\n')) >= 0) {
            const block = this.buf.slice(0, i);
            this.buf = this.buf.slice(i + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (event) this.events.push({ event, data });
            for (const w of this.waiters.splice(0)) w();
          }
        });
        resolve();
      });
      this.req.on('error', reject);
    });
  }
  /** waits until `pred` holds for the events received so far */
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((r) => this.waiters.push(r));
  }
  close(): void {
    this.req?.destroy();
  }
}

describe('the notification fact of every injection', () => {
  let dir: string;
  let t: TestGateway;
  let server: http.Server;
  let base: string;
  let sse: SseReader;
  const raised: Array<{ kind: string; esr?: number; value?: number }> = [];

  beforeAll(async () => {
    dir = tempDir('rasgw-notif-');
    t = testGateway({ dataDir: dir });
    server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const created = await request(t.app).post('/vms').set(AUTH).send({ id: 'n', profile: 'extended', sources: SOURCES });
    expect(created.status).toBe(201);
    // what the device model hands the guest kernel, as the guest receives it
    const guest = (t.gateway.vm('n') as Vm).guest;
    const spy = <K extends 'raiseSError' | 'raiseSea' | 'hedNotify' | 'sdeiEvent' | 'interrupt' | 'nmi'>(name: K, kind: string, pick: (args: unknown[]) => Partial<{ esr: number; value: number }>) => {
      const orig = guest[name].bind(guest) as (...a: unknown[]) => void;
      (guest as unknown as Record<string, (...a: unknown[]) => void>)[name] = (...a: unknown[]) => {
        raised.push({ kind, ...pick(a) });
        orig(...a);
      };
    };
    spy('raiseSError', 'sei', (a) => ({ esr: a[0] as number }));
    spy('raiseSea', 'sea', (a) => ({ esr: a[0] as number }));
    spy('hedNotify', 'hed', () => ({}));
    spy('sdeiEvent', 'sdei', (a) => ({ value: a[0] as number }));
    spy('interrupt', 'irq', (a) => ({ value: a[0] as number }));
    spy('nmi', 'nmi', () => ({}));
    sse = new SseReader();
    await sse.open(`${base}/vms/n/log/stream`);
  });

  afterAll(async () => {
    sse.close();
    await new Promise<void>((r) => server.close(() => r()));
    t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Injects, then checks the 202, the resource, its outcome, /events, the SSE event and the row all carry `expected`. */
  async function injectAndCheck(body: Record<string, unknown>, expected: Record<string, unknown>, reachesGuest = true): Promise<Record<string, unknown>> {
    const before = raised.length;
    const r = await request(t.app).post('/vms/n/errors').set(AUTH).send(body);
    expect(r.status).toBe(202);
    const n = r.body.notification;
    expect(n).toEqual(expected);
    expect(raised.length).toBe(before + (reachesGuest ? 1 : 0));
    const got = await request(t.app).get(r.headers.location).set(AUTH);
    expect(got.body.notification).toEqual(n);
    if (got.body.outcome) expect(got.body.outcome.notification).toEqual(n);
    const events = await request(t.app).get('/vms/n/events').set(AUTH);
    const mine = events.body.events.filter((e: { type: string; data: { injectionId: string } }) => e.type === 'notification' && e.data.injectionId === r.body.id);
    expect(mine.map((e: { data: { notification: unknown } }) => e.data.notification)).toEqual([n]);
    await sse.until(() => sse.events.some((e) => e.event === 'notification' && JSON.parse(e.data).injectionId === r.body.id));
    const ev = sse.events.find((e) => e.event === 'notification' && JSON.parse(e.data).injectionId === r.body.id)!;
    expect(JSON.parse(ev.data)).toEqual({ injectionId: r.body.id, boot: 1, notification: n });
    expect(t.store.getInjection('n', r.body.id)!.notification).toEqual(n);
    return { ...r.body, raised: raised[before] };
  }

  test('SEI from the block severity: ESR 0xbe000811 (UEO), decoded, and the SSE event comes before the guest lines', async () => {
    const r = await injectAndCheck(
      { raw: RECOVERABLE, sourceId: 0 },
      SEI_RECOVERABLE_NOTIFICATION,
    );
    const n = r.notification as { esr: string };
    // as numbers: what the guest received, and what the device model's syndrome rules give
    expect(Number(n.esr)).toBe((r.raised as { esr: number }).esr);
    expect(Number(n.esr)).toBe(serrorEsr(serrorIss('UEO')));
    const i = sse.events.findIndex((e) => e.event === 'notification' && JSON.parse(e.data).injectionId === r.id);
    await sse.until(() => sse.events.slice(i).some((e) => e.event === 'log' && e.data.includes('code 0x00000000be000811')));
    const after = sse.events.slice(i + 1).filter((e) => e.event === 'log');
    expect(after[0].data).toMatch(/SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome \(AET UEO\), reading APEI SEI error sources$/);
  });

  test('SEI with a given syndrome ("0x…" string): esrReason given, AET UER', async () => {
    const r = await injectAndCheck(
      { raw: CORRECTED, sourceId: 9, esrIss: '0x0c11' },
      {
        kind: 'sei',
        raised: 'virtual-serror',
        vcpu: 0,
        esr: '0xbe000c11',
        esrReason: 'given',
        esrFields: expect.objectContaining({ ec: 0x2f, il: 1, ids: 0, aet: 3, aetName: 'UER', ea: 0, dfsc: 0x11, iss: '0xc11' }),
      },
    );
    expect(Number((r.notification as { esr: string }).esr)).toBe((r.raised as { esr: number }).esr);
  });

  test('SEA: QEMU\'s data abort syndrome (EC 0x24, FnV, DFSC 0x10) and FAR', async () => {
    const r = await injectAndCheck(
      { raw: CORRECTED, sourceId: 1 },
      {
        kind: 'sea',
        raised: 'synchronous-external-abort',
        vcpu: 0,
        esr: '0x92000410',
        far: '0x0',
        farValid: false,
        esrFields: { ec: 0x24, ecName: 'DABT (lower EL)', il: 1, iss: '0x410', fnv: 1, ea: 0, wnr: 0, dfsc: 0x10, dfscName: 'synchronous external abort, not on a translation table walk' },
      },
    );
    expect(Number((r.notification as { esr: string }).esr)).toBe((r.raised as { esr: number }).esr);
    expect(Number((r.notification as { esr: string }).esr)).toBe(seaEsr(0));
  });

  test('GPIO, SCI and GSIV: the GED error event (HED notify) and the line', async () => {
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 2 }, { kind: 'gpio', raised: 'hed-notify', vcpu: 0, line: 4 })).raised).toEqual({ kind: 'hed' });
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 7 }, { kind: 'sci', raised: 'hed-notify', vcpu: 0, line: 9 })).raised).toEqual({ kind: 'hed' });
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 5 }, { kind: 'gsiv', raised: 'hed-notify', vcpu: 0, line: 50 })).raised).toEqual({ kind: 'hed' });
  });

  test('SDEI: the event number; external interrupt: the line', async () => {
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 3 }, { kind: 'sdei', raised: 'sdei-event', vcpu: 0, sdeiEvent: 7 })).raised).toEqual({ kind: 'sdei', value: 7 });
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 4 }, { kind: 'external', raised: 'interrupt', vcpu: 0, line: 40 })).raised).toEqual({ kind: 'irq', value: 40 });
  });

  test('local interrupt and NMI: raised although the arm64 guest refused those sources at probe', async () => {
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 10 }, { kind: 'local', raised: 'interrupt', vcpu: 0, line: 3 })).raised).toEqual({ kind: 'irq', value: 3 });
    expect((await injectAndCheck({ raw: CORRECTED, sourceId: 11 }, { kind: 'nmi', raised: 'nmi', vcpu: 0 })).raised).toEqual({ kind: 'nmi' });
  });

  test('polled and MCE: nothing reaches the guest, and the fact says so', async () => {
    await injectAndCheck({ raw: CORRECTED, sourceId: 6 }, { kind: 'polled', raised: 'poll', vcpu: 0, pollIntervalMs: 500 }, false);
    await injectAndCheck({ raw: CORRECTED, sourceId: 8 }, { kind: 'mce', raised: 'none', vcpu: 0, reason: 'MCE is an x86 machine-check notification; an arm64 vCPU has no way to receive it' }, false);
  });

  test('esrIss for a source that is not SEI is refused with esr-iss-not-sei naming its notification', async () => {
    for (const [sourceId, notification] of [
      [1, 'sea'],
      [2, 'gpio'],
    ] as const) {
      const r = await request(t.app).post('/vms/n/errors').set(AUTH).send({ raw: CORRECTED, sourceId, esrIss: 0x811 });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ type: '/problems/esr-iss-not-sei', sourceId, notification, injectionId: expect.any(String) });
      expect(r.body.detail).toContain(`source ${sourceId} is notified via ${notification}`);
      const stored = t.store.getInjection('n', r.body.injectionId)!;
      expect(stored).toMatchObject({ state: 'rejected', refusal: { code: 'esr_iss_not_sei', notification } });
      expect(stored.notification).toBeUndefined();
    }
    const bad = await request(t.app).post('/vms/n/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 0, esrIss: '0x2000000' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '/esrIss' });
    expect(bad.body.errors[0].message).toBe('"0x2000000" is larger than the ISS of an SError syndrome (0..0x1ffffff)');
    const word = await request(t.app).post('/vms/n/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 0, esrIss: 'UEO' });
    expect(word.status).toBe(400);
    // a digit string could be hex or decimal: refused with the fix (the message used to claim decimal strings were taken)
    const digits = await request(t.app).post('/vms/n/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 0, esrIss: '811' });
    expect(digits.status).toBe(400);
    expect(digits.body.errors).toEqual([
      { pointer: '/esrIss', code: 'custom', message: '"811" is a digit string without 0x, which could be hex or decimal: write hex as "0x811", or the decimal number 811 as a JSON number without quotes' },
    ]);
  });

  test('the stored notification survives a restart of the gateway', async () => {
    const list = await request(t.app).get('/vms/n/errors').set(AUTH);
    const withFacts = list.body.injections.filter((i: { notification?: unknown }) => i.notification);
    expect(withFacts.length).toBeGreaterThanOrEqual(12);
    await t.gateway.committed();
    sse.close();
    t.close();
    t = testGateway({ dataDir: dir });
    for (const i of withFacts) {
      const again = await request(t.app).get(`/vms/n/errors/${i.id}`).set(AUTH);
      expect(again.body.notification).toEqual(i.notification);
    }
  });
});

describe('coalesced SErrors', () => {
  test('injections raised while the guest handles an SError are taken as one SError that names all of them (VM, resource, SSE-ready events, row)', async () => {
    const t = testGateway();
    try {
      await request(t.app)
        .post('/vms')
        .set(AUTH)
        .send({ id: 'c', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'sei' }, { notification: 'sei' }] });
      const vm = t.gateway.vm('c') as Vm;
      const notifications: Array<{ injectionId: string; notification: { carried?: string[] } }> = [];
      t.gateway.on('notification:c', (e) => notifications.push(e));
      const corrected = Buffer.from(CORRECTED, 'base64');
      const recoverable = new Uint8Array(Buffer.from(RECOVERABLE, 'base64'));
      let nested: string[] = [];
      const stop = vm.subscribe((e) => {
        // while the guest is inside its first SError handler, two more records arrive on the other SEI sources
        if (e.type === 'guest-record' && nested.length === 0) {
          nested = [t.gateway.inject('c', new Uint8Array(corrected), { sourceId: 1 }, 'rest'), t.gateway.inject('c', recoverable, { sourceId: 2 }, 'rest')].map((r) => r.injection.id);
        }
      });
      const first = t.gateway.inject('c', new Uint8Array(corrected), { sourceId: 0 }, 'rest');
      stop();
      await t.gateway.committed();
      expect(nested).toHaveLength(2);
      expect(vm.guest.coalescedSErrors).toBe(1);
      // the first SError was taken alone; the two raised during it were taken as one
      const one = await request(t.app).get(`/vms/c/errors/${first.injection.id}`).set(AUTH);
      expect(one.body.notification.carried).toBeUndefined();
      for (const id of nested) {
        const r = await request(t.app).get(`/vms/c/errors/${id}`).set(AUTH);
        expect(r.body.state).toBe('acknowledged');
        expect(r.body.notification).toMatchObject({ kind: 'sei', carried: nested, takenEsr: '0xbe000811' });
        expect(t.store.getInjection('c', id)!.notification!.carried).toEqual(nested);
      }
      // raised CE (corrected) and UEO (recoverable): the guest took the more severe UEO
      expect((await request(t.app).get(`/vms/c/errors/${nested[0]}`).set(AUTH)).body.notification.esr).toBe('0xbe001811');
      expect((await request(t.app).get(`/vms/c/errors/${nested[1]}`).set(AUTH)).body.notification.esr).toBe('0xbe000811');
      // each nested injection: one event when raised, one when the coalesced SError named its carriers
      for (const id of nested) expect(notifications.filter((n) => n.injectionId === id).map((n) => n.notification.carried)).toEqual([undefined, nested]);
      const events = await request(t.app).get('/vms/c/events').set(AUTH);
      expect(events.body.events.filter((e: { type: string; data: { notification: { carried?: string[] } } }) => e.type === 'notification' && e.data.notification.carried).length).toBe(2);
    } finally {
      t.close();
    }
  });
});

describe('GET /vms/{id}/errors/{eid}?personality=both', () => {
  test('shows the injection under our design and under stock Linux, line by line, without touching the VM', async () => {
    const t = testGateway();
    try {
      await request(t.app).post('/vms').set(AUTH).send({ id: 's', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'sea' }, { notification: 'gpio' }] });
      const r = await request(t.app).post('/vms/s/errors').set(AUTH).send({ raw: RECOVERABLE, esrIss: '0x0c11' });
      expect(r.status).toBe(202);
      const logBefore = (await request(t.app).get('/vms/s/log').set(AUTH)).body.lines.length;
      const plain = await request(t.app).get(r.headers.location).set(AUTH);
      expect(plain.body.sideBySide).toBeUndefined();
      const both = await request(t.app).get(`${r.headers.location}?personality=both`).set(AUTH);
      expect(both.status).toBe(200);
      const sb = both.body.sideBySide;
      expect(sb['apei-sei']).toMatchObject({ state: 'acknowledged', notification: { esr: '0xbe000c11', esrReason: 'given' }, outcome: { panicked: false } });
      expect(sb.linux).toMatchObject({ state: 'delivered', notification: { esr: '0xbe000c11' }, outcome: { panicked: true } });
      const s = (l?: string) => (l === undefined ? null : l.replace(/^\[\s*\d+\.\d{6}\] /, ''));
      const rows = sb.rows.map((x: { 'apei-sei'?: string; linux?: string }) => [s(x['apei-sei']), s(x.linux)]);
      expect(rows[0]).toEqual(['SEI: SError Interrupt on CPU0, code 0x00000000be000c11 -- SError, RAS syndrome (AET UER), reading APEI SEI error sources', null]);
      expect(rows.slice(-2)).toEqual([
        [null, 'SError Interrupt on CPU0, code 0x00000000be000c11 -- SError'],
        [null, 'Kernel panic - not syncing: Asynchronous SError Interrupt'],
      ]);
      expect(sb.boot.filter((x: { 'apei-sei'?: string }) => x['apei-sei'] === undefined).map((x: { linux: string }) => s(x.linux))).toEqual([
        '[Firmware Warn]: GHES: Unknown notification type: 9 for generic hardware error source: 0',
      ]);
      // the live VM went on as before: no new log lines, not panicked
      expect((await request(t.app).get('/vms/s/log').set(AUTH)).body.lines.length).toBe(logBefore);
      expect((await request(t.app).get('/vms/s').set(AUTH)).body.guest.panicked).toBe(false);
      const bad = await request(t.app).get(`${r.headers.location}?personality=linux`).set(AUTH);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ parameter: 'personality' });
    } finally {
      t.close();
    }
  });
});

describe('docs/API.md, "The SError syndrome": the SEI example', () => {
  test('the VM and injection of the example answer as documented', async () => {
    const t = testGateway();
    try {
      const vm = await request(t.app)
        .post('/vms')
        .set(AUTH)
        .send({ id: 'sei1', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'sea' }], personality: 'apei-sei', diagnostics: true });
      expect(vm.status).toBe(201);
      const error = { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' };
      const r = await request(t.app).post('/vms/sei1/errors').set(AUTH).send({ error, notification: 'sei', esrIss: '0x0c11' });
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ vmId: 'sei1', state: 'acknowledged', sourceId: 0, panicked: false });
      expect(r.body.notification).toMatchObject({
        kind: 'sei',
        raised: 'virtual-serror',
        vcpu: 0,
        esr: '0xbe000c11',
        esrReason: 'given',
        esrFields: { ec: 47, ecName: 'SError', il: 1, iss: '0xc11', ids: 0, aet: 3, aetName: 'UER', dfsc: 17 },
      });
      const refused = await request(t.app).post('/vms/sei1/errors').set(AUTH).send({ error, sourceId: 1, esrIss: '0x0c11' });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ type: '/problems/esr-iss-not-sei', notification: 'sea' });
      // a fatal record: the SError carries UC, GHES panics, the crash report keeps that ESR
      const fatal = await request(t.app).post('/vms/sei1/errors').set(AUTH).send({ error: { ...error, severity: 'fatal' } });
      expect(fatal.body).toMatchObject({ panicked: true, notification: { esr: '0xbe000011', esrFields: { aetName: 'UC' }, blockSeverity: 'fatal' } });
      const crash = await request(t.app).get('/vms/sei1/crash').set(AUTH);
      expect(crash.body).toMatchObject({ reason: 'ghes-fatal', esr: '0xbe000011', esrFields: { ec: 0x2f, ecName: 'SError', aet: 0, aetName: 'UC', dfsc: 0x11 } });
    } finally {
      t.close();
    }
  });
});

describe('the SSE backlog replays stored notifications in their place', () => {
  test('a stream opened after the injections gets each notification right before the guest lines it caused; ?since= resumes', async () => {
    const t = testGateway();
    const server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const readers: SseReader[] = [];
    try {
      await request(t.app).post('/vms').set(AUTH).send({ id: 'b', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }] });
      const ids: string[] = [];
      for (const body of [{ raw: RECOVERABLE, sourceId: 0 }, { raw: CORRECTED, sourceId: 1 }, { raw: CORRECTED, sourceId: 0 }]) {
        ids.push((await request(t.app).post('/vms/b/errors').set(AUTH).send(body)).body.id);
      }
      await t.gateway.committed();
      const lines = (await request(t.app).get('/vms/b/log').set(AUTH)).body.lines as Array<{ seq: number; line: string }>;
      const open = async (query: string) => {
        const r = new SseReader();
        readers.push(r);
        await r.open(`${base}/vms/b/log/stream${query}`);
        await r.until(() => r.events.filter((e) => e.event === 'log').length >= lines.filter((l) => l.seq > Number(query.slice(7) || 0)).length);
        return r.events.map((e) => (e.event === 'notification' ? `N${JSON.parse(e.data).injectionId}:${JSON.parse(e.data).notification.kind}` : e.data.replace(/^\[\s*\d+\.\d{6}\] /, '')));
      };
      const all = await open('');
      const seiLine = (esr: string) => `SEI: SError Interrupt on CPU0, code 0x00000000${esr} -- SError, RAS syndrome (AET ${esr === 'be000811' ? 'UEO' : 'CE'}), reading APEI SEI error sources`;
      // boot lines, then each notification right before what the guest printed for it; the polled one printed nothing
      const first = all.indexOf(`N${ids[0]}:sei`);
      expect(first).toBe(lines.findIndex((l) => l.line.includes('SEI: SError')));
      expect(all[first + 1]).toBe(seiLine('be000811'));
      const second = all.indexOf(`N${ids[1]}:polled`);
      expect(all[second + 1]).toBe(`N${ids[2]}:sei`);
      expect(all[second + 2]).toBe(seiLine('be001811'));
      expect(all.filter((e) => e.startsWith('N'))).toEqual([`N${ids[0]}:sei`, `N${ids[1]}:polled`, `N${ids[2]}:sei`]);
      // resuming after the line before the third injection's SError line: its notification comes first
      const third = lines.findIndex((l) => l.line.endsWith(seiLine('be001811')));
      const resumed = await open(`?since=${lines[third - 1].seq}`);
      expect(resumed.slice(0, 3)).toEqual([`N${ids[1]}:polled`, `N${ids[2]}:sei`, seiLine('be001811')]);
    } finally {
      for (const r of readers) r.close();
      await new Promise<void>((r) => server.close(() => r()));
      t.close();
    }
  });
});
