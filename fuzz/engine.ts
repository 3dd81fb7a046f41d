import v8 from 'v8';
import vm from 'vm';
import { RasgwError } from '../src/binary/errors';
import { toHex } from '../src/binary/hexdump';
import { LengthField } from './fields';
import { MUTATORS, MutationContext, NamedMutator, mutate } from './mutators';
import { Prng } from './prng';
import { FailureKind, FuzzFailure, FuzzInvariantError, FuzzTarget, TargetReport } from './target';

export { Prng } from './prng';
export * from './fields';
export * from './mutators';
export * from './target';

/**
 * The fuzz engine: derives input `i` from (seed, target, i) alone, runs it, classifies the result
 * (accepted / rejected with a typed error / failure), measures its time, and samples memory after
 * each batch. The same engine runs the short fixed-seed slices under Jest (in process) and the long
 * run (inside a worker thread with a watchdog, see supervisor.ts).
 */

export interface FuzzOptions {
  seed: number;
  count: number;
  /** first input index (a restarted worker continues after the input that hung) */
  start?: number;
  /** per-input budget in ms; default: the target's, else 50 */
  maxInputMs?: number;
  /** fail when heapUsed + arrayBuffers grows more than this over the first batch (default 64 MiB) */
  memoryBoundBytes?: number;
  /** inputs between memory samples (default 2000) */
  batchSize?: number;
  /** stored failures (each distinct kind + message once); default 20 */
  maxStoredFailures?: number;
  /** called after every batch with the report so far */
  onBatch?: (report: TargetReport) => void;
  /** called before each input runs (the worker publishes it for the watchdog) */
  onInput?: (index: number, input: Uint8Array) => void;
  /** indices not to run (inputs that already hung or crashed a worker; the supervisor counts them) */
  skip?: ReadonlySet<number>;
}

export interface GeneratedInput {
  bytes: Uint8Array;
  /** how it was made: `random`, `generator`, or the mutators applied to seed k */
  how: string;
}

/** Seeds and their fields, computed once per target. */
export interface PreparedTarget {
  target: FuzzTarget;
  seeds: Uint8Array[];
  fields: LengthField[][];
  maxLength: number;
  mutators: readonly NamedMutator[];
}

export function prepareTarget(target: FuzzTarget): PreparedTarget {
  const seeds = target.seeds();
  if (seeds.length === 0 && !target.generate) throw new Error(`fuzz target ${target.name} has no seeds`);
  const fields = seeds.map((s) => (target.fields ? target.fields(s) : []));
  const largest = seeds.reduce((m, s) => Math.max(m, s.length), 0);
  const mutators = target.extraMutators ? [...MUTATORS, ...target.extraMutators] : MUTATORS;
  return { target, seeds, fields, maxLength: target.maxLength ?? largest * 2 + 4096, mutators };
}

/** Input `index` of a target for a seed: always the same bytes. */
export function generateInput(p: PreparedTarget, seed: number, index: number): GeneratedInput {
  const rng = Prng.forInput(seed, p.target.name, index);
  if (p.target.generate) return { bytes: p.target.generate(rng, p.seeds), how: 'generator' };
  if (p.seeds.length === 0 || rng.chance(0.04)) {
    return { bytes: rng.bytes(rng.size(Math.min(p.maxLength, 4096))), how: 'random' };
  }
  const k = rng.int(p.seeds.length);
  const ctx: MutationContext = { seeds: p.seeds, fields: p.fields[k], maxLength: p.maxLength };
  const { bytes, applied } = mutate(rng, p.seeds[k], ctx, p.mutators);
  let how = `seed ${k}: ${applied.join('+')}`;
  if (p.target.fixup && rng.chance(0.5)) {
    p.target.fixup(bytes);
    how += '+fixup';
  }
  return { bytes, how };
}

