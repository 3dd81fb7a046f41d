import request from 'supertest';
import { AUTH, testGateway, TestGateway } from './helpers';

describe('VM routes', () => {
  let t: TestGateway;
  beforeEach(() => (t = testGateway({ bodyLimit: 4096 })));
  afterEach(() => t.close());

  it('creates a VM without a profile as the default machine of serve, simulate and dump', async () => {
    const c = await request(t.app).post('/vms').set(AUTH).send({ id: 'd' });
    expect(c.status).toBe(201);
    expect(c.body.spec).toEqual({
      profile: 'extended',
      sources: [{ notification: 'sei' }, { notification: 'sea' }, { notification: 'gpio' }],
      personality: 'apei-sei',
      linuxVersion: 'mainline',
      busyPolicy: 'queue',
      queueDepth: 64,
      diagnostics: false,
      midr: '0xf0510',
      rasExtension: true,
    });
    expect(c.body.sources.map((s: { sourceId: number; notification: string }) => [s.sourceId, s.notification])).toEqual([
      [0, 'sei'],
      [1, 'sea'],
      [2, 'gpio'],
    ]);
    // the ERST device (on by default on extended) is in the resource, with its link
    expect(c.body.erst).toEqual({ capacity: 16, recordSize: 8192 });
    expect(c.body.links.erst).toBe('/vms/d/erst');
    // the first injection without a target raises the virtual SError of source 0
    const r = await request(t.app).post('/vms/d/errors').set(AUTH).send({ error: { type: 'arm' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ sourceId: 0, notification: { kind: 'sei', esr: '0xbe000811', esrReason: 'block-severity' } });
    // extended without a source list gets the same three sources; qmpSourceId is checked against them
    const e = await request(t.app).post('/vms').set(AUTH).send({ id: 'e', profile: 'extended', qmpSourceId: 2 });
    expect(e.status).toBe(201);
    expect(e.body.sources.map((s: { notification: string }) => s.notification)).toEqual(['sei', 'sea', 'gpio']);
    const bad = await request(t.app).post('/vms').set(AUTH).send({ id: 'e2', profile: 'extended', qmpSourceId: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ pointer: '/qmpSourceId', code: 'custom', message: 'the VM has no source 3 (its sources: 0, 1, 2)' }]);
  });

  it('creates a qemu-10.2-virt VM with QEMU\'s defaults and reads it back', async () => {
    const c = await request(t.app).post('/vms').set(AUTH).send({ id: 'vm1', profile: 'qemu-10.2-virt' });
    expect(c.status).toBe(201);
    expect(c.headers.location).toBe('/vms/vm1');
    expect(c.body.spec).toEqual({
      profile: 'qemu-10.2-virt',
      personality: 'apei-sei',
      linuxVersion: 'mainline',
      busyPolicy: 'queue',
      queueDepth: 64,
      diagnostics: false,
      midr: '0xf0510',
      rasExtension: true,
    });
    expect(c.body.booted).toBe(true);
    expect(c.body.boots).toBe(1);
    // QEMU's virt machine has no ERST
    expect(c.body.erst).toBeUndefined();
    expect(c.body.links.erst).toBeUndefined();
    // virt-10.2: source 0 SEA and source 1 GPIO, 1 KiB blocks, read-ack preset to 1
    expect(c.body.sources.map((s: { sourceId: number; notification: string; errorBlockLength: number; readAck: string }) => [s.sourceId, s.notification, s.errorBlockLength, s.readAck])).toEqual([
      [0, 'sea', 1024, '0x1'],
      [1, 'gpio', 1024, '0x1'],
    ]);
    // the register holds the block address (double indirection): blocks follow the 2N registers
    const [s0, s1] = c.body.sources;
    expect(BigInt(s1.errorStatusAddressRegister) - BigInt(s0.errorStatusAddressRegister)).toBe(8n);
    expect(BigInt(s0.blockAddress) - BigInt(s0.errorStatusAddressRegister)).toBe(32n);
    expect(BigInt(s1.blockAddress) - BigInt(s0.blockAddress)).toBe(1024n);
    const g = await request(t.app).get('/vms/vm1').set(AUTH);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ id: 'vm1', booted: true, guest: { running: true, panicked: false }, injections: {} });
    const list = await request(t.app).get('/vms').set(AUTH);
    expect(list.body.vms.map((v: { id: string }) => v.id)).toEqual(['vm1']);
  });

  it('creates a VM from an empty body with a generated id', async () => {
    const c = await request(t.app).post('/vms').set(AUTH);
    expect(c.status).toBe(201);
    expect(c.body.id).toMatch(/^vm-[0-9a-f]{8}$/);
    expect(c.headers.location).toBe(`/vms/${c.body.id}`);
  });

  it('creates an extended VM with its own sources and a 7.2 VM with one SEA source', async () => {
    const e = await request(t.app)
      .post('/vms')
      .set(AUTH)
      .send({ id: 'ext', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled', pollIntervalMs: 500, errorBlockLength: 4096 }], midr: '0x411fd070' });
    expect(e.status).toBe(201);
    expect(e.body.sources.map((s: { notification: string; errorBlockLength: number }) => [s.notification, s.errorBlockLength])).toEqual([
      ['sei', 1024],
      ['polled', 4096],
    ]);
    expect(e.body.spec.midr).toBe('0x411fd070');
    const q = await request(t.app).post('/vms').set(AUTH).send({ id: 'q72', profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: '6.1' });
    expect(q.status).toBe(201);
    expect(q.body.sources.map((s: { sourceId: number; notification: string }) => [s.sourceId, s.notification])).toEqual([[0, 'sea']]);
  });

  it('accepts linuxVersion 6.12, lists the three versions in OpenAPI and refuses an unknown one with its pointer', async () => {
    const v = await request(t.app).post('/vms').set(AUTH).send({ id: 'l612', profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: '6.12' });
    expect(v.status).toBe(201);
    expect(v.body.spec.linuxVersion).toBe('6.12');
    const doc = (await request(t.app).get('/openapi.json').set(AUTH)).body;
    const found = JSON.stringify(doc).match(/"linuxVersion":\{[^}]*\}/)![0];
    expect(found).toContain('"enum":["6.1","6.12","mainline"]');
    expect(found).toContain('mainline (the newest released kernel, 7.3.4)');
    const bad = await request(t.app).post('/vms').set(AUTH).send({ id: 'l70', linuxVersion: '7.0' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('/linuxVersion');
  });

  it('reboots a VM (boots counted) and deletes it with its history', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'r' });
    // a reboot takes no fields: one given is refused and the VM is not rebooted
    const withField = await request(t.app).post('/vms/r/reboot').set(AUTH).send({ force: true });
    expect(withField.status).toBe(400);
    expect(withField.body.errors).toEqual([{ pointer: '/force', code: 'unknown_field', message: 'unknown field "force"' }]);
    expect((await request(t.app).post('/vms/r/reboot').set(AUTH).send({})).status).toBe(200);
    const rb = await request(t.app).post('/vms/r/reboot').set(AUTH);
    expect(rb.status).toBe(200);
    expect(rb.body.boots).toBe(3);
    const ev = await request(t.app).get('/vms/r/events').set(AUTH);
    expect(ev.body.events.map((e: { type: string; boot: number }) => [e.type, e.boot])).toEqual([
      ['vm-created', 0],
      ['boot', 1],
      ['reboot', 2],
      ['reboot', 3],
    ]);
    const d = await request(t.app).delete('/vms/r').set(AUTH);
    expect(d.status).toBe(204);
    const g = await request(t.app).get('/vms/r').set(AUTH);
    expect(g.status).toBe(404);
    expect(g.body).toMatchObject({ type: '/problems/not-found', detail: 'no VM with id "r"', vmId: 'r' });
    expect(t.store.events('r')).toEqual([]);
    expect((await request(t.app).delete('/vms/r').set(AUTH)).status).toBe(404);
  });

  it('refuses a taken id', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'dup' });
    const r = await request(t.app).post('/vms').set(AUTH).send({ id: 'dup' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ type: '/problems/vm-exists', status: 409, vmId: 'dup' });
  });

  it('reports every bad field with its JSON pointer, unknown fields included', async () => {
    const r = await request(t.app)
      .post('/vms')
      .set(AUTH)
      .send({ id: '-bad', profile: 'qemu-9.0-virt', queueDepth: 'many', diagnostics: 'yes', midr: '0xZZ', colour: 'blue', sources: [{ notification: 'sei' }] });
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.body.type).toBe('/problems/invalid-request');
    const byPointer = Object.fromEntries(r.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]));
    expect(byPointer).toEqual({
      '/id': 'invalid_format',
      '/profile': 'invalid_value',
      '/queueDepth': 'invalid_type',
      '/diagnostics': 'invalid_type',
      '/midr': 'custom',
      '/colour': 'unknown_field',
    });
  });

  it('refuses a source list for a QEMU profile and a duplicate source id', async () => {
    const a = await request(t.app).post('/vms').set(AUTH).send({ profile: 'qemu-10.2-virt', sources: [{ notification: 'sei' }] });
    expect(a.status).toBe(400);
    expect(a.body.errors).toEqual([
      { pointer: '/sources', code: 'custom', message: 'only the extended profile takes a source list; qemu-10.2-virt has QEMU\'s fixed sources' },
    ]);
    const b = await request(t.app).post('/vms').set(AUTH).send({ profile: 'extended', sources: [{ notification: 'sei', sourceId: 1 }, { notification: 'sea' }] });
    expect(b.status).toBe(400);
    expect(b.body.errors).toEqual([{ pointer: '/sources/1/sourceId', code: 'custom', message: 'source id 1 is used twice' }]);
    const c = await request(t.app).post('/vms').set(AUTH).send({ profile: 'extended', sources: [{ notification: 'carrier-pigeon' }] });
    expect(c.body.errors[0]).toMatchObject({ pointer: '/sources/0/notification', code: 'invalid_value' });
  });

  it('answers malformed JSON, a non-JSON content type and an oversized body with problems', async () => {
    const bad = await request(t.app).post('/vms').set(AUTH).set('Content-Type', 'application/json').send('{"id": "x",');
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveLength(1);
    expect(bad.body.errors[0]).toMatchObject({ pointer: '', code: 'malformed_json' });
    const notJson = await request(t.app).post('/vms').set(AUTH).set('Content-Type', 'text/plain').send('id=x');
    expect(notJson.status).toBe(415);
    expect(notJson.body.type).toBe('/problems/unsupported-media-type');
    const scalar = await request(t.app).post('/vms').set(AUTH).set('Content-Type', 'application/json').send('"just a string"');
    expect(scalar.status).toBe(400);
    expect(scalar.body.errors[0].code).toBe('malformed_json');
    const big = await request(t.app).post('/vms').set(AUTH).set('Content-Type', 'application/json').send(JSON.stringify({ id: 'x', pad: 'a'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ type: '/problems/request-too-large', maxBytes: 4096 });
    expect(t.store.listVms()).toEqual([]);
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    const nf = await request(t.app).get('/nope').set(AUTH);
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ type: '/problems/not-found', detail: 'no route GET /nope' });
    const na = await request(t.app).put('/vms').set(AUTH).send({});
    expect(na.status).toBe(405);
    expect(na.headers.allow).toBe('GET, POST, HEAD');
    expect(na.body.type).toBe('/problems/method-not-allowed');
  });

  it('serves the problem type descriptions', async () => {
    const r = await request(t.app).get('/problems/source-busy').set(AUTH);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ type: '/problems/source-busy', name: 'source-busy', status: 409 });
    expect((await request(t.app).get('/problems/nonsense').set(AUTH)).status).toBe(404);
  });
});
