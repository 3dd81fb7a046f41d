import { EncodeError, toHex } from '../../src/binary';
import { AllocationZone, LinkerLoaderBuilder, decodeLoaderScript } from '../../src/linker-loader';
import { qemu72Blob } from './fixtures';

function encodeErr(fn: () => unknown): EncodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EncodeError) return e;
    throw e;
  }
  throw new Error('expected an EncodeError');
}

function readLe(b: Uint8Array, off: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[off + i];
  return v;
}

describe('LinkerLoaderBuilder reproduces QEMU 7.2 script', () => {
  it('builds the fixture script byte for byte when called in QEMU creation order', () => {
    const script = decodeLoaderScript(qemu72Blob('etc_table-loader'));
    const blobs: Record<string, Uint8Array> = {
      'etc/acpi/tables': qemu72Blob('etc_acpi_tables'),
      'etc/acpi/rsdp': qemu72Blob('etc_acpi_rsdp'),
      'etc/hardware_errors': qemu72Blob('etc_hardware_errors'),
    };
    const originals = Object.fromEntries(Object.entries(blobs).map(([k, v]) => [k, v.slice()]));
    const b = new LinkerLoaderBuilder();
    b.declareWritableFile('etc/hardware_errors_addr', 8);
    // virt_acpi_build: tables ALLOCATE first; build_ghes_error_table allocates hardware_errors just
    // before its own pointer (command 12); the RSDP is allocated last, before its checksum (28).
    b.allocate('etc/acpi/tables', blobs['etc/acpi/tables'], { align: 64, zone: AllocationZone.HIGH });
    script.slice(3).forEach((cmd, k) => {
      const index = k + 3;
      if (index === 12) b.allocate('etc/hardware_errors', blobs['etc/hardware_errors'], { align: 8 });
      if (index === 28) b.allocate('etc/acpi/rsdp', blobs['etc/acpi/rsdp'], { align: 16, zone: AllocationZone.FSEG });
      if (cmd.type === 'ADD_CHECKSUM') b.addChecksum({ file: cmd.file, start: cmd.start, length: cmd.length, checksumOffset: cmd.offset });
      else if (cmd.type === 'ADD_POINTER') {
        const srcOffset = readLe(originals[cmd.destFile], cmd.offset, cmd.size);
        b.addPointer({ destFile: cmd.destFile, destOffset: cmd.offset, size: cmd.size, srcFile: cmd.srcFile, srcOffset });
      } else if (cmd.type === 'WRITE_POINTER') b.writePointer({ ...cmd });
    });
    expect(toHex(b.encode())).toBe(toHex(qemu72Blob('etc_table-loader')));
    for (const k of Object.keys(blobs)) expect(toHex(blobs[k])).toBe(toHex(originals[k]));
  });
});

