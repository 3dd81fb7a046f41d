import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { sum8, toHex } from '../../../src/binary';
import { parseAcpidump } from '../../../src/acpi/acpidump';
import { runCli } from './run-cli';

const ROOT = path.join(__dirname, '../../..');
const FIXTURE_DIR = path.join(__dirname, '../../../../shared/fixtures/qemu-7.2-virt-ras');

describe('rasgw dump', () => {
  it('prints HEST of the default machine (extended, sei,sea,gpio, as serve and simulate) as iasl-style text with the booted addresses', async () => {
    const r = await runCli(['dump', '--table', 'HEST']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain('Signature : "HEST"    [Hardware Error Source Table]');
    expect(text).toContain('Error Source Count : 00000003');
    expect([...text.matchAll(/Notify Type : (.*)$/gm)].map((m) => m[1])).toEqual(['09 [SEI]', '08 [SEA]', '07 [GPIO]']);
    expect(text).toMatch(/Address : 000000007FFFE000/);
    expect(text).toMatch(/Address : 000000007FFFE018/);
    // --profile extended alone is the same machine
    const same = await runCli(['dump', '--profile', 'extended', '--table', 'HEST']);
    expect(same.stdout.toString()).toBe(text);
  });

  it('prints HEST of qemu-7.2-virt as QEMU builds it', async () => {
    const r = await runCli(['dump', '--profile', 'qemu-7.2-virt', '--table', 'HEST']);
    expect(r.code).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain('Error Source Count : 00000001');
    expect(text).toContain('Notify Type : 08 [SEA]');
    expect(text).toMatch(/Address : 000000007C410000/);
    expect(text).toMatch(/Address : 000000007C410008/);
  });

  it('writes raw bytes of one table with --format bin (checksum valid, patched)', async () => {
    const r = await runCli(['dump', '--profile', 'qemu-10.2-virt', '--table', 'hest', '--format', 'bin']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(224);
    expect(sum8(new Uint8Array(r.stdout))).toBe(0);
    expect(r.stdout.subarray(0, 4).toString('latin1')).toBe('HEST');
  });

  it('-o FILE writes the output to a file (the terminal refusal tells users to use it)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-dump-o-'));
    try {
      const out = path.join(dir, 'erst.bin');
      const r = await runCli(['dump', '--table', 'ERST', '--format', 'bin', '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(0);
      const bytes = fs.readFileSync(out);
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('ERST');
      expect(bytes.length).toBe(bytes.readUInt32LE(4));
      expect(sum8(new Uint8Array(bytes))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('acpidump output parses back, and --acpidump reads it', async () => {
    const r = await runCli(['dump', '--profile', 'qemu-7.2-virt', '--format', 'acpidump']);
    const text = r.stdout.toString();
    expect(parseAcpidump(text).map((t) => [t.signature, t.address])).toEqual([
      ['RSDP', 0x7c41_1000n],
      ['XSDT', 0x7c3f_0084n],
      ['HEST', 0x7c3f_0000n],
    ]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-dump-')), 'tables.txt');
    fs.writeFileSync(file, text);
    const j = await runCli(['dump', '--acpidump', file, '--table', 'XSDT', '--format', 'json']);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout.toString());
    expect(parsed[0].address).toBe('0x7c3f0084');
    expect(parsed[0].table.entries).toEqual(['0x7c3f0000']);
  });

  it('--loader prints QEMU 7.2 real script from a fw_cfg folder', async () => {
    const r = await runCli(['dump', '--fwcfg', FIXTURE_DIR, '--loader']);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().split('\n');
    expect(lines).toHaveLength(32);
    expect(lines[13]).toBe('#13 WRITE_POINTER etc/hardware_errors_addr[0x0] = &etc/hardware_errors + 0x0 (size 8)');
    expect(lines[16]).toBe('#16 ADD_CHECKSUM etc/acpi/tables[0x17b8] = checksum of [0x17af, 0x1833) (132 bytes) [HEST]');
    const bin = await runCli(['dump', '--fwcfg', FIXTURE_DIR, '--loader', '--format', 'bin']);
    expect(toHex(new Uint8Array(bin.stdout))).toBe(toHex(new Uint8Array(fs.readFileSync(path.join(FIXTURE_DIR, 'etc_table-loader')))));
  });

  it('--hardware-errors shows registers, read-ack and block status per source', async () => {
    const r = await runCli(['dump', '--sources', 'sei,gpio:ghes:4096', '--hardware-errors']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString().split('\n')).toEqual([
      'etc/hardware_errors @ 0x7fffd000 (5152 bytes), HEST @ 0x7ffdd000',
      'source 0 (HEST entry 0, GHESv2, notify sei 9, block 1024 bytes)',
      '  error status address register 0x000000007fffd000 = 0x000000007fffd020',
      '  read ack register             0x000000007fffd010 = 0x0000000000000001 (preserve 0xfffffffffffffffe, write 0x1)',
      '  block status 0x00000000 empty, entries 0; data length 0, raw data 0 at 0, severity 0 (recoverable)',
      'source 1 (HEST entry 1, GHES, notify gpio 7, block 4096 bytes)',
      '  error status address register 0x000000007fffd008 = 0x000000007fffd420',
      '  block status 0x00000000 empty, entries 0; data length 0, raw data 0 at 0, severity 0 (recoverable)',
      '',
    ]);
    const j = await runCli(['dump', '--fwcfg', FIXTURE_DIR, '--hardware-errors', '--format', 'json']);
    const json = JSON.parse(j.stdout.toString());
    expect(json.hardwareErrors).toEqual({ address: '0x7c410000', size: 1040 });
    expect(json.sources[0]).toMatchObject({ sourceId: 0, type: 10, notificationType: 8, blockAddress: '0x7c410010', readAck: '0x1', readAckRegister: '0x7c410008' });
  });

  it.each([
    [['dump', '--format', 'bin'], '--format bin writes the raw bytes of one table'],
    [['dump', '--table', 'FACP'], 'no FACP table in the profile extended (have RSDP, XSDT, HEST, ERST)'],
    [['dump', '--sources', 'sei,foo'], 'invalid_input [sources[1].notification]: unknown notification "foo"'],
    [['dump', '--profile', 'qemu-7.2-virt', '--fwcfg', FIXTURE_DIR], 'use only one of --profile/--sources, --fwcfg and --acpidump'],
    [['dump', '--fwcfg', '/nonexistent-rasgw'], '--fwcfg /nonexistent-rasgw is not a folder'],
    [['dump', '--loader', '--hardware-errors'], 'pick one'],
  ])('%j fails with one clear line', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is registered in the real launcher and documents --sources in --help', () => {
    const help = execFileSync(path.join(ROOT, 'bin/rasgw'), ['dump', '--help'], { cwd: ROOT, env: { ...process.env, RASGW_FROM_SOURCE: '1' } }).toString();
    expect(help).toContain('--sources <spec>');
    expect(help).toContain('sei,sea,gpio:ghes:4096');
    expect(help).toContain('--hardware-errors');
  });

  it('--table with --loader or --hardware-errors is refused (the table was dropped without a word)', async () => {
    for (const view of ['--loader', '--hardware-errors']) {
      const r = await runCli(['dump', view, '--table', 'HEST']);
      expect([r.code, r.stderr, r.stdout.length]).toEqual([1, `error: --table picks an ACPI table; ${view} is not a table view: drop one of them\n`, 0]);
    }
  });
});
