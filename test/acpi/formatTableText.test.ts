import fs from 'fs';
import path from 'path';
import { ByteWriter, encodeToBytes } from '../../src/binary';
import { applyTableChecksum, buildRsdt, buildXsdt, formatTableText, makeHeader, Rsdp, splitTableBlob, tableToJson } from '../../src/acpi';
import { buildQemuHest, Hest, QEMU_10_2_SOURCES } from '../../src/hest';
import { allTypes } from '../hest/fixtures';
import { iaslDisassemble } from './iasl';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');
const blob = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_tables')));

function bert(): Uint8Array {
  const b = new Uint8Array(48);
  makeHeader('BERT', 48, 1).writeTo(new ByteWriter(b), 0);
  const v = new DataView(b.buffer);
  v.setUint32(36, 0x1000, true);
  v.setBigUint64(40, 0x43da0000n, true);
  applyTableChecksum(b);
  return b;
}

describe('formatTableText against iasl -d', () => {
  const hest = splitTableBlob(blob).find((t) => t.signature === 'HEST')!.bytes;
  const truncated = (() => {
    const b = buildQemuHest({ sources: QEMU_10_2_SOURCES }).slice(0, 200);
    new DataView(b.buffer).setUint32(4, 200, true);
    return b;
  })();
  const unknownType = (() => {
    const b = buildQemuHest({ sources: QEMU_10_2_SOURCES, checksum: 'compute' });
    b[132] = 4;
    applyTableChecksum(b);
    return b;
  })();
  const cases: Array<[string, Uint8Array]> = [
    ['QEMU 7.2 HEST (checksum 0)', hest],
    ['every HEST structure type', new Hest(allTypes(), { oemId: 'RASGW' }).toBytes()],
    ['HEST with an unknown structure type', unknownType],
    ['HEST ending inside a structure', truncated],
    ['XSDT', encodeToBytes(buildXsdt([0x43dd0000n, 0xfedcba9876543210n]))],
    ['RSDT', encodeToBytes(buildRsdt([0x1000, 0x2000]))],
    ['BERT', bert()],
    ['an unknown signature', (() => {
      const b = encodeToBytes(makeHeader('ZZZZ', 36, 1));
      applyTableChecksum(b);
      return b;
    })()],
    ...splitTableBlob(blob)
      .filter((t) => ['XSDT', 'MCFG'].includes(t.signature))
      .map((t) => [`QEMU 7.2 ${t.signature}`, t.bytes] as [string, Uint8Array]),
  ];

  it.each(cases)('prints %s exactly as the installed iasl does', (_name, bytes) => {
    const r = iaslDisassemble(bytes);
    expect(r.body.length).toBeGreaterThan(0);
    if (String.fromCharCode(...bytes.subarray(0, 4)) === 'MCFG') {
      // iasl decodes MCFG's body; we print the header and raw data only: compare the header lines
      const ours = formatTableText(bytes, { layout: r.layout }).split('\n');
      expect(ours.slice(0, 9)).toEqual(r.body.split('\n').slice(0, 9));
      return;
    }
    expect(formatTableText(bytes, { layout: r.layout }).trimEnd()).toBe(r.body.trimEnd());
  });
});

describe('formatTableText layouts', () => {
  const lines = formatTableText(buildQemuHest({ hardwareErrorsAddress: 0x43da0000n, checksum: 'compute' }), { rawData: false }).split('\n');

  it('uses the ACPICA 2022+ layout by default', () => {
    expect(lines.slice(0, 12)).toEqual([
      '[000h 0000 004h]                   Signature : "HEST"    [Hardware Error Source Table]',
      '[004h 0004 004h]                Table Length : 00000084',
      '[008h 0008 001h]                    Revision : 01',
      '[009h 0009 001h]                    Checksum : E2',
      '[00Ah 0010 006h]                      Oem ID : "BOCHS "',
      '[010h 0016 008h]                Oem Table ID : "BXPC    "',
      '[018h 0024 004h]                Oem Revision : 00000001',
      '[01Ch 0028 004h]             Asl Compiler ID : "BXPC"',
      '[020h 0032 004h]       Asl Compiler Revision : 00000001',
      '',
      '[024h 0036 004h]          Error Source Count : 00000001',
      '',
    ]);
    expect(lines).toContain('[068h 0104 00Ch]           Read Ack Register : [Generic Address Structure]');
    expect(lines).toContain('[06Ch 0108 008h]                     Address : 0000000043DA0008');
    expect(lines).toContain('[048h 0072 001h]                 Notify Type : 08 [SEA]');
  });

  it('prints the RSDP in two parts with checksum notes (iasl cannot read an RSDP file, so golden text)', () => {
    const r = encodeToBytes(new Rsdp({ oemId: 'BOCHS ', revision: 2, rsdtAddress: 0, xsdtAddress: 0x43dd1000n }));
    r[32] ^= 1;
    expect(formatTableText(r, { layout: 'legacy', rawData: false }).split('\n')).toEqual([
      '[000h 0000   8]                    Signature : "RSD PTR "',
      `[008h 0008   1]                     Checksum : ${r[8].toString(16).toUpperCase()}`,
      '[009h 0009   6]                       Oem ID : "BOCHS "',
      '[00Fh 0015   1]                     Revision : 02',
      '[010h 0016   4]                 RSDT Address : 00000000',
      '[014h 0020   4]                       Length : 00000024',
      '[018h 0024   8]                 XSDT Address : 0000000043DD1000',
      `[020h 0032   1]            Extended Checksum : ${r[32].toString(16).toUpperCase().padStart(2, '0')}`,
      '[021h 0033   3]                     Reserved : 000000',
      `/* Incorrect Extended Checksum above, should be 0x${(r[32] ^ 1).toString(16).toUpperCase().padStart(2, '0')} */`,
      '',
    ]);
  });

  it('never throws on short input', () => {
    expect(formatTableText(new Uint8Array(10), { rawData: false })).toBe('/**** Table is too short for an ACPI table header: 10 byte(s) */\n');
  });
});

describe('tableToJson', () => {
  it('gives the HEST model with hex u64 values and named enumerations', () => {
    const j = tableToJson(buildQemuHest({ hardwareErrorsAddress: 0x43da0000n, checksum: 'compute' })) as any;
    expect(j.header.signature).toBe('HEST');
    expect(j.checksumValid).toBe(true);
    expect(j.sources[0].offset).toBe(40);
    expect(j.sources[0].errorStatusAddress.address).toBe('0x43da0000');
    expect(j.sources[0].notification.type).toEqual({ value: 8, name: 'sea' });
    expect(j.sources[0].readAck.preserve).toBe('0xfffffffffffffffe');
    expect(j.violations).toEqual([]);
  });

  it('shows violations of a broken table instead of throwing, and handles other tables', () => {
    const b = buildQemuHest();
    b[40] = 3;
    const j = tableToJson(b) as any;
    expect(j.checksumValid).toBe(false);
    expect(j.violations.map((v: any) => [v.code, v.offset])).toEqual([['bad_value', 40]]);
    expect((tableToJson(encodeToBytes(buildXsdt([1n]))) as any).entries).toEqual(['0x1']);
    expect((tableToJson(new Uint8Array(4)) as any).error.code).toBe('truncated');
    const r = encodeToBytes(new Rsdp({ oemId: 'X', revision: 2, rsdtAddress: 0, xsdtAddress: 0x10n }));
    expect(tableToJson(r)).toMatchObject({ signature: 'RSD PTR ', xsdtAddress: '0x10', checksumValid: true });
  });
});
