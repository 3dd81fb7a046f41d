import request from 'supertest';
import { convenienceToStatusBlockJson } from '../../src/gateway/injectionBytes';
import { CONVENIENCE_SECTION_TYPES, CONVENIENCE_TYPE_ALIASES } from '../../src/gateway/schemas';
import { AUTH, testGateway, TestGateway } from './helpers';

describe('convenience shape: error.type uses the JSON form section names', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway({ bodyLimit: 65536 });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' });
  });
  afterEach(() => t.close());

  const bytesOf = async (error: Record<string, unknown>): Promise<string> => {
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error, sourceId: 0 });
    expect(r.status).toBe(202);
    return (await request(t.app).get(r.headers.location).set(AUTH)).body.bytes;
  };

  it('names every section type of the JSON form, and the old names stay aliases', () => {
    expect(CONVENIENCE_SECTION_TYPES).toEqual(expect.arrayContaining(['arm', 'memory', 'memory2', 'pcie', 'processorGeneric', 'firmwareErrorRecordReference', 'ia32x64', 'cxlGeneralMedia', 'unknown']));
    expect(CONVENIENCE_TYPE_ALIASES).toEqual({ 'processor-generic': 'processorGeneric', 'firmware-reference': 'firmwareErrorRecordReference', vendor: 'unknown' });
    expect(convenienceToStatusBlockJson({ type: 'processorGeneric', severity: 'corrected' })).toEqual({ errorSeverity: 'corrected', entries: [{ section: { type: 'processorGeneric' } }] });
  });

  it('processorGeneric and processor-generic give the same bytes', async () => {
    expect(await bytesOf({ type: 'processorGeneric', severity: 'corrected' })).toBe(await bytesOf({ type: 'processor-generic', severity: 'corrected' }));
  });

  it('firmwareErrorRecordReference and firmware-reference give the same bytes', async () => {
    expect(await bytesOf({ type: 'firmwareErrorRecordReference' })).toBe(await bytesOf({ type: 'firmware-reference' }));
  });

  it('unknown {guid, data} and vendor {sectionType, data} give the same bytes', async () => {
    const guid = '12345678-9abc-def0-1122-334455667788';
    const a = await bytesOf({ type: 'unknown', guid, data: '0102' });
    expect(a).toBe(await bytesOf({ type: 'vendor', sectionType: guid, data: '0102' }));
    // section type GUID, mixed-endian, at 20
    expect(Buffer.from(a, 'base64').subarray(20, 24).toString('hex')).toBe('78563412');
  });

  it('a section type only the new names reach (ia32x64) is injected', async () => {
    const b = Buffer.from(await bytesOf({ type: 'ia32x64', severity: 'corrected' }), 'base64');
    expect(b.subarray(20, 36).toString('hex')).toBe('b0a03edc44a19747b95b53fa242b6e1d');
  });

  it('an unknown type lists the accepted names', async () => {
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'toaster' } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ pointer: '/error/type', code: 'invalid_value' });
    expect(r.body.errors[0].message).toMatch(/processorGeneric/);
  });
});
