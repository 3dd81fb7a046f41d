/** Small benchmark helpers: time a function for a duration and report rate and percentiles. */
export interface BenchResult {
  name: string;
  /** one line for the console */
  summary: string;
  /** raw figures */
  [figure: string]: unknown;
}

/** Calls `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns ops/s. */
export function throughput(fn: () => void, ms = 1000): { opsPerSec: number; iterations: number } {
  const warm = Date.now() + Math.min(200, ms / 4);
  while (Date.now() < warm) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - start) / 1e9;
  return { opsPerSec: n / secs, iterations: n };
}

/** Runs `fn` `count` times and returns latency percentiles in microseconds. */
export function latencies(fn: () => void, count: number): { p50: number; p90: number; p99: number; max: number } {
  const t: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const s = process.hrtime.bigint();
    fn();
    t[i] = Number(process.hrtime.bigint() - s) / 1000;
  }
  t.sort((a, b) => a - b);
  const q = (p: number) => t[Math.min(t.length - 1, Math.floor(p * t.length))];
  return { p50: q(0.5), p90: q(0.9), p99: q(0.99), max: t[t.length - 1] };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
