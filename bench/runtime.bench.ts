import fs from 'fs';
import path from 'path';
import { BenchResult, latencies, throughput } from './harness';
import { Vm, defaultVmSpec } from '../src/vm';

/**
 * Runtime injection, in process, one core: record → notify → the guest reads, checks, decodes,
 * logs into its ring buffer, acknowledges. Target ≥ 50,000 injections/s.
 *
 * Variants:
 * - SEI (apei-sei guest, queue policy): distinct records (the physical address changes, so the
 *   duplicate cache never hits); the printing is ratelimited exactly as Linux does (2 per 5 s of
 *   virtual time), so most records are handled and acknowledged without their text.
 * - SEI, every record printed: the virtual clock is moved 5 s between injections so the ratelimit
 *   window reopens each time (full text rendering on every injection).
 * - polled: inject, then advance the virtual clock by the poll interval so the guest's timer reads it.
 */
const fixture = path.join(__dirname, '../../shared/fixtures/linux-guest/memory-corrected.gesb');

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
    out.push({ name: 'inject SEI (distinct records, Linux ratelimit)', summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s; ${fmt(l)}`, opsPerSec: t.opsPerSec, ...l });
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
    out.push({ name: 'inject SEI (every record printed)', summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s; ${fmt(l)}`, opsPerSec: t.opsPerSec, ...l });
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
    out.push({ name: 'inject polled (inject + one poll interval)', summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} inj/s; ${fmt(l)}`, opsPerSec: t.opsPerSec, ...l });
  }
  return out;
}
