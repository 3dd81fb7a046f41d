import { DecodeError } from '../../src/binary/errors';
import { toHex } from '../../src/binary/hexdump';
import {
  EXTREME_VALUES,
  FuzzInvariantError,
  FuzzTarget,
  MutationContext,
  Prng,
  extend,
  extremeValuesFor,
  fuzzTarget,
  generateInput,
  prepareTarget,
  readField,
  reproduce,
  setLengthField,
  splice,
  truncate,
  writeField,
} from '../../fuzz/engine';

describe('Prng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = new Prng(1234);
    const b = new Prng(1234);
    const c = new Prng(1235);
    const sa = Array.from({ length: 8 }, () => a.u32());
    expect(Array.from({ length: 8 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.u32())).not.toEqual(sa);
  });

  it('is pinned: the first values for seed 1 never change (inputs stay reproducible across versions)', () => {
    const r = new Prng(1);
    expect(Array.from({ length: 4 }, () => r.u32())).toEqual(PINNED_SEED1);
  });

  it('derives per-input streams from (seed, label, index)', () => {
    expect(Prng.forInput(7, 't', 10).u32()).toBe(Prng.forInput(7, 't', 10).u32());
    expect(Prng.forInput(7, 't', 10).u32()).not.toBe(Prng.forInput(7, 't', 11).u32());
    expect(Prng.forInput(7, 't', 10).u32()).not.toBe(Prng.forInput(7, 'u', 10).u32());
  });

  it('keeps int() inside its bound and covers it', () => {
    const r = new Prng(99);
    const values = Array.from({ length: 2000 }, () => r.int(10));
    expect(values.filter((v) => !(Number.isInteger(v) && v >= 0 && v < 10))).toEqual([]);
    expect(new Set(values).size).toBe(10);
    expect(() => r.int(0)).toThrow(RangeError);
  });
});

// Computed once from the sfc32/splitmix32 definition in fuzz/prng.ts.
const PINNED_SEED1 = [1828152527, 3394835397, 2967886022, 2251045104];

describe('length fields and extreme values', () => {
  it('reads and writes little- and big-endian fields', () => {
    const b = new Uint8Array(8);
    writeField(b, { offset: 2, width: 4, name: 'x' }, 0x11223344n);
    expect(toHex(b)).toBe('0000443322110000');
    writeField(b, { offset: 0, width: 2, name: 'y', bigEndian: true }, 0xabcdn);
    expect(toHex(b)).toBe('abcd443322110000');
    expect(readField(b, { offset: 2, width: 4, name: 'x' })).toBe(0x11223344n);
    expect(readField(b, { offset: 0, width: 2, name: 'y', bigEndian: true })).toBe(0xabcdn);
  });

  it('offers the brief\'s extremes, masked to the width, and "just beyond the buffer"', () => {
    const v32 = extremeValuesFor({ offset: 12, width: 4, name: 'dataLength', base: 20 }, 164, 144n);
    for (const x of [0n, 1n, 0x7fffffffn, 0xffffffffn, 0xffffffc0n, 0xffffn]) expect(v32).toContain(x);
    expect(v32).toContain(145n); // 164 - 20 + 1: one byte more than present
    expect(v32).toContain(144n + 1n);
    const v16 = extremeValuesFor({ offset: 4, width: 2, name: 'n' }, 100, 1n);
    expect(Math.max(...v16.map(Number))).toBe(0xffff);
    expect(EXTREME_VALUES).toContain(0xffffffc0n);
  });
});

describe('mutators', () => {
  const ctx = (fields: MutationContext['fields'] = []): MutationContext => ({ seeds: [Uint8Array.from([9, 9, 9, 9])], fields, maxLength: 64 });

  it('setLengthField only writes inside the named field', () => {
    const seed = new Uint8Array(16).fill(0xaa);
    const r = new Prng(5);
    for (let i = 0; i < 50; i++) {
      const out = setLengthField(r, seed.slice(), ctx([{ offset: 4, width: 4, name: 'len' }]));
      expect(toHex(out.subarray(0, 4))).toBe('aaaaaaaa');
      expect(toHex(out.subarray(8))).toBe('aa'.repeat(8));
    }
  });

  it('truncate shortens, extend lengthens up to maxLength, splice mixes in another seed', () => {
    const r = new Prng(6);
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i);
    for (let i = 0; i < 50; i++) {
      const t = truncate(r, seed.slice(), ctx());
      expect(t.length).toBeLessThan(32);
      expect(toHex(t)).toBe(toHex(seed.subarray(0, t.length)));
      const e = extend(r, seed.slice(), ctx());
      expect(e.length).toBeGreaterThanOrEqual(32);
      expect(e.length).toBeLessThanOrEqual(64);
      expect(toHex(e.subarray(0, 32))).toBe(toHex(seed));
      const s = splice(r, seed.slice(), ctx());
      expect(s.length).toBeLessThanOrEqual(64);
      expect([...s].every((b) => b === 9 || b < 32)).toBe(true);
    }
  });
});

