import { erstRecordTarget, erstTableTarget } from '../../fuzz/targets/erst';
import { runSlice } from './support/slice';

describe('fuzz slice: ERST', () => {
  it('1,000 mutated ERST tables through erst_init and the interpreter against the device model', async () => {
    const r = await runSlice(erstTableTarget(), 20261204, 1000);
    expect(r.outcomes['init-ok/write:0/read:ok/clear:0']).toBeGreaterThan(20);
    expect(Object.keys(r.outcomes).filter((k) => k.startsWith('refused:')).length).toBeGreaterThan(0);
  });

  it('2,000 mutated CPER records written through the registers: status follows the header, stored ones read back', async () => {
    const r = await runSlice(erstRecordTarget(), 20261205, 2000);
    expect(r.outcomes.stored).toBeGreaterThan(50);
    expect(r.outcomes.refused).toBeGreaterThan(50);
  });
});
