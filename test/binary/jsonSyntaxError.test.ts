import { jsonSyntaxError } from '../../src/binary/jsonSyntaxError';

const where = (t: string) => jsonSyntaxError(t)?.message;

describe('jsonSyntaxError', () => {
  test('valid JSON has no error (JSON.parse agrees)', () => {
    for (const t of ['{}', '[]', ' [[[]]] ', '{"a":[1,-2.5e3,{"b":null}],"c":"\\u00e9\\n","d":true}', '"x"', '0']) {
      expect(JSON.parse(t)).toBeDefined();
      expect(jsonSyntaxError(t)).toBeUndefined();
    }
  });

  test('names line, column and UTF-8 byte offset of the first mistake with what was expected', () => {
    expect(jsonSyntaxError('{\n "a": 1,\n "b": x\n}')).toEqual({
      offset: 17,
      line: 3,
      column: 7,
      problem: 'expected a value (object, array, string, number, true, false or null), found "x"',
      message: 'line 3, column 7 (byte 17): expected a value (object, array, string, number, true, false or null), found "x"',
    });
    // "é" is two bytes in UTF-8: the byte offset counts them, the column counts characters
    expect(jsonSyntaxError('{"é":tru}')).toMatchObject({ offset: 6, column: 6 });
  });

  test('each kind of mistake', () => {
    expect(where('{"a":1,')).toBe('line 1, column 8 (byte 7): expected a property name in double quotes, found the end of the input');
    expect(where('')).toBe('line 1, column 1 (byte 0): expected a value (object, array, string, number, true, false or null), found the end of the input');
    expect(where('{"a":"\u0001"}')).toBe('line 1, column 7 (byte 6): control character 0x01 inside a string (write it as \\u0001)');
    expect(where('[1,2]x')).toBe('line 1, column 6 (byte 5): unexpected "x" after the JSON value');
    expect(where('{"a" 1}')).toBe('line 1, column 6 (byte 5): expected ":" after the property name, found "1"');
    expect(where('[1,]')).toBe('line 1, column 4 (byte 3): expected a value (object, array, string, number, true, false or null), found "]"');
    expect(where('[1 2]')).toBe('line 1, column 4 (byte 3): expected "," or "]", found "2"');
    expect(where('{"c":"\\q"}')).toBe('line 1, column 7 (byte 6): bad escape \\q (one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
    expect(where('"abc')).toBe('line 1, column 1 (byte 0): a string is not closed (no ending ")');
    expect(where("{'a':1}")).toBe('line 1, column 2 (byte 1): expected a property name in double quotes, found "\'"');
  });

  test('deep nesting does not overflow the stack', () => {
    expect(jsonSyntaxError('['.repeat(200_000))?.offset).toBe(200_000);
  });
});
