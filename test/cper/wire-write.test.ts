import { ByteWriter, EncodeError } from '../../src/binary';
import { FieldWriter, guidWire } from '../../src/cper/wire-write';

describe('hot-path field writes', () => {
  const w = new FieldWriter(new ByteWriter(16));

  it('writes little-endian values and GUID wire bytes', () => {
    w.u8(0, 0xab, 'x', 'a').u16(1, 0x1234, 'x', 'b').u32(3, 0xdeadbeef, 'x', 'c').u64(7, 0x0102030405060708n, 'x', 'd');
    expect(Buffer.from(w.bytes.subarray(0, 15)).toString('hex')).toBe('ab3412efbeadde0807060504030201');
    expect(Buffer.from(guidWire('a5bc1114-6f64-4ede-b863-3e83ed7c83b1')!).toString('hex')).toBe('1411bca5646fde4eb8633e83ed7c83b1');
    expect(guidWire('not-a-guid')).toBeUndefined();
  });

  it('fills a run with one byte value', () => {
    const f = new FieldWriter(new ByteWriter(6));
    f.fill(1, 4, 0xee, 'x', 'pad');
    expect(Buffer.from(f.bytes).toString('hex')).toBe('00eeeeeeee00');
  });

  it.each([
    ['u8 256', () => w.u8(0, 256, 'entries[0]', 'flags'), 'out_of_range', 'entries[0].flags'],
    ['u16 fraction', () => w.u16(0, 1.5, 'entries[0]', 'revision'), 'out_of_range', 'entries[0].revision'],
    ['u32 negative', () => w.u32(0, -1, '', 'dataLength'), 'out_of_range', 'dataLength'],
    ['u32 NaN', () => w.u32(0, NaN, '', 'dataLength'), 'out_of_range', 'dataLength'],
    ['u64 2^64', () => w.u64(0, 1n << 64n, 's', 'mpidr'), 'out_of_range', 's.mpidr'],
    ['past the end', () => w.u32(14, 1, 's', 'tail'), 'out_of_range', 's.tail'],
    ['bad GUID', () => w.guid(0, 'zz', 's', 'fruId'), 'bad_value', 's.fruId'],
    ['u8 given a bigint', () => w.u8(0, 5n as unknown as number, 'e', 'version'), 'out_of_range', 'e.version'],
    ['u16 given a string', () => w.u16(0, '5' as unknown as number, 'e', 'node'), 'out_of_range', 'e.node'],
    ['u32 given a bigint', () => w.u32(0, 1n as unknown as number, 'e', 'portType'), 'out_of_range', 'e.portType'],
    ['fill past the end', () => w.fill(10, 20, 0, 'entries[0]', 'fruText'), 'out_of_range', 'entries[0].fruText'],
  ])('%s is an EncodeError with the field path', (_what, write, code, path) => {
    let err: unknown;
    try {
      write();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EncodeError);
    expect((err as EncodeError).code).toBe(code);
    expect((err as EncodeError).path).toBe(path);
  });
});
