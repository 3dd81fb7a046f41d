import fs from 'fs';
import os from 'os';
import path from 'path';
import { HttpClient, HttpResponse } from './http';
import { RunningServer, residentBytes, startServer } from './serverProcess';

/**
 * The soak scenarios (issue #8), all on loopback against the real gateway in a child process:
 * - `loss`: many VMs, many concurrent clients, injections mixed across sources, busy policies and
 *   notification types → every accepted (202) injection is acknowledged by the guest exactly once,
 *   in per-source acceptance order, and stored once;
 * - `crash`: the same load, kill -9 of the server midway, restart on the same data directory →
 *   every injection answered 202 is in the store, in a final or resumable state, and is
 *   acknowledged after the restart;
 * - `backpressure`: a source whose guest never acknowledges (SEI under the linux personality:
 *   Linux refuses the source at probe) → the queue fills to its bound, then every injection is
 *   refused clearly (503 queue-full / 409 source-busy), server memory flat.
 * Every scenario is bounded in count and in time and stops by itself.
 */
export interface Violation {
  what: string;
  detail: string;
}

export interface ScenarioResult {
  scenario: string;
  ok: boolean;
  figures: Record<string, number | string>;
  violations: Violation[];
}

const TOKEN = 'soak-token-0123456789abcdef0123';

interface VmPlan {
  id: string;
  body: Record<string, unknown>;
  /** source ids the clients inject into, with their notification */
  sources: Array<{ sourceId: number; notification: string }>;
  policy: 'queue' | 'reject';
}

/** 50 VMs by default: QEMU 10.2 (SEA + GPIO) and extended machines (SEI, polled, GSIV, SDEI, GPIO), queue and reject. */
export function planVms(count: number): VmPlan[] {
  const out: VmPlan[] = [];
  for (let i = 0; i < count; i++) {
    const policy = i % 5 === 4 ? 'reject' : 'queue';
    const id = `soak-${i}`;
    if (i % 2 === 0) {
      out.push({ id, policy, body: { id, profile: 'qemu-10.2-virt', busyPolicy: policy, queueDepth: 256 }, sources: [{ sourceId: 0, notification: 'sea' }, { sourceId: 1, notification: 'gpio' }] });
    } else {
      const sources = [
        { notification: 'sei' },
        { notification: 'polled', pollIntervalMs: 5 },
        { notification: 'gsiv', vector: 40 },
        { notification: 'sdei', vector: 0x324 },
        { notification: 'gpio' },
      ];
      out.push({ id, policy, body: { id, profile: 'extended', sources, personality: 'apei-sei', busyPolicy: policy, queueDepth: 256 }, sources: sources.map((s, k) => ({ sourceId: k, notification: s.notification })) });
    }
  }
  return out;
}

/** A corrected or recoverable error whose address names the client and its sequence number. */
function errorBody(client: number, seq: number, sourceId: number): Record<string, unknown> {
  const marker = (BigInt(client) << 24n) | BigInt(seq);
  const kind = seq % 4;
  if (kind === 3) return { error: { type: 'arm', severity: 'corrected', mpidr: '0x' + marker.toString(16), errorInfo: [{ type: 'cache' }] }, sourceId };
  return { error: { type: 'memory', severity: seq % 8 === 1 ? 'recoverable' : 'corrected', physicalAddress: '0x' + (0x1_0000_0000n + marker * 0x1000n).toString(16) }, sourceId };
}

interface Accepted {
  id: string;
  vm: string;
  sourceId: number;
}

interface LoadResult {
  sent: number;
  accepted: Accepted[];
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
}

