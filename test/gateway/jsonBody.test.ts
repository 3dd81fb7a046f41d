import http from 'http';
import type { AddressInfo } from 'net';
import zlib from 'zlib';
import { isPlainUtf8Json, parseStrictJson } from '../../src/gateway/jsonBody';
import { ProblemError } from '../../src/gateway/ProblemError';
import { AUTH, testGateway, TestGateway } from './helpers';

/** Sends raw chunks (chunked unless a Content-Length is given) and returns status and problem. */
async function post(app: TestGateway['app'], chunks: Buffer[], headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/vms', headers: { ...AUTH, ...headers } }, (resp) => {
        let text = '';
        resp.on('data', (c) => (text += c));
        resp.on('end', () => resolve({ status: resp.statusCode!, body: text ? JSON.parse(text) : {} }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function problemOf(f: () => unknown): ProblemError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('no problem raised');
}

describe('JSON body reader', () => {
  it('takes plain UTF-8 JSON itself and leaves other encodings and charsets to body-parser', () => {
    expect(isPlainUtf8Json({ 'content-type': 'application/json' })).toBe(true);
    expect(isPlainUtf8Json({ 'content-type': 'application/json; charset=UTF-8' })).toBe(true);
    expect(isPlainUtf8Json({ 'content-type': 'application/problem+json;charset="utf-8"', 'content-encoding': 'Identity' })).toBe(true);
    expect(isPlainUtf8Json({ 'content-type': 'application/json; charset=utf-16' })).toBe(false);
    expect(isPlainUtf8Json({ 'content-type': 'application/json', 'content-encoding': 'gzip' })).toBe(false);
  });

  it('parses as body-parser strict: BOM skipped, empty body {}, only objects and arrays', () => {
    expect(parseStrictJson('\ufeff {"a":1}')).toEqual({ a: 1 });
    expect(parseStrictJson('')).toEqual({});
    expect(parseStrictJson('\r\n[1]')).toEqual([1]);
    const scalar = problemOf(() => parseStrictJson(' 42'));
    expect(scalar.extensions.errors).toEqual([{ pointer: '', code: 'malformed_json', message: 'the body is not valid JSON: a JSON body must be an object or an array, found "42"' }]);
    const broken = problemOf(() => parseStrictJson('{"a":'));
    expect(broken.problem).toBe('invalid-request');
    expect((broken.extensions.errors as Array<{ code: string; message: string }>)[0]).toEqual({ pointer: '', code: 'malformed_json', message: 'the body is not valid JSON: line 1, column 6 (byte 5): expected a value (object, array, string, number, true, false or null), found the end of the input' });
  });

  describe('over HTTP', () => {
    let t: TestGateway;
    beforeEach(() => {
      t = testGateway({ bodyLimit: 4096 });
    });
    afterEach(() => t.close());

    it('a body split over several chunks is joined (multi-byte UTF-8 across the split too)', async () => {
      const text = Buffer.from(JSON.stringify({ id: 'chunks', profile: 'qemu-7.2-virt' }) + ' ');
      const r = await post(t.app, [text.subarray(0, 5), text.subarray(5, 20), text.subarray(20)], { 'Content-Type': 'application/json' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ id: 'chunks', spec: { profile: 'qemu-7.2-virt' } });
      const bad = Buffer.from('{"id":"é"}');
      const split = await post(t.app, [bad.subarray(0, 8), bad.subarray(8)], { 'Content-Type': 'application/json' });
      expect(split.status).toBe(400);
      expect((split.body.errors as Array<{ pointer: string }>)[0].pointer).toBe('/id'); // é reached the schema intact (not a JSON error)
    });

    it('a chunked body over the limit is read to its end, discarded and answered 413', async () => {
      const chunk = Buffer.from('x'.repeat(1000));
      const r = await post(t.app, [Buffer.from('{"id":"'), chunk, chunk, chunk, chunk, chunk, Buffer.from('"}')], { 'Content-Type': 'application/json' });
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ type: '/problems/request-too-large', maxBytes: 4096 });
    });

    it('an empty chunked body is {} (a VM with defaults), a scalar is malformed_json', async () => {
      const empty = await post(t.app, [], { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      expect(empty.status).toBe(201);
      const scalar = await post(t.app, [Buffer.from('"vm"')], { 'Content-Type': 'application/json' });
      expect(scalar.status).toBe(400);
      expect((scalar.body.errors as Array<{ code: string }>)[0].code).toBe('malformed_json');
    });

    it('gzip and UTF-16 bodies still go through body-parser', async () => {
      const gz = await post(t.app, [zlib.gzipSync(JSON.stringify({ id: 'gz' }))], { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      expect(gz.status).toBe(201);
      expect(gz.body.id).toBe('gz');
      const utf16 = Buffer.from(JSON.stringify({ id: 'u16' }), 'utf16le');
      const r16 = await post(t.app, [utf16], { 'Content-Type': 'application/json; charset=utf-16le' });
      expect(r16.status).toBe(201);
      expect(r16.body.id).toBe('u16');
    });
  });
});
