import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, u64, uint } from '../json/fields';
import type { CperOptions, SectionCodec } from './SectionCodec';
import { HexString, hexByteLength, hexField, identityShape, readHex, readTrailing, writeHex, zeroHex } from './section-body-fields';

/**
 * DMAr generic error section (UEFI N.2.11.1), 32 bytes, no validation bits:
 *   0 requester ID u16 · 2 segment number u16 · 4 fault reason u8 · 5 access type u8 ·
 *   6 address type u8 · 7 architecture type u8 · 8 device address u64 · 16 reserved 16 bytes.
 *
 * Two enumerations are disputed between sources:
 * - AccessType: the UEFI specification (and libcper) say 0 = DMA write, 1 = DMA read; edk2's
 *   Cper.h defines READ = 0, WRITE = 1. The byte is kept as is; which name it gets is the explicit
 *   `accessTypeEncoding` of the model ('uefi', the default, or 'edk2'), chosen on decode by the
 *   `dmarAccessType` option and on input by the field of that name.
 * - ArchitectureType: UEFI and edk2 agree on 1 = VT-d, 2 = IOMMU; libcper decodes 0 as VT-d and
 *   1 as IOMMU, which is off by one. The UEFI values are used.
 */

const INFO = SECTION_TYPES.dmarGeneric;
export const DMAR_GENERIC_BODY_LENGTH = 32;

export type DmarAccessTypeEncoding = 'uefi' | 'edk2';

/** The option this codec reads besides the common ones (absent = 'uefi'). */
export interface DmarCperOptions extends CperOptions {
  dmarAccessType?: DmarAccessTypeEncoding;
}

export const DMAR_FAULT_REASONS: EnumTable = {
  1: 'entryNotPresent',
  2: 'invalidEntry',
  3: 'mappingTableAccessError',
  4: 'mappingTableReservedBit',
  5: 'addressBeyondWidth',
  6: 'invalidReadWrite',
  7: 'invalidDeviceRequest',
  8: 'translationTableAccessError',
  9: 'translationTableReservedBit',
  10: 'illegalCommand',
  11: 'commandBufferAccessError',
};

export const DMAR_ACCESS_TYPES: Readonly<Record<DmarAccessTypeEncoding, EnumTable>> = {
  uefi: { 0: 'write', 1: 'read' },
  edk2: { 0: 'read', 1: 'write' },
};

export const DMAR_ADDRESS_TYPES: EnumTable = { 0: 'untranslated', 1: 'translationRequest' };
export const DMAR_ARCHITECTURE_TYPES: EnumTable = { 1: 'vtd', 2: 'iommu' };

export interface DmarGenericSection {
  type: 'dmarGeneric';
  guid: string;
  requesterId: number;
  segmentNumber: number;
  faultReason: EnumValue;
  /** which table named `accessType` */
  accessTypeEncoding: DmarAccessTypeEncoding;
  accessType: EnumValue;
  addressType: EnumValue;
  architectureType: EnumValue;
  deviceAddress: bigint;
  reserved: HexString;
  trailing?: HexString;
}

export function dmarAccessTypeEncoding(opts: CperOptions): DmarAccessTypeEncoding {
  return (opts as DmarCperOptions).dmarAccessType ?? 'uefi';
}

function decode(r: ByteReader, opts: CperOptions): DmarGenericSection {
  const encoding = dmarAccessTypeEncoding(opts);
  const s: DmarGenericSection = {
    type: 'dmarGeneric',
    guid: INFO.guid,
    requesterId: r.u16(0, 'requesterId'),
    segmentNumber: r.u16(2, 'segmentNumber'),
    faultReason: enumValue(DMAR_FAULT_REASONS, r.u8(4, 'faultReason')),
    accessTypeEncoding: encoding,
    accessType: enumValue(DMAR_ACCESS_TYPES[encoding], r.u8(5, 'accessType')),
    addressType: enumValue(DMAR_ADDRESS_TYPES, r.u8(6, 'addressType')),
    architectureType: enumValue(DMAR_ARCHITECTURE_TYPES, r.u8(7, 'architectureType')),
    deviceAddress: r.u64(8, 'deviceAddress'),
    reserved: readHex(r, 16, 16, 'reserved'),
  };
  const trailing = readTrailing(r, DMAR_GENERIC_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: DmarGenericSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u16(o, s.requesterId, p('requesterId'));
  w.u16(o + 2, s.segmentNumber, p('segmentNumber'));
  w.u8(o + 4, s.faultReason.value, p('faultReason'));
  w.u8(o + 5, s.accessType.value, p('accessType'));
  w.u8(o + 6, s.addressType.value, p('addressType'));
  w.u8(o + 7, s.architectureType.value, p('architectureType'));
  w.u64(o + 8, s.deviceAddress, p('deviceAddress'));
  writeHex(w, o + 16, s.reserved, p('reserved'), 16);
  if (s.trailing !== undefined) writeHex(w, o + DMAR_GENERIC_BODY_LENGTH, s.trailing, p('trailing'));
}

const ACCESS_UEFI = enumField(DMAR_ACCESS_TYPES.uefi);
const ACCESS_EDK2 = enumField(DMAR_ACCESS_TYPES.edk2);

/**
 * JSON form: every field optional (zero when absent; architectureType defaults to 1, VT-d).
 * `accessType` names are read in `accessTypeEncoding` (default 'uefi': write = 0, read = 1); a
 * number or `{ value }` is taken as the byte itself.
 */
export const dmarGenericInput: z.ZodType<DmarGenericSection> = z
  .strictObject({
    ...identityShape('dmarGeneric', [INFO.guid]),
    requesterId: uint(16).optional(),
    segmentNumber: uint(16).optional(),
    faultReason: enumField(DMAR_FAULT_REASONS).optional(),
    accessTypeEncoding: z.enum(['uefi', 'edk2']).optional(),
    accessType: z.unknown().optional(),
    addressType: enumField(DMAR_ADDRESS_TYPES).optional(),
    architectureType: enumField(DMAR_ARCHITECTURE_TYPES).optional(),
    deviceAddress: u64.optional(),
    reserved: hexField(16).optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): DmarGenericSection => {
    const encoding = v.accessTypeEncoding ?? 'uefi';
    let accessType = enumValue(DMAR_ACCESS_TYPES[encoding], 0);
    if (v.accessType !== undefined) {
      const parsed = (encoding === 'uefi' ? ACCESS_UEFI : ACCESS_EDK2).safeParse(v.accessType);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['accessType', ...issue.path.map(String)], message: issue.message });
        return z.NEVER;
      }
      accessType = parsed.data;
    }
    const s: DmarGenericSection = {
      type: 'dmarGeneric',
      guid: INFO.guid,
      requesterId: v.requesterId ?? 0,
      segmentNumber: v.segmentNumber ?? 0,
      faultReason: v.faultReason ?? enumValue(DMAR_FAULT_REASONS, 0),
      accessTypeEncoding: encoding,
      accessType,
      addressType: v.addressType ?? enumValue(DMAR_ADDRESS_TYPES, 0),
      architectureType: v.architectureType ?? enumValue(DMAR_ARCHITECTURE_TYPES, 1),
      deviceAddress: v.deviceAddress ?? 0n,
      reserved: v.reserved ?? zeroHex(16),
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const dmarGenericCodec: SectionCodec<DmarGenericSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: DMAR_GENERIC_BODY_LENGTH,
  decode: (r, opts) => decode(r, opts),
  byteLength: (s) => DMAR_GENERIC_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: dmarGenericInput,
};
