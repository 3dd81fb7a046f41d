import { restApiTarget } from '../../fuzz/targets/restApi';
import { runSlice } from './support/slice';

describe('fuzz slice: REST API', () => {
  it('200 random requests get a success or a documented problem, never 500, never a stack', async () => {
    const r = await runSlice(restApiTarget(), 20260309, 200);
    expect(r.outcomes['400:invalid-request']).toBeGreaterThan(50);
    expect((r.outcomes['202'] ?? 0) + (r.outcomes['201'] ?? 0)).toBeGreaterThan(20);
    expect(Object.keys(r.outcomes).filter((k) => k.startsWith('5') && k !== '503:not-booted')).toEqual([]);
  });
});
