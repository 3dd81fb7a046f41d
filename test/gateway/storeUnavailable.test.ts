import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { startServer } from '../../src/gateway';
import { STORE_FILE } from '../../src/store';
import request from 'supertest';
import { AUTH, tempDir, testGateway, TOKEN } from './helpers';
import { failCommits } from '../support/storeFailures';

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const env = { RASGW_TOKEN: TOKEN };
const memory = (pa: number) => ({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x' + pa.toString(16) } });

async function call(method: string, url: string, body?: unknown) {
  const started = Date.now();
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown>, ms: Date.now() - started };
}

/**
 * Another process holding the store's write lock: opens the database, BEGIN IMMEDIATE, says
 * "locked", and rolls back when it reads a line on stdin.
 */
function lockFromAnotherProcess(file: string) {
  const code = `
    const Database = require(process.argv[1]);
    const db = new Database(process.argv[2]);
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', code, require.resolve('better-sqlite3'), file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`locker exited (${c})`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    locked,
    release: async () => {
      child.stdin!.write('\n');
      await exited;
    },
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
  };
}

describe('a store that cannot be written', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-store-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('locked by another process: 503 store-unavailable within 1 s, /healthz 503, the VM as it was; then recovery', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    let locker: ReturnType<typeof lockFromAnotherProcess> | undefined;
    try {
      expect((await call('POST', `${srv.url}/vms/default/errors`, memory(0x40001000))).status).toBe(202);
      const vmBefore = (await call('GET', `${srv.url}/vms/default`)).body;
      const logBefore = srv.store.log('default').length;
      locker = lockFromAnotherProcess(path.join(dir, STORE_FILE));
      await locker.locked;

      const inj = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40002000));
      expect(inj.status).toBe(503);
      expect(inj.ms).toBeLessThan(1000);
      expect(inj.headers.get('retry-after')).toBe('1');
      expect(inj.body).toMatchObject({ type: '/problems/store-unavailable', status: 503, reason: 'locked' });
      expect(inj.body.detail).toMatch(/^the change was not made: the database is locked by another process \(SQLITE_BUSY/);

      const reboot = await call('POST', `${srv.url}/vms/default/reboot`);
      expect(reboot.status).toBe(503);
      expect(reboot.body).toMatchObject({ type: '/problems/store-unavailable', reason: 'locked' });
      const created = await call('POST', `${srv.url}/vms`, { id: 'new' });
      expect(created.status).toBe(503);
      const deleted = await fetch(`${srv.url}/vms/default`, { method: 'DELETE', headers });
      expect(deleted.status).toBe(503);
      expect(((await deleted.json()) as { reason: string }).reason).toBe('locked');
      const advanced = await call('POST', `${srv.url}/vms/default/advance`, { ns: 1000 });
      expect(advanced.status).toBe(503);

      const health = await call('GET', `${srv.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.ms).toBeLessThan(1000);
      expect(health.body).toMatchObject({ status: 'unavailable', vms: 1, store: { ok: false, reason: 'locked' } });
      expect(health.headers.get('retry-after')).toBe('1');

      // nothing changed: not in memory (same sources, boots, no new VM), not in the store
      expect((await call('GET', `${srv.url}/vms/default`)).body).toEqual(vmBefore);
      expect((await call('GET', `${srv.url}/vms/new`)).status).toBe(404);
      expect(srv.store.listInjections('default').map((i) => i.id)).toEqual(['1']);
      expect(srv.store.log('default')).toHaveLength(logBefore);

      // a burst against the locked store: every request answered 503, and the event loop is never
      // stopped for seconds (one 50 ms busy wait per 250 ms, not one 5 s wait per write)
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const burst = await Promise.all(Array.from({ length: 50 }, () => call('POST', `${srv.url}/vms/default/errors`, memory(0x40004000))));
      loop.disable();
      expect(new Set(burst.map((b) => b.status))).toEqual(new Set([503]));
      expect(Math.max(...burst.map((b) => b.ms))).toBeLessThan(1000);
      expect(loop.max / 1e6).toBeLessThan(1000);
      expect(srv.store.listInjections('default').map((i) => i.id)).toEqual(['1']);

      await locker.release();
      // recovery: health comes back, the next injection and reboot go through
      let ok = await call('GET', `${srv.url}/healthz`);
      for (let i = 0; i < 50 && ok.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 20));
        ok = await call('GET', `${srv.url}/healthz`);
      }
      expect(ok.body).toEqual({ status: 'ok', vms: 1 });
      const after = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40003000));
      expect(after.status).toBe(202);
      expect(after.body).toMatchObject({ id: '2', state: 'acknowledged' });
      expect(srv.store.log('default').slice(logBefore).some((l) => l.line.includes('0x0000000040003000'))).toBe(true);
      const rebooted = await call('POST', `${srv.url}/vms/default/reboot`);
      expect(rebooted.status).toBe(200);
      expect(rebooted.body).toMatchObject({ bootCount: 2, boots: 2 });
    } finally {
      locker?.kill();
      await srv.close();
    }
  }, 20_000);

  it('read-only store (SQLite refuses every write): 503 with reason read-only, /healthz says so, the VM as it was', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    try {
      // PRAGMA query_only makes SQLite answer every write with SQLITE_READONLY, as a store on a
      // file or file system that turned read-only does (the test reaches the store's connection)
      const db = (srv.store as unknown as { db: { pragma(s: string): unknown } }).db;
      const vmBefore = (await call('GET', `${srv.url}/vms/default`)).body;
      db.pragma('query_only = ON');
      const inj = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40002000));
      expect(inj.status).toBe(503);
      expect(inj.body).toMatchObject({ type: '/problems/store-unavailable', reason: 'read-only' });
      expect(inj.body.detail).toMatch(/^the change was not made: the database or its directory is read-only \(SQLITE_READONLY/);
      const health = await call('GET', `${srv.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', store: { ok: false, reason: 'read-only' } });
      expect((await call('GET', `${srv.url}/vms/default`)).body).toEqual(vmBefore);
      expect((await call('GET', `${srv.url}/healthz`)).status).toBe(503);
      db.pragma('query_only = OFF');
      // the health probe finds the store writable again before anything is written
      expect((await call('GET', `${srv.url}/healthz`)).body).toEqual({ status: 'ok', vms: 1 });
      const after = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40003000));
      expect(after.status).toBe(202);
      expect(after.body.id).toBe('1');
    } finally {
      await srv.close();
    }
  });

  it('disk full (SQLite cannot grow the file): 503 with reason disk-full, /healthz says so until a write commits', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    try {
      // PRAGMA max_page_count at the current size: SQLite answers the next write that needs a new
      // page with SQLITE_FULL, as on a full disk (the test reaches the store's connection)
      const db = (srv.store as unknown as { db: { pragma(s: string, o?: { simple: boolean }): unknown } }).db;
      db.pragma('wal_checkpoint(TRUNCATE)');
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${pages}`);
      let inj = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40002000));
      // the file may have had a little room left: fill it until the store refuses
      for (let i = 0; i < 200 && inj.status === 202; i++) inj = await call('POST', `${srv.url}/vms/default/errors`, { raw: Buffer.alloc(600, i).toString('base64') });
      expect(inj.status).toBe(503);
      expect(inj.body).toMatchObject({ type: '/problems/store-unavailable', reason: 'disk-full' });
      expect(inj.body.detail).toMatch(/^the change was not made: the disk holding the database is full \(SQLITE_FULL/);
      const health = await call('GET', `${srv.url}/healthz`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'unavailable', store: { ok: false, reason: 'disk-full' } });
      const stored = srv.store.listInjections('default', { limit: 10000 }).length;
      db.pragma('max_page_count = 1073741823');
      const after = await call('POST', `${srv.url}/vms/default/errors`, memory(0x40003000));
      expect(after.status).toBe(202);
      expect(after.body.id).toBe(String(stored + 1));
      expect((await call('GET', `${srv.url}/healthz`)).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('a group commit that fails (I/O error at COMMIT): 503 io-error, and the injection never gets a row later', async () => {
    const t = testGateway();
    try {
      const polled = { id: 'p', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 100 }] };
      await request(t.app).post('/vms').set(AUTH).send(polled).expect(201);
      // the COMMIT of the next batch fails as an I/O error would (the test reaches the connection)
      failCommits(t.store);
      const res = await request(t.app).post('/vms/p/errors').set(AUTH).send(memory(0x40001000));
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ type: '/problems/store-unavailable', reason: 'io-error' });
      expect(res.headers['retry-after']).toBe('1');
      expect((await request(t.app).get('/healthz')).body).toMatchObject({ status: 'unavailable', store: { reason: 'io-error' } });
      expect(t.store.listInjections('p')).toEqual([]);
      // the VM went back to where the batch found it: the record is not in its block, so the
      // guest's next poll finds nothing and no row is written for the injection the client was
      // told was not made
      expect(t.gateway.vm('p').state().sources[0]).toMatchObject({ blockStatus: 0, queueDepth: 0 });
      await request(t.app).post('/vms/p/advance').set(AUTH).send({ ns: 200_000_000 }).expect(200);
      expect(t.store.listInjections('p')).toEqual([]);
      expect(t.gateway.retained('p')).toMatchObject({ open: 0, dirty: 0 });
      // nothing was written since: /healthz reports the failure until a write commits
      expect((await request(t.app).get('/healthz')).status).toBe(503);
      const next = await request(t.app).post('/vms/p/errors').set(AUTH).send(memory(0x40002000));
      expect(next.status).toBe(202);
      // the id of the injection rolled back is handed out again
      expect(next.body.id).toBe('1');
      expect(t.store.listInjections('p').map((i) => i.id)).toEqual([next.body.id]);
      expect((await request(t.app).get('/healthz')).status).toBe(200);
    } finally {
      t.close();
    }
  });
});
