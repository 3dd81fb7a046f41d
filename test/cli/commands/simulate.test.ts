import { execFileSync, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { simulate, simulateBoth } from '../../../src/cli/commands/simulate';
import { SEI_RECOVERABLE_NOTIFICATION } from '../../support/notifications';
import { runCli } from './run-cli';

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

  test('--help explains the SError syndrome and names the default machine', () => {
    const help = execFileSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--help'], { encoding: 'utf8' });
    expect(help).toContain('The SError syndrome (SEI sources):');
    expect(help).toMatch(/recoverable +-> AET UEO \(2\), ISS 0x0811, ESR 0xbe000811/);
    expect(help).toMatch(/corrected, informational +-> AET CE +\(6\), ISS 0x1811, ESR 0xbe001811/);
    expect(help).toMatch(/fatal, unknown +-> AET UC +\(0\), ISS 0x0011, ESR 0xbe000011/);
    expect(help).toContain('Default machine (as rasgw serve and rasgw dump): extended with sources sei,sea,gpio (0 SEI, 1 SEA, 2 GPIO), guest apei-sei.');
    expect(help).toMatch(/choices: "apei-sei", "linux", "both"/);
  });

  test('without --profile: the default machine, first source SEI; --format json shows the notification', () => {
    const r = spawnSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--raw', fx('memory-recoverable.gesb'), '--format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.injections).toHaveLength(1);
    expect(out.injections[0]).toMatchObject({ sourceId: 0, state: 'acknowledged' });
    expect(out.injections[0].notification).toEqual(SEI_RECOVERABLE_NOTIFICATION);
    expect(out.log.map(strip)).toContain('SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources');
    // the same machine as simulate --profile extended --sources sei,sea,gpio
    const { vm } = simulate([], { ...base, profile: undefined, personality: 'apei-sei' });
    expect(vm.state().sources.map((x) => [x.sourceId, x.notification])).toEqual([
      [0, 'sei'],
      [1, 'sea'],
      [2, 'gpio'],
    ]);
  });

  test('--esr-iss for a source that is not SEI is refused, naming its notification', () => {
    const { results } = simulate([{ kind: 'raw', file: fx('memory-corrected.gesb') }], { ...base, profile: undefined, personality: 'apei-sei', source: '1', esrIss: '0x0c11' });
    expect(results[0]).toMatchObject({ state: 'rejected', refusal: { code: 'esr_iss_not_sei', notification: 'sea' } });
    expect(results[0].notification).toBeUndefined();
  });

  test('--queue-depth takes 1..65536, as POST /vms and rasgw vm create do (0 was accepted)', () => {
    for (const bad of ['0', '65537', '-1', 'x']) {
      expect(() => simulate([], { ...base, queueDepth: bad })).toThrow(`--queue-depth: expected an integer 1..65536, got ${JSON.stringify(bad)}`);
    }
    expect(simulate([], { ...base, queueDepth: '65536' }).vm.spec.queueDepth).toBe(65536);
  });
});

