import { ByteReader } from '../binary/ByteReader';
import { DecodeError } from '../binary/errors';
import { decodeRsdp, Rsdp, RSDP_V1_LENGTH, RSDP_V2_LENGTH } from './Rsdp';
import { decodeRootTable, RootTable } from './RootTable';
import { decodeTableHeader, TABLE_HEADER_LENGTH, TableHeader, tableWindow } from './TableHeader';

/** One table: its signature, its bytes and, when known, its guest-physical address. */
export interface AcpiTable {
  /** `HEST`, `XSDT`…; `RSDP` for the root pointer */
  signature: string;
  bytes: Uint8Array;
  address?: bigint;
}

/** Something that returns guest bytes (GuestMemory has this shape). */
/**
 * Largest table `walkFromRsdp` will read. A Length field is never trusted to size a read: a corrupt
 * one (0xFFFFFFFF) would otherwise allocate 4 GiB. Real tables are far smaller (a big DSDT is
 * about 1 MiB).
 */
export const MAX_TABLE_LENGTH = 16 * 1024 * 1024;

export interface PhysicalMemoryReader {
  read(address: bigint, length: number): Uint8Array;
}

/**
 * An ordered collection of tables (signature → bytes). Several tables may share a signature
 * (SSDT instances); `get(sig, n)` returns the n-th.
 */
export class TableSet implements Iterable<AcpiTable> {
  private readonly tables: AcpiTable[] = [];

  constructor(tables: Iterable<AcpiTable> = []) {
    for (const t of tables) this.add(t);
  }

  /** Adds a table; the signature defaults to the one in its bytes (`RSDP` for "RSD PTR "). */
  add(t: AcpiTable | Uint8Array): this {
    const table = t instanceof Uint8Array ? { signature: signatureOf(t), bytes: t } : t;
    this.tables.push(table);
    return this;
  }

  get size(): number {
    return this.tables.length;
  }

  get(signature: string, instance = 0): AcpiTable | undefined {
    return findTable(this.tables, signature, instance);
  }

  all(signature?: string): AcpiTable[] {
    return signature === undefined ? [...this.tables] : this.tables.filter((t) => t.signature === signature);
  }

  /** The decoded header of every table that has one (the RSDP and FACS are skipped). */
  headers(): Array<{ signature: string; address?: bigint; header: TableHeader }> {
    return listTableHeaders(this.tables);
  }

  [Symbol.iterator](): Iterator<AcpiTable> {
    return this.tables[Symbol.iterator]();
  }
}

/** The signature in a table's bytes: `RSDP` for an RSDP, else the first four bytes. */
export function signatureOf(bytes: Uint8Array): string {
  const s = String.fromCharCode(...bytes.subarray(0, Math.min(8, bytes.length)));
  if (s === 'RSD PTR ') return 'RSDP';
  return s.slice(0, 4);
}

/** The `instance`-th table with `signature` (0 = first), or undefined. */
export function findTable(tables: Iterable<AcpiTable>, signature: string, instance = 0): AcpiTable | undefined {
  let n = 0;
  for (const t of tables) {
    if (t.signature === signature) {
      if (n === instance) return t;
      n++;
    }
  }
  return undefined;
}

/** Decoded headers of the tables that have the 36-byte header (not RSDP, not FACS). */
export function listTableHeaders(tables: Iterable<AcpiTable>): Array<{ signature: string; address?: bigint; header: TableHeader }> {
  const out: Array<{ signature: string; address?: bigint; header: TableHeader }> = [];
  for (const t of tables) {
    if (t.signature === 'RSDP' || t.signature === 'FACS') continue;
    out.push({ signature: t.signature, address: t.address, header: decodeTableHeader(new ByteReader(t.bytes, 0, t.bytes.length, t.signature)) });
  }
  return out;
}

/** A table found inside a blob, with its offset. */
export interface TableInBlob {
  offset: number;
  signature: string;
  header: TableHeader;
  bytes: Uint8Array;
}

/**
 * Splits a blob of back-to-back tables (QEMU's `etc/acpi/tables`, whose unused tail is zero) into
 * its tables. Walking stops at the first all-zero signature. Each Length is checked against the
 * blob before it is used. The bytes returned are views into the blob (no copy).
 */
export function splitTableBlob(blob: Uint8Array): TableInBlob[] {
  const r = new ByteReader(blob, 0, blob.length, 'tables');
  const out: TableInBlob[] = [];
  let offset = 0;
  while (offset + 4 <= blob.length) {
    if (blob[offset] === 0 && blob[offset + 1] === 0 && blob[offset + 2] === 0 && blob[offset + 3] === 0) break;
    const { header } = tableWindow(new ByteReader(blob, 0, blob.length, `tables[${out.length}]`), undefined, offset);
    out.push({ offset, signature: header.signature, header, bytes: blob.subarray(offset, offset + header.length) });
    offset += header.length;
  }
  if (offset < blob.length && offset + 4 > blob.length && blob.subarray(offset).some((b) => b !== 0)) {
    throw r.error('truncated', offset, `tables[${out.length}]`, `${blob.length - offset} trailing byte(s) are too few for a table header`);
  }
  return out;
}

