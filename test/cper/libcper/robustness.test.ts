import fs from 'fs';
import path from 'path';
import { RasgwError } from '../../../src/binary/errors';
import { cperRecordToLibcper, libcperJsonText, libcperToCperRecord, LibcperValue, parseLibcperJson } from '../../../src/cper/libcper';
import { LIBCPER_FIXTURES, LIBCPER_NAMES, seededRandom } from '../../support/libcperFixtures';

/**
 * Bad input never crashes the libcper conversions: mutated libcper JSON (wrong types, missing or
 * extra keys, out-of-range integers) and mutated record bytes either convert or fail with a
 * RasgwError (typed, with a path), never a TypeError or a RangeError. Seeded, bounded.
 */


const REPLACEMENTS: LibcperValue[] = [null, true, -1, 1.5, 2n ** 64n, 'text', [], {}, 0, 'ffffffff-ffff-ffff-ffff-ffffffffffff'];

/** A copy with one value somewhere replaced, or one key removed or added. */
function mutate(v: LibcperValue, r: () => number): LibcperValue {
  const paths: Array<{ parent: Record<string, LibcperValue> | LibcperValue[]; key: string | number }> = [];
  const walk = (x: LibcperValue) => {
    if (Array.isArray(x)) x.forEach((y, i) => (paths.push({ parent: x, key: i }), walk(y)));
    else if (typeof x === 'object' && x !== null && typeof x !== 'bigint') for (const [k, y] of Object.entries(x)) paths.push({ parent: x, key: k }), walk(y);
  };
  const copy = parseLibcperJson(libcperJsonText(v));
  walk(copy);
  const p = paths[Math.floor(r() * paths.length)];
  const choice = r();
  if (choice < 0.7) (p.parent as Record<string, LibcperValue>)[p.key as string] = REPLACEMENTS[Math.floor(r() * REPLACEMENTS.length)];
  else if (choice < 0.85 && !Array.isArray(p.parent)) delete (p.parent as Record<string, LibcperValue>)[p.key as string];
  else if (!Array.isArray(p.parent)) (p.parent as Record<string, LibcperValue>).unexpected = 1;
  return copy;
}

function typedOrOk(f: () => unknown): 'ok' | 'refused' {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof RasgwError) return 'refused';
    throw e;
  }
}

describe.each(LIBCPER_NAMES)('%s', (name) => {
  it('400 mutated libcper documents convert or are refused with a typed error', () => {
    const doc = parseLibcperJson(fs.readFileSync(path.join(LIBCPER_FIXTURES, `${name}.libcper.json`), 'utf8'));
    const r = seededRandom(name.length * 7919 + 16);
    const outcomes = { ok: 0, refused: 0 };
    for (let k = 0; k < 400; k++) outcomes[typedOrOk(() => libcperToCperRecord(mutate(doc, r)))]++;
    expect(outcomes.ok + outcomes.refused).toBe(400);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('300 records with flipped bytes convert or are refused with a typed error', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(LIBCPER_FIXTURES, `${name}.cper`)));
    const r = seededRandom(name.length * 104729 + 16);
    const outcomes = { ok: 0, refused: 0 };
    for (let k = 0; k < 300; k++) {
      const b = Uint8Array.from(bytes);
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      outcomes[typedOrOk(() => cperRecordToLibcper(b))]++;
    }
    expect(outcomes.ok + outcomes.refused).toBe(300);
  });
});
