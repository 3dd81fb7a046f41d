import fs from 'fs';
import { ghesInjectArmRecord } from '../../../src/gateway/client/ghesInjectRecord';
import { FIXTURES, cli, rest, startTestGateway } from './gatewayCli';

describe('rasgw inject tells the truth', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let url: string;
  beforeAll(async () => {
    gw = await startTestGateway();
    url = gw.srv.url;
    for (const body of [{ id: 'a' }, { id: 'b' }, { id: 'polled', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 60000 }] }, { id: 'busy', busyPolicy: 'reject', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 60000 }] }]) {
      expect((await rest(url, 'POST', '/vms', body)).status).toBe(201);
    }
  });
  afterAll(async () => gw.stop());

  it('0: handled, with the guest lines and actions; --json has result and exitCode', async () => {
    const r = await cli(url, ['inject', '--vm', 'a', '--memory', '--address', '0x40002000', '--severity', 'corrected', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ vmId: 'a', result: 'handled', exitCode: 0, state: 'acknowledged', outcome: { panicked: false } });
    expect(j.outcome.actions).toContain('logged');
    expect(j.outcome.logLines.some((l: string) => l.endsWith('physical_address: 0x0000000040002000'))).toBe(true);
  });

  it('3: refused (unknown source, and a busy source under the reject policy)', async () => {
    const r = await cli(url, ['inject', '--vm', 'a', '--source', '77']);
    expect(r.code).toBe(3);
    expect(r.out).toBe('');
    expect(r.err).toBe('VM a: refused: 422 unknown-source: HEST: Source 77 not found.\n');
    const first = await cli(url, ['inject', '--vm', 'busy', '--wait', '0', '--json']);
    expect(JSON.parse(first.out)).toMatchObject({ result: 'not-handled-in-time', exitCode: 5 });
    const second = await cli(url, ['inject', '--vm', 'busy', '--json']);
    expect(second.code).toBe(3);
    expect(JSON.parse(second.out)).toMatchObject({ vmId: 'busy', result: 'refused', exitCode: 3, refused: { status: 409, type: '/problems/source-busy' } });
  });

  it('5: not handled in time (a polled source the guest has not polled yet)', async () => {
    const r = await cli(url, ['inject', '--vm', 'polled', '--wait', '150']);
    expect(r.code).toBe(5);
    expect(r.out).toMatch(/^VM polled: injection \d+ \(164 bytes\) on source 0: (queued|delivered) \(not acknowledged in time\) — \/vms\/polled\/errors\/\d+\n( {2}notification: POLLED \(poll\) on vCPU 0, read at the next poll \(every 60000 ms\)\n)? {2}guest: has not handled it yet\n$/);
  });

  it('4: the guest panicked (fatal record), then 3 while it is halted', async () => {
    const fatal = fs.readFileSync(`${FIXTURES}/arm-cache-fatal.gesb`);
    const file = `${gw.dir}/fatal.gesb`;
    fs.writeFileSync(file, fatal);
    const r = await cli(url, ['inject', '--vm', 'b', '--raw', file]);
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/\n {2}guest: .*panic.* — the guest PANICKED \(reboot it: rasgw vm reboot b\)\n/);
    expect(r.out).toMatch(/Kernel panic - not syncing: /);
    const halted = await cli(url, ['inject', '--vm', 'b']);
    expect(halted.code).toBe(3);
    expect(halted.err).toMatch(/^VM b: refused: 409 guest-halted: /);
    expect((await cli(url, ['vm', 'reboot', 'b'])).code).toBe(0);
  });

  it('repeated --vm injects into each, one result per VM, the most serious status', async () => {
    const r = await cli(url, ['inject', '--vm', 'a', '--vm', 'b', '--json']);
    expect(r.code).toBe(0);
    const results = JSON.parse(r.out);
    expect(results.map((x: { vmId: string; result: string }) => [x.vmId, x.result])).toEqual([
      ['a', 'handled'],
      ['b', 'handled'],
    ]);
    const mixed = await cli(url, ['inject', '--vm', 'a', '--vm', 'nope', '--vm', 'b']);
    expect(mixed.code).toBe(1);
    expect(mixed.out.match(/^VM (a|b): injection/gm)).toEqual(['VM a: injection', 'VM b: injection']);
    expect(mixed.err).toBe('VM nope: error: 404 not-found: no VM with id "nope"\n');
    const twice = await cli(url, ['inject', '--vm', 'a', '--vm', 'a']);
    expect(twice).toMatchObject({ code: 1, out: '', err: 'error: --vm a is given twice\n' });
  });

  it('repeated --vm: the ARM record carries each VM\'s own MIDR, and a missing first VM does not stop the others', async () => {
    expect((await rest(url, 'POST', '/vms', { id: 'm', midr: '0x411fd070' })).status).toBe(201);
    const last = (vm: string) => gw.srv.store.listInjections(vm).at(-1)!.bytes;
    const r = await cli(url, ['inject', '--vm', 'a', '--vm', 'm', '--json']);
    expect(r.code).toBe(0);
    // the bytes ghes_inject.py sends to each VM: its MIDR read with qom-get (it took the first VM's for all)
    expect(Buffer.from(last('a')).equals(Buffer.from(ghesInjectArmRecord({ midr: 0x000f0510n })))).toBe(true);
    expect(Buffer.from(last('m')).equals(Buffer.from(ghesInjectArmRecord({ midr: 0x411fd070n })))).toBe(true);
    // the first VM's MIDR could not be read: that VM's error (exit 1), the others still injected
    const before = gw.srv.store.listInjections('m').length;
    const missing = await cli(url, ['inject', '--vm', 'nope', '--vm', 'm', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out).map((x: { vmId: string; result: string }) => [x.vmId, x.result])).toEqual([
      ['nope', 'error'],
      ['m', 'handled'],
    ]);
    expect(gw.srv.store.listInjections('m').length).toBe(before + 1);
    const text = await cli(url, ['inject', '--vm', 'nope', '--vm', 'm']);
    expect([text.code, text.err]).toEqual([1, 'VM nope: error: 404 not-found: no VM with id "nope"\n']);
    expect(text.out).toMatch(/^VM m: injection \d+ \(164 bytes\) on source 0: acknowledged/);
  });
});

