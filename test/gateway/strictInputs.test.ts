import zlib from 'zlib';
import request from 'supertest';
import { encodeStatusBlock, parseStatusBlockJson } from '../../src/cper';
import { AUTH, testGateway, TestGateway } from './helpers';
import { ROUTES } from '../../src/gateway/routes';

/** Every value a careless or hostile client may send that must not be read in a way they did not mean. */
describe('inputs are read as meant', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway();
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' }).expect(201);
  });
  afterEach(() => t.close());

  const inject = (body: unknown) => request(t.app).post('/vms/v/errors').set(AUTH).send(body as object);
  const memory = (fields: Record<string, unknown>) => ({ error: { type: 'memory', severity: 'corrected', ...fields } });

  it.each([
    [
      'an address as a digit string without 0x',
      memory({ physicalAddress: '40001000' }),
      '/error/physicalAddress',
      '"40001000" is a digit string without 0x, which could be hex or decimal: write hex as "0x40001000", or the decimal number 40001000 as a JSON number without quotes',
    ],
    ['an address with spaces', memory({ physicalAddress: ' 0x10 ' }), '/error/physicalAddress', '" 0x10 " has spaces around it; write "0x10"'],
    ['an address with a trailing newline', memory({ physicalAddress: '0x10\n' }), '/error/physicalAddress', '"0x10\\n" has spaces around it; write "0x10"'],
    ['hex digits without 0x', memory({ physicalAddressMask: 'ffff0000' }), '/error/physicalAddressMask', '"ffff0000" has no 0x prefix: write "0xffff0000"'],
    ['a number above 2^53', memory({ physicalAddress: 2 ** 53 + 2 }), '/error/physicalAddress', '9007199254740994 is 2^53 or more and may already have lost precision: write it as a "0x…" hex string'],
    ['a 16-bit field as a digit string', memory({ node: '12' }), '/error/node', '"12" is a digit string without 0x, which could be hex or decimal: write hex as "0x12", or the decimal number 12 as a JSON number without quotes'],
    [
      'a u64 in the CPER JSON form',
      { cper: { errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '1000' } }] } },
      '/cper/entries/0/section/physicalAddress',
      '"1000" is a digit string without 0x, which could be hex or decimal: write hex as "0x1000", or the decimal number 1000 as a JSON number without quotes',
    ],
    [
      'ARM error info: a virtual address as a digit string',
      { error: { type: 'arm', errorInfo: [{ type: 'cache', virtualFaultAddress: '4096' }] } },
      '/error/errorInfo/0/virtualFaultAddress',
      '"4096" is a digit string without 0x, which could be hex or decimal: write hex as "0x4096", or the decimal number 4096 as a JSON number without quotes',
    ],
    ['hex text as raw (40 digits: valid base64 too)', { raw: '00000000000000000000000000000000a0000000' }, '/raw', 'this looks like hex text (40 hex digits), not base64: send hex as "rawHex" instead of "raw"'],
    // a record has no hex field: the hint is not rawHex (which would read the record as a status block)
    [
      'hex text as cperRecord',
      { cperRecord: '43504552' + '0'.repeat(36) },
      '/cperRecord',
      'this looks like hex text (44 hex digits), not base64: cperRecord takes the record as base64 (xxd -r -p FILE.hex | base64 -w0; rasgw inject --cper-record FILE.hex --hex does it)',
    ],
    ['raw without = padding', { raw: 'AAAAAAAAAAAAAAAAAAAAAAAAAA' }, '/raw', 'expected standard base64 (A-Z a-z 0-9 + /, = padding): its length 26 is not a multiple of 4 (missing = padding?)'],
    ['raw with a line break', { raw: 'AAAA\nAAAA' }, '/raw', 'expected standard base64 (A-Z a-z 0-9 + /, = padding): character "\\n" at offset 4 is not in the base64 alphabet'],
    ['raw in the URL-safe alphabet', { raw: 'AAAA_-AA' }, '/raw', 'expected standard base64 (A-Z a-z 0-9 + /, = padding): character "_" at offset 4 is not in the base64 alphabet'],
    ['rawHex with 0x', { rawHex: '0x0000' }, '/rawHex', 'expected hex text, two digits per byte: character "x" at offset 1 is not a hex digit (no 0x prefix: the text is bytes, not a number)'],
    ['rawHex with spaces', { rawHex: '00 00' }, '/rawHex', 'expected hex text, two digits per byte: character " " at offset 2 is not a hex digit (no spaces or line breaks)'],
    ['rawHex with an odd number of digits', { rawHex: '000' }, '/rawHex', 'expected hex text, two digits per byte: 3 digits is an odd number'],
  ])('refuses %s, with its JSON pointer and the fix', async (_what, body, pointer, message) => {
    const res = await inject(body);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/invalid-request');
    expect(res.body.errors).toHaveLength(1);
    // the codec's messages start with its code and field path; the reason and the fix end them
    expect(res.body.errors[0].pointer).toBe(pointer);
    expect(res.body.errors[0].message.endsWith(message)).toBe(true);
    expect(t.store.listInjections('v')).toEqual([]);
  });

  it('refuses a digit-string MIDR and advance ns, and accepts the two meant spellings', async () => {
    const midr = await request(t.app).post('/vms').set(AUTH).send({ id: 'm', midr: '411fd070' });
    expect(midr.status).toBe(400);
    expect(midr.body.errors).toEqual([{ pointer: '/midr', code: 'custom', message: '"411fd070" has no 0x prefix: write "0x411fd070"' }]);
    const ns = await request(t.app).post('/vms/v/advance').set(AUTH).send({ ns: '1000' });
    expect(ns.status).toBe(400);
    expect(ns.body.errors[0]).toMatchObject({ pointer: '/ns', message: expect.stringContaining('write hex as "0x1000", or the decimal number 1000 as a JSON number') });
    const c0 = BigInt((await request(t.app).post('/vms/v/advance').set(AUTH).send({ ns: 0 })).body.clockNs);
    const c1 = BigInt((await request(t.app).post('/vms/v/advance').set(AUTH).send({ ns: 1000 })).body.clockNs);
    const c2 = BigInt((await request(t.app).post('/vms/v/advance').set(AUTH).send({ ns: '0x1000' })).body.clockNs);
    expect([c1 - c0, c2 - c1]).toEqual([1000n, 0x1000n]);
  });

  it('reads "0x…" and JSON numbers as the same address; rawHex gives the same bytes as raw', async () => {
    const a = await inject(memory({ physicalAddress: '0x40001000' }));
    const b = await inject(memory({ physicalAddress: 0x40001000 }));
    expect([a.status, b.status]).toEqual([202, 202]);
    const [ia, ib] = t.store.listInjections('v');
    expect(Buffer.from(ia.bytes).equals(Buffer.from(ib.bytes))).toBe(true);
    const block = encodeStatusBlock(parseStatusBlockJson({ errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '0x40001000' } }] }));
    const hex = await inject({ rawHex: Buffer.from(block).toString('hex') });
    const b64 = await inject({ raw: Buffer.from(block).toString('base64') });
    expect([hex.status, b64.status]).toEqual([202, 202]);
    const [, , ih, i64] = t.store.listInjections('v');
    expect(Buffer.from(ih.bytes).equals(Buffer.from(block))).toBe(true);
    expect(Buffer.from(i64.bytes).equals(Buffer.from(block))).toBe(true);
    // base64 of zero bytes is all "A"s: hex digits, but not hex text (no digit), so still base64
    const zeros = await inject({ raw: Buffer.alloc(12).toString('base64') });
    expect(zeros.status).toBe(422);
    expect(zeros.body.type).toBe('/problems/invalid-record');
  });

  it.each([
    ['__proto__ in the convenience shape', '{"error":{"type":"arm","__proto__":{"severity":"fatal"}}}', '/error/__proto__'],
    ['__proto__ at the top', '{"raw":"AAAA","__proto__":{}}', '/__proto__'],
    ['__proto__ deep in the CPER JSON form', '{"cper":{"errorSeverity":"fatal","entries":[{"section":{"type":"arm","errorInfo":[{"type":"cache","__proto__":{"x":1}}]}}]}}', '/cper/entries/0/section/errorInfo/0/__proto__'],
    ['__proto__ in a VM definition', '{"id":"w","__proto__":{"diagnostics":true}}', '/__proto__'],
    ['constructor in the convenience shape', '{"error":{"type":"arm","constructor":{"severity":"fatal"}}}', '/error/constructor'],
    ['prototype in the convenience shape', '{"error":{"type":"memory","prototype":1}}', '/error/prototype'],
    ['constructor at the top', '{"raw":"AAAA","constructor":1}', '/constructor'],
  ])('refuses %s as an unknown field', async (_what, text, pointer) => {
    const path = text.includes('"id":"w"') ? '/vms' : '/vms/v/errors';
    const res = await request(t.app).post(path).set(AUTH).set('Content-Type', 'application/json').send(text);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].pointer).toBe(pointer);
    expect(res.body.errors[0].message.endsWith(`unknown field "${pointer.split('/').pop()}"`)).toBe(true);
    expect(t.store.listInjections('v')).toEqual([]);
  });

  it.each([
    ['GET', '/vms?foo=1', 'foo'],
    ['GET', '/vms/v/tables?x', 'x'],
    ['GET', '/vms/v?x=1', 'x'],
    ['GET', '/healthz?verbose=1', 'verbose'],
    ['GET', '/metrics?x=1', 'x'],
    ['GET', '/openapi.json?x=1', 'x'],
    ['GET', '/problems/not-found?x=1', 'x'],
    ['GET', '/vms/v/errors/1?x=1', 'x'],
    ['GET', '/vms/v/crash?x=1', 'x'],
    ['POST', '/vms/v/errors?sourceId=1', 'sourceId'],
    ['POST', '/vms/v/reboot?force=1', 'force'],
    ['DELETE', '/vms/v?x=1', 'x'],
    ['GET', '/vms/v/errors?bogus=1', 'bogus'],
    ['GET', '/vms/v/log?x=1', 'x'],
    ['GET', '/vms/v/loader?format=json&x=1', 'x'],
    ['GET', '/records?x=1', 'x'],
  ])('refuses an unknown query parameter: %s %s', async (method, url, name) => {
    const r = request(t.app)[method.toLowerCase() as 'get' | 'post' | 'delete'](url).set(AUTH);
    const res = method === 'POST' ? await r.send({ error: { type: 'arm' } }) : await r;
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/invalid-request');
    expect(res.body.errors).toEqual([expect.objectContaining({ parameter: name, code: 'unknown_parameter' })]);
    expect(t.store.listInjections('v')).toEqual([]);
    expect(t.gateway.vmIds()).toEqual(['v']);
  });

  /** POSTs bytes as they are (supertest would serialise a Buffer sent as application/json). */
  async function postBytes(headers: Record<string, string>, bytes: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as import('net').AddressInfo;
      const r = await fetch(`http://127.0.0.1:${port}/vms/v/errors`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json', ...headers }, body: bytes });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    } finally {
      await new Promise((r) => server.close(r));
    }
  }

  const body = Buffer.from('{"error":{"type":"arm"}}');
  it.each([
    ['gzip', Buffer.concat([zlib.gzipSync(body).subarray(0, 12), Buffer.from('garbage!')]), 'Z_'],
    ['gzip', zlib.gzipSync(body).subarray(0, 20), 'Z_BUF_ERROR'],
    ['gzip', Buffer.from('this is not gzip at all'), 'Z_DATA_ERROR'],
    ['deflate', Buffer.from('not deflate'), 'Z_DATA_ERROR'],
    ['br', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), 'ERR_'],
  ])('a corrupt %s body is a client error (400), not a 500 (case %#)', async (encoding, bytes, code) => {
    const res = await postBytes({ 'Content-Encoding': encoding }, bytes);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/invalid-request');
    const [issue] = res.body.errors as Array<{ pointer: string; code: string; message: string }>;
    expect(issue).toMatchObject({ pointer: '', code: 'bad_encoding' });
    expect(issue.message.startsWith(`the body is not valid ${encoding} data (Content-Encoding: ${encoding}): it `)).toBe(true);
    expect(issue.message).toContain(`(${code}`);
    expect(t.store.listInjections('v')).toEqual([]);
    const good = await postBytes({ 'Content-Encoding': encoding }, encoding === 'br' ? zlib.brotliCompressSync(body) : encoding === 'gzip' ? zlib.gzipSync(body) : zlib.deflateSync(body));
    expect(good.status).toBe(202);
  });

  it.each([
    ['plain', '{"error":{"type":"arm","severity":"fatal","severity":"corrected"}}', '/error/severity', 'severity'],
    ['plain', '{"raw":"AAAA","error":{"type":"arm"},"raw":"BBBB"}', '/raw', 'raw'],
    ['gzip', '{"error":{"type":"memory","physicalAddress":"0x1000","physicalAddress":"0x2000"}}', '/error/physicalAddress', 'physicalAddress'],
  ])('a key given twice is refused, not read as its last value (%s body, case %#)', async (encoding, text, pointer, key) => {
    // it was 202 with the last value: a "fatal" the client wrote became "corrected"
    const bytes = encoding === 'gzip' ? zlib.gzipSync(text) : Buffer.from(text);
    const res = await postBytes(encoding === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}, bytes);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ pointer, code: 'duplicate_key', message: `the key "${key}" is given twice in one object (JSON keeps only the last value, silently): give it once` }]);
    expect(t.store.listInjections('v')).toEqual([]);
  });

  it('a VM definition with a key given twice is refused too', async () => {
    const res = await request(t.app).post('/vms').set(AUTH).set('Content-Type', 'application/json').send('{"id":"w","personality":"linux","personality":"apei-sei"}');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/personality', code: 'duplicate_key' })]);
    expect(t.gateway.vmIds()).toEqual(['v']);
  });
});

