import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { acpiChecksum } from '../binary/checksum';
import { joinPath } from '../binary/errors';
import { NamePadding } from './ascii';
import { QEMU_HEADER_DEFAULTS, TABLE_CHECKSUM_OFFSET, TABLE_HEADER_LENGTH, TableHeader, tableWindow } from './TableHeader';

/** Header fields a table builder may set (signature, length and checksum are computed). */
export interface HeaderOptions {
  revision?: number;
  oemId?: string;
  oemTableId?: string;
  oemRevision?: number;
  creatorId?: string;
  creatorRevision?: number;
  /** padding of OEM names shorter than their fields (default NUL, as QEMU since 2022) */
  padding?: NamePadding;
}

/** Builds the header of a table whose body is `length - 36` bytes (checksum 0 until applied). */
export function makeHeader(signature: string, length: number, defaultRevision: number, o: HeaderOptions = {}): TableHeader {
  return new TableHeader(
    {
      signature,
      length,
      revision: o.revision ?? defaultRevision,
      checksum: 0,
      oemId: o.oemId ?? QEMU_HEADER_DEFAULTS.oemId,
      oemTableId: o.oemTableId ?? QEMU_HEADER_DEFAULTS.oemTableId,
      oemRevision: o.oemRevision ?? QEMU_HEADER_DEFAULTS.oemRevision,
      creatorId: o.creatorId ?? QEMU_HEADER_DEFAULTS.creatorId,
      creatorRevision: o.creatorRevision ?? QEMU_HEADER_DEFAULTS.creatorRevision,
    },
    o.padding ?? 'nul',
  );
}

/**
 * The root tables that list every other table by physical address: the XSDT (signature `XSDT`,
 * revision 1, u64 entries) and the ACPI 1.0 RSDT (`RSDT`, u32 entries). The entries start at
 * offset 36 and are unaligned in the XSDT. arm64 Linux requires the XSDT; the RSDT is here for
 * completeness. The checksum is computed when the table is written.
 */
export class RootTable implements Encodable {
  readonly kind: 'XSDT' | 'RSDT';
  readonly header: TableHeader;
  readonly entries: bigint[];

  constructor(kind: 'XSDT' | 'RSDT', entries: bigint[], header?: TableHeader | HeaderOptions) {
    this.kind = kind;
    this.entries = entries;
    const length = TABLE_HEADER_LENGTH + entries.length * this.entrySize;
    if (header instanceof TableHeader) {
      this.header = header;
    } else {
      this.header = makeHeader(kind, length, 1, header);
    }
  }

  get entrySize(): 4 | 8 {
    return this.kind === 'XSDT' ? 8 : 4;
  }

  get byteLength(): number {
    return TABLE_HEADER_LENGTH + this.entries.length * this.entrySize;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const header = new TableHeader({ ...this.header.toJSON(), signature: this.kind, length: this.byteLength, checksum: 0 }, this.header.padding);
    header.writeTo(w, offset, joinPath(path, 'header'));
    this.entries.forEach((e, i) => {
      const at = offset + TABLE_HEADER_LENGTH + i * this.entrySize;
      if (this.entrySize === 8) w.u64(at, e, joinPath(path, `entries[${i}]`));
      else w.u32(at, Number(e), joinPath(path, `entries[${i}]`));
    });
    w.bytes[offset + TABLE_CHECKSUM_OFFSET] = acpiChecksum(w.bytes, offset, this.byteLength, offset + TABLE_CHECKSUM_OFFSET);
  }

  toJSON(): Record<string, unknown> {
    return { header: this.header.toJSON(), entries: this.entries };
  }
}

/** An XSDT listing `entries` (physical addresses of the other tables). */
export function buildXsdt(entries: bigint[], header?: HeaderOptions): RootTable {
  return new RootTable('XSDT', entries, header);
}

/** An RSDT listing 32-bit `entries`. */
export function buildRsdt(entries: number[], header?: HeaderOptions): RootTable {
  return new RootTable('RSDT', entries.map(BigInt), header);
}

/**
 * Decodes an XSDT or RSDT (chosen by its signature, or forced by `kind`). The Length must be the
 * header plus a whole number of entries and fit in the bytes present. The checksum is not
 * verified here (see `verifyTableChecksum`).
 */
export function decodeRootTable(input: Uint8Array | ByteReader, offset = 0, kind?: 'XSDT' | 'RSDT'): RootTable {
  const outer = input instanceof ByteReader ? input : new ByteReader(input);
  const { header, r } = tableWindow(outer, kind, offset);
  if (header.signature !== 'XSDT' && header.signature !== 'RSDT') {
    throw outer.error('bad_signature', offset, 'header.signature', `expected "XSDT" or "RSDT", found ${JSON.stringify(header.signature)}`);
  }
  const k = header.signature;
  const size = k === 'XSDT' ? 8 : 4;
  const body = header.length - TABLE_HEADER_LENGTH;
  if (body % size !== 0) {
    throw r.error('bad_length', 4, 'header.length', `${k} length ${header.length} leaves ${body % size} byte(s) after the last ${size}-byte entry`);
  }
  const entries: bigint[] = [];
  for (let i = 0; i < body / size; i++) {
    const at = TABLE_HEADER_LENGTH + i * size;
    entries.push(size === 8 ? r.u64(at, `entries[${i}]`) : BigInt(r.u32(at, `entries[${i}]`)));
  }
  return new RootTable(k, entries, header);
}
