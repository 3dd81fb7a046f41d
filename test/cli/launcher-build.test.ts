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
  fs.copyFileSync(path.join(repo, 'scripts/build.js'), path.join(dir, 'scripts/build.js'));
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
