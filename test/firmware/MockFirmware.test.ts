import path from 'path';
import { sum8, toHex } from '../../src/binary';
import { walkFromRsdp } from '../../src/acpi/TableSet';
import { FwCfg, FwCfgFileSpec, loadFwCfgFolder } from '../../src/fw-cfg';
import { GuestMemory } from '../../src/guest-memory/GuestMemory';
import { LoaderCommand, decodeLoaderScript, encodeLoaderScript } from '../../src/linker-loader';
import { FirmwareError, MockFirmware, assertNoFirmwareCalls, firmwareCallCount, runFirmware } from '../../src/firmware';

const FIXTURE_DIR = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');
const SPECS = loadFwCfgFolder(FIXTURE_DIR);
const SCRIPT = decodeLoaderScript(SPECS.find((s) => s.name === 'etc/table-loader')!.data);
/** Calibrated so etc/hardware_errors lands where real EDK2 put it under QEMU 7.2 (see MockFirmware.ts). */
const CEILING = 0x7c41_2000n;

function vmMemory(): GuestMemory {
  return new GuestMemory().addRam(0x4000_0000n, 0x4000_0000n);
}

function withScript(script: Uint8Array): FwCfgFileSpec[] {
  return SPECS.map((s) => (s.name === 'etc/table-loader' ? { ...s, data: script } : s));
}

function le64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

describe('mock firmware boots QEMU 7.2 real fw_cfg blobs', () => {
  const memory = vmMemory();
  const fwCfg = new FwCfg(SPECS);
  const handoff = runFirmware(fwCfg, memory, { allocationCeiling: CEILING });
  const addr = (file: string) => handoff.allocations.find((a) => a.file === file)!.address;

  it('allocates top-down: RSDP page, then etc/hardware_errors at 0x7c410000, then the tables', () => {
    expect(handoff.allocations.map((a) => [a.file, a.address, a.pages, a.commandIndex])).toEqual([
      ['etc/acpi/rsdp', 0x7c41_1000n, 1, 0],
      ['etc/hardware_errors', 0x7c41_0000n, 1, 1],
      ['etc/acpi/tables', 0x7c3f_0000n, 32, 2],
    ]);
    expect(handoff.rsdpAddress).toBe(0x7c41_1000n);
  });

  it('writes the blob address into etc/hardware_errors_addr with WRITE_POINTER', () => {
    expect(toHex(fwCfg.readFile('etc/hardware_errors_addr'))).toBe('0000417c00000000');
    expect(handoff.writePointers).toEqual([
      { commandIndex: 13, file: 'etc/hardware_errors_addr', offset: 0, size: 8, value: 0x7c41_0000n, srcFile: 'etc/hardware_errors', srcOffset: 0 },
    ]);
  });

  it('every table reached from the RSDP has a valid checksum, and HEST is in the XSDT', () => {
    const walk = walkFromRsdp(memory, handoff.rsdpAddress);
    expect(walk.rootAddress).toBe(addr('etc/acpi/tables') + 0x18b3n);
    expect(walk.tables.map((t) => t.signature)).toEqual(['RSDP', 'XSDT', 'FACP', 'APIC', 'PPTT', 'GTDT', 'MCFG', 'SPCR', 'DBG2', 'HEST', 'IORT', 'DSDT']);
    for (const t of walk.tables) {
      if (t.signature === 'RSDP') {
        expect(sum8(t.bytes, 0, 20)).toBe(0);
        expect(sum8(t.bytes, 0, 36)).toBe(0);
      } else expect([t.signature, sum8(t.bytes)]).toEqual([t.signature, 0]);
    }
    const hest = walk.tables.find((t) => t.signature === 'HEST')!;
    expect(hest.address).toBe(0x7c3f_0000n + 0x17afn);
    expect(handoff.tables.every((t) => t.checksumValid)).toBe(true);
    expect(handoff.tables.map((t) => t.signature).sort()).toEqual(['APIC', 'DBG2', 'DSDT', 'FACP', 'GTDT', 'HEST', 'IORT', 'MCFG', 'PPTT', 'RSDP', 'SPCR', 'XSDT']);
  });

  it('HEST GAS addresses point at the blob +0 (address register) and +8 (read ack); the register holds blob+16', () => {
    const hest = 0x7c3f_0000n + 0x17afn;
    const blob = 0x7c41_0000n;
    expect(memory.readU64(hest + 40n + 24n)).toBe(blob);
    expect(memory.readU64(hest + 40n + 68n)).toBe(blob + 8n);
    expect(memory.readU64(blob)).toBe(blob + 16n);
    expect(memory.readU64(blob + 8n)).toBe(1n);
    // the HEST checksum byte the firmware computed (QEMU served 0)
    expect(memory.read(hest + 9n, 1)[0]).not.toBe(0);
    expect(sum8(memory.read(hest, 0x84))).toBe(0);
  });

  it('claims the error blob for the device model (guest may write) and the tables for the guest', () => {
    const blob = memory.ownerOf(0x7c41_0000n)!;
    expect([blob.name, blob.owner, [...blob.writers]]).toEqual(['etc/hardware_errors', 'device-model', ['device-model', 'guest']]);
    const tables = memory.ownerOf(0x7c3f_0000n)!;
    expect([tables.name, tables.owner, [...tables.writers]]).toEqual(['etc/acpi/tables', 'guest', ['guest']]);
    expect(() => memory.write(0x7c3f_0000n, new Uint8Array([1]), 'device-model')).toThrow(/may not write/);
    expect(() => memory.write(0x7c41_0010n, new Uint8Array([1]), 'device-model')).not.toThrow();
  });

  it('the firmware zero-fills the rest of the last page', () => {
    expect(memory.read(0x7c41_0000n + 1040n, 4096 - 1040).every((b) => b === 0)).toBe(true);
  });

  it('with the default ceiling the blobs go to the top of RAM below 4 GiB', () => {
    const h = runFirmware(new FwCfg(SPECS), vmMemory());
    expect(h.allocations.map((a) => a.address)).toEqual([0x7fff_f000n, 0x7fff_e000n, 0x7ffd_e000n]);
  });
});

