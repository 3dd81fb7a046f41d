import fs from 'fs';
import { FIXTURES, rest, startTestGateway } from './gatewayCli';
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
