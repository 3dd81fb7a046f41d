import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { acpiChecksum, sum8 } from '../binary/checksum';
import { DecodeError, EncodeError, joinPath } from '../binary/errors';
import { NamePadding, readNameField, writeNameField } from './ascii';

/** Size of the system description table header that every table but the RSDP and FACS starts with. */
export const TABLE_HEADER_LENGTH = 36;
/** Offset of the checksum byte inside a table. */
export const TABLE_CHECKSUM_OFFSET = 9;

/** The 36-byte header: 0 Signature 4 · 4 Length u32 · 8 Revision · 9 Checksum · 10 OEM ID 6 · 16 OEM Table ID 8 · 24 OEM Revision u32 · 28 Creator ID 4 · 32 Creator Revision u32. */
export interface TableHeaderFields {
  /** four ASCII characters, `HEST` */
  signature: string;
  /** length of the whole table in bytes, header included */
  length: number;
  revision: number;
  /** the byte that makes all `length` bytes sum to 0 */
  checksum: number;
  /** 6 bytes, trailing NULs removed */
  oemId: string;
  /** 8 bytes, trailing NULs removed */
  oemTableId: string;
  oemRevision: number;
  /** 4 bytes ("ASL compiler ID" in ACPICA) */
  creatorId: string;
  creatorRevision: number;
}

/** Header values QEMU writes (`acpi_table_begin` with the default `-machine oem-id/oem-table-id`). */
export const QEMU_HEADER_DEFAULTS = {
  oemId: 'BOCHS ',
  oemTableId: 'BXPC    ',
  oemRevision: 1,
  creatorId: 'BXPC',
  creatorRevision: 1,
} as const;

/** The table header as a structure that writes itself. The checksum is written as given; see `applyTableChecksum`. */
export class TableHeader implements Encodable, TableHeaderFields {
  readonly byteLength = TABLE_HEADER_LENGTH;
  signature: string;
  length: number;
  revision: number;
  checksum: number;
  oemId: string;
  oemTableId: string;
  oemRevision: number;
  creatorId: string;
  creatorRevision: number;
  /** how OEM ID / OEM Table ID / Creator ID shorter than their fields are padded (QEMU: NUL) */
  padding: NamePadding;

  constructor(f: TableHeaderFields, padding: NamePadding = 'nul') {
    this.signature = f.signature;
    this.length = f.length;
    this.revision = f.revision;
    this.checksum = f.checksum;
    this.oemId = f.oemId;
    this.oemTableId = f.oemTableId;
    this.oemRevision = f.oemRevision;
    this.creatorId = f.creatorId;
    this.creatorRevision = f.creatorRevision;
    this.padding = padding;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    if (!/^[\x20-\x7e]{4}$/.test(this.signature)) {
      throw new EncodeError({ code: 'bad_value', path: p('signature'), message: `signature must be 4 printable ASCII characters, got ${JSON.stringify(this.signature)}` });
    }
    if (this.length < TABLE_HEADER_LENGTH) {
      throw new EncodeError({ code: 'bad_length', path: p('length'), message: `table length ${this.length} is shorter than the ${TABLE_HEADER_LENGTH}-byte header` });
    }
    w.ascii(offset + 0, this.signature, 4, p('signature'));
    w.u32(offset + 4, this.length, p('length'));
    w.u8(offset + 8, this.revision, p('revision'));
    w.u8(offset + 9, this.checksum, p('checksum'));
    writeNameField(w, offset + 10, this.oemId, 6, this.padding, p('oemId'));
    writeNameField(w, offset + 16, this.oemTableId, 8, this.padding, p('oemTableId'));
    w.u32(offset + 24, this.oemRevision, p('oemRevision'));
    writeNameField(w, offset + 28, this.creatorId, 4, this.padding, p('creatorId'));
    w.u32(offset + 32, this.creatorRevision, p('creatorRevision'));
  }

  toJSON(): TableHeaderFields {
    const { signature, length, revision, checksum, oemId, oemTableId, oemRevision, creatorId, creatorRevision } = this;
    return { signature, length, revision, checksum, oemId, oemTableId, oemRevision, creatorId, creatorRevision };
  }
}

