import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import path from 'path';
import request from 'supertest';
import { cli } from '../support/cliInProcess';
import { startServer } from '../../src/gateway';
import { vmUrlPath } from '../../src/gateway/client/GatewayClient';
import { tempDir, TOKEN } from './helpers';

// Path-like inputs of the CLI (VM ids, --raw file names, --data-dir, --token-file) must not
// escape their directory or add path segments to the gateway URLs the CLI requests.

/** A stand-in gateway that records the raw request line of every request and answers 202. */
async function recorder(): Promise<{ url: string; seen: Array<{ method: string; url: string; body: string }>; close(): Promise<void> }> {
  const seen: Array<{ method: string; url: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(202, { 'content-type': 'application/json', location: '/vms/x/errors/1' });
      res.end(JSON.stringify({ id: '1', vmId: 'x', state: 'acknowledged', length: 164, sourceId: 1, spec: { midr: '0x0' } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const BAD_VM_IDS = ['..', '.', '%2e%2e', '.%2E', '../x', 'a/../../b', 'a/b', 'x?y=1', 'x#frag', '', ' x', 'x\u0000'];

describe('VM ids in CLI URLs', () => {
  it('vmUrlPath keeps an accepted id as one segment and refuses the others before any request', () => {
    expect(vmUrlPath('vm.1-a_B', '/errors')).toBe('/vms/vm.1-a_B/errors');
    expect(vmUrlPath('default')).toBe('/vms/default');
    for (const id of BAD_VM_IDS) expect(() => vmUrlPath(id, '/errors')).toThrow(`invalid VM id ${JSON.stringify(id)}`);
  });

  it('rasgw inject --vm with a path-like id sends nothing; a good id reaches /vms/<id>/errors', async () => {
    const r = await recorder();
    const env = process.env.RASGW_TOKEN;
    process.env.RASGW_TOKEN = TOKEN;
    try {
      for (const id of BAD_VM_IDS) {
        const res = await cli(['inject', '--url', r.url, '--vm', id, '--midr', '0']);
        expect(res.code).not.toBe(0);
        expect(res.err).toContain(`invalid VM id ${JSON.stringify(id)}`);
      }
      expect(r.seen).toEqual([]);
      const ok = await cli(['inject', '--url', r.url, '--vm', 'vm.1', '--midr', '0']);
      expect(ok.code).toBe(0);
      // then the injection is read back under the same VM (never at the Location the server names)
      expect(r.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /vms/vm.1/errors', 'GET /vms/vm.1/errors/1']);
      // without --midr the CLI first reads the VM: same rule
      const read = await cli(['inject', '--url', r.url, '--vm', 'vm.2']);
      expect(read.code).toBe(0);
      expect(r.seen.slice(2).map((s) => `${s.method} ${s.url}`)).toEqual(['GET /vms/vm.2', 'POST /vms/vm.2/errors', 'GET /vms/vm.2/errors/1']);
    } finally {
      if (env === undefined) delete process.env.RASGW_TOKEN;
      else process.env.RASGW_TOKEN = env;
      await r.close();
    }
  });

  it('rasgw events --vm: a path-like id is refused before any request; a valid one is checked, then kept in the query string', async () => {
    const r = await recorder();
    const env = process.env.RASGW_TOKEN;
    process.env.RASGW_TOKEN = TOKEN;
    try {
      // events checks that the VM exists (GET /vms/{id}), so the id must pass the gateway's pattern first
      const bad = await cli(['events', '--url', r.url, '--vm', '../x/%2e%2e?a#b', '--json']);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/^error: invalid VM id "\.\.\/x\/%2e%2e\?a#b"/);
      expect(r.seen).toHaveLength(0);
      // the stand-in answers without records: the CLI stops after one page
      await cli(['events', '--url', r.url, '--vm', 'vm.1', '--json']);
      expect(r.seen.map((x) => x.url.split('?')[0])).toEqual(['/vms/vm.1', '/records']);
      const u = new URL(r.seen[1].url, 'http://h');
      expect(u.searchParams.get('vm')).toBe('vm.1');
    } finally {
      if (env === undefined) delete process.env.RASGW_TOKEN;
      else process.env.RASGW_TOKEN = env;
      await r.close();
    }
  });
});

describe('file names', () => {
  it('a --raw file name is read from disk and never becomes part of the URL', async () => {
    const dir = tempDir('rasgw-raw-');
    const r = await recorder();
    const env = process.env.RASGW_TOKEN;
    process.env.RASGW_TOKEN = TOKEN;
    try {
      const name = path.join(dir, '..%2f%2e%2e?x=1#y .bin');
      const bytes = Buffer.alloc(164, 0x5a);
      fs.writeFileSync(name, bytes);
      const res = await cli(['inject', '--url', r.url, '--vm', 'default', '--raw', name]);
      expect(res.code).toBe(0);
      expect(r.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /vms/default/errors', 'GET /vms/default/errors/1']);
      expect(JSON.parse(r.seen[0].body)).toEqual({ raw: bytes.toString('base64') });
    } finally {
      if (env === undefined) delete process.env.RASGW_TOKEN;
      else process.env.RASGW_TOKEN = env;
      await r.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--data-dir with dot segments resolves to one directory that holds only the token and the store', async () => {
    const root = tempDir('rasgw-dd-');
    try {
      const srv = await startServer({ dataDir: path.join(root, 'a', '..', 'data'), port: 0, qmpPort: null, clock: 'manual', env: {} });
      const token = fs.readFileSync(path.join(root, 'data', 'token'), 'utf8').trim();
      // VM ids and table names that look like paths are refused or not found, and write nothing
      for (const p of ['/vms/..%2F..%2Fx/errors', '/vms/%2e%2e/errors', '/vms/default/tables/..%2F..%2Ftoken', '/vms/default/tables/%2e%2e']) {
        const res = await request(srv.url).get(p).set('Authorization', `Bearer ${token}`);
        expect([400, 404, 405]).toContain(res.status);
      }
      const created = await request(srv.url).post('/vms').set('Authorization', `Bearer ${token}`).send({ id: '../escape' });
      expect(created.status).toBe(400);
      await srv.close();
      expect(fs.readdirSync(root)).toEqual(['data']);
      expect(fs.readdirSync(path.join(root, 'data')).sort().filter((f) => !/^rasgw\.sqlite(-wal|-shm)?$/.test(f))).toEqual(['rasgw.lock', 'token']);
      expect(fs.existsSync(path.join(root, 'a'))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('rasgw events --offline with a missing --data-dir creates nothing', async () => {
    const root = tempDir('rasgw-off-');
    try {
      const res = await cli(['events', '--offline', '--data-dir', path.join(root, 'x', '..', '..', 'nowhere')]);
      expect(res.code).not.toBe(0);
      expect(res.err).toContain('no store at');
      expect(fs.readdirSync(root)).toEqual([]);
      expect(fs.existsSync(path.join(root, '..', 'nowhere'))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a --token-file that is a directory or missing is a clear error, not a crash', async () => {
    const root = tempDir('rasgw-tf-');
    const env = process.env.RASGW_TOKEN;
    delete process.env.RASGW_TOKEN;
    try {
      const asDir = await cli(['inject', '--url', 'http://127.0.0.1:9', '--token-file', root, '--midr', '0']);
      expect(asDir.code).not.toBe(0);
      expect(asDir.err).toMatch(/no token: RASGW_TOKEN is not set and .* cannot be read \(EISDIR\)/);
      const missing = await cli(['inject', '--url', 'http://127.0.0.1:9', '--token-file', path.join(root, '..', 'none', 'token'), '--midr', '0']);
      expect(missing.err).toMatch(/cannot be read \(ENOENT\)/);
      expect(fs.readdirSync(root)).toEqual([]);
    } finally {
      if (env !== undefined) process.env.RASGW_TOKEN = env;
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
