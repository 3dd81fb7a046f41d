import { blockStatusInput, completeBlockStatus, decodeBlockStatus } from '../../src/cper/block-status';

describe('Generic Error Status Block BlockStatus word', () => {
  it('decodes the error bits, the 10-bit entry count (bits 13:4) and the reserved bits', () => {
    expect(decodeBlockStatus(0xffff_ffff)).toEqual({
      raw: 0xffffffff,
      uncorrectable: true,
      correctable: true,
      multipleUncorrectable: true,
      multipleCorrectable: true,
      entryCount: 1023,
      reserved: 0x3ffff,
    });
    expect(decodeBlockStatus(0x1000 | 0x25)).toMatchObject({ uncorrectable: true, correctable: false, multipleUncorrectable: true, entryCount: 0x102 });
  });

  it('fills the error bits from the severity and the count from the entries', () => {
    expect(completeBlockStatus(undefined, 1, 2).raw).toBe(0x21); // fatal → uncorrectable, 2 entries
    expect(completeBlockStatus(undefined, 0, 1).raw).toBe(0x11); // recoverable → uncorrectable
    expect(completeBlockStatus(undefined, 2, 3).raw).toBe(0x32); // corrected → correctable
    expect(completeBlockStatus(undefined, 3, 0).raw).toBe(0x02); // informational → correctable
  });

  it('keeps what is given: the raw word wins, named bits replace the severity default', () => {
    expect(completeBlockStatus(blockStatusInput().parse(1), 2, 5).raw).toBe(1);
    expect(completeBlockStatus(blockStatusInput().parse({ raw: 0x4001, correctable: true }), 2, 5).raw).toBe(0x4001);
    expect(completeBlockStatus(blockStatusInput().parse({ correctable: true, multipleCorrectable: true, entryCount: 0 }), 1, 5).raw).toBe(0x0a);
    expect(completeBlockStatus(blockStatusInput().parse({ reserved: 1 }), 0, 0).raw).toBe(0x4001);
  });

  it('rejects out-of-range parts', () => {
    expect(blockStatusInput().safeParse({ entryCount: 1024 }).success).toBe(false);
    expect(blockStatusInput().safeParse(2 ** 32).success).toBe(false);
    expect(blockStatusInput().safeParse({ uncorrectable: 'yes' }).success).toBe(false);
  });
});
