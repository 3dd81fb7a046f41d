import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { CONSOLE_DIR, consoleFile } from '../../src/gateway/console';
import { AUTH, testGateway, TestGateway } from './helpers';

let t: TestGateway;
beforeAll(() => {
  t = testGateway();
});
afterAll(() => t.close());

describe('web console static files', () => {
  test('GET / is the console page, without a token, with same-origin headers', async () => {
    const res = await request(t.app).get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toBe(fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8'));
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('scripts and styles under /console/ with their types; HEAD has no body', async () => {
    const js = await request(t.app).get('/console/views/inject.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe(fs.readFileSync(path.join(CONSOLE_DIR, 'views', 'inject.js'), 'utf8'));
    const css = await request(t.app).get('/console/style.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await request(t.app).head('/console/app.js');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(fs.statSync(path.join(CONSOLE_DIR, 'app.js')).size);
  });

  test('no file outside the console folder, no unknown file; the API still wants the token', async () => {
    expect(consoleFile('/console/../package.json')).toBeUndefined();
    expect(consoleFile('/console/%2e%2e/package.json')).toBeUndefined();
    expect(consoleFile('/console/.hidden.js')).toBeUndefined();
    expect(consoleFile('/console/app.ts')).toBeUndefined();
    expect(consoleFile('/console/views/vm.js')).toBe(path.join(CONSOLE_DIR, 'views', 'vm.js'));
    const missing = await request(t.app).get('/console/nope.js');
    expect(missing.status).toBe(401); // not a console file: it goes on to the API, which wants the token
    expect((await request(t.app).get('/console/nope.js').set(AUTH)).status).toBe(404);
    expect((await request(t.app).get('/vms')).status).toBe(401);
    expect((await request(t.app).post('/').send({})).status).toBe(401);
  });

  test('every module the page imports exists (relative imports resolve inside console/)', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      expect(fs.existsSync(file)).toBe(true);
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/^import [^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) visit(path.join(path.dirname(file), m[1]));
    };
    visit(path.join(CONSOLE_DIR, 'app.js'));
    expect(seen.size).toBeGreaterThan(10);
    // no CDN or other origin anywhere in the page
    for (const f of seen) expect(fs.readFileSync(f, 'utf8')).not.toMatch(/https?:\/\//);
  });
});