/** What `walkFromRsdp` found. */
export interface RsdpWalk {
  rsdpAddress: bigint;
  rsdp: Rsdp;
  /** the root table used: XSDT when the RSDP has one, else RSDT */
  root: RootTable;
  rootAddress: bigint;
  /** every table reached: RSDP, root table, the root's entries, and DSDT/FACS from the FADT */
  tables: AcpiTable[];
}

/**
 * Finds every table the way an OS does: RSDP (both checksums) → XSDT (or RSDT when the RSDP is
 * revision 0 or has no XSDT address) → each entry → DSDT and FACS through the FADT (X_ fields
 * preferred when non-zero). Reads only the bytes each header's Length announces, after checking
 * that it covers at least a header. Table checksums are not enforced here (Linux only warns).
 */
export function walkFromRsdp(memory: PhysicalMemoryReader, rsdpAddress: bigint): RsdpWalk {
  const head = memory.read(rsdpAddress, RSDP_V1_LENGTH);
  const rsdpLength = head[15] >= 2 ? RSDP_V2_LENGTH : RSDP_V1_LENGTH;
  const rsdpBytes = rsdpLength === RSDP_V1_LENGTH ? head : memory.read(rsdpAddress, rsdpLength);
  const rsdp = decodeRsdp(new ByteReader(rsdpBytes, 0, rsdpBytes.length, 'rsdp'));
  const useXsdt = rsdp.revision >= 2 && rsdp.xsdtAddress !== 0n;
  const rootAddress = useXsdt ? rsdp.xsdtAddress : BigInt(rsdp.rsdtAddress);
  const rootBytes = readTable(memory, rootAddress, useXsdt ? 'xsdt' : 'rsdt');
  const root = decodeRootTable(new ByteReader(rootBytes, 0, rootBytes.length, useXsdt ? 'xsdt' : 'rsdt'), 0, useXsdt ? 'XSDT' : 'RSDT');
  const tables: AcpiTable[] = [
    { signature: 'RSDP', bytes: rsdpBytes, address: rsdpAddress },
    { signature: root.kind, bytes: rootBytes, address: rootAddress },
  ];
  root.entries.forEach((address, i) => {
    const bytes = readTable(memory, address, `${root.kind.toLowerCase()}.entries[${i}]`);
    tables.push({ signature: signatureOf(bytes), bytes, address });
  });
  const fadt = findTable(tables, 'FACP');
  if (fadt) {
    const f = new ByteReader(fadt.bytes, 0, fadt.bytes.length, 'facp');
    const dsdt = fadtPointer(f, 40, 140);
    const facs = fadtPointer(f, 36, 132);
    if (facs) {
      const bytes = readTable(memory, facs, 'facp.facs', 'FACS');
      tables.push({ signature: 'FACS', bytes, address: facs });
    }
    if (dsdt) {
      const bytes = readTable(memory, dsdt, 'facp.dsdt');
      tables.push({ signature: signatureOf(bytes), bytes, address: dsdt });
    }
  }
  return { rsdpAddress, rsdp, root, rootAddress, tables };
}

/** FADT pointer: the 64-bit X_ field when present and non-zero, else the 32-bit one; 0 → none. */
function fadtPointer(f: ByteReader, off32: number, off64: number): bigint | undefined {
  if (f.length >= off64 + 8) {
    const x = f.u64(off64);
    if (x !== 0n) return x;
  }
  if (f.length >= off32 + 4) {
    const v = f.u32(off32);
    if (v !== 0) return BigInt(v);
  }
  return undefined;
}

/** Reads one table at `address`: its header first, then exactly Length bytes (Length ≥ 36; FACS ≥ 8). */
function readTable(memory: PhysicalMemoryReader, address: bigint, path: string, expect?: string): Uint8Array {
  const min = expect === 'FACS' ? 8 : TABLE_HEADER_LENGTH;
  const head = memory.read(address, min);
  const length = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(4, true);
  if (length < min) {
    throw new DecodeError({ code: 'bad_length', offset: 4, path: `${path}.header.length`, message: `table at 0x${address.toString(16)} has length ${length}, shorter than its ${min}-byte header` });
  }
  if (length > MAX_TABLE_LENGTH) {
    throw new DecodeError({ code: 'bad_length', offset: 4, path: `${path}.header.length`, message: `table at 0x${address.toString(16)} claims length ${length}, above the ${MAX_TABLE_LENGTH}-byte limit` });
  }
  return memory.read(address, length);
}
