import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import type { BenchResult } from './harness';
import { startServer } from '../src/gateway/server';

/**
 * How long after the guest prints a line an SSE subscriber of `GET /vms/{id}/log/stream` gets it.
 *
 * Live events wait for the commit that stores them (EventStore.afterCommit): a line goes out right
 * after its group commit's COMMIT, never before. The added delay is the time from the guest
 * printing the line (a listener on the VM itself) to the gateway announcing it (a listener on the
 * gateway's `log:<vm>` event); before events were held, the two were the same instant. The
 * end-to-end figure is the time until the SSE client (same process, over loopback) has read it.
 *
 * The gateway runs as `rasgw serve` builds it (file store in a temp directory, WAL,
 * synchronous=NORMAL, the default group commit window of 1 ms), in this process. Two loads: one
 * client injecting one error at a time (each its own batch), and 16 concurrent clients (batches
 * shared). Each injection is a corrected memory error, 5 s of virtual time after the previous one
 * so Linux's ratelimit lets the guest print it (7 lines).
 * Target (one client): p50 added delay ≤ 5 ms (the window plus one commit). With 16 clients a
 * batch holds the requests that arrive while it is open, and its lines wait for all of them: the
 * figure is printed next to the injecting clients' own answer time (their 202 waits for the same
 * commit; the clients run in this process too, so both include their cost).
 */
const TOKEN = 'bench-token-0123456789abcdefghijkl';
const INJECTIONS = 400;
const TARGET_MS = 5;

function quantiles(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const t = [...values].sort((a, b) => a - b);
  const q = (p: number) => t[Math.min(t.length - 1, Math.floor(p * t.length))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: t[t.length - 1] };
}

const ms = (ns: bigint) => Number(ns) / 1e6;

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-bench-stream-'));
  const srv = await startServer({ dataDir: dir, port: 0, qmpPort: null, clock: 'manual', defaultVm: true, env: { RASGW_TOKEN: TOKEN } });
  const out: BenchResult[] = [];
  try {
    const vmId = srv.createdDefaultVm!;
    const url = new URL(srv.url);
    // the guest prints (VM listener) → the gateway announces (log:<vm>) → the client reads (SSE)
    const printed: bigint[] = [];
    const unsubscribe = srv.gateway.vm(vmId).subscribe((e) => {
      if (e.type === 'log') printed.push(process.hrtime.bigint());
    });
    const announced = new Map<number, bigint>();
    let announcedCount = 0;
    const printedAt = new Map<number, bigint>();
    srv.gateway.on(`log:${vmId}`, (e: { seq: number }) => {
      // the k-th line announced is the k-th line printed (the gateway keeps the VM's order)
      printedAt.set(e.seq, printed[announcedCount++]);
      announced.set(e.seq, process.hrtime.bigint());
    });
    const received = new Map<number, bigint>();
    const since = srv.store.lastLogSeq(vmId);
    const stream = await new Promise<http.ClientRequest>((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path: `/vms/${vmId}/log/stream?since=${since}`, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = process.hrtime.bigint();
          text += d;
          for (const m of text.matchAll(/^id: (\d+)$/gm)) if (!received.has(Number(m[1]))) received.set(Number(m[1]), now);
          text = text.slice(text.lastIndexOf('\n\n') + 2);
        });
        resolve(req);
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    });
    let n = 0;
    let answers: number[] = [];
    const inject = async () => {
      const t0 = process.hrtime.bigint();
      const pa = 0x40000000 + 0x1000 * (n++ % 4096);
      // 5 s of virtual time: Linux's ratelimit (2 records per 5 s) lets this one be printed
      srv.gateway.advance(vmId, 5_000_000_001n);
      const r = await fetch(`${srv.url}/vms/${vmId}/errors`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x' + pa.toString(16) } }),
      });
      if (r.status !== 202) throw new Error(`inject: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      answers.push(ms(process.hrtime.bigint() - t0));
    };
    const measure = async (name: string, withTarget: boolean, load: () => Promise<void>) => {
      const from = srv.store.lastLogSeq(vmId);
      answers = [];
      await load();
      const to = srv.store.lastLogSeq(vmId);
      const deadline = Date.now() + 10_000;
      while (!received.has(to) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const hold: number[] = [];
      const e2e: number[] = [];
      for (let seq = from + 1; seq <= to; seq++) {
        const p = printedAt.get(seq);
        const a = announced.get(seq);
        const r = received.get(seq);
        if (p === undefined || a === undefined || r === undefined) throw new Error(`line ${seq} not seen (printed ${p}, announced ${a}, received ${r})`);
        hold.push(ms(a - p));
        e2e.push(ms(r - p));
      }
      const h = quantiles(hold);
      const e = quantiles(e2e);
      const a = quantiles(answers);
      const verdict = withTarget ? `; target p50 added ≤ ${TARGET_MS} ms: ${h.p50 <= TARGET_MS ? 'met' : 'NOT met'}` : '';
      out.push({
        name,
        summary: `added (printed → announced) p50 ${h.p50.toFixed(2)} ms, p99 ${h.p99.toFixed(2)} ms; to the SSE client p50 ${e.p50.toFixed(2)} ms, p99 ${e.p99.toFixed(2)} ms; the injecting client's 202 p50 ${a.p50.toFixed(2)} ms; ${to - from} lines${verdict}`,
        lines: to - from,
        addedP50Ms: h.p50,
        addedP99Ms: h.p99,
        addedMaxMs: h.max,
        sseP50Ms: e.p50,
        sseP99Ms: e.p99,
        answerP50Ms: a.p50,
        ...(withTarget ? { target: TARGET_MS, met: h.p50 <= TARGET_MS } : {}),
      });
    };
    // warm-up (JIT, first statements)
    for (let i = 0; i < 50; i++) await inject();
    await measure(`SSE line delay, 1 client (${INJECTIONS} injections, window 1 ms)`, true, async () => {
      for (let i = 0; i < INJECTIONS; i++) await inject();
    });
    await measure(`SSE line delay, 16 clients (${INJECTIONS} injections, window 1 ms)`, false, async () => {
      let left = INJECTIONS;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (left-- > 0) await inject();
        }),
      );
    });
    unsubscribe();
    stream.destroy();
  } finally {
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
