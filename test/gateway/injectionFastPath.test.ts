import http from 'http';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { AUTH, testGateway, TestGateway } from './helpers';

/**
 * The injection fast path (src/gateway/injectionFastPath.ts) answers ordinary
 * `POST /vms/{id}/errors` requests without express. The same request sent with a chunked body
 * (Transfer-Encoding, which the fast path leaves to express) must get the same answer: status,
 * headers and body, apart from the ids that differ by construction.
 */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function post(port: number, path: string, text: string, chunked: boolean, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, headers: { ...AUTH, 'Content-Type': 'application/json', ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(Buffer.byteLength(text)) }), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      // two chunks, so the body really arrives in pieces
      req.write(text.slice(0, 5));
      req.end(text.slice(5));
    } else req.end(text);
  });
}

/** The answer with the per-request values (ids, date) taken out. */
function comparable(a: Answer): unknown {
  const { date: _date, 'x-request-id': _rid, location, 'keep-alive': _ka, connection: _c, 'transfer-encoding': _te, ...headers } = a.headers;
  const body = { ...a.body };
  if (typeof body.id === 'string') body.id = '<id>';
  if (typeof body.injectionId === 'string') body.injectionId = '<id>';
  if (typeof body.requestId === 'string') body.requestId = '<request>';
  if (body.links) body.links = '<links>';
  return { status: a.status, headers: { ...headers, location: typeof location === 'string' ? location.replace(/[^/]+$/, '<id>') : location }, body };
}

describe('POST /vms/{id}/errors fast path', () => {
  let t: TestGateway;
  let server: http.Server;
  let port: number;
  beforeEach(async () => {
    t = testGateway({ bodyLimit: 8192 });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' });
    server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    t.close();
  });

  const cases: Array<[string, string, string, number]> = [
    ['an accepted injection', '/vms/v/errors', JSON.stringify({ error: { type: 'arm', severity: 'recoverable' }, sourceId: 1 }), 202],
    ['a trailing slash', '/vms/v/errors/', JSON.stringify({ error: { type: 'arm' } }), 202],
    ['a body zod refuses', '/vms/v/errors', JSON.stringify({ raw: 12, sourceId: '1', extra: true }), 400],
    ['malformed JSON', '/vms/v/errors', '{"raw": ', 400],
    ['a scalar body', '/vms/v/errors', '"text"', 400],
    ['an unknown VM', '/vms/nope/errors', JSON.stringify({ error: { type: 'arm' } }), 404],
    ['a refusal (no such source)', '/vms/v/errors', JSON.stringify({ error: { type: 'arm' }, sourceId: 99 }), 0],
  ];
  it.each(cases)('answers %s exactly as express does', async (_name, path, text, status) => {
    // express's router sees only the chunked request
    const router = (t.app as unknown as { router: { handle: (...a: unknown[]) => unknown } }).router;
    const routed = jest.spyOn(router, 'handle');
    const fast = await post(port, path, text, false);
    expect(routed).toHaveBeenCalledTimes(0);
    const viaExpress = await post(port, path, text, true);
    expect(routed).toHaveBeenCalledTimes(1);
    routed.mockRestore();
    if (status !== 0) expect(fast.status).toBe(status);
    expect(fast.status).toBeGreaterThanOrEqual(200);
    expect(comparable(fast)).toEqual(comparable(viaExpress));
    if (fast.status >= 400) {
      expect(fast.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(fast.body.instance).toBe(path);
      expect(fast.body.requestId).toBe(fast.headers['x-request-id']);
    } else {
      expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(fast.headers.location).toBe(`/vms/v/errors/${fast.body.id as string}`);
    }
    expect(fast.headers['x-content-type-options']).toBe('nosniff');
    expect(fast.headers['cache-control']).toBe('no-store');
  });

  it('keeps a sane X-Request-Id and counts the request under the route pattern', async () => {
    const r = await post(port, '/vms/v/errors', JSON.stringify({ error: { type: 'arm' } }), false, { 'X-Request-Id': 'abc-123' });
    expect(r.status).toBe(202);
    expect(r.headers['x-request-id']).toBe('abc-123');
    const m = await request(t.app).get('/metrics').set(AUTH);
    expect(m.text).toMatch(/method="POST",route="\/vms\/:id\/errors",status="202"[^\n]*\} 1\n/);
  });

  it('leaves a bad token to express (401 before the body is read)', async () => {
    const r = await post(port, '/vms/v/errors', JSON.stringify({ error: { type: 'arm' } }), false, { Authorization: 'Bearer wrong-token-0123456789' });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="rasgw", error="invalid_token"');
    expect(t.store.listInjections('v', {})).toHaveLength(0);
  });
});
