import fs from 'fs';
import { SseParser } from '../../../src/cli/commands/log';
import { startServer } from '../../../src/gateway/server';
import { FIXTURES, TOKEN, rest, startTestGateway } from './gatewayCli';
import { runCli } from './run-cli';

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SseParser', () => {
  it('splits events across chunks and line endings, keeps id, event, multi-line data and retry', () => {
    const p = new SseParser();
    expect(p.push('retry: 2000\n\nid: 4\r\nevent: log\r\ndata: a')).toEqual([]);
    expect(p.push('bc\r')).toEqual([]);
    expect(p.push('\n\r\n: keep-alive\n\nid: 5\nevent: log\ndata: x\ndata: y\n\nevent: end\ndata: vm deleted\n\n')).toEqual([
      { id: '4', event: 'log', data: 'abc', retry: undefined },
      { id: '5', event: 'log', data: 'x\ny', retry: undefined },
      { id: '5', event: 'end', data: 'vm deleted', retry: undefined },
    ]);
  });
});

describe('rasgw log --follow', () => {
  it('follows across a gateway restart: resumes with Last-Event-ID, no line lost or repeated, ends when the VM is deleted', async () => {
    const gw = await startTestGateway({ qmpPort: null });
    const { dir } = gw;
    const port = gw.srv.port;
    const url = gw.srv.url;
    const block = fs.readFileSync(`${FIXTURES}/memory-recoverable.gesb`).toString('base64');
    let srv2: Awaited<ReturnType<typeof startServer>> | undefined;
    // runCli captures stdout while the follow runs; the test talks REST directly meanwhile
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write');
    const following = runCli(['log', '--vm', 'default', '--follow', '--json', '--notifications', '--reconnect-delay', '100', '--url', url]);
    const printed = () => spy.mock.calls.map((c) => String(c[0])).join('');
    try {
      // the boot log first
      await until(() => printed().includes('"seq"'), 'the boot log');
      expect((await rest(url, 'POST', '/vms/default/errors', { raw: block })).status).toBe(202);
      await until(() => printed().includes('physical_address'), 'the first record');
      await gw.srv.close();
      srv2 = await startServer({ dataDir: dir, port, qmpPort: null, clock: 'manual', env: { RASGW_TOKEN: TOKEN } });
      expect((await rest(url, 'POST', '/vms/default/errors', { raw: block })).status).toBe(202);
      await until(() => printed().split('physical_address').length === 3, 'the record after the restart');
      expect((await rest(url, 'DELETE', '/vms/default')).status).toBe(204);
      const r = await following;
      out.push(r.stdout.toString());
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/connection to the gateway lost after line \d+; reconnecting/);
      expect(r.stderr).toMatch(/reconnected, resuming after line \d+/);
      expect(r.stderr).toMatch(/VM default was deleted; end of its log\n$/);
    } finally {
      spy.mockRestore();
      await srv2?.close();
      if (!srv2) await gw.srv.close().catch(() => undefined);
      await gw.stop().catch(() => undefined);
    }
    const all = out[0].trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; line: string; injectionId?: string; notification?: { kind: string } });
    // the notification of each injection, once each (the stream sends them at least once)
    const notes = all.filter((e) => e.notification !== undefined);
    expect(notes.map((n) => [n.injectionId, typeof n.notification!.kind])).toEqual([
      ['1', 'string'],
      ['2', 'string'],
    ]);
    const entries = all.filter((e) => e.notification === undefined);
    const seqs = entries.map((e) => e.seq);
    // every line once, in order, none missing: the sequence numbers are consecutive
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0] + i));
    expect(seqs[0]).toBe(1);
    expect(entries.filter((e) => e.line.includes('physical_address')).length).toBe(2);
    // the second boot's lines (restart) are there too
    const firstBootLine = entries[0].line.replace(/^\[[ 0-9.]+\] /, '');
    expect(entries.filter((e) => e.line.endsWith(firstBootLine)).length).toBeGreaterThanOrEqual(2);
  });
});

describe('rasgw log: --follow options without --follow', () => {
  it.each([
    [['--notifications'], 'error: --notifications is read by --follow only; add --follow or drop it'],
    [['--reconnect-delay', '100'], 'error: --reconnect-delay is read by --follow only; add --follow or drop it'],
    [['--notifications', '--reconnect-delay', '100'], 'error: --notifications and --reconnect-delay are read by --follow only; add --follow or drop them'],
  ])('%j is refused (it was ignored, silently)', async (args, message) => {
    const r = await runCli(['log', '--url', 'http://127.0.0.1:9', ...args]);
    expect([r.code, r.stderr]).toEqual([1, message + '\n']);
  });
});
