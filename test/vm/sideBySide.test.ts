import { alignLines, formatSideBySide } from '../../src/vm/sideBySide';
import { mergeLogLines } from '../../src/vm/mergeLogLines';

describe('alignLines', () => {
  test('common lines pair up (timestamps ignored), the others stay on their side, in order', () => {
    const a = ['[    0.000000] A', '[    1.000000] ours 1', '[    1.000400] B', '[    1.000800] ours 2'];
    const b = ['[    0.000000] A', '[    1.000000] B', '[    1.000400] theirs'];
    expect(alignLines(a, b)).toEqual([
      { 'apei-sei': a[0], linux: b[0] },
      { 'apei-sei': a[1] },
      { 'apei-sei': a[2], linux: b[1] },
      { 'apei-sei': a[3] },
      { linux: b[2] },
    ]);
    expect(alignLines([], [])).toEqual([]);
  });

  test('formats one line per row with the side that printed it', () => {
    const text = formatSideBySide([{ step: 'boot', rows: [{ 'apei-sei': 'x', linux: 'x' }, { linux: 'y' }] }, { step: 1, rows: [] }]);
    expect(text.split('\n').slice(1)).toEqual(['== boot', 'both     | x', 'linux    | y', '== injection 1', '   (no guest lines)', '']);
  });
});

describe('mergeLogLines', () => {
  test('merges two runs of printk lines by timestamp', () => {
    expect(mergeLogLines(['[    1.000400] r1', '[    1.000800] r2'], ['[    1.000000] e1', '[    1.001200] e2'])).toEqual([
      '[    1.000000] e1',
      '[    1.000400] r1',
      '[    1.000800] r2',
      '[    1.001200] e2',
    ]);
    expect(mergeLogLines(['a'], [])).toEqual(['a']);
  });
});
