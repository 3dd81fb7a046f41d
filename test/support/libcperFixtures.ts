import fs from 'fs';
import path from 'path';

/** The shared libcper fixtures: NN-KIND.cper records with what libcper's cper-convert printed for them. */
export const LIBCPER_FIXTURES = path.join(__dirname, '../../../shared/fixtures/libcper');

/** The fixtures' names (without `.cper`), sorted. */
export const LIBCPER_NAMES = fs.readdirSync(LIBCPER_FIXTURES).filter((f) => f.endsWith('.cper')).map((f) => f.replace(/\.cper$/, '')).sort();

/** A seeded pseudo-random source in [0, 1) (a 32-bit linear congruential generator): runs repeat exactly. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