/** `clients` concurrent loops sending `total` injections (or until `deadline`). */
async function load(client: HttpClient, vms: VmPlan[], clients: number, total: number, deadline: number, stopAfter?: number): Promise<LoadResult> {
  let next = 0;
  const accepted: Accepted[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const t0 = Date.now();
  const worker = async (c: number) => {
    let seq = 0;
    for (;;) {
      const n = next++;
      if (n >= total || Date.now() > deadline || (stopAfter !== undefined && n >= stopAfter)) return;
      const vm = vms[(n * 7 + c) % vms.length];
      const src = vm.sources[(n + c) % vm.sources.length];
      let res: HttpResponse;
      try {
        res = await client.request('POST', `/vms/${vm.id}/errors`, errorBody(c, seq++, src.sourceId));
      } catch {
        errors++;
        continue;
      }
      const key = res.status >= 400 ? `${res.status}:${String((res.body as { type?: string })?.type ?? '').replace('/problems/', '')}` : String(res.status);
      statuses[key] = (statuses[key] ?? 0) + 1;
      if (res.status === 202) accepted.push({ id: String((res.body as { id: string }).id), vm: vm.id, sourceId: src.sourceId });
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => worker(c)));
  return { sent: Object.values(statuses).reduce((s, n) => s + n, 0) + errors, accepted, statuses, errors, elapsedMs: Date.now() - t0 };
}

async function createVms(client: HttpClient, vms: VmPlan[]): Promise<void> {
  for (const vm of vms) {
    const r = await client.request('POST', '/vms', vm.body);
    if (r.status !== 201) throw new Error(`creating ${vm.id}: ${r.status} ${r.text}`);
  }
}

interface StoredInjectionView {
  id: string;
  state: string;
  sourceId?: number;
}
interface StoredRecordView {
  id: number;
  sourceId: number;
  injectionId?: string;
}

async function listAll<T>(client: HttpClient, url: (after: number | string | undefined) => string, key: string, cursor: (x: T) => number | string): Promise<T[]> {
  const out: T[] = [];
  let after: number | string | undefined;
  for (;;) {
    const r = await client.request('GET', url(after));
    if (r.status !== 200) throw new Error(`GET ${url(after)}: ${r.status} ${r.text.slice(0, 200)}`);
    const body = r.body as Record<string, T[]> & { more?: boolean };
    const page = body[key];
    out.push(...page);
    // a page stops at its item or byte bound: `more` says whether another follows
    if (page.length === 0 || body.more === false) return out;
    after = cursor(page[page.length - 1]);
  }
}

/** Waits until no injection of these VMs is queued or delivered (or `ms` pass). */
async function drain(client: HttpClient, vms: VmPlan[], ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    let open = 0;
    for (const vm of vms) {
      const inj = await listAll<StoredInjectionView>(client, (a) => `/vms/${vm.id}/errors?limit=10000${a !== undefined ? `&since=${a}` : ''}`, 'injections', (x) => Number(x.id));
      open += inj.filter((i) => i.state === 'queued' || i.state === 'delivered').length;
    }
    if (open === 0 || Date.now() > until) return open;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Checks: every accepted id acknowledged, stored once, read by the guest exactly once, in per-source order. */
async function verify(client: HttpClient, vms: VmPlan[], accepted: Accepted[], violations: Violation[]): Promise<Record<string, number>> {
  const acceptedIds = new Set(accepted.map((a) => a.id));
  let stored = 0;
  let acknowledged = 0;
  let guestRecords = 0;
  for (const vm of vms) {
    const inj = await listAll<StoredInjectionView>(client, (a) => `/vms/${vm.id}/errors?limit=10000${a !== undefined ? `&since=${a}` : ''}`, 'injections', (x) => Number(x.id));
    const seen = new Map<string, number>();
    for (const i of inj) seen.set(i.id, (seen.get(i.id) ?? 0) + 1);
    const mine = accepted.filter((a) => a.vm === vm.id);
    for (const a of mine) {
      const n = seen.get(a.id) ?? 0;
      if (n !== 1) violations.push({ what: 'stored', detail: `${vm.id} injection ${a.id} is stored ${n} times` });
    }
    for (const i of inj) {
      if (!acceptedIds.has(i.id)) continue;
      stored++;
      if (i.state === 'acknowledged') acknowledged++;
      else violations.push({ what: 'not-acknowledged', detail: `${vm.id} injection ${i.id} is ${i.state}` });
    }
    const recs = await listAll<StoredRecordView>(client, (a) => `/vms/${vm.id}/records?limit=10000${a !== undefined ? `&after=${a}` : ''}`, 'records', (x) => x.id);
    const reads = new Map<string, number>();
    const lastPerSource = new Map<number, number>();
    for (const r of recs) {
      if (r.injectionId === undefined || !acceptedIds.has(r.injectionId)) continue;
      guestRecords++;
      reads.set(r.injectionId, (reads.get(r.injectionId) ?? 0) + 1);
      const order = Number(r.injectionId);
      const last = lastPerSource.get(r.sourceId) ?? -1;
      if (order <= last) violations.push({ what: 'order', detail: `${vm.id} source ${r.sourceId}: injection ${r.injectionId} read after ${last}` });
      lastPerSource.set(r.sourceId, order);
    }
    for (const a of mine) {
      const n = reads.get(a.id) ?? 0;
      if (n !== 1) violations.push({ what: 'guest-reads', detail: `${vm.id} injection ${a.id} read by the guest ${n} times` });
    }
  }
  return { stored, acknowledged, guestRecords };
}

export interface LossOptions {
  vms?: number;
  clients?: number;
  injections?: number;
  maxSeconds?: number;
  dataDir?: string;
}

function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `rasgw-soak-${name}-`));
}

