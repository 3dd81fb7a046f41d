import fs from 'fs';
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

/** `rasgw log --follow --notifications` prints an injection lost in flight (the stream's `event: lost`). */
describe('rasgw log --follow --notifications: lost injections', () => {
  it.each([
    [[] as string[], (id: string) => `[rasgw] injection ${id} lost (reboot, boot 1): lost on reboot: the record was in the error block of source 0, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again)\n`],
    [['--json'], (id: string) => JSON.stringify({ injectionId: id, boot: 1, lost: { reason: 'reboot', previousState: 'delivered', message: 'lost on reboot: the record was in the error block of source 0, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again)' } }) + '\n'],
  ])('%j: printed once, before the rebooted guest\'s lines', async (args, expected) => {
    const gw = await startTestGateway({ qmpPort: null });
    const url = gw.srv.url;
    const spy = jest.spyOn(process.stdout, 'write');
    const printed = () => spy.mock.calls.map((c) => String(c[0])).join('');
    try {
      expect((await rest(url, 'POST', '/vms', { id: 'p', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 60000 }] })).status).toBe(201);
      const following = runCli(['log', '--vm', 'p', '--follow', '--notifications', ...args, '--url', url]);
      await until(() => printed().includes('ACPI'), 'the boot log');
      const block = fs.readFileSync(`${FIXTURES}/memory-corrected.gesb`).toString('base64');
      const inj = (await (await rest(url, 'POST', '/vms/p/errors', { raw: block })).json()) as { id: string; state: string };
      expect(inj.state).toBe('delivered');
      const bootLines = printed().split('ACPI: RSDP').length;
      expect((await rest(url, 'POST', '/vms/p/reboot')).status).toBe(200);
      await until(() => printed().split('ACPI: RSDP').length > bootLines, 'the new boot');
      expect((await rest(url, 'DELETE', '/vms/p')).status).toBe(204);
      const r = await following;
      expect(r.code).toBe(0);
      const out = r.stdout.toString();
      const line = expected(inj.id);
      expect(out.split(line)).toHaveLength(2);
      expect(out.indexOf(line)).toBeLessThan(out.lastIndexOf('ACPI: RSDP'));
    } finally {
      spy.mockRestore();
      await gw.stop();
    }
  });
});

/** The stored `lost` events of VM p and the last log line the gateway stored. */
async function lostEvents(url: string): Promise<Array<{ data: { injectionId: string; logSeq: number } }>> {
  const events = ((await (await rest(url, 'GET', '/vms/p/events')).json()) as { events: Array<{ type: string; data: { injectionId: string; logSeq: number } }> }).events;
  return events.filter((e) => e.type === 'lost');
}
async function lastSeq(url: string): Promise<number> {
  const lines = ((await (await rest(url, 'GET', '/vms/p/log?limit=10000')).json()) as { lines: Array<{ seq: number }> }).lines;
  return lines[lines.length - 1].seq;
}

type CliResult = Awaited<ReturnType<typeof runCli>>;

/** A gateway the test can restart on its data directory, with `rasgw log` followers printing to the captured stdout. */
interface RestartCase {
  url: string;
  /** everything written to stdout so far */
  printed(): string;
  /** starts `rasgw` with `args` (the follower) */
  follow(args: string[]): void;
  /** the follower's result, once it ended */
  followed(): Promise<CliResult>;
  /** stops the gateway and starts a new one on the same directory and port */
  restart(): Promise<void>;
}

async function withRestart(body: (c: RestartCase) => Promise<void>): Promise<void> {
  const gw = await startTestGateway({ qmpPort: null });
  const url = gw.srv.url;
  let following: Promise<CliResult> | undefined;
  let srv2: Awaited<ReturnType<typeof startServer>> | undefined;
  const spy = jest.spyOn(process.stdout, 'write');
  try {
    await body({
      url,
      printed: () => spy.mock.calls.map((c) => String(c[0])).join(''),
      follow: (args) => void (following = runCli(args)),
      async followed() {
        const r = await following!;
        following = undefined;
        return r;
      },
      async restart() {
        await gw.srv.close();
        srv2 = await startServer({ dataDir: gw.dir, port: gw.srv.port, qmpPort: null, clock: 'manual', env: { RASGW_TOKEN: TOKEN } });
      },
    });
  } finally {
    // a follower a failed assertion left running ends when its VM is deleted
    if (following) {
      await rest(url, 'DELETE', '/vms/p').catch(() => undefined);
      await following;
    }
    spy.mockRestore();
    await srv2?.close();
    if (!srv2) await gw.srv.close().catch(() => undefined);
    await gw.stop().catch(() => undefined);
  }
}

