import fs from 'fs';
import request from 'supertest';
import { inflateRawSync } from 'zlib';
import { startServer } from '../../src/gateway';
import { AUTH, spawnServeChild, tempDir, testGateway, TestGateway, TOKEN } from './helpers';

const fatal = { error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40001000' } };
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('REST: /vms/{id}/erst', () => {
  let t: TestGateway;
  beforeEach(() => (t = testGateway()));
  afterEach(() => t.close());

  it('a panic leaves a pstore record; it is listed, shown as JSON and CPER, seen by the guest after reboot, cleared', async () => {
    expect((await request(t.app).post('/vms').set(AUTH).send({ id: 'e1', profile: 'extended' })).status).toBe(201);
    const empty = await request(t.app).get('/vms/e1/erst').set(AUTH);
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ vmId: 'e1', capacity: 16, recordSize: 8192, count: 0, records: [], pstore: [] });
    const inj = await request(t.app).post('/vms/e1/errors').set(AUTH).send(fatal);
    expect(inj.status).toBe(202);
    const list = await request(t.app).get('/vms/e1/erst').set(AUTH);
    expect(list.body.count).toBe(1);
    const rec = list.body.records[0];
    expect(rec).toMatchObject({ slot: 0, signature: 'CPER', sectionCount: 1, errorSeverity: 1, creator: 'pstore' });
    expect(rec.id).toMatch(/^0x[0-9a-f]{16}$/);
    const one = await request(t.app).get(`/vms/e1/erst/${rec.id}`).set(AUTH);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(rec.id);
    const bytes = Buffer.from(one.body.bytes, 'base64');
    expect(bytes.subarray(0, 4).toString()).toBe('CPER');
    // compressed by default (DMESG_Z section, raw deflate), as Debian's kernels write it
    expect(inflateRawSync(bytes.subarray(200)).toString()).toBe(one.body.pstore.text);
    expect(one.body.pstore.compressed).toBe(true);
    expect(one.body.pstore.text).toMatch(/^Panic#1 Part1\n/);
    expect(one.body.pstore.text).toContain('Kernel panic - not syncing: GHES: Fatal hardware error');
    expect(one.body.decoded).not.toBeNull();
    const raw = await request(t.app).get(`/vms/e1/erst/${rec.id}?format=cper`).set(AUTH).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(raw.headers['content-type']).toMatch(/octet-stream/);
    expect(Buffer.compare(raw.body as Buffer, bytes)).toBe(0);
    // a format the route does not have is refused, not answered as JSON
    const gesb = await request(t.app).get(`/vms/e1/erst/${rec.id}?format=gesb`).set(AUTH);
    expect(gesb.status).toBe(400);
    expect(gesb.body).toMatchObject({ type: '/problems/invalid-request', errors: [{ parameter: 'format', code: 'invalid_value' }] });
    // reboot: the guest mounts pstore and lists the previous boot's log
    expect((await request(t.app).post('/vms/e1/reboot').set(AUTH)).status).toBeLessThan(300);
    const after = await request(t.app).get('/vms/e1/erst').set(AUTH);
    expect(after.body.pstore).toHaveLength(1);
    expect(after.body.pstore[0]).toMatchObject({ name: `dmesg-erst-${BigInt(rec.id)}`, type: 'dmesg', compressed: false });
    expect(after.body.pstore[0].text).toContain('Kernel panic - not syncing: GHES: Fatal hardware error');
    // unknown id, malformed id, clear one, clear all
    expect((await request(t.app).get('/vms/e1/erst/0x1234').set(AUTH)).status).toBe(404);
    expect((await request(t.app).get('/vms/e1/erst/nope').set(AUTH)).status).toBe(404);
    const del = await request(t.app).delete(`/vms/e1/erst/${rec.id}`).set(AUTH);
    expect(del.status).toBe(200);
    expect((await request(t.app).get('/vms/e1/erst').set(AUTH)).body.count).toBe(0);
    expect((await request(t.app).delete(`/vms/e1/erst/${rec.id}`).set(AUTH)).status).toBe(404);
    expect((await request(t.app).delete('/vms/e1/erst').set(AUTH)).body).toMatchObject({ cleared: 0 });
  });

  it('VMs without ERST answer 404; erst on a QEMU profile is refused at creation', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'q', profile: 'qemu-10.2-virt' });
    expect((await request(t.app).get('/vms/q/erst').set(AUTH)).status).toBe(404);
    await request(t.app).post('/vms').set(AUTH).send({ id: 'off', profile: 'extended', erst: false });
    expect((await request(t.app).get('/vms/off/erst').set(AUTH)).status).toBe(404);
    const bad = await request(t.app).post('/vms').set(AUTH).send({ id: 'q2', profile: 'qemu-7.2-virt', erst: true });
    expect(bad.status).toBe(400);
    const size = await request(t.app).post('/vms').set(AUTH).send({ id: 'q3', profile: 'extended', erst: { recordSize: 5000 } });
    expect(size.status).toBe(400);
    const ok = await request(t.app).post('/vms').set(AUTH).send({ id: 'small', profile: 'extended', erst: { capacity: 2, recordSize: 4096 } });
    expect(ok.status).toBe(201);
    expect((await request(t.app).get('/vms/small/erst').set(AUTH)).body).toMatchObject({ capacity: 2, recordSize: 4096 });
  });
});

describe('ERST records in the event store', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-erst-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('survive kill -9 of the gateway: the record of an answered panic is there after restart, and the guest reads it', async () => {
    const { child, url: listening, exited } = spawnServeChild(dir);
    let recordIds: string[] = [];
    try {
      const url = await listening;
      const c = await fetch(`${url}/vms`, { method: 'POST', headers, body: JSON.stringify({ id: 'k', profile: 'extended' }) });
      expect(c.status).toBe(201);
      const r = await fetch(`${url}/vms/k/errors`, { method: 'POST', headers, body: JSON.stringify(fatal) });
      expect(r.status).toBe(202);
      const list = (await (await fetch(`${url}/vms/k/erst`, { headers })).json()) as { records: Array<{ id: string }> };
      recordIds = list.records.map((x) => x.id);
      expect(recordIds).toHaveLength(1);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const b = await startServer({ dataDir: dir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', defaultVm: false });
    try {
      expect(b.store.erst.list('k').map((x) => '0x' + x.id.toString(16).padStart(16, '0'))).toEqual(recordIds);
      const view = (await (await fetch(`${b.url}/vms/k/erst`, { headers })).json()) as { records: Array<{ id: string }>; pstore: Array<{ name: string; text: string }> };
      expect(view.records.map((x) => x.id)).toEqual(recordIds);
      expect(view.pstore.map((f) => f.name)).toEqual([`dmesg-erst-${BigInt(recordIds[0])}`]);
      expect(view.pstore[0].text).toContain('Kernel panic - not syncing');
      // the restored guest's boot log has the ERST lines
      const log = b.store.log('k').filter((l) => l.boot === 2).map((l) => l.line);
      expect(log.some((l) => l.endsWith('ERST: Error Record Serialization Table (ERST) support is initialized.'))).toBe(true);
      expect(log.some((l) => l.endsWith('pstore: Registered erst as persistent store backend'))).toBe(true);
      // deleting the VM deletes its records
      await fetch(`${b.url}/vms/k`, { method: 'DELETE', headers });
      expect(b.store.erst.list('k')).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
