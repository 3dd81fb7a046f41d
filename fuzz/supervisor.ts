import path from 'path';
import { Worker } from 'worker_threads';
import { toHex } from '../src/binary/hexdump';
import { emptyReport, mergeReports } from './engine';
import { FailureKind, TargetReport } from './target';
import { SLOT_HEADER_BYTES, WorkerJob } from './worker';

/**
 * Runs a fuzz target inside a worker thread with a watchdog. The worker publishes each input in
 * shared memory before running it; when the sequence number stops moving for `watchdogMs`, the
 * supervisor terminates the worker (this stops even a tight infinite loop), records the input that
 * hung as a failure with its bytes, and starts a fresh worker that continues after the last
 * completed batch, skipping that input. A worker that dies (out of memory, native crash) is handled
 * the same way.
 */
export interface SuperviseOptions {
  /** module exporting the target factory (absolute path) and the factory's export name */
  module: string;
  factory: string;
  targetName: string;
  seed: number;
  count: number;
  start?: number;
  maxInputMs?: number;
  memoryBoundBytes?: number;
  batchSize?: number;
  /** an input running longer than this is a hang (default 10 s) */
  watchdogMs?: number;
  /** old-generation heap limit of the worker (default 1024 MiB) */
  maxHeapMb?: number;
  /** bytes of an input the watchdog can report (longer inputs are cut; default 512 KiB) */
  slotBytes?: number;
  /** stop after this many restarts (default 20) */
  maxRestarts?: number;
  onProgress?: (report: TargetReport) => void;
}

const ROOT = path.join(__dirname, '..');
const REGISTER_TS = path.join(ROOT, 'bin', 'register-ts.js');
const WORKER_TS = path.join(__dirname, 'worker.ts');

interface WorkerRun {
  /** the worker's own report (complete, or the last batch it posted) */
  report: TargetReport | null;
  /** set when the worker hung or died */
  stopped?: { kind: FailureKind; index: number; input: Uint8Array; message: string };
}

function runWorker(job: WorkerJob, watchdogMs: number, maxHeapMb: number, onProgress?: (r: TargetReport) => void): Promise<WorkerRun> {
  return new Promise((resolve) => {
    const code = `require(${JSON.stringify(REGISTER_TS)}); require(${JSON.stringify(WORKER_TS)});`;
    const worker = new Worker(code, { eval: true, workerData: { fuzzJob: job }, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    const header = new Int32Array(job.slot, 0, 4);
    const data = new Uint8Array(job.slot, SLOT_HEADER_BYTES);
    let last: TargetReport | null = null;
    let settled = false;
    let seenSeq = Atomics.load(header, 0);
    let seenAt = Date.now();
    const startedAt = Date.now();

    const current = () => {
      const index = (header[1] >>> 0) + header[2] * 0x1_0000_0000;
      const len = header[3];
      return { index, input: data.slice(0, Math.min(len, data.length)), len };
    };
    const finish = (run: WorkerRun) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      resolve(run);
    };
    const timer = setInterval(() => {
      const seq = Atomics.load(header, 0);
      if (seq !== seenSeq) {
        seenSeq = seq;
        seenAt = Date.now();
        return;
      }
      if (seq === 0 && Date.now() - startedAt > Math.max(30_000, watchdogMs * 3)) {
        void worker.terminate();
        finish({ report: last, stopped: { kind: 'hang', index: -1, input: new Uint8Array(0), message: 'no input started: loading the target or its warm-up on the seeds hung' } });
        return;
      }
      if (seq > 0 && Date.now() - seenAt > watchdogMs) {
        const c = current();
        const cut = c.len > c.input.length ? ` (first ${c.input.length} of ${c.len} bytes kept)` : '';
        void worker.terminate();
        finish({ report: last, stopped: { kind: 'hang', index: c.index, input: c.input, message: `input ${c.index} ran over ${watchdogMs} ms; worker terminated${cut}` } });
      }
    }, Math.min(250, Math.max(20, watchdogMs / 4)));

    worker.on('message', (m: { type: string; report?: TargetReport; message?: string }) => {
      if (m.type === 'progress' && m.report) {
        last = m.report;
        onProgress?.(m.report);
      } else if (m.type === 'done' && m.report) {
        finish({ report: m.report });
        void worker.terminate();
      } else if (m.type === 'error') {
        const c = current();
        finish({ report: last, stopped: { kind: 'worker-crash', index: c.index, input: c.input, message: `worker failed: ${m.message}` } });
        void worker.terminate();
      }
    });
    worker.on('error', (e: Error) => {
      const c = current();
      finish({ report: last, stopped: { kind: 'worker-crash', index: c.index, input: c.input, message: `worker died on input ${c.index}: ${e.name}: ${e.message}` } });
    });
    worker.on('exit', (codeNum) => {
      const c = current();
      finish({ report: last, stopped: { kind: 'worker-crash', index: c.index, input: c.input, message: `worker exited with code ${codeNum} on input ${c.index}` } });
    });
  });
}

export async function superviseTarget(opts: SuperviseOptions): Promise<TargetReport> {
  const start = opts.start ?? 0;
  const end = start + opts.count;
  const watchdogMs = opts.watchdogMs ?? 10_000;
  const maxRestarts = opts.maxRestarts ?? 20;
  const total = emptyReport(opts.targetName, opts.seed, start);
  const skip: number[] = [];
  let next = start;
  let restarts = 0;
  const began = Date.now();
  while (next < end) {
    const slot = new SharedArrayBuffer(SLOT_HEADER_BYTES + (opts.slotBytes ?? 512 * 1024));
    const job: WorkerJob = {
      module: opts.module,
      factory: opts.factory,
      targetName: opts.targetName,
      seed: opts.seed,
      start: next,
      count: end - next,
      maxInputMs: opts.maxInputMs,
      memoryBoundBytes: opts.memoryBoundBytes,
      batchSize: opts.batchSize,
      skip: skip.filter((i) => i >= next),
      slot,
    };
    const run = await runWorker(job, watchdogMs, opts.maxHeapMb ?? 1024, (r) => {
      const view = mergeReports(structuredClone(total), r);
      opts.onProgress?.(view);
    });
    if (!run.stopped) {
      if (run.report) mergeReports(total, run.report);
      break;
    }
    // Keep what the last completed batch covered; re-run the rest (inputs are deterministic),
    // skipping the input that hung or crashed, which is recorded here as a failure.
    const resumeAt = run.report ? run.report.endIndex : next;
    if (run.report) mergeReports(total, run.report);
    const s = run.stopped;
    if (s.index < 0) {
      total.failures.push({ kind: s.kind, index: s.index, message: s.message, inputHex: '', inputLength: 0 });
      total.failureCount++;
      break;
    }
    total.failureCount++;
    total.tried++;
    total.failures.push({ kind: s.kind, index: s.index, message: s.message, inputHex: toHex(s.input), inputLength: s.input.length });
    skip.push(s.index);
    total.restarts++;
    restarts++;
    next = resumeAt;
    if (restarts > maxRestarts) {
      total.failures.push({ kind: s.kind, index: s.index, message: `gave up after ${maxRestarts} worker restarts; inputs from ${next} not run`, inputHex: '', inputLength: 0 });
      total.failureCount++;
      break;
    }
  }
  total.elapsedMs = Date.now() - began;
  return total;
}
