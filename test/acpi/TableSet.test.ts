import { ByteWriter, encodeToBytes, DecodeError } from '../../src/binary';
import { applyTableChecksum, buildXsdt, findTable, formatTableBanner, listTableHeaders, makeHeader, PhysicalMemoryReader, Rsdp, splitTableBlob, TableSet, walkFromRsdp } from '../../src/acpi';
import { buildQemuHest } from '../../src/hest';

/** Sparse memory for the walk: address → bytes. Reads outside any region fail like unmapped RAM. */
class FakeMemory implements PhysicalMemoryReader {
  readonly regions: Array<{ base: bigint; bytes: Uint8Array }> = [];
  put(base: bigint, bytes: Uint8Array): this {
    this.regions.push({ base, bytes });
    return this;
  }
  read(address: bigint, length: number): Uint8Array {
    for (const r of this.regions) {
      const off = Number(address - r.base);
      if (address >= r.base && off + length <= r.bytes.length) return r.bytes.slice(off, off + length);
    }
    throw new RangeError(`unmapped read of ${length} bytes at 0x${address.toString(16)}`);
  }
}

function fadt(dsdt: bigint): Uint8Array {
  const w = new ByteWriter(276);
  makeHeader('FACP', 276, 6).writeTo(w, 0);
  const b = w.bytes;
  new DataView(b.buffer).setBigUint64(140, dsdt, true);
  applyTableChecksum(b);
  return b;
}

function machine() {
  const hest = buildQemuHest({ hardwareErrorsAddress: 0x7c410000n, checksum: 'compute' });
  const dsdt = encodeToBytes(makeHeader('DSDT', 36, 2));
  applyTableChecksum(dsdt);
  const xsdt = encodeToBytes(buildXsdt([0x7c43e000n, 0x7c43e898n]));
  const rsdp = encodeToBytes(new Rsdp({ oemId: 'BOCHS ', revision: 2, rsdtAddress: 0, xsdtAddress: 0x7c43f000n }));
  const mem = new FakeMemory().put(0x7c440000n, rsdp).put(0x7c43f000n, xsdt).put(0x7c43e000n, fadt(0x7c43d000n)).put(0x7c43e898n, hest).put(0x7c43d000n, dsdt);
  return { mem, hest };
}

describe('walkFromRsdp', () => {
  it('follows RSDP → XSDT → tables → DSDT via the FADT X_DSDT field', () => {
    const { mem, hest } = machine();
    const w = walkFromRsdp(mem, 0x7c440000n);
    expect(w.root.kind).toBe('XSDT');
    expect(w.rootAddress).toBe(0x7c43f000n);
    expect(w.tables.map((t) => [t.signature, t.address])).toEqual([
      ['RSDP', 0x7c440000n],
      ['XSDT', 0x7c43f000n],
      ['FACP', 0x7c43e000n],
      ['HEST', 0x7c43e898n],
      ['DSDT', 0x7c43d000n],
    ]);
    expect(findTable(w.tables, 'HEST')!.bytes).toEqual(hest);
    expect(formatTableBanner(findTable(w.tables, 'HEST')!.bytes, 0x7c43e898n)).toBe('HEST 0x000000007C43E898 000084 (v01 BOCHS  BXPC     00000001 BXPC 00000001)');
    expect(formatTableBanner(w.tables[0].bytes, 0x7c440000n)).toBe('RSDP 0x000000007C440000 000024 (v02 BOCHS )');
  });

  it('fails with a typed error on a bad RSDP checksum and on an absurd table length', () => {
    const { mem } = machine();
    mem.regions[0].bytes[8] ^= 1;
    expect(() => walkFromRsdp(mem, 0x7c440000n)).toThrow(DecodeError);
    const m2 = machine().mem;
    new DataView(m2.regions[3].bytes.buffer).setUint32(4, 0xffffffff, true);
    try {
      walkFromRsdp(m2, 0x7c440000n);
      throw new Error('expected an error');
    } catch (e) {
      expect((e as DecodeError).code).toBe('bad_length');
      expect((e as DecodeError).path).toBe('xsdt.entries[1].header.length');
    }
  });
});

describe('TableSet and blobs', () => {
  it('keeps several instances per signature and lists headers', () => {
    const ssdt = (n: number) => {
      const b = encodeToBytes(makeHeader('SSDT', 36, 2, { oemTableId: `T${n}` }));
      applyTableChecksum(b);
      return b;
    };
    const set = new TableSet().add(ssdt(1)).add({ signature: 'HEST', bytes: buildQemuHest(), address: 0x1000n }).add(ssdt(2));
    expect(set.size).toBe(3);
    expect(set.get('SSDT', 1)!.bytes[16]).toBe('T'.charCodeAt(0));
    expect(set.get('SSDT', 2)).toBeUndefined();
    expect(set.all('SSDT')).toHaveLength(2);
    expect(listTableHeaders(set).map((h) => [h.signature, h.header.oemTableId, h.address])).toEqual([
      ['SSDT', 'T1', undefined],
      ['HEST', 'BXPC    ', 0x1000n],
      ['SSDT', 'T2', undefined],
    ]);
  });

  it('splits a blob and reports a table running past it', () => {
    const a = buildQemuHest();
    const blob = new Uint8Array(a.length * 2 + 64);
    blob.set(a);
    blob.set(a, a.length);
    expect(splitTableBlob(blob).map((t) => t.offset)).toEqual([0, 132]);
    new DataView(blob.buffer).setUint32(132 + 4, 1000, true);
    try {
      splitTableBlob(blob);
      throw new Error('expected an error');
    } catch (e) {
      expect([(e as DecodeError).code, (e as DecodeError).offset, (e as DecodeError).path]).toEqual(['truncated', 136, 'tables[1].header.length']);
    }
  });
});
