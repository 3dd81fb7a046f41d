import fs from 'fs';
import path from 'path';
import v8 from 'v8';
import { BenchResult, latencies, throughput } from './harness';
import { Vm, defaultVmSpec } from '../src/vm';
import type { RestorePoint } from '../src/binary/restore';

/**
 * Runtime injection, in process, one core: record → notify → the guest reads, checks, decodes,
 * logs into its ring buffer, acknowledges. Target ≥ 50,000 injections/s for the worst case (every
 * record printed, no ratelimit or cache); the other variants are printed for comparison.
 *
 * Each variant also reports the heap bytes allocated per injection (a figure that does not depend
 * on the machine's load, unlike the rate): heap used after minus before, plus what every garbage
 * collection in between freed (v8.GCProfiler). The worst case also gives its rate per second of
 * the process's CPU time (garbage collector threads included), which a busy machine changes much
 * less than the wall-clock rate.
 *
 * Variants:
 * - SEI (apei-sei guest, queue policy): distinct records (the physical address changes, so the
 *   duplicate cache never hits); the printing is ratelimited exactly as Linux does (2 per 5 s of
 *   virtual time), so most records are handled and acknowledged without their text.
 * - SEI, every record printed: the virtual clock is moved 5 s between injections so the ratelimit
 *   window reopens each time (full text rendering on every injection).
 * - polled: inject, then advance the virtual clock by the poll interval so the guest's timer reads it.
 * - SEI, every record printed, under restore points as the gateway takes them: a point per
 *   injection (its savepoint) released after it, inside a point per 64 injections (its group
 *   commit) released after the 64th (docs/ARCHITECTURE.md "Restore points").
 * - restore: the time to put a VM back after a batch of 64 printed injections with a memory
 *   failure and a panic (what a failed group commit costs per VM).
 */
const fixture = path.join(__dirname, '../../shared/fixtures/linux-guest/memory-corrected.gesb');

const TARGET_PRINTED = 50_000;

