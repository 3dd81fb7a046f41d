import http from 'http';
import net from 'net';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { renderGuestRecord } from '../../src/gateway/guestRecordRendering';
import { AUTH, testGateway, TOKEN } from './helpers';

/**
 * The REST bounds (a fixed small slice of the soak scenarios): list pages capped in
 * bytes as well as items, large decoded records stored as bytes only, the VM count bound,
 * refusals before the body closing the connection.
 */
const setup = (opts: { maxVms?: number; pageMaxBytes?: number } = {}) =>
  testGateway({ maxVms: opts.maxVms, retentionIntervalMs: 0, limits: { pageMaxBytes: opts.pageMaxBytes } });

/** An ARM error with `n` cache error-info entries (its decoded JSON is ~26× its bytes). */
function armError(n: number) {
  return { error: { type: 'arm', severity: 'corrected', errorInfo: Array.from({ length: n }, () => ({ type: 'cache' })) } };
}

describe('list pages bounded in bytes and items', () => {
  const t = setup({ pageMaxBytes: 64 * 1024 });
  afterAll(() => t.close());

  it('cuts a page of large records at the byte bound, says more, and paging by last reaches every record once', async () => {
    const vm = await request(t.app).post('/vms').set(AUTH).send({ id: 'big', profile: 'extended', sources: [{ notification: 'gpio', errorBlockLength: 65536 }] });
    expect(vm.status).toBe(201);
    for (let i = 0; i < 6; i++) expect((await request(t.app).post('/vms/big/errors').set(AUTH).send(armError(100))).status).toBe(202);
    const first = await request(t.app).get('/vms/big/records?limit=100').set(AUTH);
    expect(first.status).toBe(200);
    // each record's JSON is ~90 KB (bytes as base64 + decoded): one per page, the bound is never
    // a reason to send nothing
    expect(first.body.records).toHaveLength(1);
    expect(first.body.more).toBe(true);
    expect(first.body.last).toBe(first.body.records[0].id);
    const ids: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 20; pages++) {
      const p = await request(t.app).get(`/vms/big/records?after=${after}`).set(AUTH);
      ids.push(...p.body.records.map((r: { id: number }) => r.id));
      after = p.body.last;
      if (!p.body.more) break;
    }
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    // the same on /records and on the injections list
    const all = await request(t.app).get('/records').set(AUTH);
    expect(all.body.records.length).toBeLessThan(6);
    expect(all.body.more).toBe(true);
    const inj = await request(t.app).get('/vms/big/errors?limit=2').set(AUTH);
    expect(inj.body.injections).toHaveLength(2);
    expect(inj.body).toMatchObject({ last: Number(inj.body.injections[1].id), more: true });
  });

  it('stores a record whose decoded form is large as bytes only, and decodes it on read', async () => {
    const rec = t.store.guestRecords({ vmId: 'big', limit: 1 })[0];
    expect(rec.decoded).toBeUndefined();
    const stored = JSON.stringify(renderGuestRecord(rec.bytes));
    const page = await request(t.app).get('/vms/big/records?limit=1').set(AUTH);
    expect(page.body.records[0].decoded).toEqual(JSON.parse(renderGuestRecord(rec.bytes).decodedText));
    expect(page.body.records[0].decoded.entries[0].section.errorInfo).toHaveLength(100);
    expect(stored.length).toBeGreaterThan(20 * rec.bytes.length);
  });

  it('keeps the decoded form of a small record in the store', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'small' });
    await request(t.app).post('/vms/small/errors').set(AUTH).send({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' }, sourceId: 1 });
    const rec = t.store.guestRecords({ vmId: 'small', limit: 1 })[0];
    expect(rec.decoded).toMatchObject({ entries: [{ section: { type: 'memory' } }] });
  });

  it('pages the VM list, the log and the events with the same shape', async () => {
    const vms = await request(t.app).get('/vms?limit=1').set(AUTH);
    expect(vms.body.vms.map((v: { id: string }) => v.id)).toEqual(['big']);
    expect(vms.body).toMatchObject({ last: 1, more: true });
    const rest = await request(t.app).get(`/vms?since=${vms.body.last}`).set(AUTH);
    expect(rest.body.vms.map((v: { id: string }) => v.id)).toEqual(['small']);
    expect(rest.body.more).toBe(false);
    const log = await request(t.app).get('/vms/small/log?limit=3').set(AUTH);
    expect(log.body.lines.map((l: { seq: number }) => l.seq)).toEqual([1, 2, 3]);
    expect(log.body).toMatchObject({ last: 3, more: true });
    const events = await request(t.app).get('/vms/small/events').set(AUTH);
    expect(events.body.more).toBe(false);
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(['vm-created', 'boot', 'notification']);
  });
});

describe('capacity', () => {
  it('refuses a VM past maxVms with 409 too-many-vms naming the bound', async () => {
    const t = setup({ maxVms: 2 });
    try {
      expect((await request(t.app).post('/vms').set(AUTH).send({ id: 'a' })).status).toBe(201);
      expect((await request(t.app).post('/vms').set(AUTH).send({ id: 'b' })).status).toBe(201);
      const r = await request(t.app).post('/vms').set(AUTH).send({ id: 'c' });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ type: '/problems/too-many-vms', bound: 'maxVms', maxVms: 2 });
      expect(r.body.detail).toMatch(/maxVms 2/);
      await request(t.app).delete('/vms/a').set(AUTH);
      expect((await request(t.app).post('/vms').set(AUTH).send({ id: 'c' })).status).toBe(201);
      const m = await request(t.app).get('/metrics').set(AUTH);
      expect(m.text).toContain('rasgw_vms_max 2\n');
      expect(m.text).toContain('rasgw_retention_limit{bound="logLines"} 100000\n');
    } finally {
      t.close();
    }
  });
});

describe('HTTP refusals before the body', () => {
  let server: http.Server;
  let port: number;
  const t = setup();
  beforeAll(async () => {
    server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    t.close();
  });

  /** Sends a request head announcing a huge body, then a little of it; returns what came back and whether the server closed. */
  function hugeBody(headers: string): Promise<{ text: string; closed: boolean }> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let text = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.on('error', () => undefined);
      const timer = setTimeout(() => {
        s.destroy();
        resolve({ text, closed: false });
      }, 5000);
      s.on('close', () => {
        clearTimeout(timer);
        resolve({ text, closed: true });
      });
      s.write(`POST /vms HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: 100000000000\r\n\r\n`);
      s.write('{"id": "' + 'a'.repeat(10_000));
    });
  }

  it('answers 401 with Connection: close and closes the socket instead of reading the body', async () => {
    const r = await hugeBody('Content-Type: application/json\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 401 /);
    expect(r.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(r.closed).toBe(true);
  });

  it('answers 415 and 413 the same way', async () => {
    const bad = await hugeBody(`Authorization: Bearer ${TOKEN}\r\nContent-Type: text/plain\r\n`);
    expect(bad.text).toMatch(/^HTTP\/1\.1 415 /);
    expect(bad.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(bad.closed).toBe(true);
    const big = await hugeBody(`Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\n`);
    expect(big.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(big.closed).toBe(true);
  });
});
