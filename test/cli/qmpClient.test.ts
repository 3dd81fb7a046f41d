import { parseHostPort } from '../../src/cli/qmpClient';

describe('parseHostPort (--qmp HOST:PORT)', () => {
  test('reads host and port, IPv6 in brackets, and a bare port', () => {
    expect(parseHostPort('127.0.0.1:4445')).toEqual({ host: '127.0.0.1', port: 4445 });
    expect(parseHostPort('[::1]:4445')).toEqual({ host: '::1', port: 4445 });
    expect(parseHostPort(':4445')).toEqual({ host: 'localhost', port: 4445 });
    expect(parseHostPort('4445')).toEqual({ host: 'localhost', port: 4445 });
  });

  test('a host without a port is refused, not read as host "127.0.0." and port 1', () => {
    expect(() => parseHostPort('127.0.0.1')).toThrow('--qmp: expected HOST:PORT (e.g. localhost:4445), got "127.0.0.1"');
    expect(() => parseHostPort('localhost')).toThrow('expected HOST:PORT');
    expect(() => parseHostPort('host:0')).toThrow('expected HOST:PORT');
    expect(() => parseHostPort('host:65536')).toThrow('expected HOST:PORT');
  });
});
