import { execFileSync } from 'child_process';
import path from 'path';

// The 1,000-VM figure comes from `npm run soak -- --scenario density`; this keeps the suite fast
// with 150 VMs, enough for a stable per-VM figure (about 28 KB on this machine kind). The
// measurement runs in a fresh Node process with a real `gc()`: inside a Jest worker the heap also
// holds (and later frees) whatever earlier test files left, which makes before/after differences
// meaningless.
const root = path.join(__dirname, '../..');

function measureInFreshProcess(count: number): { count: number; bytesPerVm: number; heapBytesPerVm: number; externalBytesPerVm: number } {
  const script = `const { measureDensity } = require(${JSON.stringify(path.join(root, 'soak/density.ts'))});
process.stdout.write(JSON.stringify(measureDensity(${count}, { profile: 'qemu-7.2-virt' })));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '-r', path.join(root, 'bin/register-ts.js'), '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out);
}

describe('VM density', () => {
  it('an idle booted qemu-7.2-virt VM costs less than 200 KB of heap + external memory', () => {
    const r = measureInFreshProcess(150);
    const figures = `heap ${Math.round(r.heapBytesPerVm)} B + external ${Math.round(r.externalBytesPerVm)} B per VM`;
    expect(r.count).toBe(150);
    expect({ figures, atLeast10KB: r.bytesPerVm > 10 * 1024 }).toEqual({ figures, atLeast10KB: true }); // a VM really was built and kept
    expect({ figures, under200KB: r.bytesPerVm < 200 * 1024 }).toEqual({ figures, under200KB: true });
  }, 180_000);
});
