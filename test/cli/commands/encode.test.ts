import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from './run-cli';

const FIXTURES = path.join(__dirname, '../../../../shared/fixtures/linux-guest');

describe('rasgw encode', () => {
  const minimal = '{"errorSeverity":"recoverable","entries":[{"section":{"type":"arm","errorInfo":[{"type":"cache"}]}}]}';

  it('writes the status block bytes to stdout', async () => {
    const r = await runCli(['encode', '-'], Buffer.from(minimal));
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(164);
    expect(r.stdout.readUInt32LE(0)).toBe(0x11);
    expect(r.stdout.readUInt32LE(12)).toBe(144);
    expect(r.stdout[136]).toBe(0x02);
  });

  it('decode → encode of a fixture gives the fixture bytes, written with -o', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'arm-two-contexts.gesb'));
    const json = await runCli(['decode', '-'], bytes);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-encode-')), 'block.bin');
    const r = await runCli(['encode', '-', '-o', out], json.stdout);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(out).equals(bytes)).toBe(true);
  });

  it('encodes a CPER record when the JSON has sections (or with --as cper)', async () => {
    const record = '{"errorSeverity":"fatal","sections":[{"section":{"type":"memory","physicalAddress":"0x1000"}}]}';
    const r = await runCli(['encode', '-'], Buffer.from(record));
    expect(r.code).toBe(0);
    expect(r.stdout.subarray(0, 4).toString('latin1')).toBe('CPER');
    expect(r.stdout.readUInt32LE(20)).toBe(128 + 72 + 80);
    const forced = await runCli(['encode', '-', '--as', 'cper'], Buffer.from('{"errorSeverity":"fatal"}'));
    expect(forced.stdout.length).toBe(128);
  });

  it('says a required field is missing, at its path', async () => {
    const r = await runCli(['encode', '-'], Buffer.from('{"entries":[{"section":{"type":"arm"}}]}'));
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe('error: invalid_input [entries[0].section.errorInfo]: invalid status block JSON: missing: this field is required (array)');
  });

  it('exits 1 with the JSON path of the bad field', async () => {
    const bad = '{"errorSeverity":"recoverable","entries":[{"section":{"type":"arm","errorInfo":[{"type":"cache","bogus":1}]}}]}';
    const r = await runCli(['encode', '-'], Buffer.from(bad));
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe('error: invalid_input [entries[0].section.errorInfo[0].bogus]: invalid status block JSON: unknown field "bogus"');
    const notJson = await runCli(['encode', '-'], Buffer.from('{'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toBe('error: invalid_input: standard input is not JSON: line 1, column 2 (byte 1): expected a property name in double quotes, found the end of the input\n');
    // a byte order mark (editors on Windows write one) is skipped, as the REST body reader does
    const bom = await runCli(['encode', '-', '--as', 'gesb'], Buffer.from('\ufeff{"errorSeverity":"corrected","entries":[]}'));
    expect(bom.stderr.toString()).toBe('');
    expect(bom.code).toBe(0);
  });
});
