import { cperRecordTarget, statusBlockTarget } from '../../fuzz/targets/cper';
import { runSlice } from './support/slice';

describe('fuzz slice: CPER decoders', () => {
  it('status block: 1,200 mutated blocks decode and re-encode byte-exact (directly and via JSON) or fail typed', async () => {
    const r = await runSlice(statusBlockTarget(), 20260305, 1200);
    expect(r.outcomes['round-trip']).toBeGreaterThan(200);
    for (const code of ['bad_length', 'truncated', 'bad_offset']) expect(r.rejections[code]).toBeGreaterThan(20);
  });

  it('CPER record: 1,200 mutated records decode and re-encode byte-exact (directly and via JSON) or fail typed', async () => {
    const r = await runSlice(cperRecordTarget(), 20260306, 1200);
    expect(r.outcomes['round-trip']).toBeGreaterThan(200);
    for (const code of ['bad_length', 'truncated', 'bad_signature', 'bad_count']) expect(r.rejections[code]).toBeGreaterThan(20);
  });
});
