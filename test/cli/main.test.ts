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

describe('a single-value option given twice', () => {
  const BLOCK = require('path').join(__dirname, '../../../shared/fixtures/linux-guest/memory-recoverable.gesb') as string;
  const tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-repeat-')), 'token');
  fs.writeFileSync(tokenFile, 'repeat-test-token-0123456789\n');
  afterAll(() => fs.rmSync(path.dirname(tokenFile), { recursive: true, force: true }));
  const noGateway = ['--url', 'http://127.0.0.1:9', '--token-file', tokenFile, '--midr', '0x0'];

  it.each([
    // each took the last value without a word
    [['decode', BLOCK, '--format', 'text', '--format', 'json'], 'error: --format is given twice ("text", then "json"): give it once'],
    [['dump', '--table', 'HEST', '--table', 'XSDT'], 'error: --table is given twice ("HEST", then "XSDT"): give it once'],
    [['inject', ...noGateway, '--source', '0', '--source', '1'], 'error: --source is given twice ("0", then "1"): give it once'],
    [['inject', ...noGateway, '--running', '--no-running'], 'error: --running and --no-running are both given: give one of them'],
    [['inject', ...noGateway, '--severity', 'fatal', '--error-severity', 'corrected'], 'error: --severity and --error-severity are the same option: give it once'],
    [['vm', 'create', '--url', 'http://127.0.0.1:9', '--profile', 'extended', '--profile', 'qemu-7.2-virt'], 'error: --profile is given twice ("extended", then "qemu-7.2-virt"): give it once'],
  ])('%j is refused', async (args, message) => {
    const r = await runCli(args);
    expect([r.code, r.stderr, r.stdout.length]).toEqual([1, message + '\n', 0]);
  });

  it('the same value twice, and options made to repeat (--vm, -t lists), are accepted', async () => {
    expect((await runCli(['decode', BLOCK, '--format', 'json', '--format', 'json'])).code).toBe(0);
    // refused only later, at the gateway that is not there: the options themselves were read
    for (const args of [
      ['inject', ...noGateway, '--vm', 'a', '--vm', 'b'],
      ['inject', ...noGateway, '-t', 'cache', '-t', 'tlb'],
      ['inject', ...noGateway, '--severity', 'fatal', '--error-severity', 'fatal'],
    ]) {
      const r = await runCli(args);
      expect(r.stderr).toMatch(/^(error: cannot reach the gateway|VM a: error: cannot reach the gateway)/);
    }
  });
});
