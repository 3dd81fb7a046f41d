import fs from 'fs';
import path from 'path';
import { toHex } from '../../src/binary';
import { splitTableBlob } from '../../src/acpi';
import {
  buildQemuHest,
  decodeHest,
  GenericHardwareErrorSource,
  QEMU_10_2_SOURCES,
  qemuHardwareErrorsLayout,
  qemuHestPatchPoints,
  walkHestLinux,
} from '../../src/hest';
import { HEST_132, HEST_224 } from '../support/qemuHest';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');

describe('buildQemuHest against QEMU 7.2', () => {
  const blob = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_tables')));
  const fixtureHest = splitTableBlob(blob).find((t) => t.signature === 'HEST')!;

  it('finds the HEST in the real etc/acpi/tables blob after DBG2', () => {
    expect(fixtureHest.offset).toBe(0x17af);
    expect(fixtureHest.bytes.length).toBe(132);
  });

  it('equals QEMU 7.2 byte for byte for one SEA source (unpatched: checksum 0, GAS holding 0 and 8)', () => {
    const ours = buildQemuHest({ sources: [{ sourceId: 0, notify: 'sea' }] });
    expect(toHex(ours)).toBe(toHex(fixtureHest.bytes));
    expect(toHex(buildQemuHest())).toBe(toHex(fixtureHest.bytes));
  });

  it('reports the pointer and checksum positions QEMU uses in its loader script', () => {
    const p = qemuHestPatchPoints();
    expect(p.tableLength).toBe(132);
    expect(p.pointers).toEqual([
      { sourceIndex: 0, sourceId: 0, field: 'errorStatusAddress', offset: 40 + 24, size: 8, hardwareErrorsOffset: 0 },
      { sourceIndex: 0, sourceId: 0, field: 'readAckRegister', offset: 40 + 68, size: 8, hardwareErrorsOffset: 8 },
    ]);
    expect(p.checksum).toEqual({ offset: 9, start: 0, length: 132 });
    // the pointer fields hold exactly the pre-stored offsets
    const view = new DataView(fixtureHest.bytes.buffer, fixtureHest.bytes.byteOffset);
    for (const ptr of p.pointers) expect(view.getBigUint64(ptr.offset, true)).toBe(BigInt(ptr.hardwareErrorsOffset));
  });

  it('lays out etc/hardware_errors as QEMU does (16N + N·1024)', () => {
    const one = qemuHardwareErrorsLayout(1);
    expect(one.size).toBe(1040);
    const two = qemuHardwareErrorsLayout(2);
    expect([two.size, two.errorBlockAddressOffset(1), two.readAckOffset(0), two.readAckOffset(1), two.blockOffset(1)]).toEqual([2080, 8, 16, 24, 32 + 1024]);
    expect(fs.statSync(path.join(FIXTURES, 'etc_hardware_errors')).size).toBe(one.size);
  });
});

describe('patched QEMU HESTs from qemu-device-model.md §5', () => {
  it('builds the 224-byte SEA + GPIO table with hardware_errors at 0x43DA0000 (checksum 0x6C)', () => {
    const ours = buildQemuHest({ sources: QEMU_10_2_SOURCES, hardwareErrorsAddress: 0x43da0000n, checksum: 'compute' });
    expect(toHex(ours)).toBe(toHex(HEST_224));
    expect(ours[9]).toBe(0x6c);
  });

  it('builds the 132-byte table (checksum 0xE2)', () => {
    const ours = buildQemuHest({ hardwareErrorsAddress: 0x43da0000n, checksum: 'compute' });
    expect(toHex(ours)).toBe(toHex(HEST_132));
    expect(ours[9]).toBe(0xe2);
  });

  it('decodes the 224-byte table with the listed values', () => {
    const hest = decodeHest(HEST_224);
    expect(hest.header.toJSON()).toEqual({
      signature: 'HEST', length: 224, revision: 1, checksum: 0x6c, oemId: 'BOCHS ', oemTableId: 'BXPC    ', oemRevision: 1, creatorId: 'BXPC', creatorRevision: 1,
    });
    expect(hest.sources).toHaveLength(2);
    const [sea, gpio] = hest.sources as GenericHardwareErrorSource[];
    for (const [s, id, notify, esa, ack] of [
      [sea, 0, 8, 0x43da0000n, 0x43da0010n],
      [gpio, 1, 7, 0x43da0008n, 0x43da0018n],
    ] as const) {
      expect(s.type).toBe(10);
      expect(s.sourceId).toBe(id);
      expect(s.relatedSourceId).toBe(0xffff);
      expect([s.enabled, s.recordsToPreallocate, s.maxSectionsPerRecord, s.maxRawDataLength, s.errorStatusBlockLength]).toEqual([1, 1, 1, 1024, 1024]);
      expect(s.errorStatusAddress.toJSON()).toEqual({ spaceId: { value: 0, name: 'systemMemory' }, bitWidth: 64, bitOffset: 0, accessSize: { value: 4, name: 'qword' }, address: esa });
      expect(s.notification.type).toBe(notify);
      expect(s.notification.length).toBe(28);
      expect(s.readAck!.register.address).toBe(ack);
      expect(s.readAck!.preserve).toBe(0xfffffffffffffffen);
      expect(s.readAck!.write).toBe(1n);
    }
  });

  it('decodes the 132-byte table and Linux accepts its SEA source', () => {
    const hest = decodeHest(HEST_132);
    expect(hest.sources.map((s) => [s.type, s.sourceId])).toEqual([[10, 0]]);
    const linux = walkHestLinux(HEST_132);
    expect(linux.state).toBe('initialized');
    expect(linux.messages).toEqual([{ level: 'info', text: 'HEST: Table parsing has been initialized.' }]);
    expect(linux.ghes.map((g) => [g.offset, g.deviceName, g.source.readAck!.register.address])).toEqual([[40, 'GHES.0', 0x43da0008n]]);
  });
});
