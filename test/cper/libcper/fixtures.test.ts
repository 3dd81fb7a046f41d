import fs from 'fs';
import path from 'path';
import { RasgwError } from '../../../src/binary/errors';
import { sectionCodecByGuid } from '../../../src/cper/sections';
import { cperRecordToLibcper, libcperJsonText, libcperToCperRecord, parseLibcperJson } from '../../../src/cper/libcper';

/**
 * Every pair in shared/fixtures/libcper (records written by libcper's cper-generate, JSON printed
 * by its cper-convert to-json): our libcper JSON of the record deep-equals libcper's, and libcper's
 * JSON → our bytes → our libcper JSON deep-equals it again. JSON is compared parsed (JSON.parse of
 * both texts, as a consumer reads it) and exactly (bigint-preserving parse).
 *
 * NOT_MAPPED lists the fixtures whose section has no mapping yet (docs/LIBCPER.md, "Gaps"): for
 * those the conversion must fail with a typed error naming the section, never print wrong JSON.
 */
const DIR = path.join(__dirname, '../../../../shared/fixtures/libcper');
const NAMES = fs.readdirSync(DIR).filter((f) => f.endsWith('.cper')).map((f) => f.replace(/\.cper$/, '')).sort();
/** the Arm RAS node mapping needs the section in our codec (issue 16 item 5); until then 17-arm-ras is a typed gap */
const ARM_RAS_DECODED = sectionCodecByGuid('bf32d4d5-b427-4025-8495-8a9e5d4030e4')?.name === 'armRas';
const NOT_MAPPED: Record<string, string> = ARM_RAS_DECODED ? {} : { '17-arm-ras': 'ARM RAS' };

describe.each(NAMES.filter((n) => NOT_MAPPED[n] === undefined))('%s', (name) => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, `${name}.cper`)));
  const text = fs.readFileSync(path.join(DIR, `${name}.libcper.json`), 'utf8');

  it("record → libcper JSON deep-equals libcper's", () => {
    const ours = libcperJsonText(cperRecordToLibcper(bytes));
    expect(JSON.parse(ours)).toEqual(JSON.parse(text));
    expect(parseLibcperJson(ours)).toEqual(parseLibcperJson(text));
  });

  it('libcper JSON → our bytes → libcper JSON deep-equals the fixture', () => {
    const back = libcperToCperRecord(parseLibcperJson(text));
    expect(parseLibcperJson(libcperJsonText(cperRecordToLibcper(back)))).toEqual(parseLibcperJson(text));
  });
});

const gaps = Object.entries(NOT_MAPPED);
(gaps.length > 0 ? describe.each(gaps) : describe.skip.each([['none', 'none']]))('%s (section not mapped yet)', (name, section) => {
  it('fails with a typed error naming the section, both ways', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, `${name}.cper`)));
    expect(() => cperRecordToLibcper(bytes)).toThrow(RasgwError);
    expect(() => cperRecordToLibcper(bytes)).toThrow(new RegExp(`libcper's form of the ${section} section is not mapped yet`));
    const json = parseLibcperJson(fs.readFileSync(path.join(DIR, `${name}.libcper.json`), 'utf8'));
    expect(() => libcperToCperRecord(json)).toThrow(/unknown or unmapped libcper section/);
  });
});

it('the fixture folder holds the 18 pairs this file expects', () => {
  expect(NAMES).toHaveLength(18);
});
