import http from 'http';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { ghesInjectArmDefault } from '../qmp/ghesInjectArm';
import { AUTH, testGateway, TestGateway } from './helpers';
import { INJECTION_FORMS } from '../../src/gateway/schemas';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** A corrected memory error (the CPER JSON form), for the poll and queue tests. */
const memoryJson = (pa: number) => ({ errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '0x' + pa.toString(16) } }] });

describe('POST /vms/{id}/errors', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway({ bodyLimit: 8192 });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v', profile: 'qemu-10.2-virt' });
  });
  afterEach(() => t.close());

  it('accepts the convenience shape: 202, Location, then the guest outcome', async () => {
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'arm', severity: 'recoverable' }, sourceId: 1 });
    expect(r.status).toBe(202);
    expect(r.headers.location).toBe(`/vms/v/errors/${r.body.id}`);
    expect(r.body).toEqual({
      id: r.body.id,
      vmId: 'v',
      origin: 'rest',
      sourceId: 1,
      state: 'acknowledged',
      length: 164,
      panicked: false,
      notification: { kind: 'gpio', raised: 'hed-notify', vcpu: 0, line: 0 },
      links: { self: r.headers.location },
    });
    const s = await request(t.app).get(r.headers.location).set(AUTH);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ vmId: 'v', origin: 'rest', sourceId: 1, state: 'acknowledged', length: 164, target: { sourceId: 1 } });
    expect(s.body.history.map((h: { state: string }) => h.state)).toEqual(['accepted', 'delivered', 'acknowledged']);
    expect(s.body.outcome.panicked).toBe(false);
    expect(s.body.outcome.logLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\[ *\d+\.\d{6}\] \{\d+\}\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 1$/),
        expect.stringMatching(/\[Hardware Error\]:   section_type: ARM processor error$/),
      ]),
    );
    expect(s.body.records).toHaveLength(1);
    expect(s.body.records[0]).toMatchObject({ sourceId: 1, severity: 'recoverable', sections: ['arm'] });
    // the record the guest read is the one injected
    expect(s.body.records[0].bytes).toBe(s.body.bytes);
  });

  it('accepts the bytes ghes_inject.py sends, as base64 raw, unchanged', async () => {
    const bytes = ghesInjectArmDefault();
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(bytes), notification: 'gpio' });
    expect(r.status).toBe(202);
    expect(r.body.sourceId).toBe(1);
    expect((await request(t.app).get(r.headers.location).set(AUTH)).body.bytes).toBe(b64(bytes));
    const rec = t.store.guestRecordsOfInjection(r.body.id)[0];
    expect(Buffer.from(rec.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect((rec.decoded as { entries: Array<{ section: { midr: string } }> }).entries[0].section.midr).toBe('0x0');
  });

  it('accepts the CPER JSON form and encodes it with the CPER codec', async () => {
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cper: memoryJson(0x40001000), sourceId: 0 });
    expect(r.status).toBe(202);
    const bytes = Buffer.from((await request(t.app).get(r.headers.location).set(AUTH)).body.bytes, 'base64');
    // GESB header: block status correctable (bit 1) with entry count 1 in bits 4..13, severity corrected (2)
    expect(bytes.readUInt32LE(0)).toBe(0x12);
    expect(bytes.readUInt32LE(16)).toBe(2);
    // the memory section GUID a5bc1114-6f64-4ede-b863-3e83ed7c83b1, mixed-endian, at 20
    expect(bytes.subarray(20, 36).toString('hex')).toBe('1411bca5646fde4eb8633e83ed7c83b1');
  });

  it('points at the offending field of the CPER JSON form and of the convenience shape', async () => {
    const a = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cper: { errorSeverity: 'recoverable', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'cache', bogus: 1 }] } }] } });
    expect(a.status).toBe(400);
    expect(a.body.errors[0].pointer).toBe('/cper/entries/0/section/errorInfo/0/bogus');
    const b = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'memory', physicalAddress: 'nowhere' } });
    expect(b.status).toBe(400);
    expect(b.body.errors[0].pointer).toBe('/error/physicalAddress');
    const c = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'vendor', sectionType: 'not-a-guid', data: '00' } });
    expect(c.body.errors[0].pointer).toBe('/error/sectionType');
    const d = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'toaster' } });
    expect(d.body.errors[0]).toMatchObject({ pointer: '/error/type', code: 'invalid_value' });
  });

  it('refuses bodies that are not one injection', async () => {
    const none = await request(t.app).post('/vms/v/errors').set(AUTH).send({ sourceId: 1 });
    expect(none.status).toBe(400);
    expect(none.body.errors).toEqual([{ pointer: '', code: 'custom', message: `give exactly one of ${INJECTION_FORMS.join(', ')}` }]);
    const two = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: 'AAAA', error: { type: 'arm' } });
    expect(two.body.errors[0].pointer).toBe('/error');
    const types = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: 12, sourceId: '1', extra: true });
    expect(types.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/extra', '/raw', '/sourceId']);
    const notB64 = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: 'not base64!' });
    expect(notB64.body.errors[0]).toMatchObject({ pointer: '/raw', code: 'invalid_format' });
    const empty = await request(t.app).post('/vms/v/errors').set(AUTH);
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0]).toMatchObject({ pointer: '', code: 'missing_body' });
    expect(t.store.listInjections('v')).toEqual([]);
  });

  it('refuses an unknown VM before reading the body, and an unknown source with QMP\'s text', async () => {
    const vm = await request(t.app).post('/vms/ghost/errors').set(AUTH).send({ raw: 'AAAA' });
    expect(vm.status).toBe(404);
    const src = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(ghesInjectArmDefault()), sourceId: 7 });
    expect(src.status).toBe(422);
    expect(src.body).toMatchObject({ type: '/problems/unknown-source', sourceId: 7, qmp: { class: 'GenericError', desc: 'HEST: Source 7 not found.' } });
    const notif = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(ghesInjectArmDefault()), notification: 'sdei' });
    expect(notif.status).toBe(422);
    expect(notif.body).toMatchObject({ type: '/problems/unknown-source', notification: 'sdei' });
    // sourceId and notification that name different sources: refused, neither is silently dropped
    const both = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(ghesInjectArmDefault()), sourceId: 0, notification: 'gpio' });
    expect(both.status).toBe(422);
    expect(both.body).toMatchObject({ type: '/problems/unknown-source', detail: 'source 0 is notified via sea, not gpio: give the source id or the notification, or both of one source' });
    const agree = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(ghesInjectArmDefault()), sourceId: 1, notification: 'gpio' });
    expect(agree.status).toBe(202);
    expect(agree.body.sourceId).toBe(1);
    // refusals are kept: rejected, with the reason
    const stored = t.store.getInjection('v', src.body.injectionId)!;
    expect(stored.state).toBe('rejected');
    expect(stored.refusal!.code).toBe('no_such_source');
  });

  it('refuses raw bytes shorter than a status block header', async () => {
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(new Uint8Array(12)) });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ type: '/problems/invalid-record', qmp: { desc: 'GHES CPER record is too short: 12' } });
  });

  it('refuses a record longer than the error block, stating the maximum (never truncated)', async () => {
    const big = new Uint8Array(1100);
    big[0] = 1;
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: b64(big), sourceId: 1 });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({
      type: '/problems/record-too-large',
      maxLength: 1024,
      length: 1100,
      qmp: { class: 'GenericError', desc: 'GHES CPER record is too big: 1100' },
    });
    const hw = await request(t.app).get('/vms/v/hardware-errors').set(AUTH);
    expect(hw.body.sources[1].blockStatus).toBe(0);
  });

  it('refuses a body whose Content-Length is over the limit without waiting for the body', async () => {
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    try {
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/vms/v/errors', headers: { ...AUTH, 'Content-Type': 'application/json', 'Content-Length': '1000000' } },
          (resp) => {
            let body = '';
            resp.on('data', (c) => (body += c));
            resp.on('end', () => resolve({ status: resp.statusCode!, body }));
          },
        );
        req.on('error', reject);
        // send only the first bytes: the answer must come anyway
        req.write('{"raw":"');
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ type: '/problems/request-too-large', maxBytes: 8192 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('a fatal record panics the guest: guest-halted afterwards, crash report for diagnostics VMs only', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'd', diagnostics: true });
    const fatal = await request(t.app).post('/vms/d/errors').set(AUTH).send({ error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40001000' }, sourceId: 1 });
    expect(fatal.status).toBe(202);
    const st = await request(t.app).get(fatal.headers.location).set(AUTH);
    expect(st.body.outcome.panicked).toBe(true);
    expect(st.body.outcome.logLines).toEqual(expect.arrayContaining([expect.stringMatching(/Kernel panic - not syncing: GHES: Fatal hardware error/)]));
    const vm = await request(t.app).get('/vms/d').set(AUTH);
    expect(vm.body.guest.panicked).toBe(true);
    const next = await request(t.app).post('/vms/d/errors').set(AUTH).send({ error: { type: 'arm' }, sourceId: 1 });
    expect(next.status).toBe(409);
    expect(next.body).toMatchObject({ type: '/problems/guest-halted', qmp: { class: 'GenericError' } });
    const crash = await request(t.app).get('/vms/d/crash').set(AUTH);
    expect(crash.status).toBe(200);
    expect(crash.body.reason).toEqual(expect.any(String));
    expect(crash.body.message).toMatch(/Fatal hardware error/);
    const ev = await request(t.app).get('/vms/d/events').set(AUTH);
    expect(ev.body.events.some((e: { type: string }) => e.type === 'panic')).toBe(true);
    // not a diagnostics VM: no crash report even after a panic
    await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'memory', severity: 'fatal' }, sourceId: 1 });
    const hidden = await request(t.app).get('/vms/v/crash').set(AUTH);
    expect(hidden.status).toBe(404);
    expect(hidden.body.detail).toMatch(/not created with diagnostics: true/);
    // reboot clears the halt
    await request(t.app).post('/vms/d/reboot').set(AUTH);
    expect((await request(t.app).post('/vms/d/errors').set(AUTH).send({ error: { type: 'arm' }, sourceId: 1 })).status).toBe(202);
    expect((await request(t.app).get('/vms/d/crash').set(AUTH)).status).toBe(404);
  });
});

