import { measureDensity } from '../../soak/density';

// The 1,000-VM figure comes from `npm run soak -- --scenario density`; this keeps the suite fast
// with 150 VMs, enough for a stable per-VM figure.
describe('VM density', () => {
  it('an idle booted qemu-7.2-virt VM costs less than 200 KB of heap + external memory', () => {
    const r = measureDensity(150, { profile: 'qemu-7.2-virt' });
    expect(r.count).toBe(150);
    expect(r.bytesPerVm).toBeGreaterThan(10 * 1024); // a VM really was built and kept
    expect(r.bytesPerVm).toBeLessThan(200 * 1024);
  });
});
