import { measureDensity } from '../../soak/density';

// The 1,000-VM figure comes from `npm run soak -- --scenario density`; this keeps the suite fast
// with 150 VMs, enough for a stable per-VM figure (about 28 KB on this machine kind). It forces
// garbage collections on the worker's whole heap, which can take seconds when the machine is busy
// running the rest of the suite, hence the generous time limit; the memory bound itself is exact.
describe('VM density', () => {
  it('an idle booted qemu-7.2-virt VM costs less than 200 KB of heap + external memory', () => {
    const r = measureDensity(150, { profile: 'qemu-7.2-virt' });
    const figures = `heap ${Math.round(r.heapBytesPerVm)} B + external ${Math.round(r.externalBytesPerVm)} B per VM`;
    expect(r.count).toBe(150);
    expect({ figures, atLeast10KB: r.bytesPerVm > 10 * 1024 }).toEqual({ figures, atLeast10KB: true }); // a VM really was built and kept
    expect({ figures, under200KB: r.bytesPerVm < 200 * 1024 }).toEqual({ figures, under200KB: true });
  }, 180_000);
});
