import { guestKernelTarget } from '../../fuzz/targets/guestKernel';
import { runSlice } from './support/slice';

describe('fuzz slice: guest kernel block reader in a live VM', () => {
  it('400 raw blocks: typed refusals, ack on non-zero block status, panic only for fatal/unknown severity', async () => {
    const r = await runSlice(guestKernelTarget(), 20260308, 400);
    const sum = (prefix: string) => Object.entries(r.outcomes).filter(([k]) => k.startsWith(prefix)).reduce((s, [, n]) => s + n, 0);
    expect(sum('acked:')).toBeGreaterThan(200);
    expect(sum('panic:')).toBeGreaterThan(10);
    expect(Object.keys(r.outcomes).filter((k) => k.startsWith('panic:') && !k.endsWith(':fatal'))).toEqual([]);
    for (const n of ['sei', 'sea', 'gsiv', 'polled', 'gpio', 'sdei']) expect(r.outcomes[`acked:${n}`]).toBeGreaterThan(0);
    expect(r.outcomes['refused:record_too_large']).toBeGreaterThan(0);
    expect(r.outcomes['refused:invalid_record']).toBeGreaterThan(0);
  });
});