/**
 * Reads the header at window offset `offset`. Checks only that 36 bytes are present; the caller
 * decides what to do with a Length that disagrees with the bytes (see `tableWindow`).
 */
export function decodeTableHeader(input: Uint8Array | ByteReader, offset = 0): TableHeader {
  const r = input instanceof ByteReader ? input : new ByteReader(input);
  r.need(offset, TABLE_HEADER_LENGTH, 'header');
  const b = r.bytes;
  const a = r.abs(offset);
  return new TableHeader({
    signature: readNameField(b, a, 4).padEnd(4, '\0'),
    length: r.u32(offset + 4, 'header.length'),
    revision: r.u8(offset + 8, 'header.revision'),
    checksum: r.u8(offset + 9, 'header.checksum'),
    oemId: readNameField(b, a + 10, 6),
    oemTableId: readNameField(b, a + 16, 8),
    oemRevision: r.u32(offset + 24, 'header.oemRevision'),
    creatorId: readNameField(b, a + 28, 4),
    creatorRevision: r.u32(offset + 32, 'header.creatorRevision'),
  });
}

/**
 * A reader over exactly one table: checks the Length field against the bytes present (never
 * trusts it) and that it covers at least the header. `expectSignature` adds a signature check.
 */
export function tableWindow(input: Uint8Array | ByteReader, expectSignature?: string, offset = 0): { header: TableHeader; r: ByteReader } {
  const outer = input instanceof ByteReader ? input : new ByteReader(input);
  const header = decodeTableHeader(outer, offset);
  if (expectSignature !== undefined && header.signature !== expectSignature) {
    throw outer.error('bad_signature', offset, 'header.signature', `expected ${JSON.stringify(expectSignature)}, found ${JSON.stringify(header.signature)}`);
  }
  if (header.length < TABLE_HEADER_LENGTH) {
    throw outer.error('bad_length', offset + 4, 'header.length', `table length ${header.length} is shorter than the ${TABLE_HEADER_LENGTH}-byte header`);
  }
  if (offset + header.length > outer.length) {
    throw outer.error('truncated', offset + 4, 'header.length', `table length ${header.length} exceeds the ${outer.length - offset} byte(s) present`);
  }
  return { header, r: outer.sub(offset, header.length) };
}

/** Result of checking a table checksum. */
export interface ChecksumCheck {
  ok: boolean;
  /** the checksum byte found */
  stored: number;
  /** the byte that would make the table sum to 0 */
  expected: number;
}

/** Checks the 8-bit sum of the table at `offset` (Length bytes, bounded by the bytes present). */
export function verifyTableChecksum(bytes: Uint8Array, offset = 0): ChecksumCheck {
  const { header } = tableWindow(bytes, undefined, offset);
  const stored = bytes[offset + TABLE_CHECKSUM_OFFSET];
  const expected = acpiChecksum(bytes, offset, header.length, offset + TABLE_CHECKSUM_OFFSET);
  return { ok: sum8(bytes, offset, header.length) === 0, stored, expected };
}

/** Fails with `bad_checksum` (at the checksum byte) unless the table sums to 0. */
export function assertTableChecksum(bytes: Uint8Array, offset = 0, path = ''): void {
  const c = verifyTableChecksum(bytes, offset);
  if (!c.ok) {
    throw new DecodeError({
      code: 'bad_checksum',
      offset: offset + TABLE_CHECKSUM_OFFSET,
      path: joinPath(path, 'header.checksum'),
      message: `table checksum is 0x${hex2(c.stored)}, should be 0x${hex2(c.expected)}`,
    });
  }
}

/** Writes the checksum byte of the table at `offset` so it sums to 0; returns the byte. */
export function applyTableChecksum(bytes: Uint8Array, offset = 0): number {
  const { header } = tableWindow(bytes, undefined, offset);
  const c = acpiChecksum(bytes, offset, header.length, offset + TABLE_CHECKSUM_OFFSET);
  bytes[offset + TABLE_CHECKSUM_OFFSET] = c;
  return c;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
