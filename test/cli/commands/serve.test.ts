import { ChildProcess, execFile, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { runCli } from './run-cli';

/**
 * The first thing a new user does: `npm start`, then the curl it prints. The gateway is started
 * exactly as `npm start` starts it (the package's start script; only a free port and a temporary
 * data directory are chosen), the printed curl line is run by a shell (or, without curl, sent as
 * the equivalent HTTP request parsed from it), and the answer must show the SEI syndrome and the
 * guest log the apei-sei SError line.
 */
const ROOT = path.join(__dirname, '../../..');

function hasCurl(): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, 'curl')));
}

/** Sends what a `curl -sS -H … -H … -d '…' URL` line asks for (single-quoted or double-quoted words, $(cat FILE)). */
async function curlEquivalent(line: string): Promise<string> {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m; (m = re.exec(line)); ) words.push(m[1] ?? (m[2] !== undefined ? m[2].replace(/\$\(cat ([^)]+)\)/g, (_x, f: string) => fs.readFileSync(f.replace(/^'|'$/g, ''), 'utf8').trim()) : m[3]));
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let url = '';
  for (let i = 1; i < words.length; i++) {
    if (words[i] === '-H') {
      const [k, ...v] = words[++i].split(':');
      headers[k.trim()] = v.join(':').trim();
    } else if (words[i] === '-d') body = words[++i];
    else if (words[i].startsWith('http')) url = words[i];
  }
  const r = await fetch(url, { method: 'POST', headers, body });
  return r.text();
}

describe('npm start, then the printed curl', () => {
  let dir: string;
  let child: ChildProcess;
  let out = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-npm-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, RASGW_DATA_DIR: path.join(dir, 'data') };
    delete env.RASGW_TOKEN;
    child = spawn('npm', ['start', '--', '--port', '0', '--qmp-port', '0'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: string) => {
        out += d;
        if (/\nAPI: .*\n/.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before listening:\n${out}`)));
    });
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      // npm, its shell and the gateway: the process group this test started
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  test('prints the default VM (extended, sei,sea,gpio, apei-sei), its QMP port and a curl into the SEI source', () => {
    expect(out).toMatch(/^rasgw gateway listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(out).toMatch(/^QMP \(VM default\) on tcp 127\.0\.0\.1:\d+, inject-ghes-v2-error → source 0 \(sei\)$/m);
    expect(out).toMatch(/default VM "default" created/);
    expect(out).toMatch(/^VM default: extended, sources 0 sei, 1 sea, 2 gpio, guest apei-sei$/m);
    expect(out).toMatch(/^inject an ARM processor error into source 0 \(SEI: a virtual SError; the answer's "notification" has its ESR syndrome\):$/m);
  });

  test('the printed curl answers 202 with the SEI syndrome, and the guest log has the SError line', async () => {
    const line = out.split('\n').find((l) => l.startsWith('  curl '))!.trim();
    expect(line).toMatch(/^curl -sS -H "Authorization: Bearer \$\(cat .+\/token\)" -H 'Content-Type: application\/json' -d '\{"error":\{"type":"arm"\}\}' http:\/\/127\.0\.0\.1:\d+\/vms\/default\/errors$/);
    const text = hasCurl()
      ? await new Promise<string>((resolve, reject) => execFile('/bin/sh', ['-c', line], (e, stdout) => (e ? reject(e) : resolve(stdout))))
      : await curlEquivalent(line);
    const answer = JSON.parse(text);
    expect(answer).toMatchObject({ vmId: 'default', origin: 'rest', state: 'acknowledged', sourceId: 0, panicked: false });
    expect(answer.notification).toMatchObject({
      kind: 'sei',
      raised: 'virtual-serror',
      vcpu: 0,
      esr: '0xbe000811',
      esrReason: 'block-severity',
      blockSeverity: 'recoverable',
      esrFields: { ec: 0x2f, ecName: 'SError', il: 1, ids: 0, aet: 2, aetName: 'UEO', ea: 0, dfsc: 0x11, iss: '0x811' },
    });
    const base = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(line)![1];
    const token = fs.readFileSync(path.join(dir, 'data', 'token'), 'utf8').trim();
    const log = (await (await fetch(`${base}/vms/default/log`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { lines: Array<{ line: string }> };
    const lines = log.lines.map((l) => l.line);
    const i = lines.findIndex((l) => l.endsWith('] SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources'));
    expect(i).toBeGreaterThan(0);
    // then the guest reads its SEI source and prints the record
    expect(lines.slice(i + 1)).toEqual(expect.arrayContaining([expect.stringMatching(/\] \{1\}\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: 0$/)]));
    const inj = (await (await fetch(`${base}${answer.links.self}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { notification: unknown; outcome: { logLines: string[] } };
    expect(inj.notification).toEqual(answer.notification);
    expect(inj.outcome.logLines[0]).toBe(lines[i]);
  });
});

