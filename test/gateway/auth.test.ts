import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { resolveToken, tokenMatches, TokenError } from '../../src/gateway/auth';
import { AUTH, TOKEN, tempDir, testGateway, TestGateway } from './helpers';

describe('token source', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-token-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates a token file readable only by the owner on first start, then reuses it', () => {
    const file = path.join(dir, 'sub', 'token');
    const a = resolveToken({ tokenFile: file, env: {} });
    expect(a.generated).toBe(true);
    expect(a.from).toBe(file);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe(a.token + '\n');
    const b = resolveToken({ tokenFile: file, env: {} });
    expect(b).toEqual({ token: a.token, from: file, generated: false });
  });

  it('prefers RASGW_TOKEN and refuses short tokens or a token file others can read', () => {
    const file = path.join(dir, 'token');
    expect(resolveToken({ tokenFile: file, env: { RASGW_TOKEN: TOKEN } })).toEqual({ token: TOKEN, from: 'env', generated: false });
    expect(fs.existsSync(file)).toBe(false);
    expect(() => resolveToken({ tokenFile: file, env: { RASGW_TOKEN: 'short' } })).toThrow(TokenError);
    fs.writeFileSync(file, 'a-long-enough-token-value\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => resolveToken({ tokenFile: file, env: {} })).toThrow(/accessible by group or others \(mode 644\)/);
  });

  it('refuses a token no client could send: binary bytes or two words (it started and no one could sign in)', () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, Buffer.from([0x41, 0x42, 0x00, 0xff, 0x10, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d]), { mode: 0o600 });
    expect(() => resolveToken({ tokenFile: file, env: {} })).toThrow(
      `token file ${file} is not a usable bearer token: character 2 (code 0) is not printable ASCII or is a space; a token is one word of printable ASCII (delete the file to have one generated)`,
    );
    expect(() => resolveToken({ tokenFile: file, env: { RASGW_TOKEN: 'two words of token text' } })).toThrow('RASGW_TOKEN is not a usable bearer token: character 3 (code 32)');
  });

  it('compares tokens without depending on their length', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN + 'x', TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});

describe('bearer authentication on the routes', () => {
  let t: TestGateway;
  beforeAll(() => (t = testGateway()));
  afterAll(() => t.close());

  it('serves /healthz without a token', async () => {
    const r = await request(t.app).get('/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', vms: 0 });
  });

  it.each([
    ['/vms', 'get'],
    ['/openapi.json', 'get'],
    ['/metrics', 'get'],
    ['/vms', 'post'],
    ['/vms/x/errors', 'post'],
    ['/no/such/route', 'get'],
  ] as const)('refuses %s (%s) without a token', async (url, method) => {
    const r = await request(t.app)[method](url);
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="rasgw"');
    expect(r.body).toMatchObject({ type: '/problems/unauthorized', status: 401, title: 'A valid bearer token is required', detail: 'missing Authorization header', instance: url });
  });

  it('refuses a wrong token and a wrong scheme, before reading the body', async () => {
    const wrong = await request(t.app).post('/vms').set('Authorization', `Bearer ${TOKEN}x`).set('Content-Type', 'application/json').send('{not json');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="rasgw", error="invalid_token"');
    expect(wrong.body.detail).toBe('the bearer token is not valid');
    const basic = await request(t.app).get('/vms').set('Authorization', `Basic ${Buffer.from('a:b').toString('base64')}`);
    expect(basic.status).toBe(401);
    expect(basic.body.detail).toBe('the Authorization header is not "Bearer <token>"');
    const ok = await request(t.app).get('/vms').set(AUTH);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ vms: [], last: 0, more: false });
  });
});
