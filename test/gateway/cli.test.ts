import fs from 'fs';
import path from 'path';
import net from 'net';
import { cli } from '../support/cliInProcess';
import { parseSince } from '../../src/cli/commands/events';
import { ghesInjectArmRecord, bcdTimestamp } from '../../src/gateway/client/ghesInjectRecord';
import { ghesInjectArmDefault } from '../qmp/ghesInjectArm';
import { serverForBlock, TOKEN } from './helpers';

describe('ghes_inject.py-compatible record builder', () => {
  it('gives the script\'s 164 default bytes', () => {
    expect(Buffer.from(ghesInjectArmRecord()).equals(Buffer.from(ghesInjectArmDefault()))).toBe(true);
    expect(Buffer.from(ghesInjectArmRecord({ midr: 0x411fd070n })).equals(Buffer.from(ghesInjectArmDefault(0x411fd070n)))).toBe(true);
  });

  it('encodes the values the script only flags, sizes contexts as the script, places raw data after the entry', () => {
    const b = Buffer.from(
      ghesInjectArmRecord({ mpidr: 0x444n, affinityLevel: 1, running: true, contexts: [{ registers: [] }, { type: 1, registers: [1n, 2n] }], vendor: [0x13, 123, 4, 5, 1], rawData: [0xaa, 0xbb], fruText: 'DIMM0' }),
    );
    const sec = 92;
    expect(b.readUInt32LE(sec)).toBe(0x1 | 0x2 | 0x4); // mpidr, affinity, running
    expect(b.readUInt16LE(sec + 6)).toBe(2); // contexts
    expect(b[sec + 12]).toBe(1);
    expect(b.readBigUInt64LE(sec + 16)).toBe(0x444n);
    expect(b.readUInt32LE(sec + 32)).toBe(1);
    // context 0: (max(0, 0) + 1) registers of type 5; context 1: 3 registers of type 1
    const ctx = sec + 40 + 32;
    expect([b.readUInt16LE(ctx + 2), b.readUInt32LE(ctx + 4)]).toEqual([5, 8]);
    expect([b.readUInt16LE(ctx + 16 + 2), b.readUInt32LE(ctx + 16 + 4), b.readBigUInt64LE(ctx + 16 + 16)]).toEqual([1, 24, 2n]);
    const sectionLength = 40 + 32 + 16 + 32 + 5;
    expect(b.readUInt32LE(sec + 8)).toBe(sectionLength);
    expect(b.readUInt32LE(12)).toBe(72 + sectionLength); // data length excludes raw data
    expect([b.readUInt32LE(4), b.readUInt32LE(8)]).toEqual([20 + 72 + sectionLength, 2]);
    expect(b.subarray(b.length - 2).toString('hex')).toBe('aabb');
    expect(b[42]).toBe(2); // FRU text valid
    expect(b.subarray(64, 84).toString('latin1')).toBe('DIMM0' + '\0'.repeat(15));
  });

  it('writes the BCD timestamp as the script does', () => {
    expect(Buffer.from(bcdTimestamp(new Date(Date.UTC(2025, 1, 3, 14, 5, 9)), true)).toString('hex')).toBe('0905140103022520');
  });

  it('reads --since as ISO time or a relative age', () => {
    expect(parseSince('2026-01-02')).toBe('2026-01-02T00:00:00.000Z');
    expect(parseSince('10m', Date.UTC(2026, 0, 1, 1, 0, 0))).toBe('2026-01-01T00:50:00.000Z');
  });
});

