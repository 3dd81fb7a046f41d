import { EncodeError, sum8 } from '../../../src/binary';
import { bootMachine, createMachineMemory, discoverHest, machineFilesFor } from '../../../src/device-model/boot';
import { parseSourcesSpec, resolveProfile } from '../../../src/device-model/profiles';
import { decodeHest } from '../../../src/hest/Hest';
import { GenericHardwareErrorSource } from '../../../src/hest/GenericHardwareErrorSource';

function encodeErr(fn: () => unknown): EncodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EncodeError) return e;
    throw e;
  }
  throw new Error('expected an EncodeError');
}

describe('extended profile', () => {
  it('mixes notification types, GHES and GHESv2, block lengths, records and vectors', () => {
    const memory = createMachineMemory();
    const m = bootMachine({ profile: 'extended', sources: parseSourcesSpec('sei,sea:records=4:sections=2,gpio:ghes:4096,sdei:vector=0x324,polled:poll=500:100') }, memory);
    expect(m.layout.sources.map((s) => [s.sourceId, s.notificationType, s.version, s.blockOffset, s.blockLength, s.readAckOffset])).toEqual([
      [0, 9, 'ghesv2', 80, 1024, 40],
      [1, 8, 'ghesv2', 80 + 1024, 1024, 48],
      [2, 7, 'ghes', 80 + 2048, 4096, undefined],
      [3, 11, 'ghesv2', 80 + 2048 + 4096, 1024, 64],
      [4, 0, 'ghesv2', 80 + 3072 + 4096, 100, 72],
    ]);
    expect(m.layout.hardwareErrorsSize).toBe(80 + 3072 + 4096 + 104);
    const hest = discoverHest(memory, m.handoff.rsdpAddress);
    expect(sum8(hest.bytes)).toBe(0);
    const decoded = decodeHest(hest.bytes);
    const g = decoded.sources as GenericHardwareErrorSource[];
    expect(g.map((s) => [s.type, s.sourceId, s.notification.type, s.errorStatusBlockLength, s.recordsToPreallocate, s.maxSectionsPerRecord])).toEqual([
      [10, 0, 9, 1024, 1, 1],
      [10, 1, 8, 1024, 4, 2],
      [9, 2, 7, 4096, 1, 1],
      [10, 3, 11, 1024, 1, 1],
      [10, 4, 0, 100, 1, 1],
    ]);
    expect(g[3].notification.vector).toBe(0x324);
    expect(g[4].notification.pollInterval).toBe(500);
    for (const [i, s] of m.addresses.sources.entries()) {
      expect(g[i].errorStatusAddress.address).toBe(s.errorStatusAddressRegister);
      expect(memory.readU64(s.errorStatusAddressRegister)).toBe(s.blockAddress);
      if (s.readAckRegister !== undefined) {
        expect(g[i].readAck!.register.address).toBe(s.readAckRegister);
        expect(memory.readU64(s.readAckRegister)).toBe(1n);
      }
    }
    // the GHES source has no read-ack register and its slot stays 0
    expect(memory.readU64(m.addresses.hardwareErrors + 8n * 5n + 16n)).toBe(0n);
    expect(m.layout.writeBack.mode).toBe('hest-addr');
  });

  it('boots 1024 SEI sources with every pointer consistent', () => {
    const memory = createMachineMemory();
    const m = bootMachine({ profile: 'extended', sources: parseSourcesSpec('sei*1024') }, memory);
    expect(m.layout.sources).toHaveLength(1024);
    expect(m.layout.hardwareErrorsSize).toBe(16 * 1024 + 1024 * 1024);
    expect(m.layout.hestLength).toBe(40 + 92 * 1024);
    const hest = discoverHest(memory, m.handoff.rsdpAddress);
    expect(hest.address).toBe(m.addresses.hest);
    expect(sum8(hest.bytes)).toBe(0);
    const last = m.addresses.sources[1023];
    expect(last.sourceId).toBe(1023);
    expect(memory.readU64(last.errorStatusAddressRegister)).toBe(m.addresses.hardwareErrors + BigInt(16 * 1024 + 1023 * 1024));
    expect(memory.readU64(last.readAckRegister!)).toBe(1n);
    expect(memory.readU64(last.hestEntryAddress + 24n)).toBe(last.errorStatusAddressRegister);
    expect(memory.readU64(last.hestEntryAddress + 68n)).toBe(last.readAckRegister);
    // ALLOCATEs, register pointers, HEST pointers, HEST checksum, WRITE_POINTER, XSDT pointer+checksum, RSDP 3
    // + ERST (on by default in extended): ALLOCATE etc/erst, 27 entry pointers, checksum, XSDT entry
    expect(m.files.loader.length).toBe(3 + 1024 + 2048 + 1 + 1 + 2 + 3 + 30);
  });

  it('legacy write-back mode writes etc/hardware_errors_addr instead', () => {
    const m = bootMachine({ profile: 'extended', sources: parseSourcesSpec('sea,gpio'), writeBack: 'hardware-errors-addr' });
    expect(m.fwCfg.readFile('etc/hardware_errors_addr')).toEqual(new Uint8Array(new BigUint64Array([m.addresses.hardwareErrors]).buffer));
    expect(m.fwCfg.file('etc/acpi_table_hest_addr')).toBeUndefined();
  });

  it('default extended machine: one SEI GHESv2 source at the top of RAM', () => {
    const m = bootMachine({ profile: 'extended' });
    expect(m.layout.sources.map((s) => [s.sourceId, s.notification])).toEqual([[0, 'sei']]);
    expect(m.addresses.rsdp).toBe(0x7fff_f000n);
  });
});

