import path from 'path';
import { toHex } from '../../src/binary/hexdump';
import { generateInput, prepareTarget } from '../../fuzz/engine';
import { superviseTarget } from '../../fuzz/supervisor';
import { createToyTarget } from './support/toyTargets';

// The long run executes targets in a worker thread; these prove the watchdog stops a real hang
// (a tight infinite loop) and a worker that runs out of memory, reports the input's bytes, and
// continues with the following inputs.
const TOY_MODULE = path.join(__dirname, 'support', 'toyTargets.ts');

function expectedIndices(name: string, seed: number, count: number, bad: (b: Uint8Array) => boolean): number[] {
  const p = prepareTarget(createToyTarget(name));
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (bad(generateInput(p, seed, i).bytes)) out.push(i);
  return out;
}

describe('superviseTarget', () => {
  it('terminates a worker stuck in an infinite loop, reports the input, and finishes the run', async () => {
    const seed = 11;
    const count = 400;
    const hangs = expectedIndices('toy-hang', seed, count, (b) => b[0] === 7 && b.length >= 2);
    expect(hangs.length).toBeGreaterThanOrEqual(1);
    const r = await superviseTarget({ module: TOY_MODULE, factory: 'createToyTarget', targetName: 'toy-hang', seed, count, watchdogMs: 300, batchSize: 50 });
    expect(r.tried).toBe(count);
    expect(r.restarts).toBe(hangs.length);
    const reported = r.failures.filter((f) => f.kind === 'hang');
    expect(reported.map((f) => f.index)).toEqual(hangs);
    const p = prepareTarget(createToyTarget('toy-hang'));
    expect(reported[0].inputHex).toBe(toHex(generateInput(p, seed, hangs[0]).bytes));
    expect(Object.values(r.rejections).reduce((s, n) => s + n, 0) + Object.values(r.outcomes).reduce((s, n) => s + n, 0)).toBe(count - hangs.length);
  }, 60_000);

  it('reports a worker that runs out of memory as a crash with the input that caused it', async () => {
    const seed = 3;
    const count = 300;
    const crashes = expectedIndices('toy-crash', seed, count, (b) => b[0] === 9 && b.length >= 2);
    expect(crashes.length).toBeGreaterThanOrEqual(1);
    const r = await superviseTarget({ module: TOY_MODULE, factory: 'createToyTarget', targetName: 'toy-crash', seed, count, maxHeapMb: 48, batchSize: 50 });
    const reported = r.failures.filter((f) => f.kind === 'worker-crash');
    expect(reported.map((f) => f.index)).toEqual(crashes);
    expect(reported[0].message).toMatch(/worker (died|exited|failed)/);
    expect(r.tried).toBe(count);
  }, 90_000);
});