describe('rasgw log --follow --notifications across a gateway restart: lost injections', () => {
  const block = () => fs.readFileSync(`${FIXTURES}/memory-corrected.gesb`).toString('base64');
  const fatal = () => fs.readFileSync(`${FIXTURES}/arm-cache-fatal.gesb`).toString('base64');
  const SPEC = { id: 'p', profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled', pollIntervalMs: 60000 }] };

  it('a follower resumed after the loss (the stream sends it again) prints it once', () =>
    withRestart(async ({ url, printed, follow, followed, restart }) => {
      expect((await rest(url, 'POST', '/vms', SPEC)).status).toBe(201);
      follow(['log', '--vm', 'p', '--follow', '--notifications', '--reconnect-delay', '100', '--url', url]);
      await until(() => printed().includes('ACPI'), 'the boot log');
      const inj = (await (await rest(url, 'POST', '/vms/p/errors', { raw: block(), sourceId: 1 })).json()) as { id: string; state: string };
      expect(inj.state).toBe('delivered');
      // a guest panic loses it; the halted guest logs nothing after the panic
      const panic = (await (await rest(url, 'POST', '/vms/p/errors', { raw: fatal(), sourceId: 0 })).json()) as { panicked?: boolean };
      expect(panic.panicked).toBe(true);
      const line = `[rasgw] injection ${inj.id} lost (guest-panic, boot 1): `;
      await until(() => printed().includes(line), 'the lost line');
      // the loss is stored after the last line: a stream resumed after that line sends it again
      const [lost] = await lostEvents(url);
      expect(lost.data).toMatchObject({ injectionId: inj.id, logSeq: await lastSeq(url) });
      await restart();
      // the follower reconnected and printed the restarted guest's boot
      await until(() => printed().split('ACPI: RSDP').length > 2, 'the boot after the restart');
      // what it was sent on resuming: the loss again, first
      const resumed = await fetch(`${url}/vms/p/log/stream`, { headers: { Authorization: `Bearer ${TOKEN}`, 'Last-Event-ID': String(lost.data.logSeq) } });
      const reader = resumed.body!.getReader();
      const first = Buffer.from((await reader.read()).value!).toString();
      await reader.cancel();
      expect(first.replace(/^retry: \d+\n\n/, '')).toMatch(/^event: lost\ndata: /);
      expect((await rest(url, 'DELETE', '/vms/p')).status).toBe(204);
      const r = await followed();
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/reconnected, resuming after line \d+/);
      const out = r.stdout.toString();
      expect(out.split(line)).toHaveLength(2);
      expect(out.indexOf(line)).toBeLessThan(out.lastIndexOf('ACPI: RSDP'));
    }));

  it('a follower started after a restart with --since before the loss prints it from the stored backlog, once, in its place', () =>
    withRestart(async ({ url, printed, follow, followed, restart }) => {
      expect((await rest(url, 'POST', '/vms', SPEC)).status).toBe(201);
      const before = await lastSeq(url);
      const inj = (await (await rest(url, 'POST', '/vms/p/errors', { raw: block(), sourceId: 1 })).json()) as { id: string; state: string };
      expect(inj.state).toBe('delivered');
      expect((await rest(url, 'POST', '/vms/p/reboot')).status).toBe(200);
      await restart();
      follow(['log', '--vm', 'p', '--follow', '--notifications', '--json', '--since', String(before), '--url', url]);
      // three boots: the first, the reboot, the restart's
      await until(() => printed().split('ACPI: RSDP').length > 2, 'the backlog');
      expect((await rest(url, 'DELETE', '/vms/p')).status).toBe(204);
      const r = await followed();
      expect(r.code).toBe(0);
      const all = r.stdout.toString().trimEnd().split('\n').map((l) => JSON.parse(l) as { seq?: number; line?: string; injectionId?: string; lost?: unknown; notification?: unknown });
      const lostAt = all.findIndex((e) => e.lost !== undefined);
      expect(all.filter((e) => e.lost !== undefined)).toEqual([
        {
          injectionId: inj.id,
          boot: 1,
          lost: { reason: 'reboot', previousState: 'delivered', message: 'lost on reboot: the record was in the error block of source 1, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again)' },
        },
      ]);
      // after the polled source's notification, before the rebooted guest's first line
      expect(all.findIndex((e) => e.notification !== undefined)).toBeLessThan(lostAt);
      expect(all[lostAt + 1].line).toMatch(/ACPI: RSDP/);
      // from --since on: the notification and the loss stored after that line (the injection
      // made no lines), then the rebooted guest's lines
      expect(all.slice(0, 2).map((e) => [e.injectionId, e.notification !== undefined, e.lost !== undefined])).toEqual([
        [inj.id, true, false],
        [inj.id, false, true],
      ]);
      expect(all[2].seq).toBe(before + 1);
    }));
});
