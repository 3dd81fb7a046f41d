import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { acpiChecksum, sum8 } from '../binary/checksum';
import { EncodeError, joinPath } from '../binary/errors';
import { NamePadding, readNameField, writeNameField } from './ascii';

export const RSDP_SIGNATURE = 'RSD PTR ';
/** ACPI 1.0 RSDP (revision 0): signature, checksum, OEM ID, revision, RSDT address. */
export const RSDP_V1_LENGTH = 20;
/** ACPI 2.0+ RSDP (revision 2): adds length, XSDT address, extended checksum, 3 reserved bytes. */
export const RSDP_V2_LENGTH = 36;

/**
 * Root System Description Pointer.
 * 0 Signature "RSD PTR " · 8 Checksum (bytes 0–19 sum to 0) · 9 OEM ID 6 · 15 Revision · 16 RSDT
 * address u32 · 20 Length u32 · 24 XSDT address u64 · 32 Extended checksum (bytes 0–35 sum to 0) ·
 * 33 Reserved 3. Revision 0 is the 20-byte ACPI 1.0 form; revision 2 (still 2 in ACPI 6.6) is 36
 * bytes. Like ACPICA, a revision ≥ 2 means the extended form.
 */
export interface RsdpFields {
  oemId: string;
  revision: number;
  rsdtAddress: number;
  /** revision ≥ 2 only */
  xsdtAddress?: bigint;
  /** revision ≥ 2 only; the Length field (36 when encoded) */
  length?: number;
  checksum?: number;
  extendedChecksum?: number;
  /** revision ≥ 2 only; must be zero */
  reserved?: Uint8Array;
}

export class Rsdp implements Encodable {
  readonly oemId: string;
  readonly revision: number;
  readonly rsdtAddress: number;
  readonly xsdtAddress: bigint;
  /** Length field as read (decoded) or 36 (encoded, revision ≥ 2) */
  readonly length: number;
  /** checksum bytes as read; recomputed when written */
  readonly checksum: number;
  readonly extendedChecksum: number;
  readonly reserved: Uint8Array;
  readonly padding: NamePadding;

  constructor(f: RsdpFields, padding: NamePadding = 'nul') {
    this.oemId = f.oemId;
    this.revision = f.revision;
    this.rsdtAddress = f.rsdtAddress;
    this.xsdtAddress = f.xsdtAddress ?? 0n;
    this.length = f.revision >= 2 ? (f.length ?? RSDP_V2_LENGTH) : RSDP_V1_LENGTH;
    this.checksum = f.checksum ?? 0;
    this.extendedChecksum = f.extendedChecksum ?? 0;
    this.reserved = f.reserved ?? new Uint8Array(3);
    this.padding = padding;
  }

  /** 20 for revision 0 and 1, 36 for revision ≥ 2. */
  get byteLength(): number {
    return this.revision >= 2 ? RSDP_V2_LENGTH : RSDP_V1_LENGTH;
  }

  /** Writes the RSDP with both checksums: zero them, checksum bytes 0–19, then extended over 0–35. */
  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    if (this.revision === 1) {
      throw new EncodeError({ code: 'bad_value', path: p('revision'), message: 'RSDP revision 1 is not defined (0 = ACPI 1.0, 2 = ACPI 2.0+)' });
    }
    w.ascii(offset, RSDP_SIGNATURE, 8, p('signature'));
    w.u8(offset + 8, 0, p('checksum'));
    writeNameField(w, offset + 9, this.oemId, 6, this.padding, p('oemId'));
    w.u8(offset + 15, this.revision, p('revision'));
    w.u32(offset + 16, this.rsdtAddress, p('rsdtAddress'));
    if (this.revision >= 2) {
      w.u32(offset + 20, RSDP_V2_LENGTH, p('length'));
      w.u64(offset + 24, this.xsdtAddress, p('xsdtAddress'));
      w.u8(offset + 32, 0, p('extendedChecksum'));
      w.fill(offset + 33, 3, 0, p('reserved'));
    }
    const b = w.bytes;
    b[offset + 8] = acpiChecksum(b, offset, RSDP_V1_LENGTH, offset + 8);
    if (this.revision >= 2) b[offset + 32] = acpiChecksum(b, offset, RSDP_V2_LENGTH, offset + 32);
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { signature: RSDP_SIGNATURE, checksum: this.checksum, oemId: this.oemId, revision: this.revision, rsdtAddress: this.rsdtAddress };
    if (this.revision >= 2) {
      out.length = this.length;
      out.xsdtAddress = this.xsdtAddress;
      out.extendedChecksum = this.extendedChecksum;
    }
    return out;
  }
}

export interface RsdpDecodeOptions {
  /** check both checksums (default true); Linux validates the RSDP strictly */
  verifyChecksums?: boolean;
}

/**
 * Decodes an RSDP at `offset`: signature, checksum of bytes 0–19, and for revision ≥ 2 the Length
 * field (checked against the bytes present before it is used) and the extended checksum.
 */
export function decodeRsdp(input: Uint8Array | ByteReader, offset = 0, options: RsdpDecodeOptions = {}): Rsdp {
  const r = input instanceof ByteReader ? input : new ByteReader(input);
  const verify = options.verifyChecksums ?? true;
  r.need(offset, RSDP_V1_LENGTH, 'rsdp');
  const a = r.abs(offset);
  const sig = readNameField(r.bytes, a, 8);
  if (sig !== RSDP_SIGNATURE) throw r.error('bad_signature', offset, 'signature', `expected "RSD PTR ", found ${JSON.stringify(sig)}`);
  const checksum = r.u8(offset + 8, 'checksum');
  if (verify && sum8(r.bytes, a, RSDP_V1_LENGTH) !== 0) {
    throw r.error('bad_checksum', offset + 8, 'checksum', `bytes 0-19 sum to 0x${sum8(r.bytes, a, RSDP_V1_LENGTH).toString(16)}; checksum should be 0x${acpiChecksum(r.bytes, a, RSDP_V1_LENGTH, a + 8).toString(16)}`);
  }
  const revision = r.u8(offset + 15, 'revision');
  const fields: RsdpFields = { oemId: readNameField(r.bytes, a + 9, 6), revision, rsdtAddress: r.u32(offset + 16, 'rsdtAddress'), checksum };
  if (revision >= 2) {
    r.need(offset, RSDP_V2_LENGTH, 'rsdp');
    const length = r.u32(offset + 20, 'length');
    if (length < RSDP_V2_LENGTH) throw r.error('bad_length', offset + 20, 'length', `RSDP length ${length} is shorter than ${RSDP_V2_LENGTH}`);
    if (offset + length > r.length) throw r.error('truncated', offset + 20, 'length', `RSDP length ${length} exceeds the ${r.length - offset} byte(s) present`);
    if (verify && sum8(r.bytes, a, length) !== 0) {
      throw r.error('bad_checksum', offset + 32, 'extendedChecksum', `bytes 0-${length - 1} sum to 0x${sum8(r.bytes, a, length).toString(16)}; extended checksum should be 0x${acpiChecksum(r.bytes, a, length, a + 32).toString(16)}`);
    }
    fields.length = length;
    fields.xsdtAddress = r.u64(offset + 24, 'xsdtAddress');
    fields.extendedChecksum = r.u8(offset + 32, 'extendedChecksum');
    fields.reserved = r.bytesAt(offset + 33, 3, 'reserved');
  }
  return new Rsdp(fields);
}
