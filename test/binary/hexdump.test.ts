import { fromHex, toHex } from '../../src/binary/hexdump';

describe('toHex', () => {
  it('writes two lower-case digits per byte for every length, short (table) and long (Buffer) runs', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(all)).toBe(Array.from(all, (b) => b.toString(16).padStart(2, '0')).join(''));
    for (let n = 0; n <= 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 0xff);
      expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
    }
  });

  it('reads a view at its own offset, not its buffer from the start', () => {
    const base = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02]);
    expect(toHex(base.subarray(2, 5))).toBe('beef01');
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('round-trips through fromHex', () => {
    expect(fromHex(toHex(Uint8Array.from([0, 1, 0xa0, 0xff])))).toEqual(Uint8Array.from([0, 1, 0xa0, 0xff]));
  });
});
