import fs from 'fs';
import http from 'http';
import net from 'net';
import os from 'os';
import path from 'path';
import { PassThrough } from 'stream';
import request from 'supertest';
import { createApp, Gateway, ROUTES, startServer } from '../../src/gateway';
import { createLogger } from '../../src/log/logger';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import type { VmSpec } from '../../src/vm';

// Security properties of the gateway (issue #8): authentication on every route, no token in logs,
// loopback by default, body limit before parsing, crash reports only for diagnostics VMs, and
// path-like inputs that cannot leave the data directory.

const TOKEN = 'security-test-token-0123456789';
const WRONG = 'wrong-token-but-long-enough-9876';
const SPEC: VmSpec = { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 4, diagnostics: false, midr: 0x000f0510n, rasExtension: true };

function setup(opts: { bodyLimit?: number; logStream?: PassThrough } = {}) {
  const store = EventStore.open(':memory:');
  const gateway = new Gateway({ store, factory: createVmFactory(), clock: 'manual' });
  gateway.createVm(SPEC, 'plain');
  gateway.createVm({ ...SPEC, diagnostics: true }, 'diag');
  const logger = opts.logStream ? createLogger({ mode: 'server', level: 'debug', stream: opts.logStream }) : undefined;
  const app = createApp({ gateway, token: TOKEN, bodyLimit: opts.bodyLimit, logger });
  return { app, gateway, close: () => { gateway.close(); store.close(); } };
}

function concrete(p: string): string {
  return p.replace(':id', 'plain').replace(':eid', '1').replace(':signature', 'HEST').replace(':name', 'source-busy');
}

