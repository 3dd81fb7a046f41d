import fs from 'fs';
import path from 'path';
import { safeDecodeStatusBlock, statusBlockToJson } from '../../src/cper';
import { renderGuestRecord } from '../../src/gateway/guestRecordRendering';
import { summariseDecodedRecord } from '../../src/gateway/recordSummary';
import { modelJsonText } from '../../src/store/modelJsonText';

const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest');
const FIXTURES = fs.readdirSync(DIR).filter((f) => f.endsWith('.gesb')).sort();

describe('modelJsonText', () => {
  it('writes the same text as JSON.stringify(statusBlockToJson(model)) for every captured record', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(7);
    for (const f of FIXTURES) {
      const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, f)));
      const d = safeDecodeStatusBlock(bytes);
      expect(d.success).toBe(true);
      if (!d.success) continue;
      expect(modelJsonText(d.data)).toBe(JSON.stringify(statusBlockToJson(d.data)));
    }
  });

  it('follows JSON.stringify on edge values: bigint and bytes as hex, undefined dropped or null, non-finite null', () => {
    const v = {
      big: 0xfedcba9876543210n,
      bytes: Uint8Array.of(0, 0xab, 0xff),
      gone: undefined,
      fn: () => 1,
      list: [1, undefined, -0, NaN, Infinity, 'a"b\\c\u2028', null, true, false],
      nested: { empty: {}, arr: [] as unknown[], date: new Date(0) },
      'key "quoted"': 1,
    };
    expect(modelJsonText(v)).toBe(
      '{"big":"0xfedcba9876543210","bytes":"00abff","list":[1,null,0,null,null,"a\\"b\\\\c\u2028",null,true,false],"nested":{"empty":{},"arr":[],"date":{}},"key \\"quoted\\"":1}',
    );
    expect(modelJsonText(undefined)).toBe('null');
    expect(modelJsonText(null)).toBe('null');
  });
});

describe('renderGuestRecord', () => {
  it('gives the decoded JSON text and the summary of the JSON form', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, 'arm-cache-recoverable.gesb')));
    const r = renderGuestRecord(bytes);
    const json = JSON.parse(r.decodedText);
    expect(json.entries[0].section.type).toBe('arm');
    expect(r).toEqual({ decodedText: JSON.stringify(json), ...summariseDecodedRecord(json) });
    expect(r.severity).toBe('recoverable');
    expect(r.sections).toEqual(['arm']);
  });

  it('stores null for bytes the codec refuses, with an empty summary', () => {
    expect(renderGuestRecord(Uint8Array.of(1, 2, 3))).toEqual({ decodedText: 'null', sections: [] });
  });
});
