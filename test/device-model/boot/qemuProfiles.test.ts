import fs from 'fs';
import path from 'path';
import { sum8, toHex } from '../../../src/binary';
import { bootMachine, createMachineMemory, discoverHest } from '../../../src/device-model/boot';
import { LoaderCommand, decodeLoaderScript } from '../../../src/linker-loader';
import { assertNoFirmwareCalls } from '../../../src/firmware';
import { HEST_132, HEST_224 } from '../../support/qemuHest';

const FIXTURE_DIR = path.join(__dirname, '../../../../shared/fixtures/qemu-7.2-virt-ras');
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURE_DIR, name)));
const FIXTURE_HEST_OFFSET = 0x17af;

/** Puts etc/hardware_errors at 0x43DA0000 (the RSDP page is allocated first, just below the ceiling). */
const CEILING_FOR_43DA = 0x43da_2000n;

/** Commands of the RAS part, with etc/acpi/tables offsets made relative to HEST. */
function rasPart(cmds: readonly LoaderCommand[], hestOffset: number, hestLength: number): unknown[] {
  const inHest = (off: number) => off >= hestOffset && off < hestOffset + hestLength;
  return cmds.flatMap((c): unknown[] => {
    switch (c.type) {
      case 'ALLOCATE':
        return c.file === 'etc/hardware_errors' ? [c] : [];
      case 'ADD_POINTER':
        if (c.srcFile === 'etc/hardware_errors') return [{ ...c, offset: c.destFile === 'etc/acpi/tables' ? c.offset - hestOffset : c.offset }];
        return [];
      case 'ADD_CHECKSUM':
        return c.file === 'etc/acpi/tables' && c.start === hestOffset && inHest(c.offset) ? [{ ...c, start: 0, offset: c.offset - hestOffset }] : [];
      case 'WRITE_POINTER':
        return [c];
      default:
        return [];
    }
  });
}

describe('qemu-7.2-virt profile', () => {
  const m = bootMachine({ profile: 'qemu-7.2-virt' });

  it('serves HEST and etc/hardware_errors bytes equal to QEMU 7.2 (unpatched)', () => {
    const fxHest = fixture('etc_acpi_tables').subarray(FIXTURE_HEST_OFFSET, FIXTURE_HEST_OFFSET + 0x84);
    expect(toHex(m.files.tables.subarray(m.layout.hestOffset, m.layout.hestOffset + m.layout.hestLength))).toBe(toHex(fxHest));
    expect(toHex(m.files.hardwareErrors)).toBe(toHex(fixture('etc_hardware_errors')));
    expect(m.files.tables.length).toBe(131072);
  });

  it('its RAS commands are the same sequence as in QEMU 7.2 real script', () => {
    const fx = decodeLoaderScript(fixture('etc_table-loader'));
    const ours = rasPart(m.files.loader, m.layout.hestOffset, m.layout.hestLength);
    expect(ours).toEqual(rasPart(fx, FIXTURE_HEST_OFFSET, 0x84));
    expect(ours).toHaveLength(6);
    // and the ALLOCATEs come first in QEMU's order with QEMU's alignments and zones
    expect(m.files.loader.slice(0, 3)).toEqual(fx.slice(0, 3));
  });

  it('boots to the addresses the real guest saw: etc/hardware_errors at 0x7c410000, register → 0x7c410010', () => {
    const a = m.addresses;
    expect(a.hardwareErrors).toBe(0x7c41_0000n);
    expect(a.sources).toEqual([
      { index: 0, sourceId: 0, errorStatusAddressRegister: 0x7c41_0000n, readAckRegister: 0x7c41_0008n, blockAddress: 0x7c41_0010n, hestEntryAddress: a.hest + 40n },
    ]);
    expect(toHex(m.fwCfg.readFile('etc/hardware_errors_addr'))).toBe('0000417c00000000');
    expect(m.layout.writeBack).toEqual({ mode: 'hardware-errors-addr', file: 'etc/hardware_errors_addr', size: 8 });
  });

  it('the guest reaches HEST through RSDP → XSDT and every installed checksum is valid', () => {
    const memory = createMachineMemory();
    const vm = bootMachine({ profile: 'qemu-7.2-virt' }, memory);
    const hest = assertNoFirmwareCalls(() => discoverHest(memory, vm.handoff.rsdpAddress));
    expect(hest.address).toBe(vm.addresses.hest);
    expect(sum8(hest.bytes)).toBe(0);
    // in the order the firmware's second pass meets them: RSDP, then ADD_POINTER targets in script order
    expect(vm.handoff.tables.map((t) => [t.signature, t.checksumValid])).toEqual([
      ['RSDP', true],
      ['HEST', true],
      ['XSDT', true],
    ]);
    expect(memory.readU64(vm.addresses.hardwareErrors)).toBe(0x7c41_0010n);
    expect(memory.readU64(vm.addresses.hardwareErrors + 8n)).toBe(1n);
  });

  it('with etc/hardware_errors at 0x43DA0000 the installed HEST is §5 132-byte table, checksum E2', () => {
    const memory = createMachineMemory();
    const vm = bootMachine({ profile: 'qemu-7.2-virt', allocationCeiling: CEILING_FOR_43DA }, memory);
    expect(vm.addresses.hardwareErrors).toBe(0x43da_0000n);
    expect(toHex(memory.read(vm.addresses.hest, 0x84))).toBe(toHex(HEST_132));
  });
});

