import fs from 'fs';
import path from 'path';
import { cli } from '../support/cliInProcess';
import { recordToStatusBlock } from '../../src/cper/convert';
import { serverForBlock } from './helpers';

const LIBCPER = path.join(__dirname, '../../../shared/fixtures/libcper');

describe('rasgw inject --cper-record', () => {
  const gw = serverForBlock('rasgw-cli-record-');

  it('sends a CPER record file; the guest reads the block firmware would write for it', async () => {
    const file = path.join(LIBCPER, '18-arm-memory-pcie.cper');
    const r = await cli(['inject', '--url', gw.srv.url, '--cper-record', file, '--notify', 'gpio', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({ state: 'acknowledged', length: 801 });
    const stored = gw.srv.store.getInjection(body.vmId, body.id)!;
    expect(Buffer.from(stored.bytes)).toEqual(Buffer.from(recordToStatusBlock(new Uint8Array(fs.readFileSync(file)))));
  });

  it('refuses --cper-record with another record option, and reports a broken record with its offset', async () => {
    const both = await cli(['inject', '--url', gw.srv.url, '--cper-record', 'x.cper', '--raw', 'y.gesb']);
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/choose one of --raw, --cper, --cper-record, --memory, --pcie \(got --raw, --cper-record\)/);
    const broken = Buffer.from(fs.readFileSync(path.join(LIBCPER, '03-memory.cper')));
    broken.writeUInt32LE(0xdeadbeef, 6);
    const file = path.join(gw.dir, 'broken.cper');
    fs.writeFileSync(file, broken);
    const r = await cli(['inject', '--url', gw.srv.url, '--cper-record', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/400 invalid-request: \/cperRecord: bad_signature at byte 6 \(0x6\) \[signatureEnd\]/);
  });
});
