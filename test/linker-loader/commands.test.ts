import { ByteWriter, DecodeError, EncodeError, fromHex, toHex } from '../../src/binary';
import {
  LOADER_COMMAND_SIZE,
  LoaderCommand,
  decodeLoaderScript,
  encodeLoaderScript,
  formatLoaderScript,
  safeDecodeLoaderScript,
  writeLoaderCommand,
} from '../../src/linker-loader';
import { qemu72Blob } from './fixtures';

const SCRIPT = qemu72Blob('etc_table-loader');

function caught(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return e;
    throw e;
  }
  throw new Error('expected a DecodeError');
}

describe('QEMU 7.2 etc/table-loader (real fixture)', () => {
  const commands = decodeLoaderScript(SCRIPT);

  it('decodes all 31 commands with the values QEMU wrote', () => {
    expect(SCRIPT.length).toBe(3968);
    expect(commands).toHaveLength(31);
    expect(commands.slice(0, 3)).toEqual([
      { type: 'ALLOCATE', file: 'etc/acpi/rsdp', align: 16, zone: 2 },
      { type: 'ALLOCATE', file: 'etc/hardware_errors', align: 8, zone: 1 },
      { type: 'ALLOCATE', file: 'etc/acpi/tables', align: 64, zone: 1 },
    ]);
    expect(commands[3]).toEqual({ type: 'ADD_CHECKSUM', file: 'etc/acpi/tables', offset: 9, start: 0, length: 0x144c });
    expect(commands[12]).toEqual({ type: 'ADD_POINTER', destFile: 'etc/hardware_errors', srcFile: 'etc/hardware_errors', offset: 0, size: 8 });
    expect(commands[13]).toEqual({
      type: 'WRITE_POINTER',
      destFile: 'etc/hardware_errors_addr',
      srcFile: 'etc/hardware_errors',
      destOffset: 0,
      srcOffset: 0,
      size: 8,
    });
    expect(commands[14]).toEqual({ type: 'ADD_POINTER', destFile: 'etc/acpi/tables', srcFile: 'etc/hardware_errors', offset: 0x17ef, size: 8 });
    expect(commands[15]).toEqual({ type: 'ADD_POINTER', destFile: 'etc/acpi/tables', srcFile: 'etc/hardware_errors', offset: 0x181b, size: 8 });
    expect(commands[16]).toEqual({ type: 'ADD_CHECKSUM', file: 'etc/acpi/tables', offset: 0x17b8, start: 0x17af, length: 0x84 });
    expect(commands[30]).toEqual({ type: 'ADD_CHECKSUM', file: 'etc/acpi/rsdp', offset: 0x20, start: 0, length: 0x24 });
  });

  it('re-encodes byte for byte', () => {
    expect(toHex(encodeLoaderScript(commands))).toBe(toHex(SCRIPT));
  });

  it('prints readable lines, with pre-stored targets and table names when the blobs are given', () => {
    const blobs = new Map([
      ['etc/acpi/tables', qemu72Blob('etc_acpi_tables')],
      ['etc/acpi/rsdp', qemu72Blob('etc_acpi_rsdp')],
      ['etc/hardware_errors', qemu72Blob('etc_hardware_errors')],
    ]);
    const lines = formatLoaderScript(commands, { blobs }).split('\n');
    expect(lines[0]).toBe('#0 ALLOCATE etc/acpi/rsdp align 16 zone FSEG');
    expect(lines[3]).toBe('#3 ADD_CHECKSUM etc/acpi/tables[0x9] = checksum of [0x0, 0x144c) (5196 bytes) [DSDT]');
    expect(lines[12]).toBe('#12 ADD_POINTER etc/hardware_errors[0x0] += &etc/hardware_errors (size 8) → +0x10');
    expect(lines[13]).toBe('#13 WRITE_POINTER etc/hardware_errors_addr[0x0] = &etc/hardware_errors + 0x0 (size 8)');
    expect(lines[15]).toBe('#15 ADD_POINTER etc/acpi/tables[0x181b] += &etc/hardware_errors (size 8) → +0x8');
    expect(lines[16]).toBe('#16 ADD_CHECKSUM etc/acpi/tables[0x17b8] = checksum of [0x17af, 0x1833) (132 bytes) [HEST]');
    expect(lines[29]).toBe('#29 ADD_POINTER etc/acpi/rsdp[0x18] += &etc/acpi/tables (size 8) → +0x18b3');
    expect(lines[30]).toBe('#30 ADD_CHECKSUM etc/acpi/rsdp[0x20] = checksum of [0x0, 0x24) (36 bytes) [RSDP]');
    expect(lines[31]).toBe('');
    expect(formatLoaderScript(commands).split('\n')[12]).toBe('#12 ADD_POINTER etc/hardware_errors[0x0] += &etc/hardware_errors (size 8)');
  });
});

