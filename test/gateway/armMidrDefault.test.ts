import request from 'supertest';
import { AUTH, testGateway, TestGateway } from './helpers';

/** `{"error":{"type":"arm"}}` carries the VM's own MIDR (as `rasgw inject` does), not 0. */
describe('REST ARM errors default to the VM\'s MIDR', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = testGateway();
    await request(t.app).post('/vms').set(AUTH).send({ id: 'a57', midr: '0x411fd070' }).expect(201);
    await request(t.app).post('/vms').set(AUTH).send({ id: 'max' }).expect(201);
  });
  afterAll(() => t.close());

  /** MIDR_EL1 of the one ARM section: block header 20 + data entry header 72 + 24 into the section. */
  const midrOf = async (vm: string, body: object): Promise<bigint> => {
    const r = await request(t.app).post(`/vms/${vm}/errors`).set(AUTH).send(body);
    expect(r.status).toBe(202);
    const got = await request(t.app).get(r.headers.location).set(AUTH);
    return Buffer.from(got.body.bytes, 'base64').readBigUInt64LE(20 + 72 + 24);
  };

  it('each VM\'s record names its own CPU', async () => {
    expect(await midrOf('a57', { error: { type: 'arm' } })).toBe(0x411fd070n);
    // the default CPU, QEMU's max
    expect(await midrOf('max', { error: { type: 'arm', severity: 'corrected' } })).toBe(0x000f0510n);
  });

  it('a midr given in the body is kept, 0 included', async () => {
    expect(await midrOf('a57', { error: { type: 'arm', midr: '0x410fd0c0' } })).toBe(0x410fd0c0n);
    expect(await midrOf('a57', { error: { type: 'arm', midr: 0 } })).toBe(0n);
  });

  it('the CPER JSON form is injected as given (its midr defaults to 0 as the codec says)', async () => {
    expect(await midrOf('a57', { cper: { errorSeverity: 'recoverable', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'cache' }] } }] } })).toBe(0n);
  });

  it('the stored record the guest read carries it too', async () => {
    const r = await request(t.app).post('/vms/a57/errors').set(AUTH).send({ error: { type: 'arm' } });
    const rec = t.store.guestRecordsOfInjection(r.body.id)[0];
    expect((rec.decoded as { entries: Array<{ section: { midr: string } }> }).entries[0].section.midr).toBe('0x411fd070');
  });
});