const FATAL = { error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40001000' } };

describe('authentication', () => {
  const s = setup();
  afterAll(() => s.close());
  const guarded = ROUTES.filter((r) => r.auth !== false);

  it('covers every route but /healthz', () => {
    expect(ROUTES.filter((r) => r.auth === false).map((r) => r.path)).toEqual(['/healthz']);
    expect(guarded.length).toBeGreaterThan(15);
  });

  it.each(guarded.map((r) => [r.method.toUpperCase(), r.path, r] as const))('%s %s: refused without a token and with a wrong one', async (_m, _p, r) => {
    const url = concrete(r.path);
    for (const auth of [undefined, `Bearer ${WRONG}`, `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, TOKEN, 'Bearer']) {
      let req = request(s.app)[r.method](url);
      if (auth !== undefined) req = req.set('Authorization', auth);
      const res = await req.send(r.method === 'get' ? undefined : {});
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="rasgw"/);
      expect(res.text).not.toContain(TOKEN);
    }
  });

  it('the right token passes (control)', async () => {
    const res = await request(s.app).get('/vms').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
  });
});

describe('logs', () => {
  async function capture(fn: (logger: ReturnType<typeof createLogger>) => Promise<void>): Promise<string> {
    const stream = new PassThrough();
    let logged = '';
    stream.on('data', (b: Buffer) => (logged += b.toString('utf8')));
    const logger = createLogger({ mode: 'server', level: 'debug', stream });
    await fn(logger);
    await new Promise((r) => setTimeout(r, 20));
    return logged;
  }

  it('a server run (start, good and bad tokens, injections, bad bodies, stop) never logs a token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-log-'));
    const logged = await capture(async (logger) => {
      const srv = await startServer({ dataDir: dir, port: 0, qmpPort: 0, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', logger });
      const ok = `Bearer ${TOKEN}`;
      await request(srv.url).get('/vms').set('Authorization', ok);
      await request(srv.url).get('/vms').set('Authorization', `Bearer ${WRONG}`);
      await request(srv.url).get(`/vms?access_token=${WRONG}`);
      await request(srv.url).post('/vms/default/errors').set('Authorization', ok).send(FATAL);
      await request(srv.url).post('/vms/default/errors').set('Authorization', ok).send({ error: { type: 'nope', token: TOKEN } });
      await request(srv.url).post('/vms/default/errors').set('Authorization', ok).set('Content-Type', 'application/json').send('{"broken": ');
      await request(srv.url).get(`/vms/${TOKEN}`).set('Authorization', ok);
      await srv.close();
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(logged).toContain('listening');
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(WRONG);
  });

  it('the server logger masks credentials a failure report could carry (header fields, Bearer text)', async () => {
    const logged = await capture(async (logger) => {
      logger.error('request failed', { method: 'GET', authorization: `Bearer ${TOKEN}`, headers: { Authorization: `Bearer ${TOKEN}`, cookie: TOKEN } });
      logger.error(`upstream said: Bearer ${WRONG} rejected`);
      logger.warn('token check', { token: TOKEN });
    });
    expect(logged.split('\n').filter(Boolean)).toHaveLength(3);
    expect(logged).not.toContain(TOKEN);
    expect(logged).not.toContain(WRONG);
  });
});

describe('listening address', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-sec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('REST and QMP listen on 127.0.0.1 unless a host is given', async () => {
    const srv = await startServer({ dataDir: dir, port: 0, qmpPort: 0, env: { RASGW_TOKEN: TOKEN }, clock: 'manual' });
    try {
      expect(srv.host).toBe('127.0.0.1');
      expect(srv.qmp?.host).toBe('127.0.0.1');
      // nothing answers on another local address of this machine
      const other = Object.values(os.networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (other) {
        const refused = await new Promise<boolean>((resolve) => {
          const c = net.connect({ host: other, port: srv.port });
          c.once('connect', () => (c.destroy(), resolve(false)));
          c.once('error', () => resolve(true));
        });
        expect(refused).toBe(true);
      }
    } finally {
      await srv.close();
    }
  });

  it('listens where it is told', async () => {
    const srv = await startServer({ dataDir: dir, host: '0.0.0.0', port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual' });
    try {
      expect(srv.host).toBe('0.0.0.0');
    } finally {
      await srv.close();
    }
  });
});

describe('body limit', () => {
  const limit = 4096;
  const s = setup({ bodyLimit: limit });
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer(s.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    s.close();
  });

  function send(headers: Record<string, string>, chunks: string[]): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/vms/plain/errors', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers } }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  it('refuses an oversized body with 413 before parsing it (invalid JSON too large is 413, not 400)', async () => {
    const junk = '{' + 'x'.repeat(limit * 4);
    const r = await send({ 'content-length': String(junk.length) }, [junk]);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ type: '/problems/request-too-large', status: 413, maxBytes: limit });
  });

  it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
    const r = await send({ 'transfer-encoding': 'chunked' }, Array.from({ length: 10 }, () => ' '.repeat(1024)));
    expect(r.status).toBe(413);
  });

  it('accepts a body just under the limit (control)', async () => {
    const body = JSON.stringify({ ...FATAL, error: { ...FATAL.error, severity: 'corrected', fruText: 'a'.repeat(10) } });
    const r = await send({ 'content-length': String(body.length) }, [body]);
    expect(r.status).toBe(202);
  });
});

describe('crash reports', () => {
  it('a VM without diagnostics never discloses its crash report; a diagnostics VM does', async () => {
    const s = setup();
    const auth = `Bearer ${TOKEN}`;
    for (const id of ['plain', 'diag']) {
      const r = await request(s.app).post(`/vms/${id}/errors`).set('Authorization', auth).send(FATAL);
      expect(r.status).toBe(202);
    }
    const diag = await request(s.app).get('/vms/diag/crash').set('Authorization', auth);
    expect(diag.status).toBe(200);
    const report = diag.body as { reason: string; message: string; record?: string };
    expect(report.message.length).toBeGreaterThan(0);
    const plainState = await request(s.app).get('/vms/plain').set('Authorization', auth);
    expect(plainState.body.guest.panicked).toBe(true);
    const plain = await request(s.app).get('/vms/plain/crash').set('Authorization', auth);
    expect(plain.status).toBe(404);
    for (const text of [plain.text, plainState.text]) {
      if (report.record) expect(text).not.toContain(report.record);
      expect(text).not.toContain(report.message);
    }
    s.close();
  });
});

describe('path-like inputs', () => {
  it('cannot name files outside the data directory through VM ids or table names', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-path-'));
    const dataDir = path.join(parent, 'data');
    const srv = await startServer({ dataDir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual' });
    const auth = `Bearer ${TOKEN}`;
    try {
      const app = srv.url;
      const evil = ['../escape', '..', '.', '/etc/passwd', '..%2f..%2fescape', 'a/../../escape', 'nul\u0000x', '~root'];
      for (const id of evil) {
        const r = await request(app).post('/vms').set('Authorization', auth).send({ id });
        expect(r.status).toBe(400);
      }
      for (const p of ['/vms/..%2F..%2Fescape', '/vms/%2e%2e', '/vms/default/tables/..%2F..%2Fescape', '/vms/default/tables/%2e%2e%2fHEST']) {
        const r = await request(app).get(p).set('Authorization', auth);
        expect([400, 404]).toContain(r.status);
      }
      expect(fs.readdirSync(parent)).toEqual(['data']);
      // token, store, and the data-directory lock with its owner file (the gateway is running)
      expect(fs.readdirSync(dataDir).filter((f) => !/^(token|rasgw\.sqlite(-wal|-shm)?|rasgw\.lock(\.json)?)$/.test(f))).toEqual([]);
    } finally {
      await srv.close();
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});