describe('busy sources (polled source: the guest reads it only when its interval elapses)', () => {
  let t: TestGateway;
  beforeEach(() => (t = testGateway()));
  afterEach(() => t.close());

  const create = (busyPolicy: string, queueDepth = 2) =>
    request(t.app)
      .post('/vms')
      .set(AUTH)
      .send({ id: 'p', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 1000 }], busyPolicy, queueDepth });

  it('reject policy: 409 source-busy with Retry-After and QEMU\'s text until the guest acknowledges', async () => {
    await create('reject');
    const first = await request(t.app).post('/vms/p/errors').set(AUTH).send({ cper: memoryJson(0x40001000) });
    expect(first.status).toBe(202);
    expect(first.body.state).toBe('delivered');
    const busy = await request(t.app).post('/vms/p/errors').set(AUTH).send({ cper: memoryJson(0x40002000) });
    expect(busy.status).toBe(409);
    expect(busy.headers['retry-after']).toBe('1');
    expect(busy.body).toMatchObject({
      type: '/problems/source-busy',
      qmp: { class: 'GenericError', desc: 'OSPM does not acknowledge previous error, so can not record CPER for current error anymore' },
    });
    const adv = await request(t.app).post('/vms/p/advance').set(AUTH).send({ ns: 1000000000 });
    expect(adv.status).toBe(200);
    expect((await request(t.app).get(first.headers.location).set(AUTH)).body.state).toBe('acknowledged');
    expect((await request(t.app).post('/vms/p/errors').set(AUTH).send({ cper: memoryJson(0x40003000) })).status).toBe(202);
  });

  it('queue policy: queued in order, 503 queue-full at the bound, delivered as the guest acknowledges', async () => {
    await create('queue', 2);
    const ids: string[] = [];
    for (const pa of [0x1000, 0x2000, 0x3000]) {
      const r = await request(t.app).post('/vms/p/errors').set(AUTH).send({ cper: memoryJson(0x40000000 + pa) });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    expect(t.store.getInjection('p', ids[0])!.state).toBe('delivered');
    expect(t.store.getInjection('p', ids[1])!.state).toBe('queued');
    const full = await request(t.app).post('/vms/p/errors').set(AUTH).send({ cper: memoryJson(0x40004000) });
    expect(full.status).toBe(503);
    expect(full.headers['retry-after']).toBe('1');
    expect(full.body.type).toBe('/problems/queue-full');
    const metrics = await request(t.app).get('/metrics').set(AUTH);
    expect(metrics.text).toContain('rasgw_source_queue_depth{vm="p",source="0"} 2');
    for (let i = 0; i < 3; i++) await request(t.app).post('/vms/p/advance').set(AUTH).send({ ns: 1_000_000_000 });
    expect(ids.map((id) => t.store.getInjection('p', id)!.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    const records = t.store.guestRecords({ vmId: 'p' });
    expect(records.map((r) => r.injectionId)).toEqual(ids);
  });
});
