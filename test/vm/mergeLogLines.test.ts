import { mergeLogLines } from '../../src/vm/mergeLogLines';

describe('mergeLogLines stamps', () => {
  it('reads printk stamps of any width', () => {
    expect(mergeLogLines(['[100000.000002] r'], ['[99999.999999] e', '[100000.000001] e2', '[100000.000003] e3'])).toEqual([
      '[99999.999999] e',
      '[100000.000001] e2',
      '[100000.000002] r',
      '[100000.000003] e3',
    ]);
  });

  it('other whitespace after the bracket is still a stamp (the regular expression decides)', () => {
    expect(mergeLogLines(['[\t2.000000] r'], ['[ \t1.000000] e', '[3.000000] e2'])).toEqual(['[ \t1.000000] e', '[\t2.000000] r', '[3.000000] e2']);
  });

  it('a stamp with more than 15 digits of seconds is read like the regular expression reads it', () => {
    expect(mergeLogLines(['[1234567890123456.000000] r'], ['[1234567890123455.000000] e', '[1234567890123457.000000] e2'])).toEqual([
      '[1234567890123455.000000] e',
      '[1234567890123456.000000] r',
      '[1234567890123457.000000] e2',
    ]);
  });

  it('a line whose stamp is malformed is not ordered by it: the record run goes first while the other run starts with it', () => {
    expect(mergeLogLines(['[    1.000400] r1', '[    1.000800] r2'], ['[ 1.0001] odd', '[    1.000600] e'])).toEqual([
      '[    1.000400] r1',
      '[    1.000800] r2',
      '[ 1.0001] odd',
      '[    1.000600] e',
    ]);
  });
});