describe('rasgw inject / events against a running gateway', () => {
  const gw = serverForBlock('rasgw-cli-');

  it('injects the default ARM error with the VM\'s MIDR, a memory error and a raw file; events lists and counts them', async () => {
    const arm = await cli(['inject', '--url', gw.srv.url, '--source', '1']);
    expect(arm.err).toBe('');
    expect(arm.code).toBe(0);
    expect(arm.out.split('\n')[0]).toBe('VM default: injection 1 (164 bytes) on source 1: acknowledged — /vms/default/errors/1');
    expect(Buffer.from(gw.srv.store.getInjection('default', '1')!.bytes).equals(Buffer.from(ghesInjectArmDefault(0x000f0510n)))).toBe(true);
    const mem = await cli(['inject', '--url', gw.srv.url, '--memory', '--address', '0x40002000', '--severity', 'corrected', '--memory-error-type', 'singleBitEcc', '--source', '1', '--json']);
    expect(mem.code).toBe(0);
    expect(JSON.parse(mem.out)).toMatchObject({ id: '2', state: 'acknowledged', sourceId: 1 });
    const file = `${gw.dir}/block.gesb`;
    fs.writeFileSync(file, ghesInjectArmDefault());
    expect((await cli(['inject', '--url', gw.srv.url, '--raw', file, '--notify', 'gpio'])).code).toBe(0);
    const bad = await cli(['inject', '--url', gw.srv.url, '--source', '9']);
    expect(bad.code).toBe(3); // refused
    expect(bad.err).toBe('VM default: refused: 422 unknown-source: HEST: Source 9 not found.\n');
    const badType = await cli(['inject', '--url', gw.srv.url, '-t', 'cache', 'dram']);
    expect(badType.code).toBe(1);
    expect(badType.err).toBe("error: --type: choice 'dram' is invalid (one of cache, tlb, bus, micro-arch)\n");
    // every option is named as typed: --severity (not its internal name), --bit-position (not bitPosition)
    expect((await cli(['inject', '--url', gw.srv.url, '--severity', 'bad'])).err).toBe("error: --severity: choice 'bad' is invalid (one of recoverable, fatal, corrected, none)\n");
    expect((await cli(['inject', '--url', gw.srv.url, '--memory', '--bit-position', 'x'])).err).toBe('error: --bit-position: "x" is not an integer\n');
    expect((await cli(['inject', '--url', gw.srv.url, '--psci', '0x100000000'])).err).toBe('error: --psci: 0x100000000 is larger than 4294967295\n');

    const ev = await cli(['events', '--url', gw.srv.url]);
    expect(ev.code).toBe(0);
    const lines = ev.out.split('\n');
    expect(lines[0]).toBe('ARM processor events:');
    expect(lines[1]).toMatch(/^1 \S+ vm=default source=1 severity=recoverable mpidr=0x0 midr=0xf0510 error-info entries=1$/);
    expect(lines).toContain('Memory events:');
    expect(lines.find((l) => l.startsWith('2 '))).toMatch(/severity=corrected physicalAddress=0x40002000 type=singleBitEcc$/);
    expect(lines).toContain('No PCIe AER errors.');
    const sum = await cli(['events', '--url', gw.srv.url, '--summary']);
    expect(sum.out).toBe(
      'ARM processor events summary:\n\tVM default, recoverable: 2 error(s)\nMemory events summary:\n\tVM default, corrected: 1 error(s)\nNo PCIe AER errors.\nNo other errors.\n',
    );
    const offline = await cli(['events', '--offline', '--data-dir', gw.dir, '--summary']);
    expect(offline.out).toBe(sum.out);
    const future = await cli(['events', '--url', gw.srv.url, '--since', '2999-01-01']);
    expect(future.out).toBe('No ARM processor errors.\nNo Memory errors.\nNo PCIe AER errors.\nNo other errors.\n');
    // a VM id that does not exist is said, not reported as "No … errors"
    const typo = await cli(['events', '--url', gw.srv.url, '--vm', 'defualt']);
    expect(typo.code).toBe(1);
    expect(typo.err).toBe('error: 404 not-found: no VM with id "defualt"\n');
    expect(typo.out).toBe('');
    const typoOffline = await cli(['events', '--offline', '--data-dir', gw.dir, '--vm', 'defualt']);
    expect(typoOffline.code).toBe(1);
    expect(typoOffline.err).toBe(`error: no VM with id "defualt" in ${path.join(gw.dir, 'rasgw.sqlite')}\n`);
    expect((await cli(['events', '--url', gw.srv.url, '--vm', 'default', '--summary'])).out).toBe(sum.out);
  });

  it('says when the gateway cannot be reached or the token is wrong', async () => {
    // a port that was free a moment ago
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const down = await cli(['inject', '--url', `http://127.0.0.1:${port}`, '--midr', '0']);
    expect(down.code).toBe(1);
    expect(down.err).toBe(`error: cannot reach the gateway at http://127.0.0.1:${port}: ECONNREFUSED\n`);
    process.env.RASGW_TOKEN = 'wrong-token-wrong-token';
    try {
      const denied = await cli(['events', '--url', gw.srv.url]);
      expect(denied.err).toBe('error: 401 unauthorized: the bearer token is not valid\n');
    } finally {
      process.env.RASGW_TOKEN = TOKEN;
    }
  });
});