describe('qemu-10.2-virt profile', () => {
  const memory = createMachineMemory();
  const m = bootMachine({ profile: 'qemu-10.2-virt', allocationCeiling: CEILING_FOR_43DA }, memory);

  it('has SEA id 0 and GPIO id 1, a 2080-byte etc/hardware_errors and HEST-address write-back', () => {
    expect(m.layout.sources.map((s) => [s.sourceId, s.notification, s.notificationType, s.blockOffset, s.readAckOffset])).toEqual([
      [0, 'sea', 8, 32, 16],
      [1, 'gpio', 7, 32 + 1024, 24],
    ]);
    expect(m.files.hardwareErrors.length).toBe(2080);
    expect(toHex(m.files.hardwareErrors.subarray(0, 32))).toBe('2000000000000000' + '2004000000000000' + '0100000000000000' + '0100000000000000');
    expect(m.fwCfg.file('etc/hardware_errors_addr')).toBeUndefined();
    expect(m.fwCfg.readFile('etc/acpi_table_hest_addr')).toEqual(new Uint8Array(new BigUint64Array([m.addresses.hest]).buffer));
  });

  it('installs exactly §5 224-byte HEST (checksum 0x6C) when the blob lands at 0x43DA0000', () => {
    expect(toHex(memory.read(m.addresses.hest, 224))).toBe(toHex(HEST_224));
  });

  it('emits the HEST-address WRITE_POINTER right after the HEST checksum, and no hardware_errors_addr', () => {
    const i = m.files.loader.findIndex((c) => c.type === 'WRITE_POINTER');
    expect(m.files.loader[i]).toEqual({ type: 'WRITE_POINTER', destFile: 'etc/acpi_table_hest_addr', srcFile: 'etc/acpi/tables', destOffset: 0, srcOffset: 0, size: 8 });
    expect(m.files.loader[i - 1]).toEqual({ type: 'ADD_CHECKSUM', file: 'etc/acpi/tables', offset: 9, start: 0, length: 224 });
    expect(m.files.loader.filter((c) => c.type === 'WRITE_POINTER')).toHaveLength(1);
    expect(m.handoff.writePointers.map((w) => [w.file, w.value])).toEqual([['etc/acpi_table_hest_addr', m.addresses.hest]]);
  });

  it('each error status address register holds its block address after boot', () => {
    for (const s of m.addresses.sources) expect(memory.readU64(s.errorStatusAddressRegister)).toBe(s.blockAddress);
    expect(m.addresses.sources.map((s) => s.blockAddress)).toEqual([0x43da_0020n, 0x43da_0420n]);
  });
});