/** Heap bytes allocated per call of `fn` over `n` calls, and the calls per second of process CPU time. */
function allocatedPerCall(fn: () => void, n: number): { bytes: number; cpuOpsPerSec: number } {
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics().used_heap_size;
  const cpu = process.cpuUsage();
  profiler.start();
  for (let i = 0; i < n; i++) fn();
  const gcs = profiler.stop().statistics;
  const used = process.cpuUsage(cpu);
  const after = v8.getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const g of gcs) freed += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
  return { bytes: (after - before + freed) / n, cpuOpsPerSec: n / ((used.user + used.system) / 1e6) };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB allocated per injection`;
}

function records(n: number): Uint8Array[] {
  const base = new Uint8Array(fs.readFileSync(fixture));
  return Array.from({ length: n }, (_, i) => {
    const b = base.slice();
    new DataView(b.buffer).setUint32(108, 0x1000 * i, true);
    return b;
  });
}

function seiVm(): Vm {
  return new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'apei-sei' }), 'bench-sei', { logCapacity: 4096 });
}

function polledVm(): Vm {
  return new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 10 }], personality: 'linux' }), 'bench-poll', { logCapacity: 4096 });
}

export async function run(): Promise<BenchResult[]> {
  const recs = records(1024);
  const out: BenchResult[] = [];
  const fmt = (l: { p50: number; p90: number; p99: number }) => `p50 ${l.p50.toFixed(1)} µs, p90 ${l.p90.toFixed(1)} µs, p99 ${l.p99.toFixed(1)} µs`;

  {
    const vm = seiVm();
    let i = 0;
    const inject = () => {
      const s = vm.inject({ kind: 'raw', bytes: recs[i++ & 1023] });
      if (s.state !== 'acknowledged') throw new Error(`injection ${s.id} ended ${s.state}`);
    };
    const t = throughput(inject, 1500);
    const l = latencies(inject, 20000);
    const alloc = allocatedPerCall(inject, 10000);
    out.push({ name: 'inject SEI (distinct records, Linux ratelimit)', summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s; ${fmt(l)}; ${kib(alloc.bytes)}`, opsPerSec: t.opsPerSec, ...l, allocatedBytesPerInjection: alloc.bytes });
  }
  {
    const vm = seiVm();
    let i = 0;
    const inject = () => {
      vm.advance(5_000_000_001n);
      const s = vm.inject({ kind: 'raw', bytes: recs[i++ & 1023] });
      if (s.outcome?.actions[0] !== 'logged') throw new Error('record was not printed');
    };
    const t = throughput(inject, 1500);
    const l = latencies(inject, 10000);
    const alloc = allocatedPerCall(inject, 20000);
    const verdict = `target ≥ ${TARGET_PRINTED.toLocaleString('en-US')}: ${t.opsPerSec >= TARGET_PRINTED ? 'met' : 'NOT met'}`;
    out.push({
      name: 'inject SEI (every record printed)',
      summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s (${verdict}); ${Math.round(alloc.cpuOpsPerSec).toLocaleString('en-US')} inj per CPU-second; ${fmt(l)}; ${kib(alloc.bytes)}`,
      opsPerSec: t.opsPerSec,
      target: TARGET_PRINTED,
      met: t.opsPerSec >= TARGET_PRINTED,
      ...l,
      cpuOpsPerSec: alloc.cpuOpsPerSec,
      allocatedBytesPerInjection: alloc.bytes,
    });
  }
  {
    const vm = seiVm();
    let i = 0;
    let batch: RestorePoint | undefined;
    const inject = () => {
      batch ??= vm.restorePoint();
      const point = vm.restorePoint();
      vm.advance(5_000_000_001n);
      const s = vm.inject({ kind: 'raw', bytes: recs[i++ & 1023] });
      point.release();
      if ((i & 63) === 0) {
        batch.release();
        batch = undefined;
      }
      if (s.outcome?.actions[0] !== 'logged') throw new Error('record was not printed');
    };
    const t = throughput(inject, 1500);
    const l = latencies(inject, 10000);
    const alloc = allocatedPerCall(inject, 20000);
    batch?.release();
    const verdict = `target ≥ ${TARGET_PRINTED.toLocaleString('en-US')}: ${t.opsPerSec >= TARGET_PRINTED ? 'met' : 'NOT met'}`;
    out.push({
      name: 'inject SEI (every record printed, restore points)',
      summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s (${verdict}); ${Math.round(alloc.cpuOpsPerSec).toLocaleString('en-US')} inj per CPU-second; ${fmt(l)}; ${kib(alloc.bytes)}`,
      opsPerSec: t.opsPerSec,
      ...l,
      cpuOpsPerSec: alloc.cpuOpsPerSec,
      allocatedBytesPerInjection: alloc.bytes,
    });
  }
  {
    const vm = seiVm();
    const fatal = recs[0].slice();
    // block severity (u32 at 16) and the data entry's (u32 at 20 + 16): fatal
    new DataView(fatal.buffer).setUint32(16, 1, true);
    new DataView(fatal.buffer).setUint32(36, 1, true);
    const times: number[] = [];
    for (let round = 0; round < 200; round++) {
      const point = vm.restorePoint();
      for (let i = 0; i < 62; i++) {
        vm.advance(5_000_000_001n);
        vm.inject({ kind: 'raw', bytes: recs[(round * 64 + i) & 1023] });
      }
      vm.advance(5_000_000_001n);
      vm.inject({ kind: 'raw', bytes: fatal });
      if (!vm.state().guest.panicked) throw new Error('the fatal record did not panic the guest');
      const s = process.hrtime.bigint();
      point.restore();
      times.push(Number(process.hrtime.bigint() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)];
    const max = times[times.length - 1];
    out.push({ name: 'restore a VM after a batch of 64 (63 printed, a panic)', summary: `p50 ${p50.toFixed(1)} µs, max ${max.toFixed(1)} µs per restore`, p50, max });
  }
  {
    const vm = polledVm();
    let i = 0;
    const inject = () => {
      const s = vm.inject({ kind: 'raw', bytes: recs[i++ & 1023] });
      vm.advance(10_000_000n);
      if (vm.injection(s.id)!.state !== 'acknowledged') throw new Error('polled record not read');
    };
    const t = throughput(inject, 1500);
    const l = latencies(inject, 20000);
    const alloc = allocatedPerCall(inject, 10000);
    out.push({ name: 'inject polled (inject + one poll interval)', summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s; ${fmt(l)}; ${kib(alloc.bytes)}`, opsPerSec: t.opsPerSec, ...l, allocatedBytesPerInjection: alloc.bytes });
  }
  return out;
}
