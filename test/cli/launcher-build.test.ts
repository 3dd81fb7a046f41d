import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

/**
 * The launcher runs dist/ only when dist/BUILD_STAMP matches the sources now, so a stale build
 * never shadows the sources. Checked in a scratch project: the real bin/ and scripts/build.js,
 * a two-file src/ whose main reports where it runs from.
 */
const repo = path.join(__dirname, '../..');

function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-launcher-'));
  fs.cpSync(path.join(repo, 'bin'), path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'scripts'));
  for (const f of ['build.js', 'bundle.js']) fs.copyFileSync(path.join(repo, 'scripts', f), path.join(dir, 'scripts', f));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '9.8.7' }));
  fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules')), path.join(dir, 'node_modules'));
  fs.mkdirSync(path.join(dir, 'src/cli'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'src/cli/where.ts'), "export const where: string = 'v1';\n");
  fs.writeFileSync(
    path.join(dir, 'src/cli/main.ts'),
    "import { where } from './where';\nexport async function main(argv: string[]): Promise<number> {\n  process.stdout.write(`${where} ${__filename.endsWith('.ts') ? 'src' : 'dist'} ${argv.slice(2).join(' ')}\\n`);\n  return 3;\n}\n",
  );
  return dir;
}

const run = (dir: string, ...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'bin/rasgw'), ...args], { encoding: 'utf8', env: { ...process.env, RASGW_FROM_SOURCES: '' } });