describe('command wire format', () => {
  it('lays out WRITE_POINTER exactly: names at 4 and 60, dst_offset 116, src_offset 120, size 124', () => {
    const w = new ByteWriter(LOADER_COMMAND_SIZE);
    writeLoaderCommand(w, 0, { type: 'WRITE_POINTER', destFile: 'a', srcFile: 'bc', destOffset: 0x01020304, srcOffset: 0x0a0b0c0d, size: 4 });
    const b = w.bytes;
    expect(toHex(b.subarray(0, 6))).toBe('040000006100');
    expect(toHex(b.subarray(60, 63))).toBe('626300');
    expect(toHex(b.subarray(116, 125))).toBe('040302010d0c0b0a04');
    expect(b.subarray(125).every((x) => x === 0)).toBe(true);
  });

  it('refuses names that do not fit a 56-byte field with NUL', () => {
    const long = 'x'.repeat(56);
    expect(() => encodeLoaderScript([{ type: 'ALLOCATE', file: long, align: 8, zone: 1 }])).toThrow(EncodeError);
    expect(() => encodeLoaderScript([{ type: 'ALLOCATE', file: 'x'.repeat(55), align: 8, zone: 1 }])).not.toThrow();
  });
});

describe('decoder errors', () => {
  const good = encodeLoaderScript([
    { type: 'ALLOCATE', file: 'etc/acpi/tables', align: 64, zone: 1 },
    { type: 'ADD_CHECKSUM', file: 'etc/acpi/tables', offset: 9, start: 0, length: 36 },
  ]);

  it('a partial last command is truncated, named by index and offset', () => {
    const e = caught(() => decodeLoaderScript(good.subarray(0, 200)));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(128);
    expect(e.path).toBe('loader[1]');
    expect(e.message).toContain('72 of 128 bytes');
  });

  it('an unknown command type is rejected by default and kept raw with unknownCommands: skip', () => {
    const bad = good.slice();
    bad[128] = 7;
    const e = caught(() => decodeLoaderScript(bad));
    expect(e.code).toBe('bad_value');
    expect(e.offset).toBe(128);
    expect(e.path).toBe('loader[1].type');
    expect(e.message).toContain('unknown loader command type 7');
    const skipped = decodeLoaderScript(bad, { unknownCommands: 'skip' });
    expect(skipped[1]).toMatchObject({ type: 'UNKNOWN', commandType: 7 });
    expect(toHex(encodeLoaderScript(skipped))).toBe(toHex(bad));
    expect(formatLoaderScript(skipped).split('\n')[1]).toBe('#1 UNKNOWN type 7 (0x7), 124-byte body ignored');
  });

  it('a name without NUL at byte 55 is rejected at that byte', () => {
    const bad = good.slice();
    bad.fill(0x41, 4, 60);
    const e = caught(() => decodeLoaderScript(bad));
    expect(e).toMatchObject({ code: 'bad_value', offset: 59, path: 'loader[0].file' });
  });

  it('an empty name is rejected', () => {
    const bad = good.slice();
    bad.fill(0, 128 + 4, 128 + 60);
    expect(caught(() => decodeLoaderScript(bad))).toMatchObject({ code: 'bad_value', offset: 132, path: 'loader[1].file' });
  });

  it('non-zero padding is rejected by default, ignored with padding: ignore', () => {
    const bad = good.slice();
    bad[128 + 100] = 1;
    expect(caught(() => decodeLoaderScript(bad))).toMatchObject({ code: 'bad_value', offset: 228, path: 'loader[1].padding' });
    const junkAfterNul = good.slice();
    junkAfterNul[4 + 20] = 0x5a;
    expect(caught(() => decodeLoaderScript(junkAfterNul))).toMatchObject({ code: 'bad_value', offset: 24, path: 'loader[0].file' });
    expect(decodeLoaderScript(bad, { padding: 'ignore' })[1]).toEqual({ type: 'ADD_CHECKSUM', file: 'etc/acpi/tables', offset: 9, start: 0, length: 36 });
  });

  it('safeDecodeLoaderScript returns the error as data', () => {
    const r = safeDecodeLoaderScript(fromHex('01000000'));
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.code).toBe('truncated');
    const ok = safeDecodeLoaderScript(new Uint8Array(0));
    expect(ok).toEqual({ success: true, data: [] as LoaderCommand[] });
  });
});