/** A forced garbage collection, when the runtime allows it (Jest and plain node do after this). */
let gcFn: (() => void) | null | undefined;
export function forceGc(): boolean {
  if (gcFn === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') gcFn = g;
    else {
      try {
        v8.setFlagsFromString('--expose-gc');
        gcFn = vm.runInNewContext('gc') as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

export function memorySample(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function emptyReport(target: string, seed: number, start: number): TargetReport {
  return {
    target,
    seed,
    start,
    endIndex: start,
    tried: 0,
    outcomes: {},
    rejections: {},
    failureCount: 0,
    failures: [],
    maxInputMs: 0,
    maxInputIndex: -1,
    totalRunMs: 0,
    elapsedMs: 0,
    memory: { afterGc: false, baselineBytes: 0, finalBytes: 0, maxGrowthBytes: 0, samples: 0 },
    restarts: 0,
  };
}

export interface Verdict {
  /** 'outcome' = accepted with a label, 'rejection' = typed error code */
  type: 'outcome' | 'rejection' | 'failure';
  label: string;
  failureKind?: FailureKind;
  message?: string;
  stack?: string;
}

function isThenable(v: unknown): v is Promise<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Runs one input and classifies what happened. */
export async function runOne(target: FuzzTarget, input: Uint8Array): Promise<Verdict> {
  try {
    let r = target.run(input);
    if (isThenable(r)) r = await r;
    return { type: 'outcome', label: typeof r === 'string' ? r : 'accepted' };
  } catch (e) {
    return classifyThrown(target, e);
  }
}

export function classifyThrown(target: FuzzTarget, e: unknown): Verdict {
  if (e instanceof FuzzInvariantError) {
    return { type: 'failure', label: 'invariant', failureKind: 'invariant', message: e.message, stack: e.stack };
  }
  if (e instanceof RasgwError && target.rejectsTyped !== false) return { type: 'rejection', label: e.code };
  const err = e instanceof Error ? e : new Error(String(e));
  const what = e instanceof RasgwError ? `typed error from code that must never throw: ${err.message}` : `${err.name}: ${err.message}`;
  return { type: 'failure', label: 'untyped-exception', failureKind: 'untyped-exception', message: what, stack: err.stack };
}

function recordFailure(report: TargetReport, f: FuzzFailure, maxStored: number): void {
  report.failureCount++;
  const key = `${f.kind}|${f.message.split('\n')[0]}`;
  if (report.failures.length >= maxStored) return;
  if (report.failures.some((x) => `${x.kind}|${x.message.split('\n')[0]}` === key)) return;
  report.failures.push(f);
}

function now(): number {
  return performance.now();
}

/** Runs `count` inputs of one target in this thread and reports what happened. */
export async function fuzzTarget(target: FuzzTarget, opts: FuzzOptions, prepared?: PreparedTarget): Promise<TargetReport> {
  const p = prepared ?? prepareTarget(target);
  const start = opts.start ?? 0;
  const budget = opts.maxInputMs ?? target.maxInputMs ?? 50;
  const bound = opts.memoryBoundBytes ?? 64 * 1024 * 1024;
  const batch = Math.max(1, opts.batchSize ?? 2000);
  const maxStored = opts.maxStoredFailures ?? 20;
  const report = emptyReport(target.name, opts.seed, start);
  const began = now();

  // Warm-up: every seed once, so module loading and first compilation are not timed.
  for (const s of p.seeds) await runOne(target, s.slice());

  let memoryFailed = false;
  const sampleMemory = (index: number) => {
    // Two collections: array-buffer backing stores freed by the first are released by the second.
    report.memory.afterGc = forceGc() && forceGc();
    const m = memorySample();
    report.memory.samples++;
    if (report.memory.samples === 1) report.memory.baselineBytes = m;
    report.memory.finalBytes = m;
    const growth = m - report.memory.baselineBytes;
    if (growth > report.memory.maxGrowthBytes) report.memory.maxGrowthBytes = growth;
    if (growth > bound && !memoryFailed) {
      memoryFailed = true;
      recordFailure(
        report,
        {
          kind: 'memory',
          index,
          message: `heapUsed+arrayBuffers grew by ${(growth / 1048576).toFixed(1)} MiB over the first batch (bound ${(bound / 1048576).toFixed(0)} MiB) by input ${index}`,
          inputHex: '',
          inputLength: 0,
        },
        maxStored,
      );
    }
  };

  for (let i = start; i < start + opts.count; i++) {
    report.endIndex = i + 1;
    if (opts.skip?.has(i)) continue;
    const { bytes } = generateInput(p, opts.seed, i);
    const pristine = bytes.slice();
    opts.onInput?.(i, pristine);
    const t0 = now();
    let verdict = await runOne(target, bytes);
    let ms = now() - t0;
    let slow = false;
    if (ms > budget) {
      // A garbage collection, a compilation or another process taking the CPU can land on any
      // input: collect garbage, time it up to four more times and keep the best, so only inputs
      // that are slow every time fail.
      for (let retry = 0; retry < 4 && ms > budget; retry++) {
        forceGc();
        if (retry >= 2) await new Promise((r) => setTimeout(r, 20));
        const t1 = now();
        verdict = await runOne(target, pristine.slice());
        ms = Math.min(ms, now() - t1);
      }
      if (ms > budget) {
        slow = true;
        recordFailure(
          report,
          { kind: 'slow', index: i, message: `input took ${ms.toFixed(1)} ms (budget ${budget} ms)`, inputHex: toHex(pristine), inputLength: pristine.length, ms },
          maxStored,
        );
      }
    }
    report.totalRunMs += ms;
    if (ms > report.maxInputMs) {
      report.maxInputMs = ms;
      report.maxInputIndex = i;
    }
    report.tried++;
    // A slow input is counted once, as its 'slow' failure, whatever its verdict was.
    if (!slow) {
      if (verdict.type === 'outcome') report.outcomes[verdict.label] = (report.outcomes[verdict.label] ?? 0) + 1;
      else if (verdict.type === 'rejection') report.rejections[verdict.label] = (report.rejections[verdict.label] ?? 0) + 1;
      else {
        recordFailure(
          report,
          { kind: verdict.failureKind!, index: i, message: verdict.message ?? '', stack: verdict.stack, inputHex: toHex(pristine), inputLength: pristine.length },
          maxStored,
        );
      }
    }
    if ((i - start + 1) % batch === 0) {
      sampleMemory(i);
      report.elapsedMs = now() - began;
      opts.onBatch?.(report);
    }
  }
  sampleMemory(start + opts.count - 1);
  report.elapsedMs = now() - began;
  return report;
}

/** Re-runs one input and returns what happened, with its bytes (for `--index`). */
export async function reproduce(target: FuzzTarget, seed: number, index: number): Promise<{ input: GeneratedInput; verdict: Verdict; ms: number }> {
  const p = prepareTarget(target);
  const input = generateInput(p, seed, index);
  const t0 = now();
  const verdict = await runOne(target, input.bytes.slice());
  return { input, verdict, ms: now() - t0 };
}

/** Adds `b` into `a` (reports of the same target from consecutive index ranges). */
export function mergeReports(a: TargetReport, b: TargetReport, maxStored = 20): TargetReport {
  a.tried += b.tried;
  a.endIndex = Math.max(a.endIndex, b.endIndex);
  for (const [k, n] of Object.entries(b.outcomes)) a.outcomes[k] = (a.outcomes[k] ?? 0) + n;
  for (const [k, n] of Object.entries(b.rejections)) a.rejections[k] = (a.rejections[k] ?? 0) + n;
  for (const f of b.failures) recordFailure(a, f, maxStored);
  a.failureCount += b.failureCount - b.failures.length;
  if (b.maxInputMs > a.maxInputMs) {
    a.maxInputMs = b.maxInputMs;
    a.maxInputIndex = b.maxInputIndex;
  }
  a.totalRunMs += b.totalRunMs;
  a.elapsedMs += b.elapsedMs;
  a.memory.afterGc = a.memory.afterGc || b.memory.afterGc;
  a.memory.maxGrowthBytes = Math.max(a.memory.maxGrowthBytes, b.memory.maxGrowthBytes);
  a.memory.finalBytes = b.memory.finalBytes;
  if (a.memory.samples === 0) a.memory.baselineBytes = b.memory.baselineBytes;
  a.memory.samples += b.memory.samples;
  a.restarts += b.restarts;
  return a;
}
