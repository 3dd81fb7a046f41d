import { GuestMemory, GuestMemoryError, MmioHandler } from '../../src/guest-memory/GuestMemory';

function ram() {
  return new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
}

describe('GuestMemory.readU16', () => {
  it('reads little-endian inside a page, across a page boundary and from untouched RAM', () => {
    const m = ram();
    m.write(0x7c41_0010n, new Uint8Array([0x34, 0x12]), 'firmware');
    expect(m.readU16(0x7c41_0010n)).toBe(0x1234);
    m.write(0x7c41_0fffn, new Uint8Array([0xcd, 0xab]), 'firmware');
    expect(m.readU16(0x7c41_0fffn)).toBe(0xabcd);
    expect(m.readU16(0x7c42_0000n)).toBe(0);
  });

  it('refuses a read that is not wholly in RAM, naming the address', () => {
    const m = ram();
    expect(() => m.readU16(0x7fff_ffffn)).toThrow(GuestMemoryError);
    expect(() => m.readU16(0x7fff_ffffn)).toThrow(/2-byte access at 0x7fffffff is outside guest RAM/);
    expect(() => m.readU16(0x3fff_ffffn)).toThrow(/outside guest RAM/);
  });

  it('reaches an MMIO window handler with the register offset and width', () => {
    const m = ram();
    const reads: Array<[number, number]> = [];
    const handler: MmioHandler = {
      read: (offset, size) => {
        reads.push([offset, size]);
        return 0x1_beefn;
      },
      write: () => undefined,
    };
    m.mapMmio(0x7d00_0000n, 0x1000n, 'test registers', handler);
    expect(m.readU16(0x7d00_0010n)).toBe(0xbeef);
    expect(reads).toEqual([[0x10, 2]]);
    // next to the window: plain memory
    expect(m.readU16(0x7d00_1000n)).toBe(0);
    expect(() => m.readU16(0x7d00_0fffn)).toThrow(/straddles the edge of MMIO window test registers/);
  });
});
