import { GuestMemory, GuestMemoryError, PAGE_SIZE } from '../../src/guest-memory/GuestMemory';

function ram() {
  return new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
}

describe('GuestMemory', () => {
  it('reads zeros from untouched RAM and stores only non-zero pages', () => {
    const m = ram();
    expect(m.read(0x7c41_0000n, 8)).toEqual(new Uint8Array(8));
    m.write(0x7c41_0000n, new Uint8Array(PAGE_SIZE * 4), 'firmware');
    expect(m.storedBytes).toBe(0);
    m.writeU64(0x7c41_0ffcn, 0x1122334455667788n, 'firmware');
    expect(m.storedBytes).toBe(2 * PAGE_SIZE); // the value straddles a page boundary
    expect(m.readU64(0x7c41_0ffcn)).toBe(0x1122334455667788n);
    expect(m.readU32(0x7c41_1000n)).toBe(0x11223344);
  });

  it('refuses access outside RAM with the address in the error', () => {
    const m = ram();
    expect(() => m.read(0x3fff_fffcn, 8)).toThrow(GuestMemoryError);
    expect(() => m.read(0x7fff_fffcn, 8)).toThrow(/outside guest RAM/);
    try {
      m.readU64(0x1234_5670_00n);
    } catch (e) {
      expect((e as GuestMemoryError).code).toBe('bad_offset');
      expect((e as GuestMemoryError).path).toBe('guest[0x1234567000]');
    }
    expect(m.readU32(0x7fff_fffcn)).toBe(0);
  });

  it('the device model writes only ranges it was given; guest-owned registers are read-only to it', () => {
    const m = ram();
    m.claim({ base: 0x7c41_0000n, size: 1040n, owner: 'device-model', name: 'etc/hardware_errors', writers: ['device-model', 'guest', 'firmware'] });
    m.claim({ base: 0x7c50_0000n, size: 16n, owner: 'guest', name: 'crash registers' });
    m.writeU64(0x7c41_0008n, 0n, 'device-model');
    expect(() => m.writeU64(0x7c50_0000n, 1n, 'device-model')).toThrow(/device-model may not write crash registers/);
    expect(() => m.writeU64(0x7c42_0000n, 1n, 'device-model')).toThrow(/unowned guest RAM/);
    expect(() => m.write(0x7c41_040cn, new Uint8Array(8), 'device-model')).toThrow(/unowned guest RAM at 0x7c410410/);
    m.writeU64(0x7c50_0000n, 7n, 'guest');
    expect(m.readU64(0x7c50_0000n)).toBe(7n);
    expect(m.ownerOf(0x7c41_0010n)?.name).toBe('etc/hardware_errors');
  });

  it('a failed transaction leaves memory and ownership as they were', () => {
    const m = ram();
    m.writeU32(0x4000_0000n, 0xaabbccdd, 'firmware');
    const before = m.snapshot();
    expect(() =>
      m.transaction(() => {
        m.writeU32(0x4000_0000n, 1, 'firmware');
        m.writeU32(0x5000_0000n, 2, 'firmware');
        m.claim({ base: 0x5000_0000n, size: 4096n, owner: 'firmware', name: 'tables' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(m.snapshot()).toEqual(before);
    expect(m.ownedRanges).toHaveLength(0);
    expect(m.transaction(() => 42)).toBe(42);
  });

  it('reads and writes sized unsigned values and rejects values that do not fit', () => {
    const m = ram();
    m.writeUint(0x4000_0010n, 2, 0xbeefn, 'guest');
    expect(m.readUint(0x4000_0010n, 2)).toBe(0xbeefn);
    expect(() => m.writeUint(0x4000_0010n, 1, 0x100n, 'guest')).toThrow(/does not fit/);
  });
});
