import { qmpStreamTarget } from '../../fuzz/targets/qmpStream';
import { runSlice } from './support/slice';

describe('fuzz slice: QMP stream (splitter + session)', () => {
  it('handles 600 junk-laced, randomly chunked streams with one JSON reply line per item', async () => {
    const r = await runSlice(qmpStreamTarget(), 20260302, 600);
    expect(r.outcomes.replied).toBeGreaterThan(400);
  });
});