describe('LinkerLoaderBuilder invariants', () => {
  function base(): { b: LinkerLoaderBuilder; tables: Uint8Array; errors: Uint8Array } {
    const tables = new Uint8Array(64).fill(0xee);
    const errors = new Uint8Array(32);
    const b = new LinkerLoaderBuilder().allocate('t', tables, { align: 64 }).allocate('e', errors, { align: 8 });
    return { b, tables, errors };
  }

  it('prepends ALLOCATEs in reverse creation order', () => {
    const { b } = base();
    b.addChecksum({ file: 't', start: 0, length: 36, checksumOffset: 9 });
    b.allocate('r', new Uint8Array(36), { align: 16, zone: AllocationZone.FSEG });
    expect(b.commands.map((c) => c.type + ':' + ('file' in c ? c.file : ''))).toEqual(['ALLOCATE:r', 'ALLOCATE:e', 'ALLOCATE:t', 'ADD_CHECKSUM:t']);
  });

  it('pre-stores the target offset in the pointer field and zeroes checksum bytes', () => {
    const { b, tables } = base();
    b.addPointer({ destFile: 't', destOffset: 20, size: 4, srcFile: 'e', srcOffset: 0x10 });
    b.addChecksum({ file: 't', start: 0, length: 36, checksumOffset: 9 });
    expect(toHex(tables.subarray(20, 24))).toBe('10000000');
    expect(tables[9]).toBe(0);
    expect(tables[10]).toBe(0xee);
  });

  it.each([
    ['duplicate ALLOCATE', (b: LinkerLoaderBuilder) => b.allocate('t', new Uint8Array(4), { align: 8 }), 'bad_reference', 'loader.ALLOCATE(t).file'],
    ['alignment not a power of two', (b: LinkerLoaderBuilder) => b.allocate('x', new Uint8Array(4), { align: 24 }), 'bad_alignment', 'loader.ALLOCATE(x).align'],
    ['name longer than 55 bytes', (b: LinkerLoaderBuilder) => b.allocate('n'.repeat(56), new Uint8Array(4), { align: 8 }), 'bad_length', `loader.ALLOCATE(${'n'.repeat(56)}).file`],
    ['bad zone', (b: LinkerLoaderBuilder) => b.allocate('x', new Uint8Array(4), { align: 8, zone: 3 }), 'bad_value', 'loader.ALLOCATE(x).zone'],
    ['pointer to an unallocated file', (b: LinkerLoaderBuilder) => b.addPointer({ destFile: 't', destOffset: 0, size: 8, srcFile: 'z', srcOffset: 0 }), 'bad_reference', 'loader.ADD_POINTER(t[0x0]).src_file'],
    ['pointer size 3', (b: LinkerLoaderBuilder) => b.addPointer({ destFile: 't', destOffset: 0, size: 3, srcFile: 'e', srcOffset: 0 }), 'bad_value', 'loader.ADD_POINTER(t[0x0]).size'],
    ['pointer field past the dest end', (b: LinkerLoaderBuilder) => b.addPointer({ destFile: 't', destOffset: 60, size: 8, srcFile: 'e', srcOffset: 0 }), 'bad_offset', 'loader.ADD_POINTER(t[0x3c]).offset'],
    ['src offset outside src', (b: LinkerLoaderBuilder) => b.addPointer({ destFile: 't', destOffset: 0, size: 8, srcFile: 'e', srcOffset: 32 }), 'bad_offset', 'loader.ADD_POINTER(t[0x0]).src_offset'],
    ['a 1-byte pointer whose target offset fits is accepted', (b: LinkerLoaderBuilder) => b.addPointer({ destFile: 't', destOffset: 0, size: 1, srcFile: 't', srcOffset: 40 }), 'ok', ''],
    ['checksum range outside the blob', (b: LinkerLoaderBuilder) => b.addChecksum({ file: 't', start: 32, length: 40, checksumOffset: 33 }), 'bad_offset', 'loader.ADD_CHECKSUM(t[0x21]).length'],
    ['checksum byte outside its range', (b: LinkerLoaderBuilder) => b.addChecksum({ file: 't', start: 0, length: 36, checksumOffset: 40 }), 'bad_offset', 'loader.ADD_CHECKSUM(t[0x28]).offset'],
    ['WRITE_POINTER to an undeclared file', (b: LinkerLoaderBuilder) => b.writePointer({ destFile: 'w', destOffset: 0, size: 8, srcFile: 'e', srcOffset: 0 }), 'bad_reference', 'loader.WRITE_POINTER(w[0x0]).dest_file'],
  ])('%s', (_name, act, code, path) => {
    const { b } = base();
    if (code === 'ok') {
      expect(() => act(b)).not.toThrow();
      return;
    }
    const e = encodeErr(() => act(b));
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
  });

  it('a source offset too large for a 1-byte field is refused', () => {
    const big = new Uint8Array(300);
    const b = new LinkerLoaderBuilder().allocate('big', big, { align: 8 }).allocate('d', new Uint8Array(8), { align: 8 });
    const e = encodeErr(() => b.addPointer({ destFile: 'd', destOffset: 0, size: 1, srcFile: 'big', srcOffset: 256 }));
    expect(e).toMatchObject({ code: 'out_of_range', path: 'loader.ADD_POINTER(d[0x0]).src_offset' });
  });

  it('WRITE_POINTER field must fit the declared writable file', () => {
    const { b } = base();
    b.declareWritableFile('w', 8);
    const e = encodeErr(() => b.writePointer({ destFile: 'w', destOffset: 4, size: 8, srcFile: 'e', srcOffset: 0 }));
    expect(e).toMatchObject({ code: 'bad_offset', path: 'loader.WRITE_POINTER(w[0x4]).dst_offset' });
  });

  it('a pointer into a range an earlier checksum covers is refused (checksums follow their pointers)', () => {
    const { b } = base();
    b.addChecksum({ file: 't', start: 0, length: 36, checksumOffset: 9 });
    const e = encodeErr(() => b.addPointer({ destFile: 't', destOffset: 30, size: 8, srcFile: 'e', srcOffset: 0 }));
    expect(e.code).toBe('protocol');
    expect(e.message).toContain('checksum command 2');
    // a pointer outside that range is fine
    expect(() => b.addPointer({ destFile: 't', destOffset: 36, size: 8, srcFile: 'e', srcOffset: 0 })).not.toThrow();
  });
});
