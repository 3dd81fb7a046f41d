import * as fs from 'fs';
import * as path from 'path';
import { estatusLength, estatusSections, readEstatusHeader, renderCheckedRecordLinux, renderStatusBlockLinux } from '../../../src/cper/text';
import type { LinuxVersion } from '../../../src/vm/contract';

/**
 * renderCheckedRecordLinux prints a record GHES already read and checked without checking it
 * again: for every captured block it must give exactly renderStatusBlockLinux's lines (the guest
 * prints through it), whether or not the caller hands over the header and the section walk.
 */
const DIR = path.join(__dirname, '../../../../shared/fixtures/linux-guest');
const blocks = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.gesb'))
  .sort();
const versions: LinuxVersion[] = ['6.1', '6.12', 'mainline'];

describe('renderCheckedRecordLinux', () => {
  it('has fixtures to compare', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  for (const name of blocks) {
    it(`${name}: the same lines as renderStatusBlockLinux, for every version and option set`, () => {
      const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, name)));
      const record = bytes.subarray(0, estatusLength(bytes));
      const header = readEstatusHeader(record);
      const sections = estatusSections(record, header);
      for (const version of versions) {
        for (const o of [{}, { sourceId: 3, seq: 42 }, { fatal: true, prefix: false }]) {
          const expected = renderStatusBlockLinux(bytes, { version, ...o });
          expect(expected.length).toBeGreaterThan(2);
          expect(renderCheckedRecordLinux(record, { version, ...o })).toEqual(expected);
          expect(renderCheckedRecordLinux(record, { version, ...o, header, sections })).toEqual(expected);
        }
      }
    });
  }

  it('checks its options like renderStatusBlockLinux', () => {
    const record = new Uint8Array(fs.readFileSync(path.join(DIR, blocks[0])));
    expect(() => renderCheckedRecordLinux(record, { sourceId: 0x10000 })).toThrow(/expected an integer 0..65535, got 65536/);
    expect(() => renderCheckedRecordLinux(record, { seq: -1 })).toThrow(/expected an integer 0..4294967295/);
  });
});
