import request from 'supertest';
import { statusBlockFieldSpans } from '../../src/cper/fieldSpans';
import { renderStatusBlockLinux } from '../../src/cper/text';
import { AUTH, testGateway, TestGateway } from './helpers';

let t: TestGateway;
beforeAll(async () => {
  t = testGateway();
  await request(t.app).post('/vms').set(AUTH).send({ id: 'c1', profile: 'extended', sources: [{ notification: 'gpio' }], linuxVersion: '6.1' }).expect(201);
  await request(t.app)
    .post('/vms/c1/errors')
    .set(AUTH)
    .send({ error: { type: 'arm', severity: 'recoverable', midr: '0x411fd070', errorInfo: [{ type: 'tlb' }] } })
    .expect(202);
});
afterAll(() => t.close());

async function record1(): Promise<{ bytes: Uint8Array; sourceId: number }> {
  const res = await request(t.app).get('/vms/c1/records').set(AUTH).expect(200);
  return { bytes: new Uint8Array(Buffer.from(res.body.records[0].bytes, 'base64')), sourceId: res.body.records[0].sourceId };
}

describe('GET /vms/{id}/records/{rid}/fields', () => {
  test('the spans of the stored block', async () => {
    const { bytes } = await record1();
    const res = await request(t.app).get('/vms/c1/records/1/fields').set(AUTH).expect(200);
    expect(res.body.id).toBe(1);
    expect(res.body.vmId).toBe('c1');
    expect(res.body.length).toBe(bytes.length);
    expect(res.body.spans).toEqual(statusBlockFieldSpans(bytes));
    expect(res.body.spans).toContainEqual({ offset: 116, length: 8, path: '/entries/0/section/midr', name: 'MIDR_EL1' });
  });

  test('unknown VM or record: not-found problems that say what is missing', async () => {
    const noRecord = await request(t.app).get('/vms/c1/records/9/fields').set(AUTH).expect(404);
    expect(noRecord.body.detail).toBe('VM c1 has no record "9" (record ids are the positive integers of GET /vms/c1/records)');
    expect((await request(t.app).get('/vms/c1/records/0/fields').set(AUTH)).status).toBe(404);
    expect((await request(t.app).get('/vms/c1/records/x1/text').set(AUTH)).status).toBe(404);
    const noVm = await request(t.app).get('/vms/nope/records/1/fields').set(AUTH).expect(404);
    expect(noVm.body.detail).toMatch(/nope/);
    expect((await request(t.app).get('/vms/c1/records/1/fields')).status).toBe(401);
  });

  test('a record of another VM is not found under this one', async () => {
    await request(t.app).post('/vms').set(AUTH).send({ id: 'c2', profile: 'extended', sources: [{ notification: 'gpio' }] }).expect(201);
    expect((await request(t.app).get('/vms/c2/records/1/fields').set(AUTH)).status).toBe(404);
  });
});

describe('GET /vms/{id}/records/{rid}/text', () => {
  test('the Linux text of the record for the VM\'s kernel version', async () => {
    const { bytes, sourceId } = await record1();
    const res = await request(t.app).get('/vms/c1/records/1/text').set(AUTH).expect(200);
    expect(res.body.linuxVersion).toBe('6.1');
    expect(res.body.lines).toEqual(renderStatusBlockLinux(bytes, { version: '6.1', sourceId }));
    expect(res.body.lines[0].text).toBe('{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0');
    expect(res.body.lines.map((l: { text: string }) => l.text)).toContain('{1}[Hardware Error]:   MIDR: 0x00000000411fd070');
  });

  test('both routes are in /openapi.json', async () => {
    const res = await request(t.app).get('/openapi.json').set(AUTH).expect(200);
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/vms/{id}/records/{rid}/fields', '/vms/{id}/records/{rid}/text']));
    expect(res.body.components.schemas.RecordFields).toBeDefined();
  });
});