export async function runLoss(opts: LossOptions = {}): Promise<ScenarioResult> {
  const dir = opts.dataDir ?? tmpDir('loss');
  const server = await startServer({ dataDir: dir, token: TOKEN });
  const client = new HttpClient(server.url, TOKEN, (opts.clients ?? 200) + 8);
  const violations: Violation[] = [];
  try {
    const vms = planVms(opts.vms ?? 50);
    await createVms(client, vms);
    const rssStart = residentBytes(server.pid);
    const deadline = Date.now() + (opts.maxSeconds ?? 600) * 1000;
    const r = await load(client, vms, opts.clients ?? 200, opts.injections ?? 100_000, deadline);
    const rssLoaded = residentBytes(server.pid);
    const open = await drain(client, vms, 60_000);
    if (open) violations.push({ what: 'drain', detail: `${open} injections still queued or delivered 60 s after the load` });
    const v = await verify(client, vms, r.accepted, violations);
    return {
      scenario: 'loss',
      ok: violations.length === 0 && r.errors === 0,
      figures: {
        vms: vms.length,
        clients: opts.clients ?? 200,
        sent: r.sent,
        accepted: r.accepted.length,
        ...Object.fromEntries(Object.entries(r.statuses).map(([k, n]) => [`status ${k}`, n])),
        transportErrors: r.errors,
        seconds: +(r.elapsedMs / 1000).toFixed(1),
        requestsPerSecond: Math.round(r.sent / (r.elapsedMs / 1000)),
        ...v,
        rssStartMiB: +(rssStart / 1048576).toFixed(1),
        rssLoadedMiB: +(rssLoaded / 1048576).toFixed(1),
      },
      violations: violations.slice(0, 50),
    };
  } finally {
    client.close();
    await server.kill('SIGTERM');
    if (!opts.dataDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runCrash(opts: LossOptions = {}): Promise<ScenarioResult> {
  const dir = tmpDir('crash');
  let server: RunningServer = await startServer({ dataDir: dir, token: TOKEN });
  let client = new HttpClient(server.url, TOKEN, (opts.clients ?? 200) + 8);
  const violations: Violation[] = [];
  try {
    const vms = planVms(opts.vms ?? 20);
    await createVms(client, vms);
    const total = opts.injections ?? 20_000;
    const deadline = Date.now() + (opts.maxSeconds ?? 300) * 1000;
    // Kill -9 while the clients are still sending: a timer fires after a share of the load.
    let killedAt = 0;
    const loadPromise = load(client, vms, opts.clients ?? 200, total, deadline);
    const killer = (async () => {
      await new Promise((r) => setTimeout(r, 1500));
      killedAt = Date.now();
      await server.kill('SIGKILL');
    })();
    const before = await loadPromise;
    await killer;
    client.close();
    server = await startServer({ dataDir: dir, token: TOKEN });
    client = new HttpClient(server.url, TOKEN, 16);
    const restoredLine = server.output().trim();
    // Every 202 must be stored, in a final or resumable state.
    const states: Record<string, number> = {};
    const byVm = new Map<string, Set<string>>();
    for (const a of before.accepted) (byVm.get(a.vm) ?? byVm.set(a.vm, new Set()).get(a.vm)!).add(a.id);
    for (const vm of vms) {
      const inj = await listAll<StoredInjectionView>(client, (a) => `/vms/${vm.id}/errors?limit=10000${a !== undefined ? `&since=${a}` : ''}`, 'injections', (x) => Number(x.id));
      const ids = new Set(inj.map((i) => i.id));
      for (const id of byVm.get(vm.id) ?? []) if (!ids.has(id)) violations.push({ what: 'lost', detail: `${vm.id} injection ${id} answered 202 but not in the store after restart` });
      for (const i of inj) if (byVm.get(vm.id)?.has(i.id)) states[i.state] = (states[i.state] ?? 0) + 1;
    }
    if (states.rejected) violations.push({ what: 'state', detail: `${states.rejected} injections answered 202 are stored as rejected` });
    const open = await drain(client, vms, 60_000);
    if (open) violations.push({ what: 'drain', detail: `${open} injections still open 60 s after restart` });
    const v = await verify(client, vms, before.accepted, violations);
    return {
      scenario: 'crash',
      ok: violations.length === 0,
      figures: {
        vms: vms.length,
        sentBeforeKill: before.sent,
        accepted202: before.accepted.length,
        transportErrorsAtKill: before.errors,
        killAfterMs: killedAt ? killedAt - (deadline - (opts.maxSeconds ?? 300) * 1000) : 0,
        ...Object.fromEntries(Object.entries(states).map(([k, n]) => [`after restart ${k}`, n])),
        ...v,
        restart: restoredLine.split('\n').pop() ?? '',
      },
      violations: violations.slice(0, 50),
    };
  } finally {
    client.close();
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBackpressure(opts: { injections?: number; queueDepth?: number } = {}): Promise<ScenarioResult> {
  const dir = tmpDir('backpressure');
  const server = await startServer({ dataDir: dir, token: TOKEN });
  const client = new HttpClient(server.url, TOKEN, 32);
  const violations: Violation[] = [];
  const depth = opts.queueDepth ?? 64;
  const total = opts.injections ?? 20_000;
  try {
    const sources = [{ notification: 'sei' }];
    for (const policy of ['queue', 'reject'] as const) {
      const r = await client.request('POST', '/vms', { id: `deaf-${policy}`, profile: 'extended', sources, personality: 'linux', linuxVersion: '6.1', busyPolicy: policy, queueDepth: depth });
      if (r.status !== 201) throw new Error(`create: ${r.status} ${r.text}`);
    }
    const statuses: Record<string, Record<string, number>> = { queue: {}, reject: {} };
    const rss: number[] = [];
    for (const policy of ['queue', 'reject'] as const) {
      for (let i = 0; i < total / 2; i++) {
        const res = await client.request('POST', `/vms/deaf-${policy}/errors`, errorBody(0, i, 0));
        const key = res.status >= 400 ? `${res.status}:${String((res.body as { type?: string })?.type ?? '').replace('/problems/', '')}` : String(res.status);
        statuses[policy][key] = (statuses[policy][key] ?? 0) + 1;
        if (i % 1000 === 999) rss.push(residentBytes(server.pid));
        if (res.status >= 400 && !res.text.includes('detail')) violations.push({ what: 'unclear-refusal', detail: res.text.slice(0, 200) });
      }
    }
    // queue policy: 1 in the block + `depth` queued, then queue-full; reject: 1, then source-busy
    const q = statuses.queue;
    if (q['202'] !== depth + 1) violations.push({ what: 'queue-bound', detail: `queue policy accepted ${q['202']} (expected ${depth + 1})` });
    if ((q['503:queue-full'] ?? 0) !== total / 2 - depth - 1) violations.push({ what: 'queue-full', detail: JSON.stringify(q) });
    const j = statuses.reject;
    if (j['202'] !== 1 || (j['409:source-busy'] ?? 0) !== total / 2 - 1) violations.push({ what: 'reject', detail: JSON.stringify(j) });
    const half = Math.floor(rss.length / 2);
    const early = Math.max(...rss.slice(1, Math.max(2, half)));
    const late = Math.max(...rss.slice(half));
    if (late - early > 32 * 1048576) violations.push({ what: 'memory', detail: `RSS grew from ${(early / 1048576).toFixed(1)} MiB to ${(late / 1048576).toFixed(1)} MiB while refusing` });
    return {
      scenario: 'backpressure',
      ok: violations.length === 0,
      figures: {
        queueDepth: depth,
        ...Object.fromEntries(Object.entries(q).map(([k, n]) => [`queue policy ${k}`, n])),
        ...Object.fromEntries(Object.entries(j).map(([k, n]) => [`reject policy ${k}`, n])),
        rssFirstMiB: +((rss[0] ?? 0) / 1048576).toFixed(1),
        rssLastMiB: +((rss[rss.length - 1] ?? 0) / 1048576).toFixed(1),
        rssMaxMiB: +(Math.max(...rss) / 1048576).toFixed(1),
      },
      violations,
    };
  } finally {
    client.close();
    await server.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
