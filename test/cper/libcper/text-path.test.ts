import fs from 'fs';
import path from 'path';
import { cperRecordToLibcper, cperRecordToLibcperText, libcperJsonText } from '../../../src/cper/libcper';
import { CPER_HEADER_LENGTH } from '../../../src/cper/record';
import { SECTION_DESCRIPTOR_LENGTH } from '../../../src/cper/section-descriptor';
import { LIBCPER_FIXTURES, LIBCPER_NAMES, seededRandom } from '../../support/libcperFixtures';

/**
 * The direct text path (cperRecordToLibcperText: compiled rule writers and the sections' own
 * writers) against the object path (cperRecordToLibcper + libcperJsonText): the fixtures' text
 * byte for byte, and the same text, or the same error, for thousands of mutated records (random
 * bytes in descriptors and bodies, validation words cleared, set or random, truncated sections),
 * so the two paths cannot drift apart. Seeded, bounded.
 */


/** Text or error (class and message) of one path. */
function outcome(f: () => string): string {
  try {
    return f();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

const le32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** A mutated copy of a record: section bodies, descriptors or lengths changed at random. */
function mutate(bytes: Uint8Array, r: () => number): Uint8Array {
  const b = new Uint8Array(bytes);
  const count = b[10] | (b[11] << 8);
  const i = Math.floor(r() * count);
  const desc = CPER_HEADER_LENGTH + SECTION_DESCRIPTOR_LENGTH * i;
  const offset = le32(b, desc);
  const length = le32(b, desc + 4);
  const pick = r();
  if (pick < 0.45) {
    // a few random bytes in the section body
    for (let k = 1 + Math.floor(r() * 6); k > 0; k--) b[offset + Math.floor(r() * length)] = Math.floor(r() * 256);
  } else if (pick < 0.75) {
    // a validation word: the body's first 8 bytes, or any 8-byte aligned word (the validation
    // words of nested structures: error information entries, contexts, check words); cleared,
    // all set or random
    const at = r() < 0.4 ? 0 : 8 * Math.floor((r() * length) / 8);
    const how = r();
    for (let k = at; k < Math.min(at + 8, length); k++) b[offset + k] = how < 0.3 ? 0 : how < 0.6 ? 0xff : Math.floor(r() * 256);
  } else if (pick < 0.9) {
    // the descriptor: flags, validation bits, FRU id and text, severity
    for (let k = 1 + Math.floor(r() * 4); k > 0; k--) b[desc + 8 + Math.floor(r() * 64)] = Math.floor(r() * 256);
  } else {
    // a truncated section: the descriptor says fewer bytes
    const cut = Math.floor(r() * length);
    b[desc + 4] = cut & 0xff;
    b[desc + 5] = (cut >> 8) & 0xff;
    b[desc + 6] = (cut >> 16) & 0xff;
    b[desc + 7] = cut >>> 24;
  }
  return b;
}

describe.each(LIBCPER_NAMES)('%s', (name) => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(LIBCPER_FIXTURES, `${name}.cper`)));

  it("the direct text is the fixture's text byte for byte", () => {
    const fixture = fs.readFileSync(path.join(LIBCPER_FIXTURES, `${name}.libcper.json`), 'utf8');
    expect(cperRecordToLibcperText(bytes)).toBe(fixture);
    expect(cperRecordToLibcperText(bytes)).toBe(libcperJsonText(cperRecordToLibcper(bytes)));
  });

  it('300 mutated records: the direct text equals the object path (text or error)', () => {
    const r = seededRandom(name.length * 104729 + name.charCodeAt(0));
    let texts = 0;
    for (let k = 0; k < 300; k++) {
      const b = mutate(bytes, r);
      const slow = outcome(() => libcperJsonText(cperRecordToLibcper(b)));
      const fast = outcome(() => cperRecordToLibcperText(b));
      if (fast !== slow) throw new Error(`${name} mutation ${k}: the direct text differs from the object path\n${Buffer.from(b).toString('hex')}\n--- object path\n${slow}\n--- direct\n${fast}`);
      if (slow.startsWith('{')) texts++;
    }
    // most mutations still decode, so the comparison covers the writers, not only the errors
    expect(texts).toBeGreaterThan(90);
  });
});

it('a record without sections writes empty arrays as libcperJsonText does', () => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(LIBCPER_FIXTURES, '07-firmware.cper')));
  const b = new Uint8Array(bytes.subarray(0, CPER_HEADER_LENGTH));
  b[10] = 0;
  b[11] = 0;
  b[20] = CPER_HEADER_LENGTH;
  b[21] = 0;
  b[22] = 0;
  b[23] = 0;
  expect(outcome(() => cperRecordToLibcperText(b))).toBe(outcome(() => libcperJsonText(cperRecordToLibcper(b))));
  expect(cperRecordToLibcperText(b)).toContain('"sectionDescriptors":[\n  ]');
});