describe('bin/rasgw: build or sources', () => {
  let dir: string;
  beforeEach(() => (dir = scratch()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs the sources when there is no build, dist/ once built, and passes the exit status through', () => {
    expect(run(dir, 'x', '--y')).toMatchObject({ stdout: 'v1 src x --y\n', status: 3 });
    const b = spawnSync(process.execPath, [path.join(dir, 'scripts/build.js')], { encoding: 'utf8' });
    expect(b.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist/BUILD_STAMP'), 'utf8')).toMatch(/^2-[0-9a-f]{8}\n$/);
    expect(run(dir, 'x')).toMatchObject({ stdout: 'v1 dist x\n', status: 3 });
  });

  it('never runs a stale build: an edited, added or removed source file sends it back to the sources', () => {
    spawnSync(process.execPath, [path.join(dir, 'scripts/build.js')]);
    expect(run(dir).stdout).toBe('v1 dist \n');
    // same length, same second: only the content and the ns mtime differ
    fs.writeFileSync(path.join(dir, 'src/cli/where.ts'), "export const where: string = 'v2';\n");
    expect(run(dir).stdout).toBe('v2 src \n');
    spawnSync(process.execPath, [path.join(dir, 'scripts/build.js')]);
    expect(run(dir).stdout).toBe('v2 dist \n');
    fs.writeFileSync(path.join(dir, 'src/cli/extra.ts'), 'export {};\n');
    expect(run(dir).stdout).toBe('v2 src \n');
    fs.rmSync(path.join(dir, 'src/cli/extra.ts'));
    expect(run(dir).stdout).toBe('v2 dist \n');
  });

  it('answers --version from package.json without loading the program', () => {
    expect(run(dir, '--version')).toMatchObject({ stdout: '9.8.7\n', status: 0 });
  });
});

describe('bin/rasgw: one bundle per command (scripts/bundle.js)', () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
    const w = (f: string, text: string) => fs.writeFileSync(path.join(dir, 'src/cli', f), text);
    fs.mkdirSync(path.join(dir, 'src/cli/commands'));
    w('shared.ts', 'export const token = { n: 0 };\n');
    w('commands/index.ts', 'export const names = [\'hello\', \'other\'];\n');
    w('commands/hello.ts', "import { token } from '../shared';\nexport const hello = (): number => ++token.n;\n");
    w('commands/other.ts', "import { token } from '../shared';\nexport const other = (): object => token;\n");
    // main loads commands by a computed name (not followed by the bundler), like the command table
    w(
      'main.ts',
      "import { token } from './shared';\nexport async function main(argv: string[]): Promise<number> {\n  const name = argv[2];\n  const cmd = require('./commands/' + name);\n  const other = require('./commands/' + 'other');\n  process.stdout.write(`${cmd[name]()} ${other.other() === token} ${__filename.endsWith('.ts') ? 'src' : 'dist'}\\n`);\n  return 0;\n}\n",
    );
    expect(spawnSync(process.execPath, [path.join(dir, 'scripts/build.js')]).status).toBe(0);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a bundle per command file (not index) holding main, the command and what they import', () => {
    expect(fs.readdirSync(path.join(dir, 'dist/bundles')).sort()).toEqual(['hello.js', 'other.js']);
    const hello = fs.readFileSync(path.join(dir, 'dist/bundles/hello.js'), 'utf8');
    const modules = [...hello.matchAll(/^"([^"]+)": \[function \(exports, require, module, __filename, __dirname\) \{$/gm)].map((m) => m[1]);
    expect(modules.sort()).toEqual(['cli/commands/hello.js', 'cli/main.js', 'cli/shared.js']);
    // literal requires are resolved when the bundle is made; computed ones (main's) when they run
    expect(hello).toContain('}, {"../shared":"cli/shared.js"}],');
    expect(hello).toContain('}, {"./shared":"cli/shared.js"}],');
  });

  it('runs a command from its bundle: a module the bundle holds is one instance for the modules loaded from dist/ too', () => {
    expect(run(dir, 'hello')).toMatchObject({ stdout: '1 true dist\n', status: 0 });
    // the command's file is not read any more: the bundle has it
    fs.rmSync(path.join(dir, 'dist/cli/commands/hello.js'));
    expect(run(dir, 'hello')).toMatchObject({ stdout: '1 true dist\n', status: 0 });
    // RASGW_NO_BUNDLE=1 loads dist/ module by module (here: the removed file is missed)
    const plain = spawnSync(process.execPath, [path.join(dir, 'bin/rasgw'), 'hello'], { encoding: 'utf8', env: { ...process.env, RASGW_FROM_SOURCES: '', RASGW_NO_BUNDLE: '1' } });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain('commands/hello');
  });

  it('bundles commander with a fingerprint: an installed package that changed after the build is loaded by Node instead', () => {
    // a scratch node_modules: SWC for the build, and a small stand-in commander package
    fs.rmSync(path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'node_modules/commander/lib'), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules/@swc')), path.join(dir, 'node_modules/@swc'));
    const pkg = path.join(dir, 'node_modules/commander');
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'commander', version: '1.0.0', main: './index.js' }));
    fs.writeFileSync(path.join(pkg, 'index.js'), "module.exports = require('./lib/word.js');\n");
    fs.writeFileSync(path.join(pkg, 'lib/word.js'), "module.exports = { word: 'old' };\n");
    fs.writeFileSync(path.join(dir, 'src/cli/commands/hello.ts'), "import { token } from '../shared';\nimport { word } from 'commander';\nexport const hello = (): string => `${++token.n} ${word}`;\n");
    expect(spawnSync(process.execPath, [path.join(dir, 'scripts/build.js')]).status).toBe(0);
    const bundle = fs.readFileSync(path.join(dir, 'dist/bundles/hello.js'), 'utf8');
    expect(bundle).toContain('"pkg:commander/lib/word.js": [function');
    expect(run(dir, 'hello')).toMatchObject({ stdout: '1 old true dist\n', status: 0 });
    // an `npm install` after the build: the bundle's copy no longer matches and is not used
    fs.writeFileSync(path.join(pkg, 'lib/word.js'), "module.exports = { word: 'new' };\n");
    expect(run(dir, 'hello')).toMatchObject({ stdout: '1 new true dist\n', status: 0 });
  });

  it('a command without a bundle, or no command, runs dist/ module by module', () => {
    fs.rmSync(path.join(dir, 'dist/bundles/other.js'));
    expect(run(dir, 'other').stdout).toMatch(/^\[object Object\] true dist\n$/);
  });
});
