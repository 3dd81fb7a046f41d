import fs from 'fs';
import net from 'net';
import request from 'supertest';
import { QmpGatewayBackend, RunningServer, startServer } from '../../src/gateway';
import { QmpServer } from '../../src/qmp';
import { ghesInjectArmDefault, qmpCommandText } from '../qmp/ghesInjectArm';
import { tempDir, TOKEN } from './helpers';

/** A QMP client over TCP that sends bytes as given and reads CRLF-terminated reply lines. */
class RawQmpClient {
  private buf = '';
  private waiters: Array<(line: string) => void> = [];
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i + 1);
        this.buf = this.buf.slice(i + 1);
        this.waiters.shift()?.(line);
      }
    });
  }
  static connect(port: number): Promise<RawQmpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawQmpClient(s)));
      s.once('error', reject);
    });
  }
  /** the next reply line, CRLF included */
  next(): Promise<string> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  send(text: string): void {
    this.socket.write(text);
  }
  /** sends a command the way qemu.qmp does (compact JSON, no newline) and parses the reply */
  async cmd(execute: string, args?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = this.next();
    this.send(qmpCommandText(execute, args));
    const line = await reply;
    expect(line.endsWith('\r\n')).toBe(true);
    return JSON.parse(line);
  }
  close(): void {
    this.socket.destroy();
  }
}

