import { runCli } from './run-cli';

/**
 * Address and u64 options of `rasgw inject` are read as meant: "0x…" hex; a digit string without
 * 0x is refused with the fix (before any request is sent: the URL below is never contacted).
 */
describe('rasgw inject: address and u64 options', () => {
  const url = ['--url', 'http://127.0.0.1:9', '--token-file', __filename];

  it.each([
    [['--memory', '--address', '40001000'], 'error: --address: "40001000" could be hex or decimal: write hex as 0x40001000 (addresses and 64-bit values take 0x… hex)'],
    [['--memory', '--address', ' 0x10'], 'error: --address: " 0x10" is not a 0x… hex value of at most 64 bits'],
    [['--memory', '--address-mask', 'ffff0000'], 'error: --address-mask: "ffff0000" has no 0x prefix: write 0xffff0000'],
    [['--pcie', '--serial', '1234'], 'error: --serial: "1234" could be hex or decimal: write hex as 0x1234 (addresses and 64-bit values take 0x… hex)'],
    [['--midr', '411fd070'], 'error: --midr: "411fd070" has no 0x prefix: write 0x411fd070'],
    [['--midr', '0x0', '--mpidr', '80000000'], 'error: --mpidr: "80000000" could be hex or decimal: write hex as 0x80000000 (addresses and 64-bit values take 0x… hex)'],
    [['--midr', '0x0', '-p', '0x1000', '4096'], 'error: --physical-address: "4096" could be hex or decimal: write hex as 0x4096 (addresses and 64-bit values take 0x… hex)'],
    [['--midr', '0x0', '-v', '0x10000000000000000'], 'error: --virtual-address: "0x10000000000000000" is not a 0x… hex value of at most 64 bits'],
    [['--midr', '0x0', '--ctx-array', '0x1,22'], 'error: --ctx-array: "22" could be hex or decimal: write hex as 0x22 (addresses and 64-bit values take 0x… hex)'],
  ])('refuses %j', async (args, message) => {
    const r = await runCli(['inject', ...url, ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(message + '\n');
    expect(r.stdout.length).toBe(0);
  });
});
