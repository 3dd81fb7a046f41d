import { execFileSync, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { simulate } from '../../../src/cli/commands/simulate';

const ROOT = path.join(__dirname, '../../..');
const DIR = path.join(__dirname, '../../../../shared/fixtures/linux-guest');
const fx = (n: string) => path.join(DIR, n);
const base = { profile: 'qemu-7.2-virt' as const, personality: 'linux' as const, linuxVersion: '6.1' as const, busyPolicy: 'queue' as const, queueDepth: '64', advance: '0', format: 'text' as const };
const strip = (l: string) => l.replace(/^\[\s*\d+\.\d{6}\] /, '');

describe('rasgw simulate', () => {
  test('injections run in the order given, JSON and raw mixed; a panic halts the guest', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-sim-'));
    const json = path.join(dir, 'arm.json');
    fs.writeFileSync(json, JSON.stringify({ errorSeverity: 'corrected', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'tlb' }] } }] }));
    const { vm, results } = simulate(
      [
        { kind: 'raw', file: fx('memory-recoverable.gesb') },
        { kind: 'json', file: json },
        { kind: 'raw', file: fx('arm-cache-fatal.gesb') },
        { kind: 'raw', file: fx('memory-corrected.gesb') },
      ],
      base,
    );
    expect(results.map((r) => r.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged', 'rejected']);
    expect(results[3].refusal!.code).toBe('guest_halted');
    const lines = vm.log().map((l) => strip(l.line));
    expect(lines.filter((l) => l.endsWith('Hardware error from APEI Generic Hardware Error Source: 0'))).toEqual([
      '{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0',
      '{2}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0',
      '{3}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0',
    ]);
    expect(lines[lines.length - 1]).toBe('Kernel panic - not syncing: GHES: Fatal hardware error');
  });

  test('--at-boot places the block before the probe (the 6.1 capture scenario)', () => {
    const { vm } = simulate([], { ...base, atBoot: [fx('memory-recoverable.gesb')] });
    expect(vm.log().map((l) => strip(l.line)).filter((l) => l.startsWith('Memory failure'))).toEqual([
      'Memory failure: 0x40001: unhandlable page.',
      'Memory failure: 0x40001: recovery action for unknown page: Ignored',
    ]);
  });

  test('--at-boot with a block longer than the error block: the 6.12 guest\'s own length check speaks', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-sim-'));
    const big = Buffer.alloc(2000);
    big.writeUInt32LE(1, 0); // block_status
    big.writeUInt32LE(2000 - 20, 12); // data_length: the record claims 2000 bytes, the block holds 1024
    fs.writeFileSync(path.join(dir, 'big.gesb'), big);
    const { vm } = simulate([], { ...base, linuxVersion: '6.12', atBoot: [path.join(dir, 'big.gesb')] });
    expect(vm.log().map((l) => strip(l.line)).filter((l) => l.includes('GHES'))).toEqual([
      '[Firmware Warn]: GHES: Invalid error status block length!',
      'GHES: Failed to enable APEI firmware first mode.',
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  test('--linux-version lists 6.1, 6.12 and mainline, and says what mainline is', () => {
    for (const cmd of ['simulate', 'decode']) {
      const help = execFileSync(path.join(ROOT, 'bin/rasgw'), [cmd, '--help'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
      expect(help).toContain('mainline (the newest released kernel, 7.3.4)');
      expect(help).toContain('choices: "6.1", "6.12", "mainline"');
    }
  });

  test('extended sources with --notify and --advance for a polled source', () => {
    const { results } = simulate([{ kind: 'raw', file: fx('memory-corrected.gesb') }], { ...base, profile: 'extended', sources: 'sei,polled:poll=250', notify: 'polled', advance: '250' });
    expect(results[0]).toMatchObject({ sourceId: 1, state: 'acknowledged' });
  });

  test('the real binary prints the log and exits 1 with the reason when an injection is refused', () => {
    const r = spawnSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--personality', 'linux', '--busy-policy', 'reject', '--profile', 'extended', '--sources', 'sei', '--raw', fx('memory-corrected.gesb'), '--raw', fx('memory-corrected.gesb')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\[Firmware Warn\]: GHES: Unknown notification type: 9 for generic hardware error source: 0\n/);
    expect(r.stderr).toBe('injection 2 refused: source_busy: OSPM does not acknowledge previous error, so can not record CPER for current error anymore\n');
    const help = execFileSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/--personality <p>/);
    expect(help).toMatch(/sei,sea,gpio:ghes:4096/);
  });
});
