import { cli, rest, startTestGateway } from './gatewayCli';

/**
 * `rasgw inject` on a record that is lost in flight (the VM rebooted or was deleted before the
 * guest read it) exits 6 at once instead of waiting out --wait and saying "not handled in time".
 */
describe('rasgw inject: 6 lost', () => {
  let gw: Awaited<ReturnType<typeof startTestGateway>>;
  let url: string;
  const polled = (id: string) => ({ id, profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 60000 }] });
  beforeAll(async () => {
    gw = await startTestGateway();
    url = gw.srv.url;
  });
  afterAll(async () => gw.stop());

  /** Starts `rasgw inject` into `vm` (waiting up to 60 s), runs `then` once the injection is stored, returns the CLI's result. */
  async function injectThen(vm: string, args: string[], then: () => Promise<unknown>) {
    const run = cli(url, ['inject', '--vm', vm, '--wait', '60000', ...args]);
    for (;;) {
      const page = (await (await rest(url, 'GET', `/vms/${vm}/errors`)).json()) as { injections: unknown[] };
      if (page.injections.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const started = Date.now();
    await then();
    const r = await run;
    return { ...r, afterMs: Date.now() - started };
  }

  it('the VM reboots while the record waits in its block: exit 6 with the loss, long before --wait', async () => {
    expect((await rest(url, 'POST', '/vms', polled('r'))).status).toBe(201);
    const r = await injectThen('r', [], () => rest(url, 'POST', '/vms/r/reboot'));
    expect(r.code).toBe(6);
    expect(r.afterMs).toBeLessThan(30_000);
    expect(r.out).toMatch(/^VM r: injection \d+ \(164 bytes\) on source 0: lost — \/vms\/r\/errors\/\d+\n/);
    expect(r.out).toContain('\n  lost on reboot: the record was in the error block of source 0, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again) (boot 1)\n');
  });

  it('--json: result lost, exitCode 6, the lost object', async () => {
    expect((await rest(url, 'POST', '/vms', polled('j'))).status).toBe(201);
    const r = await injectThen('j', ['--json'], () => rest(url, 'POST', '/vms/j/reboot'));
    expect(r.code).toBe(6);
    expect(JSON.parse(r.out)).toMatchObject({ vmId: 'j', state: 'lost', result: 'lost', exitCode: 6, lost: { reason: 'reboot', boot: 1, previousState: 'delivered' } });
  });

  it('the VM is deleted while the CLI waits: exit 6, reason vm-deleted', async () => {
    expect((await rest(url, 'POST', '/vms', polled('gone'))).status).toBe(201);
    const r = await injectThen('gone', ['--json'], () => rest(url, 'DELETE', '/vms/gone'));
    expect(r.code).toBe(6);
    expect(r.afterMs).toBeLessThan(30_000);
    expect(JSON.parse(r.out)).toMatchObject({ vmId: 'gone', state: 'lost', result: 'lost', exitCode: 6, lost: { reason: 'vm-deleted', previousState: 'delivered', message: 'lost: VM gone was deleted while the record was delivered, before the guest read it' } });
  });

  it('--help documents 6', async () => {
    const r = await cli(url, ['inject', '--help']);
    expect(r.out.replace(/\s+/g, ' ')).toContain('6 lost: in flight when the VM rebooted, the guest panicked or the VM was deleted; never read');
  });
});
