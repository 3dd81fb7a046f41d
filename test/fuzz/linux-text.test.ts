import { linuxTextTarget } from '../../fuzz/targets/linuxText';
import { runSlice } from './support/slice';

describe('fuzz slice: Linux text renderer', () => {
  it('renders 3,000 mutated status blocks (6.1 and mainline) without throwing, output bounded', async () => {
    const r = await runSlice(linuxTextTarget(), 20260304, 3000);
    expect(r.rejections).toEqual({});
    expect(r.outcomes.printed).toBeGreaterThan(500);
    expect(r.outcomes['one-line']).toBeGreaterThan(500);
  });
});
