import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from './run-cli';

/**
 * Every option given to rasgw inject is read by the record it sends: an option the chosen record
 * does not read is refused (before any request) instead of being dropped without a word.
 */
describe('rasgw inject: options the chosen record does not read', () => {
  let dir: string;
  let noGateway: string[];
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-unread-'));
    fs.writeFileSync(path.join(dir, 'token'), 'unread-test-token-0123456789\n');
    fs.writeFileSync(path.join(dir, 'block.gesb'), fs.readFileSync(path.join(__dirname, '../../../../shared/fixtures/linux-guest/memory-recoverable.gesb')));
    noGateway = ['--url', 'http://127.0.0.1:9', '--token-file', path.join(dir, 'token')];
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    // an ARM error was sent and the address dropped
    [['--address', '0x40001000'], 'error: --address is not read by the ARM processor error (the default record): add --memory'],
    [['--bdf', '0:1.0'], 'error: --bdf is not read by the ARM processor error (the default record): add --pcie'],
    [['--memory', '-t', 'cache'], 'error: --type is not read by --memory'],
    [['--memory', '--fru-text', 'DIMM0'], 'error: --fru-text is not read by --memory'],
    [['--pcie', '--address', '0x1000'], 'error: --address is not read by --pcie'],
    [['--raw', 'BLOCK', '--severity', 'fatal'], 'error: --severity is not read by --raw, which sends the file as it is'],
    [['--hex'], 'error: --hex reads the --raw or --cper-record file as hex text; give one of them'],
    [['--midr', '0x0', '--precise'], 'error: --precise marks the --timestamp as precise; give --timestamp'],
    [['--debug'], 'error: --debug hex-dumps the status block sent over QMP (--qmp, -H/-P)'],
  ])('%j is refused', async (args, message) => {
    const r = await runCli(['inject', ...noGateway, ...args.map((a) => (a === 'BLOCK' ? path.join(dir, 'block.gesb') : a))]);
    expect([r.code, r.stderr, r.stdout.length]).toEqual([1, message + '\n', 0]);
  });

  it('options the record reads are taken (refused only at the missing gateway), and two records are still "choose one"', async () => {
    for (const args of [['--memory', '--address', '0x1000', '--severity', 'fatal'], ['--pcie', '--bdf', '0:1.0'], ['--midr', '0x0', '--timestamp', 'now', '--precise', '-t', 'tlb']]) {
      expect((await runCli(['inject', ...noGateway, ...args])).stderr).toMatch(/^error: cannot reach the gateway/);
    }
    expect((await runCli(['inject', ...noGateway, '--memory', '--pcie', '--bdf', '0:1.0'])).stderr).toBe('error: choose one of --raw, --cper, --cper-record, --memory, --pcie (got --memory, --pcie)\n');
  });
});
