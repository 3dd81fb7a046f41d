import { ChildProcess, spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { BenchResult } from './harness';

/**
 * REST gateway over HTTP: `POST /vms/{id}/errors` against an authenticated no-op route
 * (`GET /problems/{name}`: bearer check, routing, a small JSON answer) on the same server.
 * Target: injection rate ≥ 70% of the no-op rate.
 *
 * The gateway runs in a child process (its own event loop and core), as `rasgw serve` would, with
 * a real SQLite store in a temp directory (WAL, synchronous=NORMAL: every 202 is committed before
 * it is sent). autocannon (programmatic, one run per route) drives it from this process over
 * loopback with 16 connections. The injection is what `ghes_inject.py arm` sends (raw base64,
 * 164 bytes) into the GPIO source of a qemu-10.2-virt VM: stored, recorded, notified, read,
 * decoded, logged and acknowledged by the guest, every state change and the guest record stored,
 * all before the answer.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  statusCodeStats?: Record<string, { count: number }>;
}

const TOKEN = 'bench-token-0123456789abcdefghijkl';
const DURATION_S = Number(process.env.RASGW_BENCH_HTTP_SECONDS ?? 5);
const CONNECTIONS = 16;

function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const register = path.join(__dirname, '../bin/register-ts.js');
  const server = path.join(__dirname, '../src/gateway/server.ts');
  const code =
    `require(${JSON.stringify(server)}).startServer({ dataDir: ${JSON.stringify(dataDir)}, port: 0, qmpPort: null, clock: 'manual', defaultVm: true })` +
    `.then((s) => process.stdout.write(JSON.stringify({ url: s.url }) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', register, '-e', code], { env: { ...process.env, RASGW_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, url: (JSON.parse(out.slice(0, nl)) as { url: string }).url });
    });
    child.once('exit', (c) => reject(new Error(`gateway child exited (${c})`)));
  });
}

function armRecord(): string {
  // ghes_inject.py arm defaults (see test/qmp/ghesInjectArm.ts for the field-by-field layout)
  const b = Buffer.alloc(164);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(144, 12);
  Buffer.from('163d9ee111bce4119caac2051d5d46b0', 'hex').copy(b, 20);
  b.writeUInt16LE(0x0300, 40);
  b.writeUInt32LE(72, 44);
  b.writeUInt32LE(4, 92);
  b.writeUInt16LE(1, 96);
  b.writeUInt32LE(72, 100);
  b[133] = 32;
  b.writeUInt16LE(4, 134);
  b[136] = 2;
  b.writeUInt16LE(1, 137);
  b[139] = 3;
  b.writeBigUInt64LE(0x0091000fn, 140);
  b.writeBigUInt64LE(0xdeadbeefn, 148);
  b.writeBigUInt64LE(0xabba0badn, 156);
  return b.toString('base64');
}

/** CPU seconds (user + system) the child has used so far, from /proc (Linux), else undefined. */
function childCpuSeconds(pid: number): number | undefined {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

async function measured(pid: number, run: () => Promise<AutocannonResult>): Promise<{ r: AutocannonResult; cpuUsPerReq?: number }> {
  const before = childCpuSeconds(pid);
  const r = await run();
  const after = childCpuSeconds(pid);
  return { r, cpuUsPerReq: before === undefined || after === undefined ? undefined : ((after - before) * 1e6) / r.requests.total };
}

async function cannon(url: string, opts: Record<string, unknown>): Promise<AutocannonResult> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...opts });
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-bench-http-'));
  const { child, url } = await startChild(dir);
  try {
    // warm up both paths (JIT, SQLite page cache)
    await cannon(`${url}/problems/source-busy`, { duration: 1 });
    const body = JSON.stringify({ raw: armRecord(), notification: 'gpio' });
    await cannon(`${url}/vms/default/errors`, { duration: 1, method: 'POST', body });

    const pid = child.pid!;
    const { r: noop, cpuUsPerReq: noopCpu } = await measured(pid, () => cannon(`${url}/problems/source-busy`, {}));
    const { r: inject, cpuUsPerReq: injectCpu } = await measured(pid, () => cannon(`${url}/vms/default/errors`, { method: 'POST', body }));
    const ratio = inject.requests.average / noop.requests.average;
    const cpu = (us?: number) => (us === undefined ? '' : `, server CPU ${us.toFixed(0)} µs/req`);
    const line = (r: AutocannonResult, us?: number) => `${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms${cpu(us)}`;
    return [
      {
        name: `no-op GET /problems/{name} (${CONNECTIONS} conns, ${DURATION_S}s)`,
        summary: line(noop, noopCpu),
        serverCpuUsPerReq: noopCpu,
        reqPerSec: noop.requests.average,
        p50Ms: noop.latency.p50,
        p99Ms: noop.latency.p99,
        non2xx: noop.non2xx,
        errors: noop.errors,
      },
      {
        name: `POST /vms/{id}/errors raw ARM, GPIO source (${CONNECTIONS} conns, ${DURATION_S}s)`,
        summary: `${line(inject, injectCpu)}; ${(ratio * 100).toFixed(0)}% of no-op (target ≥ 70%)${inject.non2xx ? `, ${inject.non2xx} non-2xx` : ''}`,
        serverCpuUsPerReq: injectCpu,
        reqPerSec: inject.requests.average,
        p50Ms: inject.latency.p50,
        p99Ms: inject.latency.p99,
        ratioToNoop: ratio,
        injections: inject.requests.total,
        non2xx: inject.non2xx,
        errors: inject.errors,
      },
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
