import { parseCperRecordJson, parseStatusBlockJson } from '../../../src/cper';
import { findProtoKey } from '../../../src/cper/json/protoKeys';
import { runCli } from '../../cli/commands/run-cli';

describe('__proto__ is an unknown field like any other', () => {
  it('finds an own __proto__ key anywhere in a parsed JSON value, with its path', () => {
    expect(findProtoKey(JSON.parse('{"a":[{"b":1},{"c":{"__proto__":{"x":1}}}]}'))).toEqual(['a', 1, 'c', '__proto__']);
    expect(findProtoKey(JSON.parse('{"__proto__":null}'))).toEqual(['__proto__']);
    expect(findProtoKey(JSON.parse('{"a":{"constructor":1,"prototype":2},"b":"__proto__"}'))).toBeUndefined();
    expect(findProtoKey({ a: 1 })).toBeUndefined();
  });

  it('the CPER JSON parsers refuse it with its path (CLI files, REST, QMP-side JSON all use them)', () => {
    const block = '{"errorSeverity":"fatal","entries":[{"section":{"type":"arm","errorInfo":[{"type":"cache"}],"__proto__":{"psciState":7}}}]}';
    expect(() => parseStatusBlockJson(JSON.parse(block))).toThrow('invalid_input [entries[0].section.__proto__]: unknown field "__proto__"');
    expect(() => parseCperRecordJson(JSON.parse('{"__proto__":{},"sections":[]}'))).toThrow('invalid_input [__proto__]: unknown field "__proto__"');
  });

  it('rasgw encode refuses a JSON file with __proto__ (exit 1, nothing on stdout)', async () => {
    const r = await runCli(['encode', '-'], Buffer.from('{"errorSeverity":"corrected","__proto__":{"errorSeverity":"fatal"},"entries":[{"section":{"type":"memory"}}]}'));
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('error: invalid_input [__proto__]: unknown field "__proto__"\n');
  });
});
