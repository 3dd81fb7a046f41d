import path from 'path';
import { runCli } from './run-cli';

const FIXTURES = path.join(__dirname, '../../../../shared/fixtures/linux-guest');
const f = (name: string) => path.join(FIXTURES, name);

describe('rasgw decode', () => {
  it('prints the JSON form of a status block (container detected)', async () => {
    const r = await runCli(['decode', f('memory-recoverable.gesb')]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout.toString());
    expect(json.dataLength).toBe(152);
    expect(json.entries[0].section.type).toBe('memory');
    expect(json.entries[0].section.physicalAddress).toBe('0x40001000');
    expect(json.entries[0].section.validationBits.raw).toBe('0x4002');
  });

  it('reads stdin for "-" and applies --arm-type-encoding', async () => {
    const fs = require('fs') as typeof import('fs');
    const bytes = fs.readFileSync(f('arm-cache-recoverable.gesb'));
    const r = await runCli(['decode', '-', '--arm-type-encoding', 'uefi-2.11'], bytes);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout.toString()).entries[0].section;
    expect(s.typeEncoding).toBe('uefi-2.11');
    expect(s.errorInfo[0].type).toEqual({ raw: 2, cache: false, tlb: true, bus: false, microArchitecture: false });
  });

  it('prints the Linux text with --format text for the chosen kernel', async () => {
    const r = await runCli(['decode', f('memory-recoverable.gesb'), '--format', 'text', '--linux-version', '6.1']);
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).toBe('{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0');
    expect(lines).toContain('{1}[Hardware Error]:   physical_address: 0x0000000040001000');
  });

  it('--linux-version 6.12 prints what the 6.12 capture shows (PCIe AER registers, the 6.1 ARM context step)', async () => {
    const fs = require('fs') as typeof import('fs');
    const expected = (name: string) =>
      fs
        .readFileSync(path.join(FIXTURES, `../linux-guest-6.12/${name}.linux-6.12.lines`), 'latin1')
        .split('\n')
        .map((l) => l.replace(/^\[\s*\d+\.\d+\] /, ''))
        .filter((l, i, all) => /^\{\d+\}\[Hardware Error\]: /.test(l) && i < all.findIndex((x) => x.startsWith('# dmesg')));
    for (const name of ['pcie-root-port', 'arm-two-contexts']) {
      const r = await runCli(['decode', f(`${name}.gesb`), '--format', 'text', '--linux-version', '6.12']);
      expect(r.code).toBe(0);
      expect(r.stdout.toString().trimEnd().split('\n')).toEqual(expected(name));
    }
  });

  it('exits 1 with one line naming code, offset and path for bad bytes', async () => {
    const fs = require('fs') as typeof import('fs');
    const bytes = Buffer.from(fs.readFileSync(f('memory-recoverable.gesb')));
    bytes.writeUInt32LE(0xffffffc0, 12);
    const r = await runCli(['decode', '-'], bytes);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: bad_length at byte 12 \(0xc\) \[dataLength\]: /);
  });

  it('--as cper on a status block fails on the signature', async () => {
    const r = await runCli(['decode', f('memory-recoverable.gesb'), '--as', 'cper']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: bad_signature at byte 0 \(0x0\) \[signatureStart\]/);
  });

  it('refuses options the chosen format would ignore, naming the option and the fix', async () => {
    const json = await runCli(['decode', f('memory-corrected.gesb'), '--linux-version', '6.1']);
    expect(json.code).toBe(1);
    expect(json.stdout.toString()).toBe('');
    expect(json.stderr.toString()).toBe('error: --linux-version is read by --format text only (the json form does not depend on a kernel); add --format text or drop --linux-version\n');
    const block = await runCli(['decode', f('memory-corrected.gesb'), '--format', 'libcper', '--error-block-length', '4096']);
    expect(block.code).toBe(1);
    expect(block.stderr.toString()).toMatch(/^error: --error-block-length is read by --format text only/);
    const text = await runCli(['decode', f('memory-corrected.gesb'), '--format', 'text', '--arm-type-encoding', 'enum']);
    expect(text.code).toBe(1);
    expect(text.stderr.toString()).toMatch(/^error: --arm-type-encoding is read by --format json only \(each Linux version decodes the type byte its own way/);
  });

  it('says a file is a CPER record when it is decoded as a status block and fails', async () => {
    const record = path.join(FIXTURES, '../libcper/03-memory.cper');
    const r = await runCli(['decode', record, '--as', 'gesb']);
    expect(r.code).toBe(1);
    const lines = r.stderr.toString().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: bad_length at byte 12 \(0xc\) \[dataLength\]/);
    expect(lines[1]).toBe(`  ${record} starts with the "CPER" signature: it is a CPER record, not a status block; drop --as gesb (or use --as cper)`);
  });
});
