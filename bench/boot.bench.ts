import { BenchResult, latencies } from './harness';
import { MachineOptions, parseSourcesSpec, resolveProfile } from '../src/device-model/profiles';
import { bootMachine, buildMachineFiles, createMachineMemory, discoverHest } from '../src/device-model/boot';
import { FwCfg } from '../src/fw-cfg';
import { runFirmware } from '../src/firmware';

/**
 * Boot cost per machine profile: build the tables, the loader script and the fw_cfg files, run the
 * mock firmware, then do the guest's discovery RSDP → XSDT → HEST.
 * - "cold": everything built from scratch (no shared-files cache);
 * - "vm": a new VM of an already-built machine (files shared, as the VM layer creates them).
 * Targets: qemu-7.2-virt < 2 ms median; 1024 sources < 50 ms; growth no worse than linear.
 */
function cold(options: MachineOptions): void {
  const profile = resolveProfile(options);
  const files = buildMachineFiles(profile);
  const memory = createMachineMemory();
  const handoff = runFirmware(new FwCfg(files.fileSet), memory, { allocationCeiling: profile.allocationCeiling });
  discoverHest(memory, handoff.rsdpAddress);
}

function vm(options: MachineOptions): void {
  const memory = createMachineMemory();
  const m = bootMachine(options, memory);
  discoverHest(memory, m.handoff.rsdpAddress);
}

/** Heap + array-buffer bytes per idle booted qemu-7.2-virt VM (guest memory, fw_cfg, hand-off). */
function idleVmMemory(): BenchResult {
  const gc = (globalThis as { gc?: () => void }).gc;
  const used = () => {
    gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const n = 500;
  const keep: unknown[] = [];
  bootMachine({ profile: 'qemu-7.2-virt' }, createMachineMemory());
  const before = used();
  for (let i = 0; i < n; i++) {
    const memory = createMachineMemory();
    keep.push({ memory, machine: bootMachine({ profile: 'qemu-7.2-virt' }, memory) });
  }
  const perVm = (used() - before) / n;
  return {
    name: 'idle qemu-7.2-virt VM footprint (guest pages + fw_cfg + hand-off)',
    summary: `${(perVm / 1024).toFixed(1)} KiB per VM over ${n} VMs${gc ? '' : ' (no --expose-gc: includes garbage)'} (target < 200 KiB)`,
    bytesPerVm: perVm,
    vms: keep.length,
  };
}

export async function run(): Promise<BenchResult[]> {
  const cases: Array<{ name: string; options: MachineOptions; count: number; sources: number }> = [
    { name: 'qemu-7.2-virt', options: { profile: 'qemu-7.2-virt' }, count: 2000, sources: 1 },
    { name: 'qemu-10.2-virt', options: { profile: 'qemu-10.2-virt' }, count: 2000, sources: 2 },
    { name: 'extended x1', options: { profile: 'extended', sources: parseSourcesSpec('sei') }, count: 2000, sources: 1 },
    { name: 'extended x64', options: { profile: 'extended', sources: parseSourcesSpec('sei*64') }, count: 400, sources: 64 },
    { name: 'extended x1024', options: { profile: 'extended', sources: parseSourcesSpec('sei*1024') }, count: 40, sources: 1024 },
  ];
  const out: BenchResult[] = [];
  const perSource: Record<string, number> = {};
  for (const c of cases) {
    for (const [mode, fn] of [
      ['cold', cold],
      ['vm', vm],
    ] as const) {
      latencies(() => fn(c.options), Math.max(5, Math.floor(c.count / 10)));
      const l = latencies(() => fn(c.options), c.count);
      const ms = l.p50 / 1000;
      if (mode === 'cold') perSource[c.name] = l.p50 / c.sources;
      out.push({
        name: `boot ${c.name} (${mode}: build + firmware + RSDP→XSDT→HEST)`,
        summary: `median ${ms.toFixed(3)} ms, p90 ${(l.p90 / 1000).toFixed(3)} ms, p99 ${(l.p99 / 1000).toFixed(3)} ms`,
        profile: c.name,
        mode,
        sources: c.sources,
        medianMs: ms,
        p90Ms: l.p90 / 1000,
        p99Ms: l.p99 / 1000,
      });
    }
  }
  out.push(idleVmMemory());
  const growth = perSource['extended x1024'] / perSource['extended x64'];
  out.push({
    name: 'boot growth extended x64 → x1024 (cold, per source)',
    summary: `${perSource['extended x64'].toFixed(1)} µs → ${perSource['extended x1024'].toFixed(1)} µs per source (ratio ${growth.toFixed(2)}; ≤ 1 is linear or better)`,
    perSourceUs64: perSource['extended x64'],
    perSourceUs1024: perSource['extended x1024'],
    ratio: growth,
  });
  return out;
}
