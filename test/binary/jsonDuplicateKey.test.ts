import { duplicateKeyMessage, findDuplicateKey } from '../../src/binary/jsonDuplicateKey';

describe('findDuplicateKey', () => {
  it('finds nothing where every object has each key once (same keys in different objects are fine)', () => {
    for (const text of [
      '{}',
      '[]',
      '{"a":1,"b":{"a":2,"b":[{"a":3},{"a":4}]}}',
      '[{"a":1},{"a":1}]',
      // quotes, braces, commas and backslashes inside strings are not structure
      '{"a":"x\\",\\"a\\":{,}[","b":"\\\\","c":"\\\\\\""}',
      '{"k":"AAAA"}',
    ]) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect([text, findDuplicateKey(text)]).toEqual([text, undefined]);
    }
  });

  it('names the second occurrence: key, JSON pointer (array indices, ~ and / escaped), line and column', () => {
    expect(findDuplicateKey('{"error":{"type":"arm","severity":"fatal","severity":"corrected"}}')).toEqual({ key: 'severity', pointer: '/error/severity', index: 42, line: 1, column: 43 });
    expect(findDuplicateKey('{"cper":{"entries":[{"section":{}},{"section":{"a":1,\n "a":2}}]}}')).toMatchObject({ key: 'a', pointer: '/cper/entries/1/section/a', line: 2, column: 2 });
    expect(findDuplicateKey('{"a/b~":1,"a/b~":2}')).toMatchObject({ pointer: '/a~1b~0' });
    // compared as JSON.parse decodes them
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toMatchObject({ key: 'a', pointer: '/a' });
    expect(findDuplicateKey('[1,{"x":[{"y":1,"y":2}]}]')).toMatchObject({ pointer: '/1/x/0/y' });
  });

  it('says what happened and the fix', () => {
    expect(duplicateKeyMessage(findDuplicateKey('{"raw":"AAAA","raw":"BBBB"}')!)).toBe('the key "raw" is given twice in one object (JSON keeps only the last value, silently): give it once');
  });
});