describe('rasgw serve --host that is no address of this machine', () => {
  test('one line naming --host and the fix, exit 1 (no getaddrinfo text)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-host-'));
    try {
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a real interface
      const r = await runCli(['serve', '--data-dir', dir, '--port', '0', '--no-qmp', '--host', '192.0.2.1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('error: --host 192.0.2.1: cannot listen there (EADDRNOTAVAIL: not an address of this machine); use 127.0.0.1, ::1, 0.0.0.0 or an address of one of its interfaces\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('rasgw serve: a data directory or port no client can use', () => {
  test('--data-dir naming a file: one line saying so (it was "EEXIST: file already exists, mkdir …")', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-datadir-file-'));
    try {
      const file = path.join(dir, 'data');
      fs.writeFileSync(file, 'x');
      const r = await runCli(['serve', '--data-dir', file, '--port', '0', '--no-qmp']);
      expect([r.code, r.stderr]).toEqual([1, `error: data directory ${file} is not a folder: ${file} is a file\n`]);
      expect(fs.readdirSync(dir)).toEqual(['data']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a damaged store file is named with what to do (it was "error: file is not a database"), in serve and events --offline', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-damaged-'));
    try {
      const store = path.join(dir, 'rasgw.sqlite');
      fs.writeFileSync(store, Buffer.alloc(4096, 0x5a));
      const expected = `error: ${store} is not a readable rasgw store (SQLITE_NOTADB: file is not a database): it is damaged or something else wrote it; move it away (a gateway then starts with an empty store) or put back a copy\n`;
      const serve = await runCli(['serve', '--data-dir', dir, '--port', '0', '--no-qmp']);
      expect([serve.code, serve.stderr]).toEqual([1, expected]);
      const events = await runCli(['events', '--offline', '--data-dir', dir]);
      expect([events.code, events.stderr]).toEqual([1, expected]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--body-limit out of range (0 refused every request as 413) is one line before anything starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-bodylimit-'));
    try {
      for (const bad of ['0', '1023', '268435457', 'lots']) {
        const r = await runCli(['serve', '--data-dir', path.join(dir, 'data'), '--port', '0', '--no-qmp', '--body-limit', bad]);
        expect([r.code, r.stderr]).toEqual([1, `error: --body-limit: expected a number of bytes from 1024 to 268435456 (default 262144), got ${JSON.stringify(bad)}\n`]);
      }
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a --port fetch refuses (6000, …) is warned about at start, and the CLI names it instead of "bad port"', async () => {
    const net = require('net') as typeof import('net');
    const free = (p: number) =>
      new Promise<boolean>((resolve) => {
        const s = net.createServer().once('error', () => resolve(false));
        s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
      });
    let port: number | undefined;
    for (const p of [6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080, 4190, 5060, 5061]) {
      if (await free(p)) {
        port = p;
        break;
      }
    }
    if (port === undefined) return; // every candidate busy on this machine
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-badport-'));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/rasgw'), 'serve', '--data-dir', dir, '--port', String(port), '--no-qmp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let err = '';
      child.stderr!.setEncoding('utf8');
      await new Promise<void>((resolve, reject) => {
        child.stderr!.on('data', (d: string) => {
          err += d;
          if (err.includes('warning: ')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${err}`)));
      });
      expect(err).toContain(`warning: port ${port} is on the list of ports fetch and browsers never connect to (the WHATWG "bad ports", e.g. 6000 for X11): the rasgw CLI and the web console cannot reach a gateway there (curl can); choose another --port\n`);
      const r = await runCli(['vm', 'list', '--url', `http://127.0.0.1:${port}`, '--data-dir', dir]);
      expect([r.code, r.stderr]).toEqual([1, `error: cannot reach the gateway at http://127.0.0.1:${port}: port ${port} is on the list of ports fetch and browsers never connect to (the WHATWG "bad ports", e.g. 6000 for X11): the rasgw CLI and the web console cannot reach a gateway there; run it on another --port\n`]);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
