import path from 'path';
import { DecodeError, toHex } from '../../src/binary';
import {
  FwCfg,
  FwCfgDmaControl,
  FwCfgFileSet,
  FwCfgKey,
  decodeFwCfgDirectory,
  encodeDmaDescriptor,
  encodeFwCfgDirectory,
  fwCfgNameFromFileName,
  loadFwCfgFolder,
  runDmaDescriptor,
} from '../../src/fw-cfg';
import { GuestMemory } from '../../src/guest-memory/GuestMemory';

const FIXTURE_DIR = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');

describe('loading QEMU 7.2 fw_cfg blobs', () => {
  const specs = loadFwCfgFolder(FIXTURE_DIR);
  const fw = new FwCfg(specs);

  it('maps file names back and gives select keys in name order as QEMU listed them', () => {
    // QEMU also listed three zero-size files (bios-geometry 0x20, bootorder 0x21, etc/tpm/log 0x2a)
    // that are not saved in the folder, so keys here start at 0x20 with etc/acpi/rsdp.
    expect(fw.files.map((f) => [f.name, f.select, f.size, f.writable])).toEqual([
      ['etc/acpi/rsdp', 0x20, 36, false],
      ['etc/acpi/tables', 0x21, 131072, false],
      ['etc/boot-fail-wait', 0x22, 4, false],
      ['etc/hardware_errors', 0x23, 1040, false],
      ['etc/hardware_errors_addr', 0x24, 8, true],
      ['etc/smbios/smbios-anchor', 0x25, 24, false],
      ['etc/smbios/smbios-tables', 0x26, 266, false],
      ['etc/table-loader', 0x27, 3968, false],
    ]);
  });

  it('with the zero-size files added, the keys equal the fixture directory exactly', () => {
    const all = new FwCfg([...specs, ...['bios-geometry', 'bootorder', 'etc/tpm/log'].map((name) => ({ name, data: new Uint8Array(0) }))]);
    expect(all.files.map((f) => `${f.select.toString(16)} ${f.size} ${f.name}`)).toEqual([
      '20 0 bios-geometry',
      '21 0 bootorder',
      '22 36 etc/acpi/rsdp',
      '23 131072 etc/acpi/tables',
      '24 4 etc/boot-fail-wait',
      '25 1040 etc/hardware_errors',
      '26 8 etc/hardware_errors_addr',
      '27 24 etc/smbios/smbios-anchor',
      '28 266 etc/smbios/smbios-tables',
      '29 3968 etc/table-loader',
      '2a 0 etc/tpm/log',
    ]);
  });

  it('the directory is big-endian and decodes back', () => {
    fw.select(FwCfgKey.FILE_DIR);
    const dir = fw.readData(4 + 8 * 64);
    expect(toHex(dir.subarray(0, 4))).toBe('00000008');
    // entry 1: size 0x00020000 BE, select 0x0021 BE, reserved, name
    expect(toHex(dir.subarray(4 + 64, 4 + 64 + 8))).toBe('0002000000210000');
    expect(Buffer.from(dir.subarray(4 + 64 + 8, 4 + 64 + 8 + 15)).toString('latin1')).toBe('etc/acpi/tables');
    expect(decodeFwCfgDirectory(dir)[3]).toEqual({ name: 'etc/hardware_errors', select: 0x23, size: 1040 });
  });

  it('signature and id items', () => {
    fw.select(FwCfgKey.SIGNATURE);
    expect(Buffer.from(fw.readData(4)).toString('latin1')).toBe('QEMU');
    fw.select(FwCfgKey.ID);
    expect(toHex(fw.readData(4))).toBe('03000000');
  });

  it('name mapping prefers known and script names over the naive rule', () => {
    expect(fwCfgNameFromFileName('etc_hardware_errors')).toBe('etc/hardware_errors');
    expect(fwCfgNameFromFileName('etc_acpi_table_hest_addr')).toBe('etc/acpi_table_hest_addr');
    expect(fwCfgNameFromFileName('etc_my_blob', ['etc/my_blob'])).toBe('etc/my_blob');
    expect(fwCfgNameFromFileName('opt_x_y')).toBe('opt/x/y');
  });
});

