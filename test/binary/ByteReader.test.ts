import { ByteReader, DecodeError } from '../../src/binary';

describe('ByteReader bounds', () => {
  const bytes = Uint8Array.from([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a]);
  const r = new ByteReader(bytes, 0, bytes.length, 'root');

  const widths: Array<[string, number, (o: number) => unknown, unknown]> = [
    ['u8', 1, (o) => r.u8(o, 'f'), 0x0a],
    ['u16', 2, (o) => r.u16(o, 'f'), 0x0a09],
    ['u32', 4, (o) => r.u32(o, 'f'), 0x0a090807],
    ['u64', 8, (o) => r.u64(o, 'f'), 0x0a09080706050403n],
  ];

  it.each(widths)('%s reads at the last valid offset and fails one past it', (_name, size, read, expected) => {
    const last = bytes.length - size;
    expect(read(last)).toEqual(expected);
    let err: unknown;
    try {
      read(last + 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    const d = err as DecodeError;
    expect(d.code).toBe('truncated');
    expect(d.offset).toBe(last + 1);
    expect(d.path).toBe('root.f');
  });

  it('guid and bytes respect bounds', () => {
    const g = new ByteReader(new Uint8Array(16));
    expect(g.guid(0)).toBe('00000000-0000-0000-0000-000000000000');
    expect(() => g.guid(1)).toThrow(DecodeError);
    expect(g.bytesAt(15, 1)).toEqual(Uint8Array.of(0));
    expect(() => g.bytesAt(15, 2)).toThrow(DecodeError);
  });

  it('sub windows report absolute offsets and nested paths', () => {
    const entries = r.sub(4, 4, 'entries').sub(2, 2, 0);
    expect(entries.u16(0, 'physicalFaultAddress')).toBe(0x0807);
    try {
      entries.u8(2, 'physicalFaultAddress');
      throw new Error('expected a DecodeError');
    } catch (e) {
      const d = e as DecodeError;
      expect(d.code).toBe('truncated');
      expect(d.offset).toBe(8);
      expect(d.path).toBe('root.entries[0].physicalFaultAddress');
      expect(d.message).toContain('truncated at byte 8');
    }
  });

  it('rejects negative and fractional offsets', () => {
    expect(() => r.u8(-1)).toThrow(DecodeError);
    expect(() => r.u8(1.5)).toThrow(DecodeError);
  });

  it('reads big-endian fields for fw_cfg', () => {
    expect(r.u16be(0)).toBe(0x0102);
    expect(r.u32be(0)).toBe(0x01020304);
    expect(r.u64be(0)).toBe(0x0102030405060708n);
    expect(() => r.u64be(3)).toThrow(DecodeError);
  });
});
