import fs from 'fs';
import os from 'os';
import path from 'path';
import { startServer, RunningServer } from '../../../src/gateway';
import { runCli } from './run-cli';

const TOKEN = 'test-token-0123456789abcdefghijklmnop';
const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

describe('rasgw erst list|show|clear against a running gateway', () => {
  let dir: string;
  let srv: RunningServer;
  const prevToken = process.env.RASGW_TOKEN;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-erst-cli-'));
    process.env.RASGW_TOKEN = TOKEN;
    srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, env: { RASGW_TOKEN: TOKEN }, clock: 'manual', defaultVm: false });
    await fetch(`${srv.url}/vms`, { method: 'POST', headers, body: JSON.stringify({ id: 'c', profile: 'extended', erst: { capacity: 4 } }) });
    await fetch(`${srv.url}/vms/c/errors`, { method: 'POST', headers, body: JSON.stringify({ error: { type: 'memory', severity: 'fatal', physicalAddress: '0x40001000' } }) });
    await fetch(`${srv.url}/vms/c/reboot`, { method: 'POST', headers });
  });
  afterAll(async () => {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (prevToken === undefined) delete process.env.RASGW_TOKEN;
    else process.env.RASGW_TOKEN = prevToken;
  });

  it('list, show (text, --json, --cper), clear one / --all, errors with exit codes', async () => {
    const list = await runCli(['erst', 'list', '--vm', 'c', '--url', srv.url]);
    expect(list.code).toBe(0);
    const lines = list.stdout.toString().split('\n');
    expect(lines[0]).toBe('VM c: 1 of 4 ERST record(s), exchange buffer 8192 bytes');
    const m = /^(0x[0-9a-f]{16}) slot=0 length=(\d+) creator=pstore severity=1$/.exec(lines[1]);
    expect(m).not.toBeNull();
    const id = m![1];
    expect(lines[2]).toBe('/sys/fs/pstore (this boot):');
    expect(lines[3]).toMatch(new RegExp(`^  dmesg-erst-${BigInt(id)} \\d+ bytes, time \\d{4}-`));

    const show = await runCli(['erst', 'show', id, '--vm', 'c', '--url', srv.url]);
    expect(show.code).toBe(0);
    expect(show.stdout.toString()).toMatch(/^Panic#1 Part1\n/);
    expect(show.stdout.toString()).toContain('Kernel panic - not syncing');

    const json = await runCli(['erst', 'show', id, '--vm', 'c', '--url', srv.url, '--json']);
    expect(JSON.parse(json.stdout.toString())).toMatchObject({ id, creator: 'pstore', signature: 'CPER' });

    const raw = await runCli(['erst', 'show', String(BigInt(id)), '--vm', 'c', '--url', srv.url, '--cper', '-']);
    expect(raw.stdout.subarray(0, 4).toString()).toBe('CPER');
    expect(raw.stdout.length).toBe(Number(m![2]));

    const missing = await runCli(['erst', 'show', '0x1', '--vm', 'c', '--url', srv.url]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/404 not-found: VM c has no ERST record 0x0000000000000001/);
    // --json and --cper together: one output would be dropped
    const both2 = await runCli(['erst', 'show', id, '--vm', 'c', '--url', srv.url, '--json', '--cper', '-']);
    expect([both2.code, both2.stderr, both2.stdout.length]).toEqual([1, 'error: --json prints the record, --cper FILE writes its bytes: give one of them\n', 0]);
    const bad = await runCli(['erst', 'show', 'zz', '--vm', 'c', '--url', srv.url]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/record id: expected a u64/);
    const both = await runCli(['erst', 'clear', id, '--all', '--vm', 'c', '--url', srv.url]);
    expect(both.code).not.toBe(0);

    const clear = await runCli(['erst', 'clear', id, '--vm', 'c', '--url', srv.url]);
    expect(clear.code).toBe(0);
    expect(clear.stderr).toBe('cleared 1 record(s)\n');
    const all = await runCli(['erst', 'clear', '--all', '--vm', 'c', '--url', srv.url]);
    expect(all.stderr).toBe('cleared 0 record(s)\n');
    // --json, as on every command that prints: the count on stdout, nothing on stderr
    const cleared = await runCli(['erst', 'clear', '--all', '--vm', 'c', '--url', srv.url, '--json']);
    expect([cleared.code, JSON.parse(cleared.stdout.toString()), cleared.stderr]).toEqual([0, { cleared: 0 }, '']);
    expect(srv.store.erst.list('c')).toEqual([]);
  });

  it('--vm defaults to the default VM, as in rasgw log and records', async () => {
    await fetch(`${srv.url}/vms`, { method: 'POST', headers, body: JSON.stringify({ id: 'default' }) });
    const list = await runCli(['erst', 'list', '--url', srv.url, '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout.toString())).toEqual({ vmId: 'default', capacity: 16, recordSize: 8192, count: 0, records: [], pstore: [] });
  });

  it('vm create --erst-capacity / --erst-record-size / --no-erst', async () => {
    const a = await runCli(['vm', 'create', '--id', 'e2', '--profile', 'extended', '--erst-capacity', '3', '--erst-record-size', '16384', '--url', srv.url]);
    expect(a.code).toBe(0);
    const v = (await (await fetch(`${srv.url}/vms/e2/erst`, { headers })).json()) as { capacity: number; recordSize: number };
    expect(v).toMatchObject({ capacity: 3, recordSize: 16384 });
    const b = await runCli(['vm', 'create', '--id', 'e3', '--profile', 'extended', '--no-erst', '--url', srv.url]);
    expect(b.code).toBe(0);
    expect((await fetch(`${srv.url}/vms/e3/erst`, { headers })).status).toBe(404);
    const c = await runCli(['vm', 'create', '--id', 'e4', '--profile', 'extended', '--no-erst', '--erst-capacity', '2', '--url', srv.url]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/--no-erst cannot be combined/);
    const d = await runCli(['vm', 'create', '--id', 'e5', '--profile', 'qemu-7.2-virt', '--erst-capacity', '2', '--url', srv.url]);
    expect(d.code).not.toBe(0);
    expect(d.stderr).toMatch(/has no ERST/);
  });
});

describe('rasgw dump shows the ERST table', () => {
  it('text (iasl layout), JSON (decoded entries) and acpidump', async () => {
    const text = await runCli(['dump', '--profile', 'extended', '--table', 'ERST', '--format', 'text']);
    expect(text.code).toBe(0);
    const t = text.stdout.toString();
    expect(t).toContain('[024h 0036 004h] Serialization Header Length : 00000030');
    expect(t).toContain('Instruction : 03 [Write Register Value]');
    expect(t.match(/ Action : /g)).toHaveLength(27);
    const json = await runCli(['dump', '--profile', 'extended', '--table', 'ERST', '--format', 'json']);
    const j = JSON.parse(json.stdout.toString()) as Array<{ signature: string; table: { entryCount: number; entries: Array<{ action: { name: string } }> } }>;
    expect(j[0].signature).toBe('ERST');
    expect(j[0].table.entryCount).toBe(27);
    expect(j[0].table.entries[26].action.name).toBe('GET_EXECUTE_OPERATION_TIMINGS');
    const dump = await runCli(['dump', '--profile', 'extended', '--format', 'acpidump']);
    expect(dump.stdout.toString()).toMatch(/^ERST @ 0x[0-9A-F]{16}$/m);
  });
});