/**
 * The query and the body are checked before anything is looked up, on every route of the route
 * table: the answer to a malformed request is the same whether the VM, injection or record it
 * names exists or not (`/vms/nope/log/stream?zzz=1` was 404).
 */
describe('every route checks its inputs before looking anything up', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = testGateway();
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' }).expect(201);
  });
  afterAll(() => t.close());

  /** The route's path with every parameter filled: `vm` for :id, a missing id for the others. */
  const pathOf = (pattern: string, vm: string) =>
    pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name === 'id' ? vm : name === 'signature' ? 'ZZZZ' : name === 'name' ? 'no-such-problem' : '999'));
  const send = (method: string, url: string, body?: object) => {
    const r = request(t.app)[method as 'get' | 'post' | 'delete'](url).set(AUTH);
    return body === undefined ? r : r.send(body);
  };
  const cases = ROUTES.flatMap((r) => [
    [r.method.toUpperCase(), pathOf(r.path, 'nope'), r] as const,
    [r.method.toUpperCase(), pathOf(r.path, 'v'), r] as const,
  ]).filter(([, url], i, all) => all.findIndex(([m2, u2]) => u2 === url && m2 === all[i][0]) === i);

  it.each(cases)('%s %s?zzz=1 is 400 unknown_parameter', async (method, url, route) => {
    const res = await send(method.toLowerCase(), `${url}?zzz=1`, route.body ? {} : undefined);
    expect([res.status, res.body.type]).toEqual([400, '/problems/invalid-request']);
    expect(res.body.errors).toEqual([expect.objectContaining({ parameter: 'zzz', code: 'unknown_parameter' })]);
  });

  it.each(cases.filter(([, , r]) => r.body !== undefined))('%s %s with an unknown body field is 400 at its pointer', async (method, url) => {
    const res = await send(method.toLowerCase(), url, { zzz: 1 });
    expect([res.status, res.body.type]).toEqual([400, '/problems/invalid-request']);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/zzz', code: 'unknown_field' })]));
  });

  it('the examples of the report: a missing VM\'s log stream, a missing ERST record', async () => {
    for (const url of ['/vms/nope/log/stream?zzz=1', '/vms/v/erst/0x999?x', '/vms/nope/erst/0x999?x', '/vms/v/errors/999?x=1']) {
      const res = await send('get', url);
      expect([url, res.status, res.body.errors?.[0]?.code]).toEqual([url, 400, 'unknown_parameter']);
    }
  });

  it('an injection body that does not encode is 400 for a missing VM too (not 404)', async () => {
    for (const vm of ['v', 'nope']) {
      const res = await send('post', `/vms/${vm}/errors`, { error: { type: 'memory', physicalAddress: '40001000' } });
      expect([res.status, res.body.errors?.[0]?.pointer]).toEqual([400, '/error/physicalAddress']);
    }
    expect(t.store.listInjections('v')).toEqual([]);
  });

  it('a well-formed request for a missing resource is still 404', async () => {
    expect((await send('get', '/vms/nope/log/stream')).status).toBe(404);
    expect((await send('get', '/vms/v/erst/0x999')).status).toBe(404);
    expect((await send('post', '/vms/nope/errors', { error: { type: 'arm' } })).status).toBe(404);
  });
});
