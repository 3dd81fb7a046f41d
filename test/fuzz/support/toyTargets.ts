import { DecodeError } from '../../../src/binary/errors';
import type { FuzzTarget } from '../../../fuzz/target';

/**
 * Small targets with known bugs, to prove the engine and the supervisor catch each kind of
 * failure. Their inputs come from a generator: 1 to 4 random bytes.
 */
export function createToyTarget(name: string): FuzzTarget {
  const base = {
    name,
    kind: 'decoder' as const,
    seeds: () => [],
    generate: (rng: { bytes(n: number): Uint8Array; range(a: number, b: number): number }) => rng.bytes(rng.range(1, 4)),
  };
  switch (name) {
    case 'toy-hang':
      // Loops forever when the first byte is 7 and there are at least two bytes.
      return {
        ...base,
        description: 'hangs on [07, ..]',
        run(input) {
          if (input[0] === 7 && input.length >= 2) for (;;);
          if (input[0] < 0x80) throw new DecodeError({ code: 'bad_value', offset: 0, path: 'first', message: 'low byte' });
        },
      };
    case 'toy-crash':
      // Fills the worker heap (it has a small limit) when the first byte is 9.
      return {
        ...base,
        description: 'runs out of memory on [09, ..]',
        run(input) {
          if (input[0] !== 9 || input.length < 2) return;
          const hog: number[][] = [];
          for (;;) hog.push(new Array(1 << 16).fill(Math.random()));
        },
      };
    default:
      throw new Error(`no toy target ${name}`);
  }
}
