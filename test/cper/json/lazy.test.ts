import { lazy } from '../../../src/cper/json/lazy';
import { extendCodec } from '../../../src/cper/layout/section';
import { memoryCodec } from '../../../src/cper/sections';
import { firmwareReferenceCodec } from '../../../src/cper/sections/firmware-reference';

describe('lazy', () => {
  it('builds the value on the first call only, and returns that same value after', () => {
    let builds = 0;
    const get = lazy(() => {
      builds++;
      return { n: builds };
    });
    expect(builds).toBe(0);
    const first = get();
    expect(first).toEqual({ n: 1 });
    expect(get()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps an undefined value built once', () => {
    let builds = 0;
    const get = lazy(() => {
      builds++;
      return undefined;
    });
    expect(get()).toBeUndefined();
    expect(get()).toBeUndefined();
    expect(builds).toBe(1);
  });
});

describe('codec inputs are getters (built on first use)', () => {
  it('a codec extended with extendCodec keeps its input getter and its own overrides', () => {
    for (const codec of [memoryCodec, firmwareReferenceCodec]) {
      const d = Object.getOwnPropertyDescriptor(codec, 'input');
      expect(typeof d?.get).toBe('function');
      expect(codec.input).toBe(codec.input);
    }
    expect(memoryCodec.minLength).toBe(73);
    expect(memoryCodec.input.parse({ type: 'memory', physicalAddress: '0x1000' })).toMatchObject({ type: 'memory', physicalAddress: 0x1000n, layoutSize: 80 });
  });

  it('extendCodec puts the extra properties over the base and returns the base', () => {
    let reads = 0;
    const base = {
      name: 'x',
      get input() {
        reads++;
        return 'schema';
      },
    } as unknown as Parameters<typeof extendCodec>[0];
    const out = extendCodec(base, { minLength: 3 });
    expect(out).toBe(base);
    expect(reads).toBe(0);
    expect(out.minLength).toBe(3);
  });
});
