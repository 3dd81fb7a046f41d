import fs from 'fs';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { AUTH, testGateway, TestGateway } from './helpers';

const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest');
const b64 = (n: string) => fs.readFileSync(path.join(DIR, `${n}.gesb`)).toString('base64');
const CORRECTED = b64('memory-corrected');
const FATAL = b64('arm-cache-fatal');
/** source 0 SEI, source 1 polled (read every second of virtual time; the manual clock never moves) */
const VM = { id: 'v', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }] };

async function injectPolled(t: TestGateway): Promise<string> {
  const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 1 });
  expect([r.status, r.body.state]).toEqual([202, 'delivered']);
  return r.body.id as string;
}
const get = (t: TestGateway, url: string) => request(t.app).get(url).set(AUTH);

/** Reads the SSE log stream of VM v until `until` matches what arrived; resolves with the blocks. */
async function sse(t: TestGateway, act: () => Promise<unknown>, until: (blocks: string[]) => boolean): Promise<string[]> {
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const ac = new AbortController();
  // a stream that never shows what is awaited fails the test instead of hanging it
  const timer = setTimeout(() => ac.abort(), 5_000);
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/vms/v/log/stream`, { headers: AUTH, signal: ac.signal });
    const reader = res.body!.getReader();
    let text = '';
    const blocks = () => text.split('\n\n').filter((b) => b.startsWith('event:') || b.startsWith('id:'));
    // the backlog first, then the action
    const first = await reader.read();
    text += Buffer.from(first.value!).toString();
    await act();
    while (!until(blocks())) {
      const next = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (next.done) break;
      text += Buffer.from(next.value!).toString();
    }
    return blocks();
  } finally {
    clearTimeout(timer);
    ac.abort();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('an injection in flight when the VM reboots ends lost (it stayed delivered forever)', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway();
    await request(t.app).post('/vms').set(AUTH).send(VM).expect(201);
  });
  afterEach(() => t.close());

  it('GET …/errors/{eid}, /events and the SSE stream say so, with the boot it was lost in', async () => {
    const id = await injectPolled(t);
    const blocks = await sse(
      t,
      () => request(t.app).post('/vms/v/reboot').set(AUTH).expect(200),
      (b) => b.some((x) => x.startsWith('event: lost')) && b.some((x) => x.includes('ACPI: RSDP') && /^id: (\d+)/.exec(x) !== null && Number(/^id: (\d+)/.exec(x)![1]) > 8),
    );
    const lost = blocks.findIndex((b) => b.startsWith('event: lost'));
    expect(JSON.parse(blocks[lost].split('data: ')[1])).toEqual({
      injectionId: id,
      boot: 1,
      reason: 'reboot',
      previousState: 'delivered',
      message: 'lost on reboot: the record was in the error block of source 1, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again)',
    });
    // before the new boot's first line
    const newBoot = blocks.findIndex((b, i) => i > lost && b.includes('ACPI: RSDP'));
    expect(newBoot).toBeGreaterThan(lost);

    const inj = (await get(t, `/vms/v/errors/${id}`)).body;
    expect(inj.state).toBe('lost');
    expect(inj.lost).toEqual({ reason: 'reboot', boot: 1, previousState: 'delivered', message: expect.stringMatching(/^lost on reboot: /) });
    expect(inj.history.map((h: { state: string; boot?: number; reason?: string }) => [h.state, h.boot, h.reason])).toEqual([
      ['accepted', undefined, undefined],
      ['delivered', 1, undefined],
      ['lost', 1, 'reboot'],
    ]);
    const events = (await get(t, '/vms/v/events')).body.events as Array<{ type: string; boot: number; data: Record<string, unknown> }>;
    expect(events.filter((e) => e.type === 'lost')).toEqual([
      expect.objectContaining({ type: 'lost', boot: 1, data: expect.objectContaining({ injectionId: id, reason: 'reboot', previousState: 'delivered' }) }),
    ]);
    // counted under its state
    expect((await get(t, '/vms/v')).body.injections).toMatchObject({ lost: 1 });
  });

  it('a queued one ends lost on reboot too (it was refused guest_halted before)', async () => {
    const first = await injectPolled(t);
    const queued = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 1 });
    expect(queued.body.state).toBe('queued');
    await request(t.app).post('/vms/v/reboot').set(AUTH).expect(200);
    const a = (await get(t, `/vms/v/errors/${first}`)).body;
    const b = (await get(t, `/vms/v/errors/${queued.body.id}`)).body;
    expect([a.state, b.state]).toEqual(['lost', 'lost']);
    expect(b.lost).toMatchObject({ reason: 'reboot', boot: 1, previousState: 'queued' });
    expect(b.refusal).toBeUndefined();
  });

  it('a guest panic loses what was in flight, in the boot that panicked', async () => {
    const id = await injectPolled(t);
    const fatal = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: FATAL, sourceId: 0 });
    expect(fatal.body.panicked).toBe(true);
    const inj = (await get(t, `/vms/v/errors/${id}`)).body;
    expect(inj.lost).toMatchObject({ reason: 'guest-panic', boot: 1, previousState: 'delivered' });
    expect(inj.lost.message).toMatch(/when the guest panicked .*; a halted guest never reads it$/);
    // the panicking injection keeps its outcome
    expect((await get(t, fatal.headers.location)).body).toMatchObject({ state: 'acknowledged', outcome: { panicked: true } });
  });
});

describe('a restart replays only what is open in the boot that was current', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-lost-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an injection lost on reboot is never replayed; one delivered in the last boot is', async () => {
    const a = testGateway({ dataDir: dir });
    let lost: string;
    let open: string;
    try {
      await request(a.app).post('/vms').set(AUTH).send(VM).expect(201);
      lost = await injectPolled(a);
      await request(a.app).post('/vms/v/reboot').set(AUTH).expect(200);
      open = await injectPolled(a);
    } finally {
      a.close();
    }
    const b = testGateway({ dataDir: dir });
    try {
      const l = (await get(b, `/vms/v/errors/${lost}`)).body;
      expect(l.state).toBe('lost');
      expect(l.history.map((h: { state: string }) => h.state)).toEqual(['accepted', 'delivered', 'lost']);
      const o = (await get(b, `/vms/v/errors/${open}`)).body;
      // replayed into boot 3 (the restart's boot): delivered again, its history says so
      expect(o.history.map((h: { state: string; boot?: number }) => [h.state, h.boot])).toEqual([
        ['accepted', undefined],
        ['delivered', 2],
        ['delivered', 3],
      ]);
      const events = (await get(b, '/vms/v/events')).body.events as Array<{ type: string; data: { injectionId?: string } }>;
      expect(events.filter((e) => e.type === 'replayed').map((e) => e.data.injectionId)).toEqual([open]);
    } finally {
      b.close();
    }
  });

  it('an injection still open from an earlier boot (stored before this fix) is stored as lost in that boot, not replayed', async () => {
    const a = testGateway({ dataDir: dir });
    let stale: string;
    try {
      await request(a.app).post('/vms').set(AUTH).send(VM).expect(201);
      stale = await injectPolled(a);
      // what an older gateway left behind: a reboot that kept the injection `delivered`
      a.store.recordBoot('v');
    } finally {
      a.close();
    }
    const b = testGateway({ dataDir: dir });
    try {
      const s = (await get(b, `/vms/v/errors/${stale}`)).body;
      expect(s.state).toBe('lost');
      expect(s.lost).toEqual({
        reason: 'reboot',
        boot: 1,
        previousState: 'delivered',
        message: 'lost on reboot: the record was in the error block of source 1, notified but not read by the guest when boot 1 ended (the reset clears guest memory and lays out the error blocks again)',
      });
      const events = (await get(b, '/vms/v/events')).body.events as Array<{ type: string; boot: number; data: { injectionId?: string } }>;
      expect(events.filter((e) => e.type === 'replayed')).toEqual([]);
      expect(events.filter((e) => e.type === 'lost')).toEqual([expect.objectContaining({ boot: 1, data: expect.objectContaining({ injectionId: stale }) })]);
      // the guest of the new boot never saw it
      expect((await get(b, '/vms/v')).body.sources[1]).toMatchObject({ readAck: '0x1' });
    } finally {
      b.close();
    }
  });
});

/**
 * The text of VM v's SSE log stream (the `retry:` line and keep-alive comments left out) once
 * `until` holds for it; `headers` adds Last-Event-ID for a resume. `act` runs once the stream is
 * open (its backlog read).
 */
async function streamText(t: TestGateway, headers: Record<string, string>, until: (text: string) => boolean, act: () => Promise<unknown> = async () => undefined): Promise<string> {
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const ac = new AbortController();
  // a stream that never shows what is awaited fails the test instead of hanging it
  const timer = setTimeout(() => ac.abort(), 5_000);
  const clean = (s: string) => s.replace(/^retry: \d+\n\n/, '').replace(/^: keep-alive\n\n/gm, '');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/vms/v/log/stream`, { headers: { ...AUTH, ...headers }, signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const first = await reader.read();
    text += Buffer.from(first.value!).toString();
    await act();
    while (!until(clean(text))) {
      const next = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (next.done) break;
      text += Buffer.from(next.value!).toString();
    }
    return clean(text);
  } finally {
    clearTimeout(timer);
    ac.abort();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/** What a stream sent after log line `seq` (its block `id: seq` and those before it left out). */
function after(text: string, seq: number): string {
  const at = text.indexOf(`id: ${seq}\nevent: log\n`);
  expect(at).toBeGreaterThanOrEqual(0);
  return text.slice(text.indexOf('\n\n', at) + 2);
}

/** The kinds of a stream's blocks, in order: L<seq>, N<injection> (notification), X<injection> (lost). */
function kinds(text: string): string[] {
  return text
    .split('\n\n')
    .filter((b) => b !== '')
    .map((b) => (b.startsWith('id: ') ? `L${/^id: (\d+)/.exec(b)![1]}` : `${b.startsWith('event: lost') ? 'X' : b.startsWith('event: notification') ? 'N' : '?'}${JSON.parse(b.split('data: ')[1]).injectionId}`));
}

describe('a stream resumed with Last-Event-ID gets the lost event too', () => {
  it('the same bytes (lines, notification, lost) as the client connected through the reboot', async () => {
    const t = testGateway();
    try {
      await request(t.app).post('/vms').set(AUTH).send(VM).expect(201);
      const before = t.store.lastLogSeq('v');
      let id = '';
      let sei = '';
      let end = 0;
      const live = await streamText(
        t,
        {},
        (text) => end > 0 && text.includes(`id: ${end}\n`),
        async () => {
          // one the guest reads (SEI: a notification, then the guest's lines), one it never does
          const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: CORRECTED, sourceId: 0 });
          expect([r.status, r.body.state]).toEqual([202, 'acknowledged']);
          sei = r.body.id as string;
          id = await injectPolled(t);
          await request(t.app).post('/vms/v/reboot').set(AUTH).expect(200);
          end = t.store.lastLogSeq('v');
        },
      );
      const liveAfter = after(live, before);
      // the SEI's notification and lines, the notification the polled source raised, then the
      // loss before the new boot's first line
      const k = kinds(liveAfter);
      expect(k.filter((x) => !x.startsWith('L'))).toEqual([`N${sei}`, `N${id}`, `X${id}`]);
      expect(k.indexOf(`N${id}`) - k.indexOf(`N${sei}`)).toBeGreaterThan(1);
      const lost = k.indexOf(`X${id}`);
      expect(liveAfter.split('\n\n')[lost + 1]).toMatch(/^id: \d+\nevent: log\ndata: \[ +0\.000000\] ACPI: RSDP/);
      const resumed = await streamText(t, { 'Last-Event-ID': String(before) }, (text) => text.includes(`id: ${end}\n`));
      expect(resumed).toBe(liveAfter);
      // resumed after the last line before the loss: the events raised after that line (the
      // notification again: at least once), the loss, the new boot's lines
      const lastBefore = Number(k.slice(0, lost).filter((x) => x.startsWith('L')).pop()!.slice(1));
      const tail = await streamText(t, { 'Last-Event-ID': String(lastBefore) }, (text) => text.includes(`id: ${end}\n`));
      expect(tail).toBe(after(live, lastBefore));
      expect(kinds(tail).slice(0, 3)).toEqual([`N${id}`, `X${id}`, `L${lastBefore + 1}`]);
    } finally {
      t.close();
    }
  });

  it('across a gateway restart: the restarted gateway replays the same bytes from its store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-lost-resume-'));
    try {
      const a = testGateway({ dataDir: dir });
      let live: string;
      let before: number;
      let end = 0;
      try {
        await request(a.app).post('/vms').set(AUTH).send(VM).expect(201);
        before = a.store.lastLogSeq('v');
        live = await streamText(
          a,
          {},
          (text) => end > 0 && text.includes(`id: ${end}\n`),
          async () => {
            await injectPolled(a);
            await request(a.app).post('/vms/v/reboot').set(AUTH).expect(200);
            end = a.store.lastLogSeq('v');
          },
        );
      } finally {
        a.close();
      }
      const liveAfter = after(live, before);
      expect(kinds(liveAfter).filter((x) => !x.startsWith('L'))).toEqual(['N1', 'X1']);
      const b = testGateway({ dataDir: dir });
      try {
        // the restart booted the VM again: its lines follow what the first gateway stored
        expect(b.store.lastLogSeq('v')).toBeGreaterThan(end);
        const resumed = await streamText(b, { 'Last-Event-ID': String(before) }, (text) => text.includes(`id: ${b.store.lastLogSeq('v')}\n`));
        expect(resumed.startsWith(liveAfter)).toBe(true);
        expect(kinds(resumed.slice(liveAfter.length)).every((x) => x.startsWith('L'))).toBe(true);
      } finally {
        b.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
