import { hestTarget } from '../../fuzz/targets/hest';
import { runSlice } from './support/slice';

describe('fuzz slice: HEST', () => {
  it('walks, inspects, lints and decodes 2,000 mutated QEMU 7.2 HESTs without an untyped error', async () => {
    const r = await runSlice(hestTarget(), 20260307, 2000);
    expect(r.outcomes['decoded/initialized']).toBeGreaterThan(200);
    for (const code of ['truncated', 'bad_checksum', 'bad_signature']) expect(r.rejections[code]).toBeGreaterThan(20);
  });
});