describe('DMA rules', () => {
  function device(): FwCfg {
    return new FwCfg([
      { name: 'ro', data: new Uint8Array([1, 2, 3, 4]) },
      { name: 'rw', data: new Uint8Array(8), writable: true },
    ]);
  }
  const RW = 0x21;
  const RO = 0x20;

  it('select + skip + write lands in a writable file', () => {
    const fw = device();
    expect(fw.writeFileBytes('rw', 2, new Uint8Array([0xaa, 0xbb]))).toBe(0);
    expect(toHex(fw.readFile('rw'))).toBe('0000aabb00000000');
    expect(fw.selection).toEqual({ key: RW, offset: 4 });
  });

  it('a write to a read-only item is refused with the error bit and changes nothing', () => {
    const fw = device();
    expect(fw.writeFileBytes('ro', 0, new Uint8Array([9]))).toBe(FwCfgDmaControl.ERROR);
    expect(toHex(fw.readFile('ro'))).toBe('01020304');
  });

  it('a write that runs past the end is refused whole; one that starts past the end too', () => {
    const fw = device();
    expect(fw.writeFileBytes('rw', 4, new Uint8Array(8).fill(0xff))).toBe(FwCfgDmaControl.ERROR);
    expect(toHex(fw.readFile('rw'))).toBe('0000000000000000');
    expect(fw.writeFileBytes('rw', 8, new Uint8Array([1]))).toBe(FwCfgDmaControl.ERROR);
    expect(fw.writeFileBytes('rw', 0, new Uint8Array(8).fill(0x11))).toBe(0);
    expect(toHex(fw.readFile('rw'))).toBe('1111111111111111');
  });

  it('a write to an unknown file or key is refused', () => {
    const fw = device();
    expect(fw.writeFileBytes('nope', 0, new Uint8Array([1]))).toBe(FwCfgDmaControl.ERROR);
    expect(fw.dma(FwCfgDmaControl.SELECT | FwCfgDmaControl.WRITE | (FwCfgKey.FILE_DIR << 16), 1, new Uint8Array([0])).control).toBe(FwCfgDmaControl.ERROR);
  });

  it('reads past the end give zeros; reads advance the offset', () => {
    const fw = device();
    fw.select(RO);
    expect(toHex(fw.readData(2))).toBe('0102');
    expect(toHex(fw.readData(4))).toBe('03040000');
    expect(toHex(fw.readData(2))).toBe('0000');
  });

  it('fork shares read-only bytes and copies writable ones', () => {
    const a = device();
    a.writeFileBytes('rw', 0, new Uint8Array([7]));
    const b = a.fork();
    expect(toHex(b.readFile('rw'))).toBe('0000000000000000');
    expect(b.fileSet).toBe(a.fileSet);
    expect(toHex(a.readFile('rw'))).toBe('0700000000000000');
  });

  it('snapshot/restore of writable files undoes writes', () => {
    const fw = device();
    const snap = fw.snapshotWritable();
    fw.writeFileBytes('rw', 0, new Uint8Array(8).fill(5));
    fw.restoreWritable(snap);
    expect(toHex(fw.readFile('rw'))).toBe('0000000000000000');
  });

  it('a DMA descriptor in guest memory is big-endian and gets its control word back', () => {
    const fw = device();
    const mem = new GuestMemory().addRam(0x4000_0000n, 0x10_0000n);
    const desc = 0x4000_1000n;
    const buf = 0x4000_2000n;
    mem.write(buf, new Uint8Array([0xde, 0xad]), 'firmware');
    mem.write(desc, encodeDmaDescriptor({ control: FwCfgDmaControl.SELECT | FwCfgDmaControl.WRITE | (RW << 16), length: 2, address: buf }), 'firmware');
    expect(toHex(mem.read(desc, 16))).toBe('00210018' + '00000002' + '0000000040002000');
    expect(runDmaDescriptor(fw, mem, desc)).toBe(0);
    expect(toHex(mem.read(desc, 4))).toBe('00000000');
    expect(toHex(fw.readFile('rw'))).toBe('dead000000000000');
    // read of the read-only file into guest memory
    mem.write(desc, encodeDmaDescriptor({ control: FwCfgDmaControl.SELECT | FwCfgDmaControl.READ | (RO << 16), length: 4, address: buf }), 'firmware');
    expect(runDmaDescriptor(fw, mem, desc)).toBe(0);
    expect(toHex(mem.read(buf, 4))).toBe('01020304');
    // write to the read-only file: error bit written back
    mem.write(desc, encodeDmaDescriptor({ control: FwCfgDmaControl.SELECT | FwCfgDmaControl.WRITE | (RO << 16), length: 1, address: buf }), 'firmware');
    expect(runDmaDescriptor(fw, mem, desc)).toBe(FwCfgDmaControl.ERROR);
    expect(toHex(mem.read(desc, 4))).toBe('00000001');
    // a read into memory outside RAM sets the error bit instead of crashing
    mem.write(desc, encodeDmaDescriptor({ control: FwCfgDmaControl.SELECT | FwCfgDmaControl.READ | (RO << 16), length: 4, address: 0x10n }), 'firmware');
    expect(runDmaDescriptor(fw, mem, desc)).toBe(FwCfgDmaControl.ERROR);
  });
});

describe('file set and directory validation', () => {
  it('rejects duplicate and over-long names', () => {
    expect(() => new FwCfgFileSet([{ name: 'a', data: new Uint8Array(1) }, { name: 'a', data: new Uint8Array(1) }])).toThrow(/duplicate/);
    expect(() => new FwCfgFileSet([{ name: 'x'.repeat(56), data: new Uint8Array(1) }])).toThrow(/1-55/);
  });

  it('a directory count larger than the bytes is bad_count before any entry is read', () => {
    const dir = encodeFwCfgDirectory([{ name: 'a', select: 0x20, size: 1 }]);
    dir[3] = 5;
    let err: unknown;
    try {
      decodeFwCfgDirectory(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect(err).toMatchObject({ code: 'bad_count', offset: 0, path: 'fw_cfg_dir.count' });
  });
});
