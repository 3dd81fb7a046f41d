import fs from 'fs';
import path from 'path';
import { ByteWriter, DecodeError, encodeToBytes, EncodeError, toHex } from '../../src/binary';
import {
  applyTableChecksum,
  assertTableChecksum,
  buildRsdt,
  buildXsdt,
  decodeGenericAddress,
  decodeRootTable,
  decodeRsdp,
  decodeTableHeader,
  GenericAddress,
  makeHeader,
  Rsdp,
  splitTableBlob,
  TableHeader,
  verifyTableChecksum,
} from '../../src/acpi';
import { ByteReader } from '../../src/binary';

const FIXTURES = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');
const blob = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_tables')));
const rsdpFixture = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'etc_acpi_rsdp')));

function caught(fn: () => unknown): DecodeError | EncodeError {
  try {
    fn();
  } catch (e) {
    return e as DecodeError;
  }
  throw new Error('expected an error');
}

describe('TableHeader', () => {
  it('decodes and re-encodes the header of every table QEMU 7.2 built', () => {
    const tables = splitTableBlob(blob);
    expect(tables.map((t) => `${t.signature}@${t.offset}/${t.header.length}`)).toEqual([
      'DSDT@0/5196', 'FACP@5196/276', 'APIC@5472/172', 'PPTT@5644/96', 'GTDT@5740/96', 'MCFG@5836/60', 'SPCR@5896/80', 'DBG2@5976/87', 'HEST@6063/132', 'IORT@6195/128', 'XSDT@6323/108',
    ]);
    for (const t of tables) {
      const h = decodeTableHeader(t.bytes);
      expect(toHex(encodeToBytes(h))).toBe(toHex(t.bytes.subarray(0, 36)));
      expect([h.oemId, h.oemTableId, h.creatorId, h.checksum]).toEqual(['BOCHS ', 'BXPC    ', 'BXPC', 0]);
    }
  });

  it('pads short OEM names with NUL (QEMU since 2022) or spaces on request, and reads them back unchanged', () => {
    const nul = encodeToBytes(makeHeader('TEST', 36, 1, { oemId: 'AB', oemTableId: 'XYZ' }));
    expect(toHex(nul.subarray(10, 24))).toBe('4142000000005859' + '5a0000000000');
    expect(decodeTableHeader(nul).oemId).toBe('AB');
    const sp = encodeToBytes(makeHeader('TEST', 36, 1, { oemId: 'AB', padding: 'space' }));
    expect(toHex(sp.subarray(10, 16))).toBe('414220202020');
    expect(decodeTableHeader(sp).oemId).toBe('AB    ');
    expect(caught(() => encodeToBytes(makeHeader('TEST', 36, 1, { oemId: 'TOOLONG' }))).path).toBe('oemId');
    expect(caught(() => encodeToBytes(makeHeader('TES', 36, 1))).path).toBe('signature');
  });

  it('verifies and applies the 8-bit checksum over Length bytes', () => {
    const hest = blob.slice(6063, 6063 + 132);
    expect(verifyTableChecksum(hest)).toEqual({ ok: false, stored: 0, expected: 0x1c });
    const e = caught(() => assertTableChecksum(hest));
    expect([e.code, e.offset, e.path]).toEqual(['bad_checksum', 9, 'header.checksum']);
    expect(applyTableChecksum(hest)).toBe(0x1c);
    expect(verifyTableChecksum(hest).ok).toBe(true);
    // a checksum inside a bigger buffer covers only its table
    const padded = new Uint8Array(200);
    padded.set(blob.subarray(6063, 6063 + 132), 50);
    padded[199] = 0x55;
    expect(applyTableChecksum(padded, 50)).toBe(0x1c);
  });

  it('never trusts Length: shorter than the header or beyond the bytes is an error', () => {
    const b = blob.slice(6063, 6063 + 132);
    new DataView(b.buffer).setUint32(4, 20, true);
    expect([caught(() => verifyTableChecksum(b)).code, caught(() => verifyTableChecksum(b)).offset]).toEqual(['bad_length', 4]);
    new DataView(b.buffer).setUint32(4, 133, true);
    expect(caught(() => verifyTableChecksum(b)).code).toBe('truncated');
    expect(caught(() => decodeTableHeader(b.subarray(0, 35))).code).toBe('truncated');
  });
});

