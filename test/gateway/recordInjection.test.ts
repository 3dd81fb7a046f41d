import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { recordToStatusBlock } from '../../src/cper/convert';
import { AUTH, testGateway, TestGateway } from './helpers';

const LIBCPER = path.join(__dirname, '../../../shared/fixtures/libcper');
const record = (name: string) => new Uint8Array(fs.readFileSync(path.join(LIBCPER, name)));
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('POST /vms/{id}/errors with a CPER record', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway({ bodyLimit: 65536 });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'small', profile: 'extended', sources: [{ notification: 'gpio', errorBlockLength: 256 }] });
  });
  afterEach(() => t.close());

  it('cperRecord: the record wrapped as firmware delivers it reaches the guest', async () => {
    const bytes = record('18-arm-memory-pcie.cper');
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cperRecord: b64(bytes), sourceId: 1 });
    expect(r.status).toBe(202);
    const wrapped = recordToStatusBlock(bytes);
    expect(r.body.length).toBe(wrapped.length);
    const s = await request(t.app).get(r.headers.location).set(AUTH);
    expect(s.body.bytes).toBe(b64(wrapped));
    expect(s.body.records[0]).toMatchObject({ sourceId: 1, sections: ['arm', 'memory', 'pcie'] });
    expect(s.body.outcome.logLines).toEqual(expect.arrayContaining([expect.stringMatching(/\[Hardware Error\]:   section_type: PCIe error$/)]));
  });

  it('cperRecord: a broken record is invalid-request pointing at /cperRecord with the record offset', async () => {
    const bytes = Buffer.from(record('03-memory.cper'));
    bytes.writeUInt32LE(bytes.length + 8, 20);
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cperRecord: b64(bytes) });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      { pointer: '/cperRecord', code: 'bad_length', message: `bad_length at byte 20 (0x14) [recordLength]: record length ${bytes.length + 8} runs past the ${bytes.length} bytes present` },
    ]);
    const notB64 = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cperRecord: 'CPER!' });
    expect(notB64.body.errors[0]).toMatchObject({ pointer: '/cperRecord', code: 'invalid_format' });
    const two = await request(t.app).post('/vms/v/errors').set(AUTH).send({ cperRecord: b64(bytes), raw: 'AAAA' });
    expect(two.status).toBe(400);
  });

  it('cperRecord: a block larger than the source error block is refused with both sizes', async () => {
    const bytes = record('18-arm-memory-pcie.cper');
    const r = await request(t.app).post('/vms/small/errors').set(AUTH).send({ cperRecord: b64(bytes) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ type: '/problems/record-too-large', length: 801, maxLength: 256, qmp: { desc: 'GHES CPER record is too big: 801' } });
    expect(r.body.detail).toBe('the status block is 801 bytes, larger than the 256-byte error block of source 0 (GHES CPER record is too big: 801)');
  });
});

describe('POST /vms/{id}/errors with libcper JSON', () => {
  let t: TestGateway;
  beforeEach(async () => {
    t = testGateway({ bodyLimit: 65536 });
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v' });
  });
  afterEach(() => t.close());

  const { cperRecordToLibcper, libcperToCperRecord, parseLibcperJson, libcperJsonText } = require('../../src/cper/libcper') as typeof import('../../src/cper/libcper');

  it('libcper as text: exact u64 values, the record encoded by our codec and wrapped', async () => {
    const text = fs.readFileSync(path.join(LIBCPER, '03-memory.libcper.json'), 'utf8');
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ libcper: text, sourceId: 1 });
    expect(r.status).toBe(202);
    const s = await request(t.app).get(r.headers.location).set(AUTH);
    const expected = recordToStatusBlock(libcperToCperRecord(parseLibcperJson(text)));
    expect(s.body.bytes).toBe(b64(expected));
    expect(s.body.outcome.logLines).toEqual(expect.arrayContaining([expect.stringMatching(/physical_address: 0x2ea79e5717eb0d3d$/)]));
  });

  it('libcper as an object: accepted when every integer is exact, refused with a pointer when JSON rounded one', async () => {
    const doc = cperRecordToLibcper(record('07-firmware.cper'));
    const ok = await request(t.app).post('/vms/v/errors').set(AUTH).send({ libcper: JSON.parse(libcperJsonText(doc)), sourceId: 1 });
    expect(ok.status).toBe(202);
    const mem = fs.readFileSync(path.join(LIBCPER, '03-memory.libcper.json'), 'utf8');
    const rounded = await request(t.app).post('/vms/v/errors').set(AUTH).send({ libcper: JSON.parse(mem) });
    expect(rounded.status).toBe(400);
    expect(rounded.body.errors[0]).toMatchObject({ pointer: '/libcper/sections/0/Memory/physicalAddress', code: 'out_of_range' });
  });

  it('libcper: a bad field is invalid-request pointing into the document', async () => {
    const doc = JSON.parse(libcperJsonText(cperRecordToLibcper(record('07-firmware.cper'))));
    doc.sections[0].Firmware.revision = 'two';
    const r = await request(t.app).post('/vms/v/errors').set(AUTH).send({ libcper: doc });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ pointer: '/libcper/sections/0/Firmware/revision', code: 'invalid_input' });
  });
});
