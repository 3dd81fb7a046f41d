import fs from 'fs';
import path from 'path';
import { DecodeError, toHex } from '../../src/binary';
import { formatAcpidump, parseAcpidump, splitTableBlob } from '../../src/acpi';
import { buildQemuHest } from '../../src/hest';
import { acpidumpFile, acpixtractAll, iaslDisassemble } from './iasl';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');
const blob = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_tables')));
const rsdp = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_rsdp')));
const hest = buildQemuHest({ hardwareErrorsAddress: 0x7c410000n, checksum: 'compute' });

describe('formatAcpidump', () => {
  it('prints the exact acpidump layout', () => {
    const text = formatAcpidump([{ address: 0x7c43e898n, bytes: hest }]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('HEST @ 0x000000007C43E898');
    expect(lines[1]).toBe(`    0000: 48 45 53 54 84 00 00 00 01 ${hest[9].toString(16).toUpperCase().padStart(2, '0')} 42 4F 43 48 53 20  HEST......BOCHS `);
    expect(lines[9]).toBe('    0080: 00 00 00 00                                      ....');
    expect(lines.slice(10)).toEqual(['', '']);
  });

  it("equals ACPICA's own `acpidump -f` output byte for byte", () => {
    for (const t of splitTableBlob(blob)) {
      expect(formatAcpidump([{ address: 0n, bytes: t.bytes }])).toBe(acpidumpFile(t.bytes));
    }
  });

  it('is accepted by acpixtract -a, which gives back every table (SSDT instances numbered, RSDP named rsdp.dat)', () => {
    const tables = splitTableBlob(blob).map((t) => ({ address: 0x7c400000n + BigInt(t.offset), bytes: t.bytes }));
    const ssdt = hest.slice();
    ssdt.set([0x53, 0x53, 0x44, 0x54]);
    const text = formatAcpidump([{ address: 0x7c5f0000n, bytes: rsdp }, ...tables, { address: 1n, bytes: ssdt }, { address: 2n, bytes: ssdt }]);
    const x = acpixtractAll(text);
    expect(x.status).toBe(0);
    expect(x.files.get('rsdp.dat')).toEqual(rsdp);
    expect(x.files.get('hest.dat')).toEqual(tables.find((t) => t.bytes[0] === 0x48)!.bytes);
    expect(x.files.get('dsdt.dat')!.length).toBe(5196);
    expect(x.files.get('ssdt1.dat')).toEqual(ssdt);
    expect(x.files.get('ssdt2.dat')).toEqual(ssdt);
    expect([...x.files.keys()].sort()).toEqual(['apic', 'dbg2', 'dsdt', 'facp', 'gtdt', 'hest', 'iort', 'mcfg', 'pptt', 'rsdp', 'spcr', 'ssdt1', 'ssdt2', 'xsdt'].map((n) => `${n}.dat`));
  });

  it('gives a .dat that iasl -d disassembles without error or warning', () => {
    const x = acpixtractAll(formatAcpidump([{ address: 0x7c43e898n, bytes: hest }]));
    const r = iaslDisassemble(x.files.get('hest.dat')!, 'hest');
    expect(r.status).toBe(0);
    expect(r.output).not.toMatch(/error|warning/i);
    expect(r.body).toContain('Error Source Count : 00000001');
  });
});

describe('parseAcpidump', () => {
  it('round-trips our own output', () => {
    const tables = splitTableBlob(blob).map((t, i) => ({ address: BigInt(i) << 40n, bytes: t.bytes }));
    const parsed = parseAcpidump(formatAcpidump([{ address: 0xf0000n, bytes: rsdp }, ...tables]));
    expect(parsed.map((t) => t.signature)).toEqual(['RSDP', ...tables.map((t) => String.fromCharCode(...t.bytes.subarray(0, 4)))]);
    parsed.slice(1).forEach((t, i) => {
      expect(toHex(t.bytes)).toBe(toHex(tables[i].bytes));
      expect(t.address).toBe(tables[i].address);
    });
    expect(parsed[0].bytes).toEqual(rsdp);
  });

  it('reads the variants found in the wild: RSD PTR, short lower-case addresses, 2-space indent, no ASCII, SSDT instances', () => {
    const text = [
      'Intel ACPI Component Architecture banner line',
      '',
      'RSD PTR @ 0xf6a80',
      '  0000: 52 53 44 20 50 54 52 20 88 41 53 55 53 20 20 00  RSD PTR .ASUS  .',
      '  0010: 00 c0 fe 1f                                      ....',
      '',
      'SSDT @ 0x1ffec000',
      '  0000: 53 53 44 54 24 00 00 00 01 00 41 41 41 41 41 41',
      '  0010: 42 42 42 42 42 42 42 42 01 00 00 00 43 43 43 43',
      '  0020: 01 00 00 00',
      '',
      'SSDT @ (nil)',
      '    0000: 53 53 44 54  SSDT',
      '',
    ].join('\r\n');
    const p = parseAcpidump(text);
    expect(p.map((t) => [t.signature, t.address, t.bytes.length, t.instance, t.line])).toEqual([
      ['RSDP', 0xf6a80n, 20, 0, 3],
      ['SSDT', 0x1ffec000n, 36, 0, 7],
      ['SSDT', 0n, 4, 1, 12],
    ]);
    expect(p[0].bytes[17]).toBe(0xc0);
    expect(parseAcpidump('RSD  @ 0x00000000000F0000\n    0000: 52 53 44 20 50 54 52 20\n')[0].signature).toBe('RSDP');
    expect(parseAcpidump('RSDT @ 0x0000000000001000\n    0000: 52 53 44 54\n')[0].signature).toBe('RSDT');
  });

  it('stops at the ASCII column even when it looks like hex', () => {
    const p = parseAcpidump('TEST @ 0x0\n    0000: 41 42 43 44  ABCD\n    0004: 30 31  01\n');
    expect(Array.from(p[0].bytes)).toEqual([0x41, 0x42, 0x43, 0x44, 0x30, 0x31]);
  });

  it('fails with the line number and character offset on malformed rows', () => {
    const cases: Array<[string, number, number, RegExp]> = [
      ['HEST @ 0x0\n    0010: 00 01\n', 2, 11, /row offset 0x0010 does not follow the 0 byte/],
      ['HEST @ 0x0\n    0000: 0G 01\n', 2, 11, /"0G" is not a hex byte/],
      ['HEST @ 0x0\n    0000: ' + '00 '.repeat(17) + '\n', 2, 11, /1 to 16 bytes, found 17/],
      ['HEST @ 0x0\n    0000: 00\ngarbage here\n', 3, 24, /expected a data row or a blank line inside HEST/],
    ];
    for (const [text, line, offset, msg] of cases) {
      try {
        parseAcpidump(text);
        throw new Error('expected an error');
      } catch (e) {
        const d = e as DecodeError;
        expect(d).toBeInstanceOf(DecodeError);
        expect([d.code, d.path, d.offset]).toEqual(['invalid_input', `lines[${line}]`, offset]);
        expect(d.message).toMatch(msg);
      }
    }
  });
});
