import { execFileSync } from 'child_process';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import request from 'supertest';
import { ROUTES } from '../../src/gateway';
import { AUTH, testGateway, TestGateway } from './helpers';

// superagent's parser signature; only `on` is used
function binaryParser(res: { on(event: string, listener: (chunk: Buffer) => void): unknown }, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('REST reads', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = testGateway();
    await request(t.app).post('/vms').set(AUTH).send({ id: 'v', profile: 'qemu-10.2-virt' });
    await request(t.app).post('/vms/v/errors').set(AUTH).send({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x40001000' }, sourceId: 1 });
  });
  afterAll(() => t.close());

  it('reads the guest log from the store after a sequence number', async () => {
    const all = await request(t.app).get('/vms/v/log').set(AUTH);
    expect(all.status).toBe(200);
    const lines = all.body.lines as Array<{ seq: number; boot: number; line: string }>;
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    expect(lines[0].line).toMatch(/^\[    0\.000000\] ACPI: RSDP 0x[0-9A-F]{16} 000024 \(v02 BOCHS \)$/);
    expect(lines.some((l) => /\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 1$/.test(l.line))).toBe(true);
    expect(all.body.last).toBe(lines.length);
    const tail = await request(t.app).get(`/vms/v/log?since=${lines.length - 2}&limit=1`).set(AUTH);
    expect(tail.body.lines.map((l: { seq: number }) => l.seq)).toEqual([lines.length - 1]);
    const bad = await request(t.app).get('/vms/v/log?since=-1&colour=red').set(AUTH);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { parameter: string; code: string }) => [e.parameter, e.code]).sort()).toEqual([
      ['colour', 'unknown_parameter'],
      ['since', 'invalid_format'],
    ]);
  });

  it('streams the log as Server-Sent Events: backlog after since, then live lines', async () => {
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const total = t.store.log('v').length;
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/vms/v/log/stream?since=${total - 1}`, headers: AUTH }, (res) => {
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
          let text = '';
          let injected = false;
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
            if (!injected && text.includes(`id: ${total}\n`)) {
              injected = true;
              // a live line: a reboot logs the boot lines again
              t.gateway.rebootVm('v');
            }
            if (text.includes(`id: ${total + 3}\n`)) {
              req.destroy();
              resolve(text);
            }
          });
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      });
      const events = received.split('\n\n').filter((b) => b.startsWith('id: '));
      expect(events[0]).toBe(`id: ${total}\nevent: log\ndata: ${t.store.log('v', { after: total - 1 })[0].line}`);
      expect(events[1]).toMatch(new RegExp(`^id: ${total + 1}\nevent: log\ndata: \\[    0\\.000000\\] ACPI: RSDP `));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('lists events and guest records, also across VMs by time', async () => {
    const ev = await request(t.app).get('/vms/v/events').set(AUTH);
    const types = ev.body.events.map((e: { type: string }) => e.type);
    // the VM's own life and the notification raised for its injection; the SSE test above rebooted it
    expect(types).toEqual(['vm-created', 'boot', 'notification', 'reboot']);
    const rec = await request(t.app).get('/vms/v/records').set(AUTH);
    expect(rec.body.records).toHaveLength(1);
    expect(rec.body.records[0]).toMatchObject({ vmId: 'v', sourceId: 1, severity: 'corrected', sections: ['memory'], injectionId: '1' });
    expect(Buffer.from(rec.body.records[0].bytes, 'base64').readUInt32LE(16)).toBe(2);
    const all = await request(t.app).get('/records?since=2000-01-01T00:00:00Z').set(AUTH);
    expect(all.body.records).toHaveLength(1);
    const future = await request(t.app).get('/records?since=2999-01-01T00:00:00Z').set(AUTH);
    expect(future.body).toEqual({ records: [], last: 0, more: false });
    const bad = await request(t.app).get('/records?since=yesterday').set(AUTH);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].parameter).toBe('since');
  });

  it('serves the ACPI tables as json, bin, acpidump and text', async () => {
    const list = await request(t.app).get('/vms/v/tables').set(AUTH);
    const sigs = list.body.tables.map((x: { signature: string }) => x.signature);
    expect(sigs).toEqual(expect.arrayContaining(['XSDT', 'HEST']));
    const hest = list.body.tables.find((x: { signature: string }) => x.signature === 'HEST');
    // virt-10.2: two GHESv2 sources, 224 bytes, OEM BOCHS/BXPC, checksum valid
    expect(hest).toMatchObject({ length: 224, revision: 1, oemId: 'BOCHS ', oemTableId: 'BXPC    ', checksum: { ok: true } });
    const bin = await request(t.app).get('/vms/v/tables/HEST?format=bin').set(AUTH).buffer(true).parse(binaryParser);
    expect(bin.headers['content-type']).toBe('application/octet-stream');
    const bytes = bin.body as Buffer;
    expect(bytes.length).toBe(224);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('HEST');
    expect(bytes.readUInt32LE(36)).toBe(2);
    const dump = await request(t.app).get('/vms/v/tables/hest?format=acpidump').set(AUTH);
    expect(dump.text.split('\n')[0]).toBe(`HEST @ 0x${BigInt(hest.address).toString(16).toUpperCase().padStart(16, '0')}`);
    const ascii = Array.from(bytes.subarray(0, 16), (b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('');
    expect(dump.text.split('\n')[1]).toBe(`    0000: ${Array.from(bytes.subarray(0, 16), (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}  ${ascii}`);
    // acpixtract reads the acpidump text back to the same bytes
    const xdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-acpixtract-'));
    try {
      fs.writeFileSync(path.join(xdir, 'dump.txt'), dump.text);
      execFileSync('acpixtract', ['-s', 'HEST', 'dump.txt'], { cwd: xdir, stdio: 'ignore' });
      expect(fs.readFileSync(path.join(xdir, 'hest.dat')).equals(bytes)).toBe(true);
    } finally {
      fs.rmSync(xdir, { recursive: true, force: true });
    }
    // iasl -d layout, one named field per line
    const text = await request(t.app).get('/vms/v/tables/HEST?format=text').set(AUTH);
    const lines = text.text.split('\n');
    expect(lines[0]).toBe('[000h 0000 004h]                   Signature : "HEST"    [Hardware Error Source Table]');
    expect(lines).toContain('[024h 0036 004h]          Error Source Count : 00000002');
    const json = await request(t.app).get('/vms/v/tables/HEST').set(AUTH);
    expect(json.body.bytes).toBe(bytes.toString('hex'));
    expect(json.body.table).toMatchObject({ checksumValid: true, errorSourceCount: 2 });
    expect(json.body.table.sources.map((x: { sourceId: number; notification: { type: { name: string } } }) => [x.sourceId, x.notification.type.name])).toEqual([
      [0, expect.stringMatching(/sea/i)],
      [1, expect.stringMatching(/gpio/i)],
    ]);
    const missing = await request(t.app).get('/vms/v/tables/BERT').set(AUTH);
    expect(missing.status).toBe(404);
    const badFormat = await request(t.app).get('/vms/v/tables/HEST?format=pdf').set(AUTH);
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.errors[0]).toMatchObject({ parameter: 'format', code: 'invalid_value' });
  });

  it('serves the linker/loader script decoded and the hardware-errors blob state', async () => {
    const loader = await request(t.app).get('/vms/v/loader').set(AUTH);
    expect(loader.status).toBe(200);
    const commands = loader.body.commands as Array<{ type: string }>;
    expect(loader.body.length).toBe(commands.length * 128);
    // ALLOCATE commands come first
    const firstOther = commands.findIndex((c) => c.type !== 'ALLOCATE');
    expect(firstOther).toBeGreaterThan(0);
    expect(commands.slice(firstOther).every((c) => c.type !== 'ALLOCATE')).toBe(true);
    expect(commands.slice(0, firstOther).map((c) => (c as unknown as { file: string }).file)).toEqual(expect.arrayContaining(['etc/hardware_errors', 'etc/acpi/tables']));
    expect(commands.filter((c) => c.type === 'WRITE_POINTER').length).toBeGreaterThan(0);
    const text = await request(t.app).get('/vms/v/loader?format=text').set(AUTH);
    expect(text.text.split('\n').filter((l) => l !== '')).toHaveLength(commands.length);
    const hw = await request(t.app).get('/vms/v/hardware-errors').set(AUTH);
    // 2 sources: 16N + 1024N bytes
    expect(hw.body.length).toBe(2080);
    expect(hw.body.sources.map((s: { sourceId: number; readAck: string }) => [s.sourceId, s.readAck])).toEqual([
      [0, '0x1'],
      [1, '0x1'],
    ]);
    const bin = await request(t.app).get('/vms/v/hardware-errors?format=bin').set(AUTH).buffer(true).parse(binaryParser);
    expect((bin.body as Buffer).length).toBe(2080);
    expect((bin.body as Buffer).toString('hex')).toBe(hw.body.bytes);
  });

  it('publishes an OpenAPI 3.1 document covering every route, with resolvable references', async () => {
    const r = await request(t.app).get('/openapi.json').set(AUTH);
    expect(r.status).toBe(200);
    const doc = r.body;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const p = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect(doc.paths[p]?.[route.method]).toBeDefined();
    }
    const inject = doc.paths['/vms/{id}/errors'].post;
    expect(Object.keys(inject.responses).sort()).toEqual(['202', '400', '401', '404', '409', '413', '415', '422', '500', '503']);
    expect(inject.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Injection' });
    expect(doc.components.schemas.Injection.properties.cper.$ref).toBe('#/components/schemas/CperStatusBlock');
    expect(doc.components.schemas.Injection.additionalProperties).toBe(false);
    expect(doc.components.schemas.CperStatusBlock.properties.entries).toBeDefined();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const target = JSON.parse(`{${ref}}`).$ref as string;
      expect(target.startsWith('#/components/schemas/')).toBe(true);
      expect(doc.components.schemas[target.slice('#/components/schemas/'.length)]).toBeDefined();
    }
    expect(doc['x-problem-types'].map((p: { type: string }) => p.type)).toContain('/problems/record-too-large');
  });

  it('exposes Prometheus metrics with injections by result and a latency histogram', async () => {
    await request(t.app).post('/vms/v/errors').set(AUTH).send({ raw: Buffer.alloc(4).toString('base64') });
    const r = await request(t.app).get('/metrics').set(AUTH);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.text).toMatch(/^rasgw_injections_total\{result="acknowledged"\} 1$/m);
    expect(r.text).toMatch(/^rasgw_injections_total\{result="invalid_record"\} 1$/m);
    expect(r.text).toMatch(/^rasgw_vms 1$/m);
    expect(r.text).toMatch(/^rasgw_source_queue_depth\{vm="v",source="1"\} 0$/m);
    expect(r.text).toMatch(/^rasgw_http_request_duration_seconds_bucket\{method="POST",route="\/vms\/:id\/errors",status="202",le="\+Inf"\} 1$/m);
    expect(r.text).toMatch(/^rasgw_http_request_duration_seconds_count\{method="POST",route="\/vms\/:id\/errors",status="422"\} 1$/m);
    expect(r.text).toContain('# TYPE rasgw_guest_panics_total counter');
  });
});
