import { DecodeError } from '../../../src/binary/errors';
import { encodeCperRecord, parseCperRecordJson, decodeCperRecord } from '../../../src/cper';
import { cperRecordToLibcper, libcperJsonText, libcperTimestamp, libcperToCperRecord, parseLibcperJson } from '../../../src/cper/libcper';

describe('libcper JSON text', () => {
  it('keeps integers above 2^53 exact both ways and writes json-c\'s layout', () => {
    const v = parseLibcperJson('{"a":18446744073709551615,"b":[1,-2.5e3,true,null],"c":"PCI\\/PCI-X"}');
    expect(v).toEqual({ a: 18446744073709551615n, b: [1, -2500, true, null], c: 'PCI/PCI-X' });
    expect(libcperJsonText(v)).toBe('{\n  "a":18446744073709551615,\n  "b":[\n    1,\n    -2500,\n    true,\n    null\n  ],\n  "c":"PCI\\/PCI-X"\n}');
  });

  it('names the character where the text is not JSON', () => {
    expect(() => parseLibcperJson('{"a":1,}')).toThrow(/libcper JSON: expected a string key at character 7/);
    expect(() => parseLibcperJson('[1] 2')).toThrow(/unexpected text after the document at character 4/);
  });
});

describe('libcper record rules', () => {
  it('timestamps as timestamp_to_string: BCD read as is, refused only past libcper\'s limits', () => {
    // 2025-03-14 15:09:26, precise flag in byte 3
    expect(libcperTimestamp(0x2025031401150926n)).toBe('2025-03-14T15:09:26+00:00');
    // hour 24 and day 30 of February pass libcper's checks
    expect(libcperTimestamp(0x4736060100240003n)).toBe('4736-06-01T24:00:03+00:00');
    // month 13 does not: the keys are left out
    expect(libcperTimestamp(0x2025131400150926n)).toBeUndefined();
  });

  it('a section type libcper does not know is Unknown with base64 data, and reads back', () => {
    const bytes = encodeCperRecord(
      parseCperRecordJson({ errorSeverity: 'corrected', sections: [{ section: { type: 'unknown', guid: '12345678-9abc-def0-1122-334455667788', data: '0102030405' } }] }),
    );
    const json = cperRecordToLibcper(bytes);
    expect((json.sections as unknown[])[0]).toEqual({ Unknown: { data: 'AQIDBAU=' } });
    expect((json.sectionDescriptors as Array<Record<string, unknown>>)[0].sectionType).toEqual({ data: '12345678-9abc-def0-1122-334455667788', type: 'Unknown' });
    const back = decodeCperRecord(libcperToCperRecord(json));
    expect(back.sections[0].section).toMatchObject({ type: 'unknown', data: '0102030405' });
  });

  it('says why a section libcper decodes has no libcper form: no codec of ours (IPF)', () => {
    const bytes = encodeCperRecord(
      parseCperRecordJson({ errorSeverity: 'corrected', sections: [{ section: { type: 'unknown', guid: 'e429faf1-3cb7-11d4-bca7-0080c73c8881', data: '00' } }] }),
    );
    expect(() => cperRecordToLibcper(bytes)).toThrow(
      "bad_value at byte 200 (0xc8) [sections[0].section]: libcper decodes this IPF section, but rasgw has no codec for IPF sections (GUID e429faf1-3cb7-11d4-bca7-0080c73c8881), so libcper's form of it cannot be written",
    );
  });

  it('says when our strict codec refused a section libcper knows, with the decode error', () => {
    // a 16-byte body under the memory section's GUID: too short for the 73/80-byte layouts
    const bytes = encodeCperRecord(
      parseCperRecordJson({ errorSeverity: 'corrected', sections: [{ section: { type: 'unknown', guid: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1', data: '00'.repeat(16) } }] }),
    );
    let err: unknown;
    try {
      cperRecordToLibcper(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).message).toMatch(
      /^bad_length at byte 200 \(0xc8\) \[sections\[0\]\.section\]: rasgw's strict codec could not decode this Platform Memory section \(.*16.*\), so libcper's form of the record cannot be written$/,
    );
  });

  it('refuses unknown keys, wrong types and a section that does not match its descriptor, with JSON pointers', () => {
    const json = cperRecordToLibcper(
      encodeCperRecord(parseCperRecordJson({ errorSeverity: 'corrected', sections: [{ section: { type: 'memory', physicalAddress: '0x1000' } }] })),
    ) as Record<string, any>;
    const clone = () => parseLibcperJson(libcperJsonText(json)) as Record<string, any>;
    const typo = clone();
    typo.sections[0].Memory.physicalAdress = 1;
    expect(() => libcperToCperRecord(typo)).toThrow(/libcper JSON \/sections\/0\/Memory\/physicalAdress: unknown field/);
    const wrong = clone();
    wrong.sections[0].Memory.node = 'one';
    expect(() => libcperToCperRecord(wrong)).toThrow(/\/sections\/0\/Memory\/node: expected an integer/);
    const mismatch = clone();
    mismatch.sectionDescriptors[0].sectionType.data = 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0';
    expect(() => libcperToCperRecord(mismatch)).toThrow(/is not Platform Memory/);
    const extra = clone();
    extra.sections[0].message = 'kept out';
    expect(() => libcperToCperRecord(extra)).not.toThrow();
  });
});

describe('sections libcper cannot parse', () => {
  it('an ARM misc-register context under 10 bytes makes the whole section Unknown base64, as libcper prints it', () => {
    const bytes = encodeCperRecord(
      parseCperRecordJson({
        errorSeverity: 'recoverable',
        sections: [{ section: { type: 'arm', errorInfo: [{ type: 'cache' }], contexts: [{ registerContextType: 8, registerArraySize: 8, padding: '0102030405060708' }] } }],
      }),
    );
    const record = decodeCperRecord(bytes);
    const s = record.sections[0];
    const json = cperRecordToLibcper(bytes);
    expect((json.sections as unknown[])[0]).toEqual({ Unknown: { data: Buffer.from(bytes.subarray(s.sectionOffset, s.sectionOffset + s.sectionLength)).toString('base64') } });
    expect((json.sectionDescriptors as Array<Record<string, unknown>>)[0].sectionType).toEqual({ data: 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0', type: 'ARM' });
  });
});