describe('QMP endpoint over TCP, bound to a real VM', () => {
  let dir: string;
  let srv: RunningServer;
  beforeAll(async () => {
    dir = tempDir('rasgw-qmp-');
    srv = await startServer({ dataDir: dir, port: 0, qmpPort: 0, env: { RASGW_TOKEN: TOKEN }, clock: 'manual' });
  });
  afterAll(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays the conversation of `ghes_inject.py arm` against the default VM: it ends in a virtual SError on the SEI source', async () => {
    expect(srv.qmp).toEqual({ host: '127.0.0.1', port: expect.any(Number), vmId: 'default' });
    const c = await RawQmpClient.connect(srv.qmp!.port);
    try {
      const greeting = await c.next();
      expect(greeting).toBe('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 10}, "package": "v10.2.0"}, "capabilities": []}}\r\n');
      // qemu.qmp negotiation: no oob offered, so empty arguments
      expect(await c.cmd('qmp_capabilities', {})).toEqual({ return: {} });
      // qmp_helper.search_qom: qom-get "type" on device[0], device[1], … until an error
      const found: string[] = [];
      for (let i = 0; ; i++) {
        const dev = `/machine/unattached/device[${i}]`;
        const r = await c.cmd('qom-get', { path: dev, property: 'type' });
        if (!('return' in r)) {
          expect(r).toEqual({ error: { class: 'DeviceNotFound', desc: `Device '${dev}' not found` } });
          break;
        }
        if (/^([\w+]+-)?arm-cpu$/.test(r.return as string)) found.push(dev);
      }
      expect(found).toEqual(['/machine/unattached/device[0]']);
      // arm_processor_error.py: MIDR of the first CPU
      const midr = await c.cmd('qom-get', { path: found[0], property: 'midr' });
      expect(midr).toEqual({ return: 0x000f0510 });
      const bytes = ghesInjectArmDefault(BigInt(midr.return as number));
      expect(await c.cmd('inject-ghes-v2-error', { cper: Buffer.from(bytes).toString('base64') })).toEqual({ return: {} });
    } finally {
      c.close();
    }
    const list = await request(srv.url).get('/vms/default/errors').set('Authorization', `Bearer ${TOKEN}`);
    expect(list.body.injections).toHaveLength(1);
    const inj = list.body.injections[0];
    expect(inj).toMatchObject({ origin: 'qmp', sourceId: 0, state: 'acknowledged', length: 164 });
    // the script's record (block severity recoverable) raised an SError with the UEO syndrome
    expect(inj.notification).toMatchObject({ kind: 'sei', raised: 'virtual-serror', esr: '0xbe000811', esrReason: 'block-severity', esrFields: { ec: 0x2f, aetName: 'UEO', dfsc: 0x11 } });
    const status = await request(srv.url).get(inj.links.self).set('Authorization', `Bearer ${TOKEN}`);
    expect(status.body.outcome.logLines[0]).toMatch(/\] SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome \(AET UEO\), reading APEI SEI error sources$/);
    expect(status.body.outcome.logLines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 0$/),
        expect.stringMatching(/\[Hardware Error\]:   MIDR: 0x00000000000f0510$/),
      ]),
    );
    const vm = await request(srv.url).get('/vms/default').set('Authorization', `Bearer ${TOKEN}`);
    expect(vm.body.qmp).toEqual({ host: '127.0.0.1', port: srv.qmp!.port, sourceId: 0 });
    const metrics = await request(srv.url).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(metrics.text).toMatch(/^rasgw_injections_total\{result="acknowledged"\} 1$/m);
  });

  it('reads commands split across packets, several per packet, and a context query', async () => {
    const c = await RawQmpClient.connect(srv.qmp!.port);
    try {
      await c.next();
      const replies = [c.next(), c.next(), c.next()];
      const text = qmpCommandText('qmp_capabilities') + '\n' + qmpCommandText('query-target') + JSON.stringify({ execute: 'query-status', id: 'st' });
      // first half byte by byte, then the rest at once
      const cut = Math.floor(text.length / 2);
      for (const ch of text.slice(0, cut)) c.send(ch);
      c.send(text.slice(cut));
      expect(await Promise.all(replies)).toEqual(['{"return": {}}\r\n', '{"return": {"arch": "aarch64"}}\r\n', '{"return": {"status": "running", "running": true}, "id": "st"}\r\n']);
      expect(await c.cmd('no-such')).toEqual({ error: { class: 'CommandNotFound', desc: 'The command no-such has not been found' } });
    } finally {
      c.close();
    }
  });

  it('gives QEMU\'s busy and too-big texts, and system_reset reboots the VM', async () => {
    const extended = await request(srv.url)
      .post('/vms')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ id: 'slow', profile: 'extended', sources: [{ notification: 'polled', sourceId: 3 }], busyPolicy: 'reject' });
    expect(extended.status).toBe(201);
    // a QMP endpoint for this VM: no GPIO source, so QMP uses the first source (polled, id 3)
    const backend = new QmpGatewayBackend(srv.gateway, 'slow');
    expect(backend.qmpSourceId()).toBe(3);
    await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'gp', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio', sourceId: 5 }] });
    // extended: the first SEI source, else the first GPIO source; or the one the VM names
    expect(new QmpGatewayBackend(srv.gateway, 'gp').qmpSourceId()).toBe(0);
    await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'go', profile: 'extended', sources: [{ notification: 'sea' }, { notification: 'gpio', sourceId: 5 }] });
    expect(new QmpGatewayBackend(srv.gateway, 'go').qmpSourceId()).toBe(5);
    await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'gq', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio', sourceId: 5 }], qmpSourceId: 5 });
    expect(new QmpGatewayBackend(srv.gateway, 'gq').qmpSourceId()).toBe(5);
    const qmp = new QmpServer({ backend, port: 0 });
    const { port } = await qmp.listen();
    const c = await RawQmpClient.connect(port);
    try {
      await c.next();
      await c.cmd('qmp_capabilities');
      const big = Buffer.alloc(1500);
      big[0] = 1;
      expect(await c.cmd('inject-ghes-v2-error', { cper: big.toString('base64') })).toEqual({ error: { class: 'GenericError', desc: 'GHES CPER record is too big: 1500' } });
      expect(await c.cmd('inject-ghes-v2-error', { cper: 'A' })).toEqual({ error: { class: 'GenericError', desc: 'missing GHES CPER payload' } });
      const cper = Buffer.from(ghesInjectArmDefault()).toString('base64');
      expect(await c.cmd('inject-ghes-v2-error', { cper })).toEqual({ return: {} });
      // the polled source has not been read yet: read-ack still 0
      expect(await c.cmd('inject-ghes-v2-error', { cper })).toEqual({
        error: { class: 'GenericError', desc: 'OSPM does not acknowledge previous error, so can not record CPER for current error anymore' },
      });
      // stored: the too-big one and the busy one as rejected (bad base64 never reached the VM)
      expect(srv.store.listInjections('slow').map((i) => [i.origin, i.sourceId, i.state])).toEqual([
        ['qmp', 3, 'rejected'],
        ['qmp', 3, 'delivered'],
        ['qmp', 3, 'rejected'],
      ]);
      expect(await c.cmd('system_reset')).toEqual({ return: {} });
      const vm = await request(srv.url).get('/vms/slow').set('Authorization', `Bearer ${TOKEN}`);
      expect(vm.body.boots).toBe(2);
    } finally {
      c.close();
      await qmp.close();
    }
  });

  it('routes QMP injections of a 7.2 (legacy) VM to source 0', async () => {
    await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'old', profile: 'qemu-7.2-virt' });
    const backend = new QmpGatewayBackend(srv.gateway, 'old');
    expect(backend.qmpSourceId()).toBe(0);
    expect(backend.injectCper(ghesInjectArmDefault())).toBeUndefined();
    const inj = srv.store.listInjections('old');
    expect(inj.map((i) => [i.origin, i.sourceId, i.state])).toEqual([['qmp', 0, 'acknowledged']]);
  });

  it('gives every VM its own QMP port, listed in GET /vms/{id}, reaching the source the VM names; deleting the VM closes it', async () => {
    const created = await request(srv.url)
      .post('/vms')
      .set('Authorization', `Bearer ${TOKEN}`)
      .send({ id: 'two', profile: 'extended', sources: [{ notification: 'sea' }, { notification: 'sei', sourceId: 7 }, { notification: 'gpio' }], qmpSourceId: 7 });
    expect(created.status).toBe(201);
    expect(created.body.qmp).toEqual({ host: '127.0.0.1', port: expect.any(Number), sourceId: 7 });
    const port = created.body.qmp.port;
    const defaultBefore = srv.store.listInjections('default').length;
    expect(port).not.toBe(srv.qmp!.port);
    expect((await request(srv.url).get('/vms/two').set('Authorization', `Bearer ${TOKEN}`)).body.qmp).toEqual(created.body.qmp);
    const c = await RawQmpClient.connect(port);
    try {
      await c.next();
      await c.cmd('qmp_capabilities', {});
      expect(await c.cmd('inject-ghes-v2-error', { cper: Buffer.from(ghesInjectArmDefault()).toString('base64') })).toEqual({ return: {} });
    } finally {
      c.close();
    }
    const list = await request(srv.url).get('/vms/two/errors').set('Authorization', `Bearer ${TOKEN}`);
    expect(list.body.injections.map((i: { origin: string; sourceId: number; notification: { kind: string; esr: string } }) => [i.origin, i.sourceId, i.notification.kind, i.notification.esr])).toEqual([['qmp', 7, 'sei', '0xbe000811']]);
    // nothing reached the default VM through this port
    expect(srv.store.listInjections('default').length).toBe(defaultBefore);
    expect(srv.qmpHub!.endpoints().map((e) => e.vmId)).toContain('two');
    await request(srv.url).delete('/vms/two').set('Authorization', `Bearer ${TOKEN}`);
    await srv.qmpHub!.ready('two');
    await new Promise((r) => setTimeout(r, 50));
    expect(srv.qmpHub!.endpoint('two')).toBeUndefined();
    await expect(RawQmpClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a qmpSourceId the VM does not have', async () => {
    const r = await request(srv.url).post('/vms').set('Authorization', `Bearer ${TOKEN}`).send({ id: 'bad', profile: 'qemu-10.2-virt', qmpSourceId: 2 });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ pointer: '/qmpSourceId', code: 'custom', message: 'the VM has no source 2 (its sources: 0, 1)' }]);
  });
});
