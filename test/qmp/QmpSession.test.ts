import { quoteQemu, toQemuJson } from '../../src/qmp/qemuJson';
import { cpuTypeName } from '../../src/qmp/qom';
import { ghesInjectArmDefault, qmpCommandText } from './ghesInjectArm';
import { session, spec } from './sessionDouble';

describe('QEMU JSON writer', () => {
  it('prints members and strings as QEMU json-writer does', () => {
    expect(toQemuJson({ return: {}, id: 'a/b' })).toBe('{"return": {}, "id": "a/b"}');
    expect(toQemuJson({ a: [1, 2n ** 64n - 1n, true, null], b: [] })).toBe('{"a": [1, 18446744073709551615, true, null], "b": []}');
    expect(quoteQemu('q"\\\b\f\n\r\t\u0001\u007f\u00e9\u{1F600}')).toBe('"q\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u007F\\u00E9\\uD83D\\uDE00"');
  });
});

describe('QmpSession', () => {
  it('greets like QEMU 10.2 without offering oob', () => {
    const { qmp } = session();
    expect(qmp.greeting()).toBe('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 10}, "package": "v10.2.0"}, "capabilities": []}}\r\n');
  });

  it('requires capabilities negotiation first, then refuses a second one', () => {
    const { say } = session();
    expect(say(qmpCommandText('query-target'))).toEqual([
      '{"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with \'qmp_capabilities\'"}}\r\n',
    ]);
    expect(say('{"execute":"qmp_capabilities","arguments":{"enable":["oob"]}}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "Capability \'oob\' not available"}}\r\n',
    ]);
    expect(say('{"execute":"qmp_capabilities","arguments":{"enable":["fast"]}}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "Parameter \'enable[0]\' does not accept value \'fast\'"}}\r\n',
    ]);
    expect(say(qmpCommandText('qmp_capabilities', {}))).toEqual(['{"return": {}}\r\n']);
    expect(say('{"execute":"qmp_capabilities","id":7}')).toEqual([
      '{"id": 7, "error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}}\r\n',
    ]);
  });

  it('checks the request object with QEMU\'s texts and echoes id only when given', () => {
    const { say } = session();
    say(qmpCommandText('qmp_capabilities'));
    expect(say('[1]')).toEqual(['{"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}\r\n']);
    expect(say('{"id":"x"}')).toEqual(['{"id": "x", "error": {"class": "GenericError", "desc": "QMP input lacks member \'execute\'"}}\r\n']);
    expect(say('{"execute":1}')).toEqual(['{"error": {"class": "GenericError", "desc": "QMP input member \'execute\' must be a string"}}\r\n']);
    expect(say('{"execute":"query-target","arguments":[]}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "QMP input member \'arguments\' must be an object"}}\r\n',
    ]);
    expect(say('{"execute":"query-target","exec-oob":"x"}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "QMP input member \'exec-oob\' is unexpected"}}\r\n',
    ]);
    expect(say('{"execute":"query-target","arguments":{"x":1}}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "Parameter \'x\' is unexpected"}}\r\n',
    ]);
    expect(say('{"execute":"frobnicate","id":{"n":[1]}}')).toEqual([
      '{"id": {"n": [1]}, "error": {"class": "CommandNotFound", "desc": "The command frobnicate has not been found"}}\r\n',
    ]);
    expect(say('{"execute":"query-target","id":"t1"}')).toEqual(['{"return": {"arch": "aarch64"}, "id": "t1"}\r\n']);
    const bad = say('{"execute":');
    expect(bad).toEqual([]);
    expect(say('}')).toEqual([
      '{"error": {"class": "GenericError", "desc": "JSON parse error, expected a value (object, array, string, number, true, false or null), found \\"}\\""}}\r\n',
    ]);
  });

  it('answers the QOM probing of ghes_inject.py from the VM configuration', () => {
    const { say } = session({ ...spec, midr: 0x000f0510n });
    say(qmpCommandText('qmp_capabilities', {}));
    const types: string[] = [];
    for (let i = 0; ; i++) {
      const [line] = say(qmpCommandText('qom-get', { path: `/machine/unattached/device[${i}]`, property: 'type' }));
      const reply = JSON.parse(line);
      if (reply.error) {
        expect(reply.error).toEqual({ class: 'DeviceNotFound', desc: `Device '/machine/unattached/device[${i}]' not found` });
        break;
      }
      types.push(reply.return);
    }
    expect(types).toEqual(['max-arm-cpu', 'arm-gicv3', 'pl011', 'pl031', 'gpex-pcihost', 'pl061', 'acpi-ged', 'fw_cfg_mem', 'platform-bus-device']);
    expect(say(qmpCommandText('qom-get', { path: '/machine/unattached/device[0]', property: 'midr' }))).toEqual(['{"return": 984336}\r\n']);
    expect(say(qmpCommandText('qom-get', { path: '/machine/unattached/device[6]', property: 'x-has-hest-addr' }))).toEqual(['{"return": true}\r\n']);
    expect(say(qmpCommandText('qom-get', { path: '/machine/unattached/device[0]', property: 'nope' }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "Property \'max-arm-cpu.nope\' not found"}}\r\n',
    ]);
    expect(say(qmpCommandText('qom-get', { path: '/machine/unattached/device[0]' }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "Parameter \'property\' is missing"}}\r\n',
    ]);
    expect(say(qmpCommandText('qom-get', { path: 5, property: 'type' }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "Invalid parameter type for \'path\', expected: string"}}\r\n',
    ]);
    expect(JSON.parse(say(qmpCommandText('qom-list', { path: '/machine/unattached/device[0]' }))[0]).return).toEqual([
      { name: 'type', type: 'string' },
      { name: 'realized', type: 'bool' },
      { name: 'midr', type: 'uint64' },
      { name: 'mp-affinity', type: 'uint64' },
      { name: 'start-powered-off', type: 'bool' },
    ]);
    // a partial path names the one object ending with it
    expect(say(qmpCommandText('qom-get', { path: 'device[0]', property: 'type' }))).toEqual(['{"return": "max-arm-cpu"}\r\n']);
    expect(say(qmpCommandText('qom-get', { path: 'device[99]', property: 'type' }))).toEqual([
      '{"error": {"class": "DeviceNotFound", "desc": "Device \'device[99]\' not found"}}\r\n',
    ]);
    expect(say(qmpCommandText('qom-get', { path: '/machine', property: 'unattached' }))).toEqual(['{"return": "/machine/unattached"}\r\n']);
  });

  it('names CPU types as QEMU does (ghes_inject.py only recognises max/host)', () => {
    expect(cpuTypeName(0x411fd070n)).toBe('cortex-a57-arm-cpu');
    expect(cpuTypeName(0x12345678n)).toBe('max-arm-cpu');
    expect(/^([\w+]+-)?arm-cpu$/.test('cortex-a57-arm-cpu')).toBe(false);
    expect(/^([\w+]+-)?arm-cpu$/.test('max-arm-cpu')).toBe(true);
  });

  it('reports the legacy GED configuration for the 7.2 profile', () => {
    const { say } = session({ ...spec, profile: 'qemu-7.2-virt' });
    say(qmpCommandText('qmp_capabilities'));
    expect(say(qmpCommandText('qom-get', { path: '/machine/unattached/device[6]', property: 'ged-event' }))).toEqual(['{"return": 2}\r\n']);
    expect(say(qmpCommandText('qom-get', { path: '/machine', property: 'type' }))).toEqual(['{"return": "virt-7.2-machine"}\r\n']);
  });

  it('injects base64 CPER bytes and maps refusals to QEMU texts', () => {
    const { say, backend } = session();
    say(qmpCommandText('qmp_capabilities'));
    const bytes = ghesInjectArmDefault();
    const cper = Buffer.from(bytes).toString('base64');
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper }))).toEqual(['{"return": {}}\r\n']);
    expect(Array.from(backend.injected[0])).toEqual(Array.from(bytes));
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper: 'not base64!' }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "missing GHES CPER payload"}}\r\n',
    ]);
    expect(say(qmpCommandText('inject-ghes-v2-error', {}))).toEqual(['{"error": {"class": "GenericError", "desc": "Parameter \'cper\' is missing"}}\r\n']);
    backend.refuse = { code: 'source_busy', message: 'busy' };
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "OSPM does not acknowledge previous error, so can not record CPER for current error anymore"}}\r\n',
    ]);
    backend.refuse = { code: 'record_too_large', message: 'too big', maxLength: 1024 };
    const big = Buffer.alloc(1100).toString('base64');
    expect(say(qmpCommandText('inject-ghes-v2-error', { cper: big }))).toEqual([
      '{"error": {"class": "GenericError", "desc": "GHES CPER record is too big: 1100"}}\r\n',
    ]);
    backend.refuse = { code: 'queue_full', message: 'full' };
    expect(JSON.parse(say(qmpCommandText('inject-ghes-v2-error', { cper }))[0]).error.desc).toBe(
      'OSPM does not acknowledge previous error, so can not record CPER for current error anymore (queue of source 1 is full: 4 records)',
    );
    backend.refuse = { code: 'no_such_source', message: 'none' };
    expect(JSON.parse(say(qmpCommandText('inject-ghes-v2-error', { cper }))[0]).error.desc).toBe('HEST: Source 1 not found.');
    expect(backend.injected).toHaveLength(1);
  });

  it('answers several commands from one packet in order, and query-status / system_reset', () => {
    const { say, backend } = session();
    const replies = say(qmpCommandText('qmp_capabilities') + qmpCommandText('query-status') + '\n' + qmpCommandText('system_reset'));
    expect(replies).toEqual(['{"return": {}}\r\n', '{"return": {"status": "running", "running": true}}\r\n', '{"return": {}}\r\n']);
    expect(backend.resets).toBe(1);
    backend.panicked = true;
    expect(say(qmpCommandText('query-status'))).toEqual(['{"return": {"status": "guest-panicked", "running": false}}\r\n']);
  });
});

describe('QEMU JSON numbers', () => {
  it('prints integers in full, other numbers as %.17g and non-finite as null', () => {
    expect(toQemuJson([0.1, 1e21, 2.5e-7, 1e400, -0, 123])).toBe('[0.10000000000000001, 1e+21, 2.4999999999999999e-07, null, 0, 123]');
  });
});
