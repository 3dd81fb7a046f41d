import { firmwareTarget } from '../../fuzz/targets/firmware';
import { runSlice } from './support/slice';

describe('fuzz slice: mock firmware', () => {
  it('refuses 600 mutated or random loader scripts with typed errors and leaves memory and fw_cfg unchanged', async () => {
    const r = await runSlice(firmwareTarget(), 20260303, 600);
    expect(r.outcomes.booted).toBeGreaterThan(50);
    for (const code of ['truncated', 'bad_value', 'bad_reference']) expect(r.rejections[code]).toBeGreaterThan(20);
  });
});
