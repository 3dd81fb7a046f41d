import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

/**
 * bin/compile-cache.js: the V8 code cache of the CLI's modules, one file per command. Checked in
 * child processes that load a module of a scratch folder through it.
 */
const installer = path.join(__dirname, '../../bin/compile-cache.js');

describe('bin/compile-cache.js', () => {
  let dir: string;
  let cacheFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-compile-cache-'));
    cacheFile = path.join(dir, 'cache', 'cmd.bin');
    fs.writeFileSync(path.join(dir, 'mod.js'), "module.exports = (x) => 'one ' + x;\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = () => {
    const script = `require(${JSON.stringify(installer)}).install(${JSON.stringify(cacheFile)}, [${JSON.stringify(dir + path.sep)}]);
      process.stdout.write(require(${JSON.stringify(path.join(dir, 'mod.js'))})(2));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout;
  };
  /** The cache file's index: [file, check, length] per module. */
  const index = (): Array<[string, string, number]> => {
    const buf = fs.readFileSync(cacheFile);
    return JSON.parse(buf.toString('utf8', 4, 4 + buf.readUInt32LE(0)));
  };

  it('stores the code of each module loaded from its roots, and does not rewrite a cache that was used', () => {
    expect(run()).toBe('one 2');
    const [[file, check, length]] = index();
    expect(file).toBe(path.join(dir, 'mod.js'));
    expect(check).toMatch(/^\d+:\d+$/);
    expect(length).toBeGreaterThan(0);
    expect(fs.statSync(cacheFile).size).toBe(4 + fs.readFileSync(cacheFile).readUInt32LE(0) + length);
    const before = fs.statSync(cacheFile).mtimeMs;
    expect(run()).toBe('one 2');
    expect(fs.statSync(cacheFile).mtimeMs).toBe(before);
  });

  it('runs the new code of a changed module and replaces its entry', () => {
    run();
    const [[, check]] = index();
    fs.writeFileSync(path.join(dir, 'mod.js'), "module.exports = (x) => 'two ' + x + '!';\n");
    expect(run()).toBe('two 2!');
    expect(index()).toHaveLength(1);
    expect(index()[0][1]).not.toBe(check);
  });

  it('ignores a cache file it cannot read (garbage, truncated, another format) and writes a good one', () => {
    fs.mkdirSync(path.dirname(cacheFile));
    for (const bad of [Buffer.from('garbage'), Buffer.from([0xff, 0x0f, 0x3b, 0x00]), Buffer.from([10, 0, 0, 0, 0x5b, 0x5b, 0x22])]) {
      fs.writeFileSync(cacheFile, bad);
      expect(run()).toBe('one 2');
      expect(index()[0][0]).toBe(path.join(dir, 'mod.js'));
    }
  });
});