describe('RSDP', () => {
  it('decodes QEMU 7.2 revision-2 RSDP (unpatched: XSDT pointer holds its offset in the tables blob)', () => {
    expect(caught(() => decodeRsdp(rsdpFixture)).code).toBe('bad_checksum');
    const r = decodeRsdp(rsdpFixture, 0, { verifyChecksums: false });
    expect([r.oemId, r.revision, r.rsdtAddress, r.length, r.xsdtAddress]).toEqual(['BOCHS ', 2, 0, 36, 0x18b3n]);
    expect(r.xsdtAddress).toBe(6323n);
  });

  it('encodes revision 2 with both checksums (bytes 0-19, then 0-35)', () => {
    const bytes = encodeToBytes(new Rsdp({ oemId: 'BOCHS ', revision: 2, rsdtAddress: 0, xsdtAddress: 0x18b3n }));
    expect(bytes.length).toBe(36);
    expect(toHex(bytes.subarray(0, 8))).toBe(toHex(rsdpFixture.subarray(0, 8)));
    const s20 = bytes.subarray(0, 20).reduce((a, b) => (a + b) & 0xff, 0);
    const s36 = bytes.reduce((a, b) => (a + b) & 0xff, 0);
    expect([s20, s36]).toEqual([0, 0]);
    // same bytes as the fixture apart from the two checksum bytes
    const copy = bytes.slice();
    copy[8] = 0;
    copy[32] = 0;
    expect(toHex(copy)).toBe(toHex(rsdpFixture));
    expect(decodeRsdp(bytes).xsdtAddress).toBe(0x18b3n);
  });

  it('encodes and decodes the 20-byte ACPI 1.0 form', () => {
    const bytes = encodeToBytes(new Rsdp({ oemId: 'OEM', revision: 0, rsdtAddress: 0x7fe1000 }));
    expect(bytes.length).toBe(20);
    expect(toHex(bytes)).toBe('5253442050545220' + bytes[8].toString(16).padStart(2, '0') + '4f454d000000' + '00' + '0010fe07');
    const r = decodeRsdp(bytes);
    expect([r.revision, r.rsdtAddress, r.oemId]).toEqual([0, 0x7fe1000, 'OEM']);
  });

  it('reports bad signature, checksums and lengths at their offsets', () => {
    const good = encodeToBytes(new Rsdp({ oemId: 'X', revision: 2, rsdtAddress: 0, xsdtAddress: 1n }));
    const sig = good.slice();
    sig[7] = 0;
    expect([caught(() => decodeRsdp(sig)).code, caught(() => decodeRsdp(sig)).offset]).toEqual(['bad_signature', 0]);
    const ext = good.slice();
    ext[33] = 1;
    expect([caught(() => decodeRsdp(ext)).code, caught(() => decodeRsdp(ext)).offset, caught(() => decodeRsdp(ext)).path]).toEqual(['bad_checksum', 32, 'extendedChecksum']);
    expect(caught(() => decodeRsdp(good.subarray(0, 30))).code).toBe('truncated');
    const big = good.slice();
    new DataView(big.buffer).setUint32(20, 4096, true);
    expect(caught(() => decodeRsdp(big, 0, { verifyChecksums: false })).message).toContain('RSDP length 4096 exceeds the 36 byte(s) present');
    expect(caught(() => encodeToBytes(new Rsdp({ oemId: 'X', revision: 1, rsdtAddress: 0 }))).code).toBe('bad_value');
  });
});

