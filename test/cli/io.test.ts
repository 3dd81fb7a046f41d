import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { describeError, looksLikeHexText, looksLikeJsonText, parseHexText, parseSize, readBounded, writeOutput } from '../../src/cli/io';
import { runCli } from './commands/run-cli';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/linux-guest');

describe('CLI inputs: bounded, hex text detected, no V8 messages', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-io-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a 1 GB sparse file by its size, before reading it', async () => {
    const big = path.join(dir, 'sparse.gesb');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 1024 ** 3);
    const r = await runCli(['decode', big]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${big} is 1 GiB, over the input limit of 16 MiB; if that is really what you mean, raise it with --max-input (e.g. --max-input 1G)\n`);
  });

  it('refuses /dev/zero after reading just past the limit (whole process, and --max-input lowers it)', () => {
    const r = spawnSync(process.execPath, [path.join(__dirname, '../../bin/rasgw'), 'decode', '/dev/zero', '--max-input', '1M'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: /dev/zero is more than 1 MiB, over the input limit of 1 MiB; if that is really what you mean, raise it with --max-input (e.g. --max-input 4M)\n');
    expect(() => readBounded('/dev/zero', 4096)).toThrow('/dev/zero is more than 4 KiB');
  });

  it('dump --fwcfg with a 1 GB etc_table-loader is refused before the folder is read', async () => {
    const fw = path.join(dir, 'fwcfg');
    fs.mkdirSync(fw);
    fs.writeFileSync(path.join(fw, 'etc_table-loader'), '');
    fs.truncateSync(path.join(fw, 'etc_table-loader'), 1024 ** 3);
    const r = await runCli(['dump', '--fwcfg', fw]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*etc_table-loader is 1 GiB, over the input limit of 16 MiB; .*--max-input/);
  });

  it('--max-input raises the limit', async () => {
    const f = path.join(FIXTURES, 'memory-recoverable.gesb');
    expect((await runCli(['decode', f, '--max-input', '100'])).stderr).toMatch(/over the input limit of 100 bytes/);
    expect((await runCli(['decode', f, '--max-input', '1K'])).code).toBe(0);
    expect((await runCli(['decode', f, '--max-input', 'lots'])).stderr).toBe('error: --max-input: expected a size in bytes such as 16M, 512K, 2G or 100000, got "lots"\n');
    expect([parseSize('512K'), parseSize('2G'), parseSize('16MiB'), parseSize('100')]).toEqual([512 * 1024, 2 * 1024 ** 3, 16 * 1024 ** 2, 100]);
  });

  /** a gateway URL where nothing listens (port 9), with a token file: inputs are checked before any request */
  const noGateway = () => {
    const token = path.join(dir, 'token');
    fs.writeFileSync(token, 'io-test-token-0123456789\n');
    return ['--url', 'http://127.0.0.1:9', '--token-file', token];
  };

  it('the --max-input it suggests holds the file, and convert takes --max-input too', async () => {
    const f = path.join(FIXTURES, 'memory-recoverable.gesb');
    const size = fs.statSync(f).size;
    // a 1-byte limit suggested 4 (bytes): the suggestion now holds the file
    const r = await runCli(['decode', f, '--max-input', '1']);
    expect(r.stderr).toBe(`error: ${f} is ${size} bytes, over the input limit of 1 bytes; if that is really what you mean, raise it with --max-input (e.g. --max-input 1K)\n`);
    // the limit message names --max-input, which convert did not take
    const c = await runCli(['convert', f, '--to', 'cper', '--max-input', '100']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/over the input limit of 100 bytes; .*--max-input 1K/);
    expect((await runCli(['convert', f, '--to', 'cper', '--max-input', '1K'])).code).toBe(0);
  });

  it('an empty binary input is named as empty, not decoded as a truncated block or sent to a gateway', async () => {
    const empty = path.join(dir, 'empty.gesb');
    fs.writeFileSync(empty, '');
    const expected: Array<[string[], string]> = [
      [['decode', empty], `error: ${empty} is empty: expected a status block or CPER record\n`],
      [['convert', empty, '--to', 'gesb'], `error: ${empty} is empty: expected a status block or CPER record\n`],
      [['decode', empty, '--hex'], `error: ${empty} is empty: expected a status block or CPER record as hex text\n`],
      [['simulate', '--raw', empty], `error: ${empty} is empty: expected a status block\n`],
      // refused before any request (nothing listens on port 9)
      [['inject', ...noGateway(), '--raw', empty], `error: ${empty} is empty: expected a status block\n`],
      [['inject', ...noGateway(), '--cper-record', empty], `error: ${empty} is empty: expected a CPER record\n`],
    ];
    for (const [args, message] of expected) {
      const r = await runCli(args);
      expect([r.code, r.stderr, r.stdout.length]).toEqual([1, message, 0]);
    }
  });

  it('a JSON file with a key given twice is refused with its place, not read as the last value', async () => {
    const file = path.join(dir, 'dup.json');
    fs.writeFileSync(file, '{"errorSeverity":"fatal",\n "entries":[{"section":{"type":"memory","physicalAddress":"0x1000"}}],\n "errorSeverity":"corrected"}\n');
    const message = `error: invalid_input: ${file}, line 3, column 2 (/errorSeverity): the key "errorSeverity" is given twice in one object (JSON keeps only the last value, silently): give it once\n`;
    for (const args of [['encode', file], ['inject', ...noGateway(), '--cper', file], ['simulate', '--inject', file]]) {
      const r = await runCli(args);
      expect([args[0], r.code, r.stderr, r.stdout.length]).toEqual([args[0], 1, message, 0]);
    }
    // libcper's JSON form too
    const libcper = path.join(dir, 'dup-libcper.json');
    const fixture = fs.readFileSync(path.join(FIXTURES, '../libcper/01-arm.libcper.json'), 'utf8').trim();
    const text = '{"sections":[],' + fixture.slice(1);
    fs.writeFileSync(libcper, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('  "sections":')) + 1;
    expect(line).toBeGreaterThan(1);
    expect((await runCli(['encode', libcper, '--from', 'libcper', '-o', path.join(dir, 'x.cper')])).stderr).toBe(`error: invalid_input: ${libcper}, line ${line}, column 3 (/sections): the key "sections" is given twice in one object (JSON keeps only the last value, silently): give it once\n`);
    expect((await runCli(['encode', path.join(FIXTURES, '../libcper/01-arm.libcper.json'), '--from', 'libcper', '-o', path.join(dir, 'x.cper')])).code).toBe(0);
  });

  it('binary input from a terminal (-) is refused at once instead of waiting for bytes no one can type', async () => {
    const tty = require('tty') as typeof import('tty');
    const isatty = jest.spyOn(tty, 'isatty').mockImplementation((fd: number) => fd === 0);
    try {
      const r = await runCli(['decode', '-']);
      expect([r.code, r.stderr]).toEqual([1, 'error: standard input is a terminal, and a status block or CPER record cannot be typed: name the file, pipe it in (- < FILE), or paste hex text with --hex\n']);
      expect((await runCli(['inject', ...noGateway(), '--raw', '-'])).stderr).toBe('error: standard input is a terminal, and a status block cannot be typed: name the file, pipe it in (- < FILE), or paste hex text with --hex\n');
      // pasted hex text is read (runCli's stdin stands in for the terminal)
      const hex = await runCli(['decode', '-', '--hex'], Buffer.from(fs.readFileSync(path.join(FIXTURES, 'memory-recoverable.gesb')).toString('hex')));
      expect(hex.code).toBe(0);
    } finally {
      isatty.mockRestore();
    }
  });

  it('inject --cper-record FILE --hex reads hex text, as the hint for it says', async () => {
    const record = path.join(FIXTURES, 'memory-recoverable.gesb');
    const cper = await runCli(['convert', record, '--to', 'cper']);
    const hexFile = path.join(dir, 'record.hex');
    fs.writeFileSync(hexFile, cper.stdout.toString('hex'));
    const refused = await runCli(['inject', ...noGateway(), '--cper-record', hexFile]);
    expect(refused.stderr).toMatch(/is hex text, not a CPER record .*; add --hex to read it as hex/);
    // with --hex the file is read (and the request is then tried: nothing listens on port 9)
    const r = await runCli(['inject', ...noGateway(), '--cper-record', hexFile, '--hex']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
  });

  it('hex text in a binary input: said so, or read with --hex', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'memory-recoverable.gesb'));
    const hexFile = path.join(dir, 'block.hex');
    fs.writeFileSync(hexFile, bytes.toString('hex').replace(/(.{32})/g, '$1\n'));
    const r = await runCli(['decode', hexFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${hexFile} is hex text, not a status block or CPER record (it starts "${bytes.toString('hex').slice(0, 16)}"); add --hex to read it as hex, or convert it with xxd -r -p\n`);
    const ok = await runCli(['decode', hexFile, '--hex']);
    const direct = await runCli(['decode', path.join(FIXTURES, 'memory-recoverable.gesb')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.equals(direct.stdout)).toBe(true);
    expect(Buffer.from(parseHexText('0x03 0x00:ab,CD', 'x')).toString('hex')).toBe('0300abcd');
    expect(() => parseHexText('03 0g', 'f.hex')).toThrow('f.hex is not hex text ("g" at character 4)');
    expect(looksLikeHexText(bytes)).toBe(false);
    expect(looksLikeHexText(Buffer.from('0300000000000000'))).toBe(true);
  });

  it('hex text given to simulate --raw / --at-boot and convert is refused, or read with --hex (it used to be injected as its ASCII)', async () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, 'memory-recoverable.gesb'));
    const hexFile = path.join(dir, 'sim.hex');
    fs.writeFileSync(hexFile, bytes.toString('hex'));
    const message = `error: ${hexFile} is hex text, not a status block (it starts "${bytes.toString('hex').slice(0, 16)}"); add --hex to read it as hex, or convert it with xxd -r -p\n`;
    for (const args of [['simulate', '--raw', hexFile], ['simulate', '--at-boot', hexFile]]) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toBe(message);
    }
    const ok = await runCli(['simulate', '--hex', '--raw', hexFile, '--json']);
    expect(ok.code).toBe(0);
    const injections = JSON.parse(ok.stdout.toString()).injections;
    expect(injections).toHaveLength(1);
    // the fixture's bytes, not their ASCII: a recoverable memory error, so AET UEO
    expect(injections[0]).toMatchObject({ state: 'acknowledged', notification: { kind: 'sei', esr: '0xbe000811' } });
    const conv = await runCli(['convert', hexFile, '--to', 'cper']);
    expect(conv.code).toBe(1);
    expect(conv.stderr).toMatch(/is hex text, not a status block or CPER record/);
    const convHex = await runCli(['convert', '--hex', hexFile, '--to', 'cper']);
    const convBin = await runCli(['convert', path.join(FIXTURES, 'memory-recoverable.gesb'), '--to', 'cper']);
    expect(convHex.code).toBe(0);
    expect(convHex.stdout.equals(convBin.stdout)).toBe(true);
  });

  it('bytes to a terminal are refused naming the option that takes a file', () => {
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      expect(() => writeOutput(new Uint8Array(3))).toThrow('refusing to write 3 bytes of binary data to the terminal; name a file with -o FILE, or pipe the output (| xxd)');
      // rasgw erst show writes its bytes with --cper FILE
      expect(() => writeOutput(new Uint8Array(3), '-', '--cper FILE')).toThrow('refusing to write 3 bytes of binary data to the terminal; name a file with --cper FILE, or pipe the output (| xxd)');
    } finally {
      process.stdout.isTTY = tty;
    }
  });

  it('JSON text in a binary input is named, with the command that makes the bytes', async () => {
    const jsonFile = path.join(dir, 'block.json');
    fs.writeFileSync(jsonFile, '{\n "errorSeverity": "corrected", "entries": []\n}\n');
    const r = await runCli(['decode', jsonFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${jsonFile} is JSON text, not a status block or CPER record (it starts "{\\n \\"errorSeverit"); make the bytes with rasgw encode FILE.json -o FILE, or give the JSON where JSON is taken (rasgw inject --cper, rasgw simulate --inject)\n`,
    );
    expect(looksLikeJsonText(Buffer.from(' [1]'))).toBe(true);
    expect(looksLikeJsonText(fs.readFileSync(path.join(FIXTURES, 'memory-recoverable.gesb')))).toBe(false);
    expect(looksLikeJsonText(Buffer.from([0x7b, 0x00, 0x00, 0x00]))).toBe(false);
  });

  it('missing files and folders are one line; V8 limits never reach the user as they are', async () => {
    expect((await runCli(['decode', path.join(dir, 'nope')])).stderr).toBe(`error: cannot read ${path.join(dir, 'nope')}: no such file\n`);
    expect((await runCli(['decode', dir])).stderr).toBe(`error: ${dir} is a folder, not a file\n`);
    expect(describeError(new RangeError('Cannot create a string longer than 0x1fffffe8 characters'))).toBe(
      'error: the input or output is too large to handle in memory; use a smaller input (see --max-input)',
    );
    expect(describeError(new RangeError('Array buffer allocation failed'))).toMatch(/too large to handle in memory/);
  });
});
