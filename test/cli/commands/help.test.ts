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
});
