import { forceGc } from '../fuzz/engine';
import { createVmFactory, defaultVmSpec } from '../src/vm';
import type { VirtualMachine, VmSpec } from '../src/vm';

/**
 * VM density: how much memory one idle, booted VM costs in this process. Boots `count` VMs (each
 * with its own guest memory, fw_cfg, firmware hand-off, device model and guest kernel), keeps them
 * alive, and divides the growth of V8 heap + external memory (array buffers) after a forced
 * garbage collection by the count. RSS growth is reported too (it includes the allocator's slack).
 */
export interface DensityResult {
  count: number;
  profile: string;
  bootMs: number;
  bytesPerVm: number;
  rssBytesPerVm: number;
  heapBytesPerVm: number;
  externalBytesPerVm: number;
}

function sample(): { heap: number; external: number; rss: number } {
  forceGc();
  forceGc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, external: m.external, rss: m.rss };
}

export function measureDensity(count: number, spec: Partial<VmSpec> = {}): DensityResult {
  const factory = createVmFactory();
  const fullSpec = defaultVmSpec(spec);
  // One VM first, so shared module state (compiled code, lookup tables) is not counted per VM.
  const warm = factory.create(fullSpec, 'warm-up');
  const before = sample();
  const vms: VirtualMachine[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) vms.push(factory.create(fullSpec, `density-${i}`));
  const bootMs = performance.now() - t0;
  const after = sample();
  const heap = (after.heap - before.heap) / count;
  const external = (after.external - before.external) / count;
  const result: DensityResult = {
    count: vms.length,
    profile: fullSpec.profile,
    bootMs,
    bytesPerVm: heap + external,
    rssBytesPerVm: (after.rss - before.rss) / count,
    heapBytesPerVm: heap,
    externalBytesPerVm: external,
  };
  // keep every VM reachable until after the sample
  if (vms.length !== count || !warm.id) throw new Error('density: VMs collected early');
  return result;
}
