import { runCli } from './run-cli';

/** --help texts a new user reads first: one default-machine story, rules instead of this machine's paths. */
describe('rasgw --help texts', () => {
  test('serve and events state the data-directory rule, not the absolute path of the current directory', async () => {
    for (const cmd of ['serve', 'events']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      const text = r.stdout.toString().replace(/\s+/g, ' ');
      expect(text).toContain('--data-dir <dir>');
      expect(text).toContain('(default $RASGW_DATA_DIR or ./data)');
      expect(text).not.toContain(process.cwd());
    }
  });

  test('serve, vm create, simulate, dump and convert name the same default machine', async () => {
    const machine = 'extended with sources sei,sea,gpio (0 SEI, 1 SEA, 2 GPIO), guest apei-sei';
    for (const args of [['serve'], ['vm', 'create'], ['simulate'], ['dump'], ['convert']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.toString().replace(/\s+/g, ' ')).toContain(machine);
    }
  });

  test('rasgw --help documents exit statuses and environment; simulate --help its own', async () => {
    const top = (await runCli(['--help'])).stdout.toString().replace(/\s+/g, ' ');
    expect(top).toContain('Exit status: 0 success; 1 error (bad options or input, a file that cannot be read, the gateway unreachable or refusing the request). rasgw inject adds 3 refused, 4 the guest panicked, 5 not handled in time');
    expect(top).toContain('Environment: RASGW_URL (gateway URL), RASGW_TOKEN (bearer token), RASGW_DATA_DIR (data directory, ./data).');
    const sim = (await runCli(['simulate', '--help'])).stdout.toString().replace(/\s+/g, ' ');
    expect(sim).toContain('Exit status: 0 the run completed (a guest panic is a result');
  });
});

/** `rasgw help A B` is the help of subcommand B of A (commander looked up one level: `vm`'s help). */
describe('rasgw help with a subcommand', () => {
  test('help vm create prints vm create\'s help, the same as vm create --help', async () => {
    const viaHelp = await runCli(['help', 'vm', 'create']);
    const viaFlag = await runCli(['vm', 'create', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout.toString().split('\n')[0]).toBe('Usage: rasgw vm create [options]');
    expect(viaHelp.stdout.toString()).toBe(viaFlag.stdout.toString());
  });

  test('help erst show and help records export name their subcommand', async () => {
    expect((await runCli(['help', 'erst', 'show'])).stdout.toString()).toMatch(/^Usage: rasgw erst show /);
    expect((await runCli(['help', 'records', 'export'])).stdout.toString()).toMatch(/^Usage: rasgw records export /);
  });

  test('help with one command is unchanged (commander\'s own)', async () => {
    const r = await runCli(['help', 'vm']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString().split('\n')[0]).toBe('Usage: rasgw vm [options] [command]');
  });
});
