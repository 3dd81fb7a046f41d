import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from './commands/run-cli';

/** The program's own options (-V/--version) count only before the command name. */
describe('rasgw: program options and command options', () => {
  let token: string;
  beforeAll(() => {
    token = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-main-')), 'token');
    fs.writeFileSync(token, 'main-test-token-0123456789\n');
  });
  afterAll(() => fs.rmSync(path.dirname(token), { recursive: true, force: true }));

  it('-V after the command is the command\'s option (inject --pei-valid, as ghes_inject.py spells it), not --version', async () => {
    // it printed "0.1.0" and exited 0 without injecting; now inject reads -V (refused before any
    // request: nothing listens on port 9)
    const r = await runCli(['inject', '--url', 'http://127.0.0.1:9', '--token-file', token, 'arm', '--midr', '0x0', '-V', 'bogus']);
    expect(r.stdout.toString()).toBe('');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("error: --pei-valid: choice 'bogus' is invalid (one of multiple-error, flags, error-info, virt-addr, phy-addr)\n");
  });

  it('-V / --version before a command still print the version', async () => {
    const version = require('../../package.json').version as string;
    for (const flag of ['-V', '--version']) {
      const r = await runCli([flag]);
      expect([r.code, r.stdout.toString()]).toEqual([0, version + '\n']);
    }
  });
});

describe('--json next to another --format', () => {
  const BLOCK = require('path').join(__dirname, '../../../shared/fixtures/linux-guest/memory-recoverable.gesb') as string;

  it.each([
    [['decode', BLOCK, '--format', 'text', '--json'], 'text'],
    [['dump', '--format', 'acpidump', '--json'], 'acpidump'],
    [['simulate', '--format', 'text', '--json'], 'text'],
  ])('%j is refused (the JSON won silently)', async (args, format) => {
    const r = await runCli(args);
    expect([r.code, r.stderr, r.stdout.length]).toEqual([1, `error: --json and --format ${format} ask for different outputs: give one of them\n`, 0]);
  });

  it('--json alone, or with --format json, is the JSON form', async () => {
    const a = await runCli(['decode', BLOCK, '--json']);
    const b = await runCli(['decode', BLOCK, '--format', 'json', '--json']);
    expect(a.code).toBe(0);
    expect(b.stdout.equals(a.stdout)).toBe(true);
    expect(JSON.parse(a.stdout.toString()).entries).toHaveLength(1);
  });
});
