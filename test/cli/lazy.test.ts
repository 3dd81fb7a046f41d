import { spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

/**
 * Commands load only what they use: which packages a command line has loaded when it ends, seen in
 * a fresh Node process running the CLI from the sources.
 */
const root = path.join(__dirname, '../..');

function loadedPackages(args: string[]): { status: number | null; packages: string[]; stderr: string } {
  const script = `
    require(${JSON.stringify(path.join(root, 'bin/register-ts.js'))});
    const { main } = require(${JSON.stringify(path.join(root, 'src/cli/main.ts'))});
    main(['node', 'rasgw', ...${JSON.stringify(args)}]).then((code) => {
      const pkgs = new Set();
      for (const k of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(k);
        if (m) pkgs.add(m[1]);
      }
      process.stderr.write('PACKAGES ' + JSON.stringify([...pkgs].sort()) + '\\n');
      process.exitCode = code;
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, RASGW_TOKEN: 'x'.repeat(32) } });
  const m = /PACKAGES (.*)\n/.exec(r.stderr);
  return { status: r.status, packages: m ? (JSON.parse(m[1]) as string[]) : [], stderr: r.stderr };
}

const SERVER_ONLY = ['express', 'winston', 'better-sqlite3'];

describe('lazy command loading', () => {
  it('dump loads neither the server packages nor zod', () => {
    const r = loadedPackages(['dump', '--profile', 'qemu-7.2-virt', '--table', 'HEST', '--format', 'json']);
    expect(r.status).toBe(0);
    for (const p of [...SERVER_ONLY, 'zod']) expect(r.packages).not.toContain(p);
    expect(r.packages).toContain('commander');
  });

  it('decode loads no zod (the CPER input schemas are built only when JSON is parsed), whatever it decodes and prints', () => {
    const block = path.join(root, '../shared/fixtures/linux-guest/memory-corrected.gesb');
    const record = path.join(root, '../shared/fixtures/libcper/01-arm.cper');
    for (const args of [['decode', block], ['decode', block, '--format', 'text', '--linux-version', '6.1'], ['decode', record]]) {
      const r = loadedPackages(args);
      expect({ args, status: r.status }).toEqual({ args, status: 0 });
      expect(r.packages).toContain('commander');
      for (const p of [...SERVER_ONLY, 'zod']) expect({ args, p, loaded: r.packages.includes(p) }).toEqual({ args, p, loaded: false });
    }
  });

  it('every dump output loads no zod', () => {
    for (const extra of [['--table', 'HEST', '--format', 'bin'], ['--format', 'text'], ['--loader'], ['--hardware-errors', '--format', 'json']]) {
      const r = loadedPackages(['dump', '--profile', 'qemu-7.2-virt', ...extra]);
      expect({ extra, status: r.status }).toEqual({ extra, status: 0 });
      expect({ extra, zod: r.packages.includes('zod') }).toEqual({ extra, zod: false });
    }
  });

  it('encode still validates its JSON input with zod (the schemas are built on first use)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-lazy-encode-'));
    try {
      const input = path.join(dir, 'block.json');
      fs.writeFileSync(input, JSON.stringify({ errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '0x1000' } }] }));
      const out = path.join(dir, 'block.gesb');
      const r = loadedPackages(['encode', input, '-o', out]);
      expect(r.status).toBe(0);
      expect(r.packages).toContain('zod');
      expect(fs.statSync(out).size).toBeGreaterThan(20);
      const badInput = path.join(dir, 'bad.json');
      fs.writeFileSync(badInput, JSON.stringify({ errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '12' } }] }));
      const bad = loadedPackages(['encode', badInput, '-o', path.join(dir, 'bad.gesb')]);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('invalid_input [entries[0].section.physicalAddress]: invalid status block JSON: "12" is a digit string without 0x');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decode and the REST client commands load no server package', () => {
    const fixture = path.join(root, '../shared/fixtures/linux-guest/memory-corrected.gesb');
    for (const args of [['decode', fixture], ['events', '--url', 'http://127.0.0.1:1'], ['vm', 'list', '--url', 'http://127.0.0.1:1'], ['log', '--url', 'http://127.0.0.1:1']]) {
      const r = loadedPackages(args);
      for (const p of SERVER_ONLY) expect({ args, loaded: r.packages.includes(p) }).toEqual({ args, loaded: false });
    }
  });
});

describe('rasgw serve --json (whole process)', () => {
  it('prints one JSON line with where it listens, then stops on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-serve-json-'));
    const child = spawn(process.execPath, [path.join(root, 'bin/rasgw'), 'serve', '--port', '0', '--qmp-port', '0', '--data-dir', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.once('exit', (c) => reject(new Error(`serve exited ${c}`)));
      });
      const info = JSON.parse(line);
      expect(info).toMatchObject({ dataDir: dir, token: { file: path.join(dir, 'token'), generated: true }, restored: { vms: 0, replayed: 0 }, createdDefaultVm: 'default' });
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.qmp).toMatchObject({ host: '127.0.0.1', vmId: 'default' });
      const health = await fetch(info.url + '/healthz');
      expect(await health.json()).toMatchObject({ status: 'ok' });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