describe('profile validation', () => {
  it.each([
    ['sources on a QEMU profile', () => resolveProfile({ profile: 'qemu-7.2-virt', sources: [{}] }), 'sources'],
    ['write-back on a QEMU profile', () => resolveProfile({ profile: 'qemu-10.2-virt', writeBack: 'hest-addr' }), 'writeBack'],
    ['unknown profile', () => resolveProfile({ profile: 'pc' as never }), 'profile'],
    ['no sources', () => resolveProfile({ profile: 'extended', sources: [] }), 'sources'],
    ['duplicate source id', () => resolveProfile({ profile: 'extended', sources: [{ sourceId: 3 }, { sourceId: 3 }] }), 'sources[1].sourceId'],
    ['source id 0xFFFF', () => resolveProfile({ profile: 'extended', sources: [{ sourceId: 0xffff }] }), 'sources[0].sourceId'],
    ['block shorter than a status block header', () => resolveProfile({ profile: 'extended', sources: [{ errorBlockLength: 19 }] }), 'sources[0].errorBlockLength'],
    ['unknown notification', () => resolveProfile({ profile: 'extended', sources: [{ notification: 'irq' as never }] }), 'sources[0].notification'],
    ['zero records', () => resolveProfile({ profile: 'extended', sources: [{ recordsToPreallocate: 0 }] }), 'sources[0].recordsToPreallocate'],
  ])('%s', (_n, fn, path) => {
    const e = encodeErr(fn);
    expect(e.code).toBe('invalid_input');
    expect(e.path).toBe(path);
  });
});

describe('--sources syntax', () => {
  it('parses items, options and counts', () => {
    expect(parseSourcesSpec('sei,sea,gpio:ghes:4096')).toEqual([
      { notification: 'sei' },
      { notification: 'sea' },
      { notification: 'gpio', version: 'ghes', errorBlockLength: 4096 },
    ]);
    expect(parseSourcesSpec('SDEI:vector=0x324:id=7, polled:poll=250:records=2:sections=3:0x800')).toEqual([
      { notification: 'sdei', vector: 0x324, sourceId: 7 },
      { notification: 'polled', pollIntervalMs: 250, recordsToPreallocate: 2, maxSectionsPerRecord: 3, errorBlockLength: 2048 },
    ]);
    expect(parseSourcesSpec('gpio*3')).toHaveLength(3);
  });

  it.each([
    ['', 'sources[0]'],
    ['sei,,sea', 'sources[1]'],
    ['foo', 'sources[0].notification'],
    ['sei:12k', 'sources[0].errorBlockLength'],
    ['sei:bogus=1', 'sources[0].bogus'],
    ['sei*0', 'sources[0].count'],
    ['sei*2*2', 'sources[0]'],
    ['sei:id=1*2', 'sources[0].id'],
    ['sei*70000', 'sources[0]'],
    // a setting given twice was read as its last value
    ['sei:ghes:ghesv2', 'sources[0].version'],
    ['sea,sei:1024:0x1000', 'sources[1].errorBlockLength'],
    ['polled:poll=100:poll=200', 'sources[0].poll'],
    // a word that is no option was reported as a bad block length
    ['sei:ghesv3', 'sources[0].option'],
  ])('%j is refused at %s', (spec, path) => {
    const e = encodeErr(() => parseSourcesSpec(spec));
    expect(e.code).toBe('invalid_input');
    expect(e.path).toBe(path);
  });

  it('names both values of a setting given twice, and the options when a word is none', () => {
    expect(encodeErr(() => parseSourcesSpec('sei:ghes:ghesv2')).message).toContain('"ghes" and "ghesv2" both set the structure type of "sei:ghes:ghesv2": give it once');
    expect(encodeErr(() => parseSourcesSpec('sei:ghesv3')).message).toContain('unknown option "ghesv3" in "sei:ghesv3" (options: ghes, ghesv2, a block length, id=N, poll=MS, vector=N, records=N, sections=N)');
  });
});

describe('VMs of the same machine share immutable bytes', () => {
  it('the file set and tables are shared; each VM has its own write-back file and stays small', () => {
    const memA = createMachineMemory();
    const memB = createMachineMemory();
    const a = bootMachine({ profile: 'qemu-7.2-virt' }, memA);
    const b = bootMachine({ profile: 'qemu-7.2-virt' }, memB);
    expect(a.files).toBe(b.files);
    expect(a.fwCfg.fileSet).toBe(b.fwCfg.fileSet);
    expect(a.fwCfg).not.toBe(b.fwCfg);
    expect(machineFilesFor(resolveProfile({ profile: 'qemu-7.2-virt' }))).toBe(a.files);
    // guest RAM holds only non-zero pages: RSDP, the registers page, the HEST/XSDT page
    expect(memA.storedBytes).toBe(3 * 4096);
    expect(memA.storedBytes).toBeLessThan(200 * 1024);
  });

  it('a 1024-source VM stores only the pages that are not zero', () => {
    const mem = createMachineMemory();
    bootMachine({ profile: 'extended', sources: parseSourcesSpec('sei*1024') }, mem);
    // 16 KiB of registers (4 pages) + HEST/XSDT (94 KiB → 24 pages) + RSDP (1 page); the 1 MiB of blocks is zero
    expect(mem.storedBytes).toBe((4 + 24 + 1) * 4096);
  });
});
