import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { renderStatusBlockLinux } from '../../../src/cper/text';
import { LINUX_VERSIONS } from '../../../src/vm/contract';

/**
 * Any byte content gives console lines (never an exception, never a read past the bytes): random
 * blocks and fixture blocks with random bytes overwritten, for every version.
 */

const DIR = path.join(__dirname, '../../../../shared/fixtures/linux-guest');
const fixtures = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.gesb'))
  .sort()
  .map((f) => new Uint8Array(fs.readFileSync(path.join(DIR, f))));

function renderBoth(bytes: Uint8Array): void {
  for (const version of LINUX_VERSIONS) {
    const lines = renderStatusBlockLinux(bytes, { version });
    for (const l of lines) expect(typeof l.text).toBe('string');
  }
}

describe('renderStatusBlockLinux robustness', () => {
  it('random blocks with a plausible header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 400 }), fc.nat({ max: 380 }), (raw, dataLength) => {
        const b = raw.slice();
        const dv = new DataView(b.buffer);
        dv.setUint32(0, 1, true);
        dv.setUint32(8, 0, true);
        dv.setUint32(12, Math.min(dataLength, b.length - 20), true);
        renderBoth(b);
      }),
      { numRuns: 300, seed: 20260611 },
    );
  });

  it('fixture blocks with bytes overwritten (section headers, ARM counts and lengths)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat({ max: 299 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (base, edits) => {
          const b = base.slice();
          for (const [at, v] of edits) b[at % b.length] = v;
          renderBoth(b);
        },
      ),
      { numRuns: 400, seed: 43171 },
    );
  });
});
