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
