import fs from 'fs';
import os from 'os';
import path from 'path';
import { decodeStatusBlock } from '../../../src/cper';
import { recordToStatusBlock } from '../../../src/cper/convert';
import { cperRecordToLibcper, libcperJsonText, parseLibcperJson } from '../../../src/cper/libcper';
import { runCli } from './run-cli';

const DIR = path.join(__dirname, '../../../../shared/fixtures/libcper');
const f = (name: string) => path.join(DIR, name);

describe('rasgw decode --format libcper / encode --from libcper', () => {
  it('decode prints what cper-convert to-json prints (parsed JSON deep-equal, exact u64s)', async () => {
    const r = await runCli(['decode', f('03-memory.cper'), '--format', 'libcper']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const text = fs.readFileSync(f('03-memory.libcper.json'), 'utf8');
    expect(JSON.parse(r.stdout.toString())).toEqual(JSON.parse(text));
    expect(parseLibcperJson(r.stdout.toString())).toEqual(parseLibcperJson(text));
    expect(r.stdout.toString()).toContain('"physicalAddress":3361829743755988285');
  });

  it('decode of a status block unwraps it into a record first, with a note', async () => {
    const block = path.join(DIR, '../linux-guest/memory-recoverable.gesb');
    const r = await runCli(['decode', block, '--format', 'libcper']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^note: status block unwrapped into a \d+-byte CPER record/);
    const json = JSON.parse(r.stdout.toString());
    expect(json.sections[0].Memory.physicalAddressHex).toBe('0x0000000040001000');
  });

  it('encode --from libcper writes a record libcper decodes to the same JSON; --as gesb wraps it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-libcper-'));
    try {
      const out = path.join(dir, 'r.cper');
      const r = await runCli(['encode', f('18-arm-memory-pcie.libcper.json'), '--from', 'libcper', '-o', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const bytes = new Uint8Array(fs.readFileSync(out));
      expect(parseLibcperJson(libcperJsonText(cperRecordToLibcper(bytes)))).toEqual(parseLibcperJson(fs.readFileSync(f('18-arm-memory-pcie.libcper.json'), 'utf8')));
      const g = await runCli(['encode', f('03-memory.libcper.json'), '--from', 'libcper', '--as', 'gesb']);
      expect(g.code).toBe(0);
      const block = decodeStatusBlock(new Uint8Array(g.stdout));
      expect(block.entries[0].section.type).toBe('memory');
      expect(Buffer.from(g.stdout)).toEqual(Buffer.from(recordToStatusBlock(new Uint8Array((await runCli(['encode', f('03-memory.libcper.json'), '--from', 'libcper'])).stdout))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('encode --from libcper names the JSON pointer of a bad field', async () => {
    const doc = parseLibcperJson(fs.readFileSync(f('03-memory.libcper.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    (doc.header as Record<string, unknown>).timestamp = 'yesterday';
    const r = await runCli(['encode', '-', '--from', 'libcper'], Buffer.from(libcperJsonText(doc as never)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/libcper JSON \/header\/timestamp: expected "CCYY-MM-DDTHH:MM:SS\+00:00", got "yesterday"/);
    const notJson = await runCli(['encode', '-', '--from', 'libcper'], Buffer.from('{"header":'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/libcper JSON: unexpected end of text/);
  });
});
