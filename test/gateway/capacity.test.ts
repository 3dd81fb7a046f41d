import fs from 'fs';
import net from 'net';
import request from 'supertest';
import { Gateway, startServer } from '../../src/gateway';
import { vmCreateInput, vmSpecFrom } from '../../src/gateway/schemas';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import { tempDir, TOKEN } from './helpers';

/**
 * Capacity bounds (a fixed small slice of the soak scenario): the wall-clock tick visits
 * only the VMs with work on their clock, an idle VM's clock still follows the wall clock, the
 * retention bounds apply while the server runs, the HTTP header timeout is seconds.
 */
const spec = (o: Record<string, unknown> = {}) => vmSpecFrom(vmCreateInput.parse(o));

describe('the wall-clock tick', () => {
  it('visits the VMs with a polled source or an open injection only, and an idle VM reads the wall clock anyway', async () => {
    const store = EventStore.open(':memory:');
    const g = new Gateway({ store, factory: createVmFactory(), clock: 'wall', tickMs: 20, retentionIntervalMs: 0 });
    try {
      for (let i = 0; i < 50; i++) g.createVm(spec(), `idle-${i}`);
      expect(g.tickedVms).toBe(0);
      g.createVm(spec({ profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 10 }] }), 'polled');
      expect(g.tickedVms).toBe(1);
      const idleClock = g.vm('idle-0').state().guest.clockNs;
      const polledLog = store.log('polled', { limit: 10_000 }).length;
      g.inject('polled', new Uint8Array(Buffer.from('01000000000000000000000000000000000000000', 'hex').subarray(0, 20)), {}, 'rest');
      await new Promise((r) => setTimeout(r, 200));
      // the polled source was read by the tick (its guest logged the record)
      expect(store.log('polled', { limit: 10_000 }).length).toBeGreaterThan(polledLog);
      // the idle VM was not ticked, but its clock moved by the wall time when it was read
      const later = g.vm('idle-0').state().guest.clockNs;
      expect(later - idleClock).toBeGreaterThanOrEqual(150_000_000n);
      expect(g.tickedVms).toBe(1);
    } finally {
      g.close();
      store.close();
    }
  });
});

describe('a running server', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-cap-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('applies the retention bounds on its schedule and shows them in /metrics', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', defaultVm: false, retention: { logLines: 20 } });
    try {
      await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'v' });
      for (let i = 0; i < 6; i++) {
        const physicalAddress = '0x' + (0x40001000 + i * 0x1000).toString(16);
        await request(srv.url).post('/vms/v/errors').set('Authorization', `Bearer ${TOKEN}`).send({ error: { type: 'arm', severity: 'corrected', mpidr: `0x${i}` }, sourceId: 1 });
        await request(srv.url).post('/vms/v/errors').set('Authorization', `Bearer ${TOKEN}`).send({ error: { type: 'memory', severity: 'corrected', physicalAddress }, sourceId: 1 });
      }
      expect(srv.store.log('v', { limit: 1000 }).length).toBeGreaterThan(20);
      await srv.gateway.applyRetention();
      const log = await request(srv.url).get('/vms/v/log').set('Authorization', `Bearer ${TOKEN}`);
      expect(log.body.lines).toHaveLength(20);
      expect(log.body.lines[0].seq).toBeGreaterThan(1);
      const m = await request(srv.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
      expect(m.text).toContain('rasgw_retention_limit{bound="logLines"} 20\n');
      expect(m.text).toMatch(/\nrasgw_retention_dropped_total\{kind="log"\} [1-9]\d*\n/);
      expect(m.text).toMatch(/\nrasgw_store_bytes\{file="db"\} [1-9]\d*\n/);
    } finally {
      await srv.close();
    }
  });

  it('closes a connection whose request header does not arrive within headersTimeoutMs', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', defaultVm: false, http: { headersTimeoutMs: 300, requestTimeoutMs: 600 } });
    try {
      const s = net.connect(srv.port, '127.0.0.1');
      s.on('error', () => undefined);
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      const t0 = Date.now();
      await new Promise((r) => s.on('close', r));
      // Node checks the timeouts once a second
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await srv.close();
    }
  });
});
