import fs from 'fs';
import { RunningServer, startServer } from '../../src/gateway';
import { tempDir, TOKEN } from './helpers';

const N = 200;
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('200 concurrent injections into one source (queue policy)', () => {
  let dir: string;
  let srv: RunningServer;
  beforeAll(async () => {
    dir = tempDir('rasgw-conc-');
    srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', defaultVm: false });
  });
  afterAll(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every record exactly once, in the order the gateway accepted them', async () => {
    // a polled source: the guest reads one record per poll, so the others wait in the FIFO
    const created = await fetch(`${srv.url}/vms`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id: 'q', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 10 }], busyPolicy: 'queue', queueDepth: N }),
    });
    expect(created.status).toBe(201);
    const pa = (i: number) => 0x40000000 + i * 0x1000;
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        fetch(`${srv.url}/vms/q/errors`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x' + pa(i).toString(16) } }),
        }).then(async (r) => ({ i, status: r.status, body: (await r.json()) as { id: string; state: string } })),
      ),
    );
    expect(responses.filter((r) => r.status !== 202)).toEqual([]);
    // which address each accepted injection carries
    const paOf = new Map(responses.map((r) => [r.body.id, pa(r.i)]));
    const ids = [...paOf.keys()].sort((a, b) => Number(a) - Number(b));
    expect(new Set(ids).size).toBe(N);
    expect(srv.store.openInjections('q')).toHaveLength(N);

    // let the guest poll until the queue drains
    for (let k = 0; k < N + 5 && srv.store.openInjections('q').length > 0; k++) {
      const r = await fetch(`${srv.url}/vms/q/advance`, { method: 'POST', headers, body: JSON.stringify({ ns: 10000000 }) });
      expect(r.status).toBe(200);
    }
    const all = srv.store.listInjections('q', { limit: 1000 });
    expect(all.map((i) => i.state)).toEqual(new Array(N).fill('acknowledged'));
    for (const inj of all) expect(inj.history.map((h) => h.state)).toEqual(inj.id === ids[0] ? ['accepted', 'delivered', 'acknowledged'] : ['accepted', 'queued', 'delivered', 'acknowledged']);

    // what the guest read: one record per injection, in acceptance order, each with its own address
    const records = srv.store.guestRecords({ vmId: 'q', limit: 1000 });
    expect(records.map((r) => r.injectionId)).toEqual(ids);
    const readPa = records.map((r) => BigInt((r.decoded as { entries: Array<{ section: { physicalAddress: string } }> }).entries[0].section.physicalAddress));
    expect(readPa).toEqual(ids.map((id) => BigInt(paOf.get(id)!)));
  });
});
