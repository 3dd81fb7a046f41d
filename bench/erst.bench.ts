import fs from 'fs';
import os from 'os';
import path from 'path';
import { BenchResult, latencies, throughput } from './harness';
import { Vm, defaultVmSpec } from '../src/vm';
import { EventStore } from '../src/store';

/**
 * ERST through the guest's interpreter: one 4 KiB CPER record written (erst_write: BEGIN_WRITE,
 * SET_RECORD_OFFSET, EXECUTE_OPERATION, CHECK_BUSY_STATUS, GET_COMMAND_STATUS, END — each action
 * a run of the table's instructions against the device model's MMIO registers) and read back
 * (erst_read), per second, in process, one core. Two stores: in memory, and the gateway's SQLite
 * event store on disk (each write committed before the device reports success).
 * Target ≥ 10,000 write+read pairs/s in memory.
 */
const TARGET = 10_000;

function record(id: bigint): Uint8Array {
  const b = new Uint8Array(4096).fill(0xa5);
  b.set([0x43, 0x50, 0x45, 0x52], 0);
  const dv = new DataView(b.buffer);
  dv.setUint32(20, 4096, true);
  dv.setBigUint64(96, id, true);
  return b;
}

function pair(vm: Vm): () => void {
  const d = vm.guest.erst.driver!;
  const recs = [record(0x100n), record(0x101n), record(0x102n), record(0x103n)];
  let i = 0;
  return () => {
    const r = recs[i++ & 3];
    const id = 0x100n + BigInt((i - 1) & 3);
    const rc = d.write(r);
    if (rc !== 0) throw new Error(`erst_write returned ${rc}`);
    const got = d.read(id);
    if (got.len !== 4096) throw new Error(`erst_read returned ${got.len}`);
  };
}

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const fmt = (l: { p50: number; p99: number }) => `p50 ${l.p50.toFixed(1)} µs, p99 ${l.p99.toFixed(1)} µs`;
  {
    const vm = new Vm(defaultVmSpec({ profile: 'extended' }), 'bench-erst', { logCapacity: 1024 });
    const fn = pair(vm);
    const t = throughput(fn, 1500);
    const l = latencies(fn, 5000);
    out.push({
      name: 'ERST write+read 4 KiB via guest interpreter (memory)',
      summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} pairs/s; ${fmt(l)} (target ${TARGET.toLocaleString('en-US')}/s: ${t.opsPerSec >= TARGET ? 'met' : 'NOT met'})`,
      opsPerSec: t.opsPerSec,
      ...l,
    });
  }
  {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-bench-erst-'));
    const store = EventStore.open(dir);
    try {
      const spec = defaultVmSpec({ profile: 'extended' });
      store.putVm('bench-erst-db', spec);
      const vm = new Vm(spec, 'bench-erst-db', { logCapacity: 1024, erstStorage: (id) => store.erst.storageFor(id) });
      const fn = pair(vm);
      const t = throughput(fn, 1500);
      const l = latencies(fn, 2000);
      out.push({
        name: 'ERST write+read 4 KiB via guest interpreter (SQLite store)',
        summary: `${Math.round(t.opsPerSec).toLocaleString('en-US')} pairs/s; ${fmt(l)} (each write committed, WAL)`,
        opsPerSec: t.opsPerSec,
        ...l,
      });
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
