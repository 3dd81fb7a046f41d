import { guidFromBytes, guidToBytes } from '../../src/binary/guid';

/** guidFromBytes keeps recently read GUIDs by their bytes: the answer must always be the bytes' GUID. */
describe('guidFromBytes with its recent-GUID ring', () => {
  const guid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-${(i * 7919).toString(16).padStart(12, '0')}`;

  it('gives each GUID back over many more distinct GUIDs than the ring holds, in any order', () => {
    const all = Array.from({ length: 40 }, (_, i) => guid(i + 1));
    const bytes = all.map((g) => guidToBytes(g));
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < all.length; k++) {
        const i = (k * (round + 7)) % all.length;
        expect(guidFromBytes(bytes[i])).toBe(all[i]);
      }
    }
  });

  it('follows the bytes, not the array: a changed array gives the new GUID; offsets are honoured', () => {
    const b = guidToBytes(guid(1));
    expect(guidFromBytes(b)).toBe(guid(1));
    guidToBytes(guid(2), b);
    expect(guidFromBytes(b)).toBe(guid(2));
    const framed = new Uint8Array(40);
    guidToBytes(guid(3), framed, 20);
    expect(guidFromBytes(framed, 20)).toBe(guid(3));
    expect(guidFromBytes(framed.subarray(20))).toBe(guid(3));
  });

  it('a GUID that differs from a recent one in its last byte only is its own', () => {
    const a = guidToBytes('e19e3d16-bc11-11e4-9caa-c2051d5d46b0');
    const b = a.slice();
    b[15] ^= 1;
    expect(guidFromBytes(a)).toBe('e19e3d16-bc11-11e4-9caa-c2051d5d46b0');
    expect(guidFromBytes(b)).toBe('e19e3d16-bc11-11e4-9caa-c2051d5d46b1');
    expect(guidFromBytes(a)).toBe('e19e3d16-bc11-11e4-9caa-c2051d5d46b0');
  });
});
