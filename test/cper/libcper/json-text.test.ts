import { libcperJsonText, parseLibcperJson } from '../../../src/cper/libcper';

describe('libcperJsonText (json-c JSON_C_TO_STRING_PRETTY)', () => {
  it('writes nested objects and arrays with two-space indents and no space after the colon', () => {
    expect(libcperJsonText({ a: 1, b: [true, null, { c: 'x' }], d: {}, e: [] })).toBe(
      '{\n  "a":1,\n  "b":[\n    true,\n    null,\n    {\n      "c":"x"\n    }\n  ],\n  "d":{\n  },\n  "e":[\n  ]\n}',
    );
  });

  it('writes bigints as exact integers and keeps them exact through parseLibcperJson', () => {
    const text = libcperJsonText({ responderID: 16173756603213976073n, small: 42 });
    expect(text).toBe('{\n  "responderID":16173756603213976073,\n  "small":42\n}');
    expect(parseLibcperJson(text)).toEqual({ responderID: 16173756603213976073n, small: 42 });
  });

  it('escapes "/" in values as json-c does, and quotes, backslashes and control characters as JSON does', () => {
    expect(libcperJsonText({ type: 'IA32/X64' })).toBe('{\n  "type":"IA32\\/X64"\n}');
    expect(libcperJsonText('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
    expect(libcperJsonText('é')).toBe('"é"');
    expect(libcperJsonText('\ud800')).toBe('"\\ud800"');
  });

  it('writes keys as JSON.stringify does (a "/" in a key is left as is)', () => {
    expect(libcperJsonText({ 'a/b': 1, 'q"': 2 })).toBe('{\n  "a/b":1,\n  "q\\"":2\n}');
  });

  it('nests deeper than the prepared indents and under a caller-given base indent', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 12; i++) deep = [deep];
    const text = libcperJsonText(deep as never);
    expect(text.split('\n')[12]).toBe(' '.repeat(24) + '"leaf"');
    expect(parseLibcperJson(text)).toEqual(deep);
    expect(libcperJsonText({ a: [1] }, '    ')).toBe('{\n      "a":[\n        1\n      ]\n    }');
  });
});
