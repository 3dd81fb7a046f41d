import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { HttpClient } from './http';
import type { ScenarioResult, Violation } from './scenarios';
import { RunningServer, residentBytes, startServer } from './serverProcess';

/**
 * Soak scenarios of the gateway's bounds: one client tries to take the gateway down through each channel,
 * while a sampler reads the server's RSS every 100 ms and asks /healthz every 50 ms. Each
 * scenario is bounded in time and prints peak RSS growth, the slowest /healthz answer, and the
 * refusals it met.
 * - `qmp-flood`: a QMP client pipelines query-commands without reading a reply; 128 more clients
 *   take every slot and the whole queue; one more is refused with an error line.
 * - `sse-slow`: a VM with 1.2 M stored log lines; 8 streams that never read, a 9th refused (429).
 * - `records-page`: 40 records of 57 KB whose decoded JSON is 1.5 MB each; GET of a default page.
 * - `http-body`: a request without a token announcing 10^11 body bytes and streaming them.
 * - `capacity`: 10,000 VMs (--max-vms 10000): creation, one more refused, idle CPU, restart time
 *   at 1,000 and at 10,000 VMs.
 */
const TOKEN = 'soak-token-0123456789abcdef0123';
const MiB = 1048576;

function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rasgw-soak-${name}-`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples the server's RSS and /healthz latency until stopped. */
class Sampler {
  rssStart: number;
  rssPeak: number;
  healthMaxMs = 0;
  healthCount = 0;
  healthFailures = 0;
  /** seconds after the start of the sampling when the slowest /healthz answer came */
  healthMaxAtS = 0;
  private readonly startedAt = Date.now();
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(server: RunningServer) {
    this.rssStart = residentBytes(server.pid);
    this.rssPeak = this.rssStart;
    const client = new HttpClient(server.url, undefined, 2);
    const rss = setInterval(() => {
      try {
        this.rssPeak = Math.max(this.rssPeak, residentBytes(server.pid));
      } catch {
        // the process is gone
      }
    }, 100);
    this.done = (async () => {
      // one request first, not counted: connection set-up and the first compilation of the route
      await client.request('GET', '/healthz', undefined, {}, 5000).catch(() => undefined);
      while (!this.stopped) {
        const t = process.hrtime.bigint();
        try {
          const r = await client.request('GET', '/healthz', undefined, {}, 5000);
          if (r.status !== 200) this.healthFailures++;
        } catch {
          this.healthFailures++;
        }
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        if (ms > this.healthMaxMs) {
          this.healthMaxMs = ms;
          this.healthMaxAtS = (Date.now() - this.startedAt) / 1000;
        }
        this.healthCount++;
        await sleep(50);
      }
      clearInterval(rss);
      client.close();
    })();
  }

  async stop(): Promise<Record<string, number>> {
    this.stopped = true;
    await this.done;
    return {
      rssStartMiB: +(this.rssStart / MiB).toFixed(1),
      rssPeakMiB: +(this.rssPeak / MiB).toFixed(1),
      rssGrowthMiB: +((this.rssPeak - this.rssStart) / MiB).toFixed(1),
      healthzAnswered: this.healthCount - this.healthFailures,
      healthzFailed: this.healthFailures,
      healthzMaxMs: +this.healthMaxMs.toFixed(1),
      healthzSlowestAtS: +this.healthMaxAtS.toFixed(1),
    };
  }
}

/** The common verdict: RSS growth under 50 MB, /healthz always answered within 100 ms. */
function judge(name: string, s: Record<string, number>, violations: Violation[]): void {
  if (s.rssGrowthMiB * MiB > 50e6) violations.push({ what: `${name}-memory`, detail: `RSS grew by ${s.rssGrowthMiB} MiB (bound 50 MB)` });
  if (s.healthzFailed > 0) violations.push({ what: `${name}-healthz`, detail: `${s.healthzFailed} /healthz requests failed` });
  if (s.healthzMaxMs > 100) violations.push({ what: `${name}-healthz`, detail: `slowest /healthz answer ${s.healthzMaxMs} ms (bound 100 ms)` });
}

function qmpPort(server: RunningServer): number {
  const m = /qmp 127\.0\.0\.1:(\d+)/.exec(server.output());
  if (!m) throw new Error(`the server printed no QMP port: ${server.output()}`);
  return Number(m[1]);
}

function connect(port: number): Promise<{ socket: net.Socket; text: () => string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d.length > 4096 ? '' : d));
    socket.once('connect', () => resolve({ socket, text: () => text }));
    socket.once('error', reject);
  });
}

export async function runQmpFlood(seconds = 15): Promise<ScenarioResult> {
  const dir = tmpDir('qmp');
  const server = await startServer({ dataDir: dir, token: TOKEN, extraArgs: ['--qmp'] });
  const violations: Violation[] = [];
  const sockets: net.Socket[] = [];
  try {
    const port = qmpPort(server);
    const sampler = new Sampler(server);
    const flood = await connect(port);
    sockets.push(flood.socket);
    flood.socket.on('error', () => undefined);
    flood.socket.write('{"execute": "qmp_capabilities"}');
    await sleep(100);
    flood.socket.pause();
    const cmd = Buffer.from('{"execute": "query-commands"}'.repeat(2000));
    let sent = 0;
    const until = Date.now() + seconds * 1000;
    // every slot and the whole queue taken by idle clients, then one more
    for (let i = 0; i < 127; i++) {
      const c = await connect(port);
      c.socket.on('error', () => undefined);
      sockets.push(c.socket);
    }
    await sleep(200);
    const extra = await connect(port);
    extra.socket.on('error', () => undefined);
    sockets.push(extra.socket);
    while (Date.now() < until) {
      if (flood.socket.writableLength < 4 * MiB) {
        flood.socket.write(cmd);
        sent += 2000;
      }
      await sleep(5);
    }
    const s = await sampler.stop();
    judge('qmp', s, violations);
    const refusal = extra.text().trim();
    if (!/too many QMP clients: .*maxConnections.*maxQueued/.test(refusal)) violations.push({ what: 'qmp-refusal', detail: `the client past the queue got ${JSON.stringify(refusal.slice(0, 200))}` });
    return {
      scenario: 'qmp-flood',
      ok: violations.length === 0,
      figures: { seconds, commandsWrittenByClient: sent, clientBytesNotTakenMiB: +(flood.socket.writableLength / MiB).toFixed(1), ...s, refusal },
      violations,
    };
  } finally {
    for (const s of sockets) s.destroy();
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runSseSlow(lines = 1_200_000, seconds = Number(process.env.SSE_SECONDS ?? 35)): Promise<ScenarioResult> {
  const dir = tmpDir('sse');
  const server = await startServer({ dataDir: dir, token: TOKEN, extraArgs: ['--qmp', '--seed-log', `default:${lines}`], startTimeoutMs: 120_000 });
  const violations: Violation[] = [];
  const sockets: net.Socket[] = [];
  try {
    const port = Number(new URL(server.url).port);
    const sampler = new Sampler(server);
    const open = async () => {
      const c = await connect(port);
      c.socket.on('error', () => undefined);
      c.socket.write(`GET /vms/default/log/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
      sockets.push(c.socket);
      return c;
    };
    const streams = [];
    for (let i = 0; i < 8; i++) streams.push(await open());
    await sleep(500);
    for (const s of streams) s.socket.pause();
    const ninth = await open();
    await sleep(500);
    const refused = ninth.text().split('\r\n')[0];
    if (!/^HTTP\/1\.1 429/.test(refused) || !ninth.text().includes('"bound":"streamsPerVm"')) violations.push({ what: 'sse-refusal', detail: ninth.text().slice(0, 300) });
    await sleep(seconds * 1000);
    const client = new HttpClient(server.url, TOKEN, 2);
    const metrics = (await client.request('GET', '/metrics')).text;
    client.close();
    const dropped = Number(/rasgw_log_streams_dropped_total (\d+)/.exec(metrics)?.[1] ?? -1);
    const s = await sampler.stop();
    judge('sse', s, violations);
    return { scenario: 'sse-slow', ok: violations.length === 0, figures: { storedLines: lines, nonReadingStreams: 8, ninthStream: refused, droppedAsSlow: dropped, seconds, ...s }, violations };
  } finally {
    for (const s of sockets) s.destroy();
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRecordsPage(records = 40): Promise<ScenarioResult> {
  const dir = tmpDir('records');
  const server = await startServer({ dataDir: dir, token: TOKEN });
  const violations: Violation[] = [];
  const client = new HttpClient(server.url, TOKEN, 4);
  try {
    const vm = await client.request('POST', '/vms', { id: 'big', profile: 'extended', sources: [{ notification: 'gpio', errorBlockLength: 65536 }] });
    if (vm.status !== 201) throw new Error(`create: ${vm.status} ${vm.text}`);
    const body = { error: { type: 'arm', severity: 'corrected', errorInfo: Array.from({ length: 1800 }, () => ({ type: 'cache' })) } };
    let accepted = 0;
    const t0 = Date.now();
    for (let i = 0; i < records; i++) if ((await client.request('POST', '/vms/big/errors', body)).status === 202) accepted++;
    const injectMsEach = (Date.now() - t0) / records;
    // what is measured: the reads of those records (the injections themselves are the guest's
    // work: each record prints ~18,000 kernel log lines)
    await sleep(1000);
    const sampler = new Sampler(server);
    await sleep(500);
    const t = process.hrtime.bigint();
    const page = await client.request('GET', '/vms/big/records', undefined, {}, 60_000);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    const all = await client.request('GET', '/records?limit=10000', undefined, {}, 60_000);
    // every record, page by page
    let pages = 0;
    let seen = 0;
    for (let after = 0; pages < 100; pages++) {
      const r = await client.request('GET', `/vms/big/records?after=${after}`, undefined, {}, 60_000);
      const b = r.body as { records: unknown[]; last: number; more: boolean };
      seen += b.records.length;
      after = b.last;
      if (!b.more) break;
    }
    const s = await sampler.stop();
    judge('records', s, violations);
    if (page.status !== 200) violations.push({ what: 'records-page', detail: `${page.status} ${page.text.slice(0, 200)}` });
    const p = page.body as { records: unknown[]; more: boolean };
    const m = (await client.request('GET', '/metrics')).text;
    const db = Number(/rasgw_store_bytes\{file="db"\} (\d+)/.exec(m)?.[1] ?? 0);
    return {
      scenario: 'records-page',
      ok: violations.length === 0,
      figures: {
        recordsAccepted: accepted,
        injectMsEach: +injectMsEach.toFixed(0),
        pageStatus: page.status,
        pageRecords: p.records?.length ?? 0,
        pageMore: String(p.more),
        pageMiB: +(Buffer.byteLength(page.text) / MiB).toFixed(2),
        pageMs: +ms.toFixed(0),
        allLimit10000Records: (all.body as { records: unknown[] }).records?.length ?? 0,
        allLimit10000MiB: +(Buffer.byteLength(all.text) / MiB).toFixed(2),
        pagedThroughRecords: seen,
        pagedThroughPages: pages + 1,
        storeDbMiB: +(db / MiB).toFixed(1),
        ...s,
      },
      violations,
    };
  } finally {
    client.close();
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runHttpBody(seconds = 10): Promise<ScenarioResult> {
  const dir = tmpDir('http');
  const server = await startServer({ dataDir: dir, token: TOKEN });
  const violations: Violation[] = [];
  try {
    const port = Number(new URL(server.url).port);
    const sampler = new Sampler(server);
    const r = await new Promise<{ status: string; bytes: number; closedMs: number }>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let text = '';
      let bytes = 0;
      const t0 = Date.now();
      s.setEncoding('utf8');
      s.on('data', (d: string) => (text += d));
      s.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = setInterval(() => {
        if (s.destroyed || Date.now() - t0 > seconds * 1000) {
          clearInterval(pump);
          s.destroy();
          return;
        }
        while (s.writableLength < MiB && !s.destroyed) {
          s.write(chunk);
          bytes += chunk.length;
        }
      }, 5);
      s.on('close', () => {
        clearInterval(pump);
        resolve({ status: text.split('\r\n')[0], bytes, closedMs: Date.now() - t0 });
      });
      s.write('POST /vms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000000\r\n\r\n');
    });
    const s = await sampler.stop();
    judge('http', s, violations);
    if (!/^HTTP\/1\.1 401/.test(r.status)) violations.push({ what: 'http-401', detail: r.status });
    if (r.closedMs > 5000) violations.push({ what: 'http-close', detail: `the connection stayed open ${r.closedMs} ms after the 401` });
    return { scenario: 'http-body', ok: violations.length === 0, figures: { answer: r.status, clientBytesWrittenMiB: +(r.bytes / MiB).toFixed(1), closedAfterMs: r.closedMs, ...s }, violations };
  } finally {
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) the process used so far. */
function cpuSeconds(pid: number): number {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function idleCpu(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  return (cpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000);
}

export async function runCapacity(vms = 10_000): Promise<ScenarioResult> {
  const dir = tmpDir('capacity');
  const args = ['--max-vms', String(vms)];
  let server = await startServer({ dataDir: dir, token: TOKEN, extraArgs: args });
  const violations: Violation[] = [];
  const figures: Record<string, number | string> = {};
  const restartMs = (s: RunningServer) => Number(/started in (\d+) ms/.exec(s.output())?.[1] ?? -1);
  try {
    let client = new HttpClient(server.url, TOKEN, 8);
    const create = async (from: number, to: number) => {
      let next = from;
      const t0 = Date.now();
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (;;) {
            const i = next++;
            if (i >= to) return;
            const r = await client.request('POST', '/vms', { id: `vm-${i}`, profile: 'qemu-7.2-virt' });
            if (r.status !== 201) throw new Error(`create vm-${i}: ${r.status} ${r.text.slice(0, 200)}`);
          }
        }),
      );
      return (Date.now() - t0) / 1000;
    };
    const first = Math.min(1000, vms);
    figures.createFirstSeconds = +(await create(0, first)).toFixed(1);
    figures.idleCpuAt1000 = `${(100 * (await idleCpu(server.pid, 5))).toFixed(2)} %`;
    client.close();
    await server.kill('SIGTERM');
    server = await startServer({ dataDir: dir, token: TOKEN, extraArgs: args, startTimeoutMs: 300_000 });
    figures[`restartMsAt${first}`] = restartMs(server);
    client = new HttpClient(server.url, TOKEN, 8);
    figures.createRestSeconds = +(await create(first, vms)).toFixed(1);
    const over = await client.request('POST', '/vms', { id: 'one-too-many' });
    figures.oneMore = `${over.status} ${String((over.body as { type?: string })?.type)}`;
    if (over.status !== 409 || !over.text.includes('"maxVms"')) violations.push({ what: 'max-vms', detail: over.text.slice(0, 200) });
    figures.rssMiB = +(residentBytes(server.pid) / MiB).toFixed(0);
    const idle = await idleCpu(server.pid, 10);
    figures[`idleCpuAt${vms}`] = `${(100 * idle).toFixed(2)} %`;
    if (idle > 0.05) violations.push({ what: 'idle-cpu', detail: `${(100 * idle).toFixed(2)} % of a core with ${vms} idle VMs (bound 5 %)` });
    const page = await client.request('GET', '/vms');
    figures.vmsFirstPage = `${(page.body as { vms: unknown[] }).vms.length} VMs, ${(Buffer.byteLength(page.text) / MiB).toFixed(2)} MiB, more ${(page.body as { more: boolean }).more}`;
    client.close();
    await server.kill('SIGTERM');
    server = await startServer({ dataDir: dir, token: TOKEN, extraArgs: args, startTimeoutMs: 300_000 });
    figures[`restartMsAt${vms}`] = restartMs(server);
    figures.restartMsPerVm = +(restartMs(server) / vms).toFixed(3);
    const sampler = new Sampler(server);
    await sleep(3000);
    const s = await sampler.stop();
    figures.healthzMaxMsAfterRestart = s.healthzMaxMs;
    return { scenario: 'capacity', ok: violations.length === 0, figures, violations };
  } finally {
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