describe('rasgw simulate --personality both', () => {
  test('the same injections under our design and stock Linux, aligned line by line', () => {
    const out = simulateBoth([{ kind: 'raw', file: fx('memory-recoverable.gesb') }, { kind: 'raw', file: fx('memory-corrected.gesb') }], {
      ...base,
      profile: undefined,
      personality: 'both',
      linuxVersion: 'mainline',
      esrIss: '0x0c11',
    });
    expect(out.runs.map((r) => [r.personality, r.results.map((x) => x.state)])).toEqual([
      ['apei-sei', ['acknowledged', 'acknowledged']],
      ['linux', ['delivered', 'rejected']],
    ]);
    // the device model raised the same syndrome for both guests
    expect(out.runs[0].results[0].notification).toEqual(out.runs[1].results[0].notification);
    expect(out.steps.map((s) => s.step)).toEqual(['boot', 1, 2]);
    const rows = (k: number) => out.steps[k].rows.map((r) => [r['apei-sei'] !== undefined ? strip(r['apei-sei']) : null, r.linux !== undefined ? strip(r.linux) : null]);
    // boot: stock Linux refuses the SEI source, everything else is common
    expect(rows(0).filter(([a, b]) => a !== b)).toEqual([[null, '[Firmware Warn]: GHES: Unknown notification type: 9 for generic hardware error source: 0']]);
    // 6 ACPI/HEST/GHES lines + the ERST table line, ERST init and the two pstore lines (extended has ERST)
    expect(rows(0).filter(([a, b]) => a === b).length).toBe(10);
    // injection 1 (UER): our guest reads the record and survives, Linux panics on the syndrome
    expect(rows(1)[0]).toEqual(['SEI: SError Interrupt on CPU0, code 0x00000000be000c11 -- SError, RAS syndrome (AET UER), reading APEI SEI error sources', null]);
    expect(rows(1)).toContainEqual(['{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0', null]);
    expect(rows(1).slice(-2)).toEqual([
      [null, 'SError Interrupt on CPU0, code 0x00000000be000c11 -- SError'],
      [null, 'Kernel panic - not syncing: Asynchronous SError Interrupt'],
    ]);
    expect(rows(2).every(([, b]) => b === null)).toBe(true);
  });

  test('the binary prints both guests side by side, with which one printed each line', () => {
    const r = spawnSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--personality', 'both', '--raw', fx('memory-recoverable.gesb')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^# apei-sei = our design/);
    expect(lines).toContain(`== injection 1 (${fx('memory-recoverable.gesb')}) → source 0, sei: virtual-serror ESR 0xbe000811 (AET UEO, from block severity recoverable)`);
    expect(lines.filter((l) => l.startsWith('linux    | ')).map(strip2)).toEqual(['[Firmware Warn]: GHES: Unknown notification type: 9 for generic hardware error source: 0']);
    expect(lines.filter((l) => l.startsWith('apei-sei | ')).map(strip2)[0]).toBe(
      'SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources',
    );
    expect(lines.filter((l) => l.startsWith('both     | ')).length).toBe(10);
    const j = spawnSync(path.join(ROOT, 'bin/rasgw'), ['simulate', '--personality', 'both', '--raw', fx('memory-recoverable.gesb'), '--format', 'json'], { encoding: 'utf8' });
    const json = JSON.parse(j.stdout);
    expect(Object.keys(json.personalities)).toEqual(['apei-sei', 'linux']);
    expect(json.personalities.linux.injections[0]).toMatchObject({ state: 'delivered', notification: { esr: '0xbe000811' }, outcome: { actions: ['serror-silent'] } });
    expect(json.sideBySide[1].step).toBe(1);
  });
});

const strip2 = (l: string) => strip(l.slice(11));

describe('rasgw simulate: options with nothing to apply them to', () => {
  it.each([
    [['--notify', 'sea'], 'error: --notify aims the injections, and there are none: add --raw or --inject, or drop --notify'],
    [['--esr-iss', '0x11'], 'error: --esr-iss sets the syndrome of the injections, and there are none: add --raw or --inject, or drop --esr-iss'],
    [['--source', '1'], 'error: --source aims the injections and --at-boot blocks, and there are none: add --raw, --inject or --at-boot, or drop --source'],
    [['--hex'], 'error: --hex reads --raw and --at-boot files as hex text, and there are none: add one, or drop --hex'],
  ])('%j is refused (the run ignored it)', async (args, message) => {
    const r = await runCli(['simulate', ...args]);
    expect([r.code, r.stderr, r.stdout.length]).toEqual([1, message + '\n', 0]);
  });

  it('--source with --at-boot alone is used', async () => {
    const r = await runCli(['simulate', '--profile', 'qemu-10.2-virt', '--source', '1', '--at-boot', fx('memory-recoverable.gesb')]);
    expect(r.code).toBe(0);
  });
});
