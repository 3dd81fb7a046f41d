import fs from 'fs';
import path from 'path';
import { cperRecordToLibcper, libcperJsonText, libcperToCperRecord, parseLibcperJson } from '../../../src/cper/libcper';

/**
 * Every pair in shared/fixtures/libcper (records written by libcper's cper-generate, JSON printed
 * by its cper-convert to-json): our libcper JSON of the record deep-equals libcper's, and libcper's
 * JSON → our bytes → our libcper JSON deep-equals it again. JSON is compared parsed (JSON.parse of
 * both texts, as a consumer reads it) and exactly (bigint-preserving parse).
 */
const DIR = path.join(__dirname, '../../../../shared/fixtures/libcper');
const NAMES = fs.readdirSync(DIR).filter((f) => f.endsWith('.cper')).map((f) => f.replace(/\.cper$/, '')).sort();

describe.each(NAMES)('%s', (name) => {
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

it('the fixture folder holds the 18 pairs this file expects', () => {
  expect(NAMES).toHaveLength(18);
});
