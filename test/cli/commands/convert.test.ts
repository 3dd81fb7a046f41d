import fs from 'fs';
import os from 'os';
import path from 'path';
import { recordToStatusBlock, statusBlockToRecord } from '../../../src/cper/convert';
import { runCli } from './run-cli';

const SHARED = path.join(__dirname, '../../../../shared/fixtures');
const RECORD = path.join(SHARED, 'libcper/18-arm-memory-pcie.cper');
const BLOCK = path.join(SHARED, 'linux-guest/memory-recoverable.gesb');

describe('rasgw convert', () => {
  it('--to gesb writes the wrapped status block to stdout', async () => {
    const r = await runCli(['convert', RECORD, '--to', 'gesb']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(Buffer.from(r.stdout)).toEqual(Buffer.from(recordToStatusBlock(new Uint8Array(fs.readFileSync(RECORD)))));
  });

  it('--to cper -o writes the record to a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-convert-'));
    try {
      const out = path.join(dir, 'r.cper');
      const r = await runCli(['convert', BLOCK, '--to', 'cper', '-o', out]);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBe(0);
      expect(fs.readFileSync(out)).toEqual(Buffer.from(statusBlockToRecord(new Uint8Array(fs.readFileSync(BLOCK)))));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a block larger than the source error block with both sizes', async () => {
    const r = await runCli(['convert', RECORD, '--to', 'gesb', '--sources', 'sei:256']);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/make a 801-byte status block, larger than the 256-byte error block of source 0 of profile extended/);
    const fits = await runCli(['convert', RECORD, '--to', 'gesb', '--profile', 'qemu-10.2-virt', '--source', '1']);
    expect(fits.code).toBe(0);
    // --source alone names a source of the default machine (extended: 0 SEI, 1 SEA, 2 GPIO), as serve, simulate and dump
    const three = await runCli(['convert', RECORD, '--to', 'gesb', '--source', '3']);
    expect(three.code).toBe(1);
    expect(three.stderr).toBe('error: profile extended has no source 3 (sources: 0, 1, 2)\n');
    expect((await runCli(['convert', RECORD, '--to', 'gesb', '--source', '2'])).code).toBe(0);
    // --to cper makes a record: a source option there would be silently ignored, so it is refused
    const ignored = await runCli(['convert', BLOCK, '--to', 'cper', '--source', '1']);
    expect(ignored.code).toBe(1);
    expect(ignored.stdout.length).toBe(0);
    expect(ignored.stderr).toBe('error: --profile, --sources and --source check the size of the block --to gesb makes; --to cper has no error block to check\n');
  });

  it('says what is wrong when the input is already the target container', async () => {
    const r = await runCli(['convert', BLOCK, '--to', 'gesb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a CPER record/);
    const r2 = await runCli(['convert', RECORD, '--to', 'cper']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/already a CPER record/);
  });

  it('--to gesb of bytes that are no record does not claim they are a status block', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-convert-'));
    const png = path.join(dir, 'picture.png');
    fs.writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const r = await runCli(['convert', png, '--to', 'gesb']);
    // it said "it is already a status block"
    expect([r.code, r.stderr]).toEqual([1, `error: ${png} is not a CPER record (it does not start with the "CPER" signature): --to gesb converts a record; a status block is converted with --to cper\n`]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