describe('hand-off releases the firmware', () => {
  it('a handed-off firmware refuses every call, and assertNoFirmwareCalls sees it', () => {
    const fw = new MockFirmware(new FwCfg(SPECS), vmMemory());
    const before = firmwareCallCount();
    const h = fw.boot();
    expect(firmwareCallCount()).toBeGreaterThan(before + SCRIPT.length - 1);
    expect(fw.released).toBe(true);
    expect(h.rsdpAddress).toBe(0x7fff_f000n);
    expect(() => fw.boot()).toThrow(FirmwareError);
    expect(() => assertNoFirmwareCalls(() => fw.boot())).toThrow(/after-hand-off|firmware code/);
    expect(assertNoFirmwareCalls(() => 42)).toBe(42);
    expect(() => assertNoFirmwareCalls(() => runFirmware(new FwCfg(SPECS), vmMemory()))).toThrow(/firmware code ran/);
  });
});

type Mutation = (cmds: LoaderCommand[]) => LoaderCommand[];

function edit(index: number, patch: Record<string, unknown>): Mutation {
  return (cmds) => cmds.map((c, i) => (i === index ? ({ ...c, ...patch } as LoaderCommand) : c));
}

describe('a broken loader script is refused with nothing installed', () => {
  const cases: Array<[string, Mutation, string, number | undefined, string, string?]> = [
    ['alignment above 4096', edit(2, { align: 8192 }), 'alignment', 2, 'loader[2].align'],
    ['alignment not a power of two', edit(1, { align: 24 }), 'alignment', 1, 'loader[1].align'],
    ['second ALLOCATE of a file', (c) => [...c.slice(0, 3), c[0], ...c.slice(3)], 'duplicate-allocate', 3, 'loader[3].file'],
    ['ALLOCATE of a file fw_cfg does not have', edit(1, { file: 'etc/nope' }), 'allocate-file', 1, 'loader[1].file'],
    ['ALLOCATE of an empty file', (c) => [{ type: 'ALLOCATE', file: 'etc/empty', align: 8, zone: 1 }, ...c], 'allocate-file', 0, 'loader[0].file'],
    ['pointer used before its ALLOCATE', (c) => [...c.slice(0, 1), ...c.slice(2, 14), c[1], ...c.slice(14)], 'allocate-before-use', 11, 'loader[11].dest_file'],
    ['pointer size 3', edit(14, { size: 3 }), 'pointer-size', 14, 'loader[14].size'],
    ['pointer field past the end of dest', edit(14, { offset: 0x1fffc }), 'pointer-field-bounds', 14, 'loader[14].offset'],
    ['original pointer value not inside src', edit(14, { offset: 0 }), 'pointer-value-bounds', 14, 'loader[14].offset'],
    ['relocated pointer does not fit 2 bytes', edit(14, { size: 2 }), 'relocated-value-fits', 14, 'loader[14].size'],
    ['checksum range past the end (after a WRITE_POINTER ran)', edit(16, { length: 0x30000 }), 'checksum-range-bounds', 16, 'loader[16].length'],
    ['checksum byte outside the blob', edit(3, { offset: 0x20000 }), 'checksum-range-bounds', 3, 'loader[3].offset'],
    ['WRITE_POINTER to a file fw_cfg does not have', edit(13, { destFile: 'etc/nothing' }), 'write-pointer-dest', 13, 'loader[13].dest_file'],
    ['WRITE_POINTER field past the end of its file', edit(13, { destOffset: 4 }), 'write-pointer-field-bounds', 13, 'loader[13].dst_offset'],
    ['WRITE_POINTER src offset not inside src', edit(13, { srcOffset: 1040 }), 'write-pointer-src-bounds', 13, 'loader[13].src_offset'],
    ['WRITE_POINTER src never allocated', edit(13, { srcFile: 'etc/boot-fail-wait' }), 'allocate-before-use', 13, 'loader[13].src_file'],
    ['WRITE_POINTER size 3', edit(13, { size: 3 }), 'pointer-size', 13, 'loader[13].size'],
    ['WRITE_POINTER value does not fit 2 bytes', edit(13, { size: 2 }), 'relocated-value-fits', 13, 'loader[13].size'],
    ['WRITE_POINTER into a read-only fw_cfg file', edit(13, { destFile: 'etc/boot-fail-wait', size: 4 }), 'fw-cfg-write-refused', 13, 'loader[13].dest_file'],
    ['no RSDP anywhere', (c) => c.filter((x, i) => ![0, 28, 29, 30].includes(i)), 'rsdp-missing', undefined, 'loader'],
  ];

  function expectRefused(specs: FwCfgFileSpec[], rule: string, index: number | undefined, errPath: string, ceiling = CEILING): FirmwareError {
    const memory = vmMemory();
    memory.write(0x7c41_0000n, new Uint8Array([0xab, 0xcd]), 'guest'); // prior contents must survive
    const fwCfg = new FwCfg(specs);
    const memBefore = memory.snapshot();
    const ownedBefore = memory.ownedRanges.length;
    const filesBefore = fwCfg.files.map((f) => toHex(fwCfg.readFile(f.name)));
    let err: unknown;
    try {
      runFirmware(fwCfg, memory, { allocationCeiling: ceiling });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FirmwareError);
    const fe = err as FirmwareError;
    expect({ rule: fe.rule, commandIndex: fe.commandIndex, path: fe.path }).toEqual({ rule, commandIndex: index, path: errPath });
    expect(memory.snapshot()).toEqual(memBefore);
    expect(memory.ownedRanges.length).toBe(ownedBefore);
    expect(fwCfg.files.map((f) => toHex(fwCfg.readFile(f.name)))).toEqual(filesBefore);
    return fe;
  }

  it.each(cases)('%s', (_name, mutate, rule, index, errPath) => {
    const specs = [...withScript(encodeLoaderScript(mutate(SCRIPT))), { name: 'etc/empty', data: new Uint8Array(0) }];
    const e = expectRefused(specs, rule, index, errPath);
    if (index !== undefined) expect(e.offset).toBeGreaterThanOrEqual(index * 128);
    expect(e.message).toContain(errPath);
  });

  it('a WRITE_POINTER that ran before the failure is undone in fw_cfg', () => {
    const specs = withScript(encodeLoaderScript(edit(16, { length: 0x30000 })(SCRIPT)));
    const fwCfg = new FwCfg(specs);
    expect(() => runFirmware(fwCfg, vmMemory(), { allocationCeiling: CEILING })).toThrow(FirmwareError);
    expect(toHex(fwCfg.readFile('etc/hardware_errors_addr'))).toBe('0000000000000000');
  });

  it('no room below the ceiling', () => {
    const e = expectRefused(SPECS, 'out-of-memory', 2, 'loader[2].file', 0x4000_3000n);
    expect(e.code).toBe('out_of_range');
  });

  it('a truncated command', () => {
    const bytes = encodeLoaderScript(SCRIPT);
    const e = expectRefused(withScript(bytes.subarray(0, bytes.length - 10)), 'script-format', 30, 'loader[30]');
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(30 * 128);
  });

  it('an unknown command type is refused by default, skipped with unknownCommands: skip (OVMF)', () => {
    const bytes = encodeLoaderScript(SCRIPT);
    bytes[5 * 128] = 9;
    const e = expectRefused(withScript(bytes), 'script-format', 5, 'loader[5].type');
    expect(e.code).toBe('bad_value');
    expect(e.message).toMatch(/unknown loader command type 9/);
    // FACP's checksum (command 5) is then never computed: its table is installed with a bad checksum
    const h = runFirmware(new FwCfg(withScript(bytes)), vmMemory(), { unknownCommands: 'skip' });
    expect(h.tables.find((t) => t.signature === 'FACP')!.checksumValid).toBe(false);
    expect(h.tables.find((t) => t.signature === 'HEST')!.checksumValid).toBe(true);
  });

  it('a file name without its NUL terminator', () => {
    const bytes = encodeLoaderScript(SCRIPT);
    bytes.fill(0x41, 13 * 128 + 4, 13 * 128 + 60);
    expectRefused(withScript(bytes), 'script-format', 13, 'loader[13].dest_file');
  });

  it('no etc/table-loader at all', () => {
    const e = expectRefused(SPECS.filter((s) => s.name !== 'etc/table-loader'), 'fw-cfg', undefined, 'fw_cfg.files["etc/table-loader"]');
    expect(e.code).toBe('protocol');
  });

  it('the pointer checks see the blob address in the 64-bit value', () => {
    // sanity of the fixture: QEMU pre-stored 0x10 in the address register
    expect(le64(SPECS.find((s) => s.name === 'etc/hardware_errors')!.data)).toBe(0x10n);
  });
});
