import { Writable } from 'stream';
import request from 'supertest';
import { createApp, Gateway } from '../../src/gateway';
import { createLogger } from '../../src/log/logger';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import { AUTH, TOKEN } from './helpers';

/** A gateway + app whose logger writes server-mode JSON lines into `lines`. */
function loggedGateway(level: string) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk).trim());
      cb();
    },
  });
  const logger = createLogger({ mode: 'server', level, stream });
  const store = EventStore.open(':memory:');
  const gateway = new Gateway({ store, factory: createVmFactory(), clock: 'manual', logger });
  const app = createApp({ gateway, token: TOKEN, logger });
  const records = async (): Promise<Array<Record<string, unknown>>> => {
    await new Promise((r) => setImmediate(r));
    return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  return {
    app,
    lines,
    records,
    close() {
      gateway.close();
      store.close();
    },
  };
}

const strip = ({ timestamp: _t, ms: _ms, ...rest }: Record<string, unknown>) => rest;

describe('per-VM child loggers', () => {
  it('logs boot, refusal, panic, reboot and delete under { vm: id }', async () => {
    const t = loggedGateway('info');
    try {
      expect((await request(t.app).post('/vms').set(AUTH).send({ id: 'vm-a' })).status).toBe(201);
      expect((await request(t.app).post('/vms/vm-a/errors').set(AUTH).send({ error: { type: 'arm' }, sourceId: 7 })).status).toBe(422);
      const fatal = await request(t.app).post('/vms/vm-a/errors').set(AUTH).send({ error: { type: 'memory', severity: 'fatal' }, sourceId: 1 });
      expect(fatal.status).toBe(202);
      const halted = await request(t.app).post('/vms/vm-a/errors').set(AUTH).send({ error: { type: 'arm' } });
      expect(halted.status).toBe(409);
      expect((await request(t.app).post('/vms/vm-a/reboot').set(AUTH).send()).status).toBeLessThan(300);
      expect((await request(t.app).delete('/vms/vm-a').set(AUTH)).status).toBe(204);
      const recs = (await t.records()).map(strip);
      const unknownId = String((recs[1] as { injection?: unknown }).injection);
      const haltedId = String((recs[3] as { injection?: unknown }).injection);
      expect(recs.map((r) => ({ level: r.level, vm: r.vm, message: r.message }))).toEqual([
        { level: 'info', vm: 'vm-a', message: 'VM booted' },
        { level: 'info', vm: 'vm-a', message: 'injection refused' },
        { level: 'warn', vm: 'vm-a', message: 'guest panicked' },
        { level: 'warn', vm: 'vm-a', message: 'injection refused' },
        { level: 'info', vm: 'vm-a', message: 'VM rebooted' },
        { level: 'info', vm: 'vm-a', message: 'VM deleted' },
      ]);
      expect(recs[0]).toEqual({ level: 'info', vm: 'vm-a', message: 'VM booted', boot: 1, bootCount: 1, booted: true });
      expect(recs[1]).toEqual({ level: 'info', vm: 'vm-a', message: 'injection refused', injection: unknownId, code: 'no_such_source', reason: 'HEST: Source 7 not found.' });
      expect(recs[2].reason).toEqual(expect.any(String));
      expect(recs[3]).toMatchObject({ injection: haltedId, code: 'guest_halted' });
      expect(recs[4]).toMatchObject({ boot: 2, bootCount: 2 });
    } finally {
      t.close();
    }
  });

  it('two VMs log under their own ids', async () => {
    const t = loggedGateway('info');
    try {
      await request(t.app).post('/vms').set(AUTH).send({ id: 'one' });
      await request(t.app).post('/vms').set(AUTH).send({ id: 'two' });
      const recs = await t.records();
      expect(recs.map((r) => [r.vm, r.message])).toEqual([
        ['one', 'VM booted'],
        ['two', 'VM booted'],
      ]);
    } finally {
      t.close();
    }
  });
});

describe('per-request child loggers', () => {
  it('at info, a successful request logs nothing', async () => {
    const t = loggedGateway('info');
    try {
      expect((await request(t.app).get('/problems/not-found').set(AUTH)).status).toBe(200);
      expect(await t.records()).toEqual([]);
    } finally {
      t.close();
    }
  });

  it('at debug, one line per completed request with method, route pattern, status and ms', async () => {
    const t = loggedGateway('debug');
    try {
      const ok = await request(t.app).get('/problems/not-found').set(AUTH).set('X-Request-Id', 'client-req.1');
      expect(ok.headers['x-request-id']).toBe('client-req.1');
      const missing = await request(t.app).get('/vms/nope').set(AUTH);
      const generated = String(missing.headers['x-request-id']);
      expect(generated).toMatch(/^[0-9a-f]{8}-\d+$/);
      const insane = await request(t.app).get('/problems/not-found').set(AUTH).set('X-Request-Id', 'has space');
      expect(insane.headers['x-request-id']).not.toBe('has space');
      const recs = await t.records();
      expect(recs.map(strip)).toEqual([
        { level: 'debug', request: 'client-req.1', message: 'request completed', method: 'GET', route: '/problems/:name', status: 200 },
        { level: 'debug', request: generated, message: 'request completed', method: 'GET', route: '/vms/:id', status: 404 },
        { level: 'debug', request: insane.headers['x-request-id'], message: 'request completed', method: 'GET', route: '/problems/:name', status: 200 },
      ]);
      expect(typeof recs[0].ms).toBe('number');
      expect(recs[0].ms as number).toBeGreaterThanOrEqual(0);
      // generated ids count up
      const [prefix, n] = generated.split('-');
      expect(insane.headers['x-request-id']).toBe(`${prefix}-${Number(n) + 1}`);
    } finally {
      t.close();
    }
  });

  it('a bearer token never reaches the log, whether accepted or refused', async () => {
    const t = loggedGateway('debug');
    try {
      const wrong = 'wrong-token-zyxwvutsrqponmlkjihgfedcba';
      await request(t.app).post('/vms').set(AUTH).send({ id: 'vm-t' });
      await request(t.app).post('/vms/vm-t/errors').set(AUTH).send({ error: { type: 'arm' } });
      expect((await request(t.app).get('/vms').set('Authorization', `Bearer ${wrong}`)).status).toBe(401);
      const recs = await t.records();
      expect(recs.filter((r) => r.message === 'request completed').map((r) => [r.method, r.route, r.status])).toEqual([
        ['POST', '/vms', 201],
        ['POST', '/vms/:id/errors', 202],
        ['GET', 'unmatched', 401],
      ]);
      for (const line of t.lines) {
        expect(line).not.toContain(TOKEN);
        expect(line).not.toContain(wrong);
      }
    } finally {
      t.close();
    }
  });
});
