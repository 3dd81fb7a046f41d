import { ghesInjectArmDefault, qmpCommandText } from './ghesInjectArm';
import { session } from './sessionDouble';

/** QMP-side JSON is read as meant: hex text is not taken for base64, __proto__ is an unexpected member. */
describe('QMP inputs', () => {
  const { backend, say } = session();
  const injected = backend.injected;
  beforeAll(() => say(qmpCommandText('qmp_capabilities')));

  it('refuses hex text as cper, even when it is valid base64 too', () => {
    const hex = Buffer.from(ghesInjectArmDefault()).toString('hex');
    expect(hex.length % 4).toBe(0);
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper: hex }))).toEqual([
      `{"error": {"class": "GenericError", "desc": "missing GHES CPER payload: 'cper' looks like hex text (${hex.length} hex digits); it takes the record as base64"}}\r\n`,
    ]);
    expect(injected).toEqual([]);
    const b64 = Buffer.from(ghesInjectArmDefault()).toString('base64');
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper: b64 }))).toEqual(['{"return": {}}\r\n']);
    expect(injected).toHaveLength(1);
  });

  it('__proto__ is an unexpected member like any other, at the top and in arguments', () => {
    expect(say('{"execute":"query-status","__proto__":{"id":1}}')).toEqual([`{"error": {"class": "GenericError", "desc": "QMP input member '__proto__' is unexpected"}}\r\n`]);
    expect(say('{"execute":"inject-ghes-v2-error","arguments":{"cper":"AAAA","__proto__":{}}}')).toEqual([
      `{"error": {"class": "GenericError", "desc": "Parameter '__proto__' is unexpected"}}\r\n`,
    ]);
    expect(say('{"execute":"query-status","arguments":{"constructor":1}}')).toEqual([`{"error": {"class": "GenericError", "desc": "Parameter 'constructor' is unexpected"}}\r\n`]);
  });

  it('a key given twice is QEMU\'s "JSON parse error, duplicate key", never its last value', () => {
    // it injected the second cper; QEMU's parser (qobject/json-parser.c) refuses the text
    const b64 = Buffer.from(ghesInjectArmDefault()).toString('base64');
    const before = injected.length;
    expect(say(`{"execute":"inject-ghes-v2-error","arguments":{"cper":"${b64}","cper":"${b64}"}}`)).toEqual([
      '{"error": {"class": "GenericError", "desc": "JSON parse error, duplicate key"}}\r\n',
    ]);
    expect(say('{"execute":"query-status","execute":"inject-ghes-v2-error"}')).toEqual(['{"error": {"class": "GenericError", "desc": "JSON parse error, duplicate key"}}\r\n']);
    expect(injected).toHaveLength(before);
  });
});