describe('rasgw inject --qmp / ghes_inject.py spellings, against the gateway\'s QMP port', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => (gw = await startTestGateway()));
  afterAll(async () => gw.stop());

  it('-H HOST -P PORT arm … sends the ARM record ghes_inject.py builds, with the MIDR read over QOM', async () => {
    const { host, port } = gw.srv.qmp!;
    const r = await cli(gw.srv.url, ['inject', '-H', host, '-P', String(port), 'arm', '--mpidr', '0x80000101', '-t', 'cache', 'tlb', '-p', '0x1000', '0x2000', '--severity', 'corrected']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const expected = ghesInjectArmRecord({ mpidr: 0x80000101n, midr: 0x000f0510n, pei: [{ type: 2, physicalAddress: 0x1000n }, { type: 4, physicalAddress: 0x2000n }], severity: 2 });
    expect(r.out).toBe(`QMP ${host}:${port}: inject-ghes-v2-error accepted (${expected.length} bytes)\n`);
    const injections = gw.srv.store.listInjections('default');
    const last = injections[injections.length - 1];
    expect(last.origin).toBe('qmp');
    expect(Buffer.from(last.bytes).equals(Buffer.from(expected))).toBe(true);
  });

  it('--qmp HOST:PORT --memory: a memory error (any section rasgw encodes) reaches the guest', async () => {
    const { host, port } = gw.srv.qmp!;
    const r = await cli(gw.srv.url, ['inject', '--qmp', `${host}:${port}`, '--memory', '--address', '0x40003000', '--severity', 'recoverable', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ result: 'handled', exitCode: 0, state: 'accepted' });
    const records = gw.srv.store.guestRecords({ vmId: 'default' });
    const rec = records[records.length - 1];
    expect(rec.sections).toEqual(['memory']);
    expect((rec.decoded as { entries: Array<{ section: { physicalAddress: string } }> }).entries[0].section.physicalAddress).toBe('0x40003000');
  });

  it('QEMU\'s refusal is exit status 3 with its error class and text; bad endpoint combinations are refused', async () => {
    const { host, port } = gw.srv.qmp!;
    const big = `${gw.dir}/big.gesb`;
    const bytes = Buffer.alloc(4096);
    bytes.writeUInt32LE(1, 0);
    bytes.writeUInt32LE(4096 - 20, 12);
    fs.writeFileSync(big, bytes);
    const r = await cli(gw.srv.url, ['inject', '--qmp', `${host}:${port}`, '--raw', big]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(new RegExp(`^QMP ${host}:${port}: refused: GenericError: `));
    expect((await cli(gw.srv.url, ['inject', '--qmp', `${host}:${port}`, '--vm', 'a'])).err).toMatch(/^error: --vm picks a VM of the REST gateway/);
    expect((await cli(gw.srv.url, ['inject', '--qmp', 'nowhere'])).err).toBe('error: --qmp: expected HOST:PORT (e.g. localhost:4445), got "nowhere"\n');
    expect((await cli(gw.srv.url, ['inject', 'mem'])).err).toMatch(/value 'mem' is invalid for argument 'kind'\. Allowed choices are arm\./);
  });
});
