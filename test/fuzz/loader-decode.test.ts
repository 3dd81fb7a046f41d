import { tableLoaderDecoderTarget } from '../../fuzz/targets/tableLoader';
import { accepted } from '../../fuzz/target';
import { runSlice } from './support/slice';

describe('fuzz slice: linker/loader script decoder', () => {
  it('accepts or rejects with a typed error 2,000 mutations of QEMU 7.2 etc/table-loader', async () => {
    const r = await runSlice(tableLoaderDecoderTarget(), 20260301, 2000);
    // The mutators reach both sides: some scripts stay valid, most break somewhere.
    expect(accepted(r)).toBeGreaterThan(100);
    expect(r.rejections.truncated).toBeGreaterThan(100);
    expect(r.rejections.bad_value).toBeGreaterThan(100);
  });
});
