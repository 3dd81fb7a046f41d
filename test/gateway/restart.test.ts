import fs from 'fs';
import { startServer } from '../../src/gateway';
import { spawnServeChild, tempDir, TOKEN } from './helpers';

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const env = { RASGW_TOKEN: TOKEN };
const polledVm = (id: string, busyPolicy = 'queue') => ({
  id,
  profile: 'extended',
  sources: [{ notification: 'polled', pollIntervalMs: 100 }, { notification: 'sei' }],
  busyPolicy,
  queueDepth: 16,
  diagnostics: true,
});
const memory = (pa: number, sourceId = 0) => ({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x' + pa.toString(16) }, sourceId });

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('restart on a real SQLite file', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-restart-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('brings every VM back under its id, booted afresh, with its history; unconsumed injections are replayed', async () => {
    const a = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    expect(a.createdDefaultVm).toBe('default');
    expect((await post(`${a.url}/vms`, polledVm('keep'))).status).toBe(201);
    const done = await post(`${a.url}/vms/keep/errors`, memory(0x40001000, 1)); // SEI: read at once
    const first = await post(`${a.url}/vms/keep/errors`, memory(0x40002000)); // polled: delivered, unread
    const second = await post(`${a.url}/vms/keep/errors`, memory(0x40003000)); // queued behind it
    expect([done.body.state, first.body.state, second.body.state]).toEqual(['acknowledged', 'delivered', 'queued']);
    const bootLines = a.store.log('keep').length;
    await a.close();

    const b = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    try {
      expect(b.restored).toEqual({ vms: 2, replayed: 2 });
      expect(b.createdDefaultVm).toBeUndefined();
      expect(b.gateway.vmIds()).toEqual(['default', 'keep']);
      const vm = (await (await fetch(`${b.url}/vms/keep`, { headers })).json()) as Record<string, unknown>;
      expect(vm).toMatchObject({ id: 'keep', booted: true, bootCount: 2, boots: 2, spec: { profile: 'extended', diagnostics: true } });
      // history kept: the acknowledged one untouched, the two others re-delivered in order
      const inj = b.store.listInjections('keep');
      expect(inj.map((i) => [i.id, i.state])).toEqual([
        [done.body.id, 'acknowledged'],
        [first.body.id, 'delivered'],
        [second.body.id, 'queued'],
      ]);
      expect(inj[1].history.map((h) => [h.state, h.boot])).toEqual([
        ['accepted', undefined],
        ['delivered', 1],
        ['delivered', 2],
      ]);
      const events = b.store.events('keep').map((e) => e.type);
      expect(events.filter((t) => t === 'boot')).toHaveLength(2);
      expect(events.filter((t) => t === 'replayed')).toHaveLength(2);
      // the log continues its numbering across the restart
      const log = b.store.log('keep');
      expect(log.length).toBeGreaterThan(bootLines);
      expect(log.map((l) => l.seq)).toEqual(log.map((_, i) => i + 1));
      expect(log.filter((l) => l.boot === 2).length).toBeGreaterThan(0);
      for (let k = 0; k < 3; k++) await post(`${b.url}/vms/keep/advance`, { ns: 100000000 });
      expect(b.store.listInjections('keep').map((i) => i.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
      expect(b.store.guestRecords({ vmId: 'keep' }).map((r) => r.injectionId)).toEqual([done.body.id, first.body.id, second.body.id]);
    } finally {
      await b.close();
    }
  });

  it('loses nothing it answered 202 for when the process is killed with SIGKILL', async () => {
    const { child, url: listening, exited } = spawnServeChild(dir);
    const accepted: string[] = [];
    try {
      const url = await listening;
      expect((await post(`${url}/vms`, polledVm('k9'))).status).toBe(201);
      for (let i = 0; i < 5; i++) {
        const r = await post(`${url}/vms/k9/errors`, memory(0x40000000 + i * 0x1000));
        expect(r.status).toBe(202);
        accepted.push(r.body.id as string);
      }
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    const b = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual', defaultVm: false });
    try {
      expect(b.restored).toEqual({ vms: 1, replayed: 5 });
      expect(b.store.listInjections('k9').map((i) => i.id)).toEqual(accepted);
      for (let k = 0; k < 6; k++) await post(`${b.url}/vms/k9/advance`, { ns: 100000000 });
      expect(b.store.listInjections('k9').map((i) => i.state)).toEqual(new Array(5).fill('acknowledged'));
      const pas = b.store.guestRecords({ vmId: 'k9' }).map((r) => (r.decoded as { entries: Array<{ section: { physicalAddress: string } }> }).entries[0].section.physicalAddress);
      expect(pas).toEqual(['0x40000000', '0x40001000', '0x40002000', '0x40003000', '0x40004000']);
    } finally {
      await b.close();
    }
  });
});
