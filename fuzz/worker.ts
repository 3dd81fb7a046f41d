import { parentPort, workerData } from 'worker_threads';
import { fuzzTarget } from './engine';
import type { FuzzTarget } from './target';

/**
 * Worker-thread side of a long fuzz run. Before each input it copies the input into shared memory
 * and bumps a sequence number, so the supervisor can tell a hang (sequence frozen) and report the
 * input that caused it even after terminating this thread.
 */
export interface WorkerJob {
  /** module exporting the target factory, and the factory's name */
  module: string;
  factory: string;
  targetName: string;
  seed: number;
  start: number;
  count: number;
  maxInputMs?: number;
  memoryBoundBytes?: number;
  batchSize?: number;
  skip: number[];
  /** header (4 × i32: sequence, index low, index high, length) then the input bytes */
  slot: SharedArrayBuffer;
}

export const SLOT_HEADER_BYTES = 16;

export async function runJob(job: WorkerJob): Promise<void> {
  const mod = require(job.module) as Record<string, (name: string) => FuzzTarget>;
  const target = mod[job.factory](job.targetName);
  const header = new Int32Array(job.slot, 0, 4);
  const data = new Uint8Array(job.slot, SLOT_HEADER_BYTES);
  const report = await fuzzTarget(target, {
    seed: job.seed,
    start: job.start,
    count: job.count,
    maxInputMs: job.maxInputMs,
    memoryBoundBytes: job.memoryBoundBytes,
    batchSize: job.batchSize,
    skip: new Set(job.skip),
    onInput(index, input) {
      header[1] = index % 0x1_0000_0000 | 0;
      header[2] = Math.floor(index / 0x1_0000_0000);
      header[3] = input.length;
      data.set(input.length <= data.length ? input : input.subarray(0, data.length));
      Atomics.add(header, 0, 1);
    },
    onBatch(r) {
      parentPort?.postMessage({ type: 'progress', report: r });
    },
  });
  parentPort?.postMessage({ type: 'done', report });
}

if (parentPort && workerData && (workerData as { fuzzJob?: WorkerJob }).fuzzJob) {
  runJob((workerData as { fuzzJob: WorkerJob }).fuzzJob).catch((e: unknown) => {
    parentPort?.postMessage({ type: 'error', message: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
  });
}