describe('XSDT and RSDT', () => {
  it('decodes QEMU 7.2 XSDT: nine unaligned u64 entries holding table offsets', () => {
    const x = decodeRootTable(blob.subarray(6323, 6323 + 108));
    expect(x.kind).toBe('XSDT');
    expect(x.entries).toEqual([5196n, 5472n, 5644n, 5740n, 5836n, 5896n, 5976n, 6063n, 6195n]);
    expect(x.entries.length).toBe(9);
  });

  it('encodes with computed length and checksum; entries may exceed 2^53', () => {
    const x = encodeToBytes(buildXsdt([0x43dd0000n, 0xfedcba9876543210n]));
    expect(x.length).toBe(52);
    expect(verifyTableChecksum(x).ok).toBe(true);
    expect(toHex(x.subarray(36, 52))).toBe('0000dd4300000000' + '1032547698badcfe');
    expect(decodeRootTable(x).entries).toEqual([0x43dd0000n, 0xfedcba9876543210n]);
    const r = encodeToBytes(buildRsdt([0x1000, 0x2000]));
    expect([r.length, verifyTableChecksum(r).ok, toHex(r.subarray(0, 4))]).toEqual([44, true, '52534454']);
    expect(decodeRootTable(r).entries).toEqual([0x1000n, 0x2000n]);
  });

  it('rejects a length that is not a whole number of entries, and other signatures', () => {
    const x = encodeToBytes(buildXsdt([1n, 2n]));
    new DataView(x.buffer).setUint32(4, 50, true);
    const e = caught(() => decodeRootTable(x));
    expect([e.code, e.offset, e.message]).toEqual(['bad_length', 4, 'bad_length at byte 4 (0x4) [header.length]: XSDT length 50 leaves 6 byte(s) after the last 8-byte entry']);
    expect(caught(() => decodeRootTable(blob.subarray(6063, 6063 + 132))).code).toBe('bad_signature');
  });
});

describe('Generic Address Structure', () => {
  it("writes QEMU's GHES register shape 00 40 00 04 + unaligned u64", () => {
    const w = new ByteWriter(13);
    GenericAddress.qword(0x43da0008n).writeTo(w, 1);
    expect(toHex(w.bytes)).toBe('00' + '00400004' + '0800da4300000000');
    const g = decodeGenericAddress(new ByteReader(w.bytes), 1, 'gas');
    expect(g.toJSON()).toEqual({ spaceId: { value: 0, name: 'systemMemory' }, bitWidth: 64, bitOffset: 0, accessSize: { value: 4, name: 'qword' }, address: 0x43da0008n });
  });

  it('names address spaces and access sizes, keeping reserved values', () => {
    const names = [0, 1, 2, 0x0a, 0x0b, 0x0c, 0x7f, 0x80, 0xc0].map((id) => new GenericAddress({ spaceId: id, bitWidth: 8, bitOffset: 0, accessSize: id % 6, address: 0n }).toJSON() as { spaceId: { name: string }; accessSize: { name: string } });
    expect(names.map((n) => n.spaceId.name)).toEqual(['systemMemory', 'systemIo', 'pciConfig', 'platformCommunicationsChannel', 'platformRuntimeMechanism', 'reserved', 'functionalFixedHardware', 'reserved', 'oemDefined']);
    expect(names.map((n) => n.accessSize.name)).toEqual(['undefined', 'byte', 'word', 'qword', 'reserved', 'undefined', 'byte', 'word', 'undefined']);
    const e = caught(() => decodeGenericAddress(new ByteReader(new Uint8Array(11), 0, 11, 'hest'), 0, 'errorStatusAddress'));
    expect([e.code, e.path]).toEqual(['truncated', 'hest.errorStatusAddress']);
  });
});

describe('TableHeader class', () => {
  it('refuses a length below the header size', () => {
    const h = new TableHeader({ signature: 'HEST', length: 10, revision: 1, checksum: 0, oemId: '', oemTableId: '', oemRevision: 0, creatorId: '', creatorRevision: 0 });
    expect(caught(() => encodeToBytes(h)).code).toBe('bad_length');
  });
});