function target(run: FuzzTarget['run'], extra: Partial<FuzzTarget> = {}): FuzzTarget {
  return { name: 'toy', description: 'toy', kind: 'decoder', seeds: () => [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])], run, ...extra };
}

describe('fuzzTarget', () => {
  it('generates the same inputs for the same seed', () => {
    const p = prepareTarget(target(() => undefined));
    for (let i = 0; i < 20; i++) expect(toHex(generateInput(p, 42, i).bytes)).toBe(toHex(generateInput(p, 42, i).bytes));
    const differing = Array.from({ length: 20 }, (_, i) => toHex(generateInput(p, 42, i).bytes) !== toHex(generateInput(p, 43, i).bytes));
    expect(differing.filter(Boolean).length).toBeGreaterThan(15);
  });

  it('counts typed rejections by code and outcomes by label', async () => {
    const t = target((input) => {
      if (input.length < 8) throw new DecodeError({ code: 'truncated', offset: input.length, path: '', message: 'short' });
      if (input[0] !== 1) throw new DecodeError({ code: 'bad_signature', offset: 0, path: 'sig', message: 'sig' });
      return input.length === 8 ? 'exact' : 'longer';
    });
    const r = await fuzzTarget(t, { seed: 1, count: 500 });
    expect(r.tried).toBe(500);
    expect(r.failureCount).toBe(0);
    const acc = Object.values(r.outcomes).reduce((s, n) => s + n, 0);
    const rej = Object.values(r.rejections).reduce((s, n) => s + n, 0);
    expect(acc + rej).toBe(500);
    expect(r.rejections.truncated).toBeGreaterThan(0);
    expect(r.rejections.bad_signature).toBeGreaterThan(0);
    expect(r.outcomes.exact).toBeGreaterThan(0);
  });

  it('reports an untyped exception with the input bytes and index, and reproduces it', async () => {
    const t = target((input) => {
      if (input.length > 8) throw new TypeError(`cannot read past ${input.length}`);
    });
    const r = await fuzzTarget(t, { seed: 3, count: 300 });
    expect(r.failureCount).toBeGreaterThan(0);
    const f = r.failures[0];
    expect(f.kind).toBe('untyped-exception');
    expect(f.message).toMatch(/^TypeError: cannot read past \d+/);
    expect(f.inputLength).toBeGreaterThan(8);
    expect(f.inputHex.length).toBe(f.inputLength * 2);
    const again = await reproduce(t, 3, f.index);
    expect(toHex(again.input.bytes)).toBe(f.inputHex);
    expect(again.verdict.type).toBe('failure');
  });

  it('treats a typed error as a failure for code that must never throw', async () => {
    const t = target(
      (input) => {
        if (input[0] === 0) throw new DecodeError({ code: 'bad_value', offset: 0, path: '', message: 'zero' });
      },
      { rejectsTyped: false },
    );
    const r = await fuzzTarget(t, { seed: 4, count: 300 });
    expect(r.failures.some((f) => f.kind === 'untyped-exception' && f.message.startsWith('typed error from code that must never throw'))).toBe(true);
  });

  it('reports invariant violations', async () => {
    const t = target((input) => {
      if (input.length === 0) throw new FuzzInvariantError('empty input accepted');
    });
    const r = await fuzzTarget(t, { seed: 5, count: 400 });
    expect(r.failures.find((f) => f.kind === 'invariant')?.message).toBe('empty input accepted');
  });

  it('fails an input that is slow every time, with its time', async () => {
    const t = target(
      (input) => {
        if (input.length > 8) {
          const until = performance.now() + 12;
          while (performance.now() < until);
        }
      },
      { maxInputMs: 5 },
    );
    const r = await fuzzTarget(t, { seed: 6, count: 30 });
    const slow = r.failures.find((f) => f.kind === 'slow');
    expect(slow).toBeDefined();
    expect(slow!.ms).toBeGreaterThanOrEqual(12);
    expect(r.maxInputMs).toBeGreaterThanOrEqual(12);
  });

  it('fails when memory grows beyond the bound across batches', async () => {
    const kept: Uint8Array[] = [];
    const t = target(() => {
      kept.push(new Uint8Array(64 * 1024));
    });
    const r = await fuzzTarget(t, { seed: 7, count: 400, batchSize: 50, memoryBoundBytes: 8 * 1024 * 1024 });
    expect(r.memory.samples).toBeGreaterThanOrEqual(8);
    expect(r.memory.maxGrowthBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(r.failures.some((f) => f.kind === 'memory')).toBe(true);
    kept.length = 0;
  });

  it('awaits asynchronous targets', async () => {
    const t = target(async (input) => {
      await new Promise((res) => setImmediate(res));
      if (input.length % 2) throw new DecodeError({ code: 'bad_length', offset: 0, path: '', message: 'odd' });
    });
    const r = await fuzzTarget(t, { seed: 8, count: 100 });
    expect(r.tried).toBe(100);
    expect(r.rejections.bad_length).toBeGreaterThan(0);
    expect(r.failureCount).toBe(0);
  });
});
