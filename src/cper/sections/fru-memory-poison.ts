import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, Flags64, flags64Field, flags64Value, FlagTable, u64, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import { checkCount, HexString, hexByteLength, hexField, identityShape, readTrailing, validationBitsFrom, writeHex } from './section-body-fields';

/**
 * FRU memory poison section (newest UEFI text only; Linux's AMD FRU memory poison manager uses
 * the same layout), 40 + 32·N bytes:
 *   0 checksum u32 · 4 validation bits u64 · 12 FRU architecture type u32 · 16 FRU architecture
 *   value u64 · 24 FRU ID type u32 · 28 FRU ID value u64 · 36 entry count N u32 ·
 *   40 N poison descriptors of 32 bytes: timestamp u64, hardware ID type u32, hardware ID u64,
 *   address type u32, address u64.
 *
 * Checksum: the section "sums to zero". Linux (`do_fmp_checksum`) adds every byte after the
 * checksum field as an unsigned byte into a u32 and stores the two's complement, so
 * checksum + Σ bytes[4..] ≡ 0 (mod 2^32). That rule is used here (`fruPoisonChecksum`). The
 * decoder keeps the stored checksum as is (a wrong one is reported by `fruPoisonChecksumOk`, not
 * rejected), so a bad record can be reproduced byte for byte.
 */

const INFO = SECTION_TYPES.fruMemoryPoison;
export const FRU_POISON_HEADER_LENGTH = 40;
export const FRU_POISON_ENTRY_LENGTH = 32;

export const FRU_POISON_VALIDATION_BITS: FlagTable = {
  0: 'fruArchitectureType',
  1: 'fruArchitecture',
  2: 'fruIdType',
  3: 'fruId',
  4: 'entryCount',
  5: 'entries',
};

/** 0: the architecture value is x86 CPUID Fn0000_0001 EAX (family/model/stepping). */
export const FRU_ARCHITECTURE_TYPES: EnumTable = { 0: 'x86Cpuid1Eax' };
/** 0: the FRU ID is an x86 protected processor inventory number (PPIN). */
export const FRU_ID_TYPES: EnumTable = { 0: 'x86Ppin' };
/** 0: the hardware ID is an MCA_IPID register value. */
export const FRU_POISON_HARDWARE_ID_TYPES: EnumTable = { 0: 'mcaIpid' };
/** 0: the address is an MCA_ADDR register value. */
export const FRU_POISON_ADDRESS_TYPES: EnumTable = { 0: 'mcaAddr' };

export interface FruPoisonEntry {
  timestamp: bigint;
  hardwareIdType: EnumValue;
  hardwareId: bigint;
  addressType: EnumValue;
  address: bigint;
}

export interface FruMemoryPoisonSection {
  type: 'fruMemoryPoison';
  guid: string;
  checksum: number;
  validationBits: Flags64;
  fruArchitectureType: EnumValue;
  fruArchitecture: bigint;
  fruIdType: EnumValue;
  fruId: bigint;
  entries: FruPoisonEntry[];
  trailing?: HexString;
}

/** Linux's checksum of a section body: two's complement of the byte sum after the checksum field. */
export function fruPoisonChecksum(body: Uint8Array): number {
  let sum = 0;
  for (let i = 4; i < body.length; i++) sum = (sum + body[i]) >>> 0;
  return (0x1_0000_0000 - sum) % 0x1_0000_0000;
}

/** Whether the stored checksum of a body makes it sum to zero. */
export function fruPoisonChecksumOk(body: Uint8Array): boolean {
  if (body.length < 4) return false;
  const stored = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  return stored === fruPoisonChecksum(body);
}

function decode(r: ByteReader): FruMemoryPoisonSection {
  const checksum = r.u32(0, 'checksum');
  const validationBits = flags64Value(FRU_POISON_VALIDATION_BITS, r.u64(4, 'validationBits'));
  const fruArchitectureType = enumValue(FRU_ARCHITECTURE_TYPES, r.u32(12, 'fruArchitectureType'));
  const fruArchitecture = r.u64(16, 'fruArchitecture');
  const fruIdType = enumValue(FRU_ID_TYPES, r.u32(24, 'fruIdType'));
  const fruId = r.u64(28, 'fruId');
  const count = r.u32(36, 'entryCount');
  checkCount(r, 36, 'entryCount', count, FRU_POISON_ENTRY_LENGTH, FRU_POISON_HEADER_LENGTH);
  const entries: FruPoisonEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = r.sub(FRU_POISON_HEADER_LENGTH + FRU_POISON_ENTRY_LENGTH * i, FRU_POISON_ENTRY_LENGTH, `entries[${i}]`);
    entries.push({
      timestamp: e.u64(0, 'timestamp'),
      hardwareIdType: enumValue(FRU_POISON_HARDWARE_ID_TYPES, e.u32(8, 'hardwareIdType')),
      hardwareId: e.u64(12, 'hardwareId'),
      addressType: enumValue(FRU_POISON_ADDRESS_TYPES, e.u32(20, 'addressType')),
      address: e.u64(24, 'address'),
    });
  }
  const s: FruMemoryPoisonSection = { type: 'fruMemoryPoison', guid: INFO.guid, checksum, validationBits, fruArchitectureType, fruArchitecture, fruIdType, fruId, entries };
  const trailing = readTrailing(r, FRU_POISON_HEADER_LENGTH + FRU_POISON_ENTRY_LENGTH * count);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function byteLength(s: FruMemoryPoisonSection): number {
  return FRU_POISON_HEADER_LENGTH + FRU_POISON_ENTRY_LENGTH * s.entries.length + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
}

function encode(w: ByteWriter, o: number, s: FruMemoryPoisonSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u32(o, s.checksum, p('checksum'));
  w.u64(o + 4, s.validationBits.raw, p('validationBits'));
  w.u32(o + 12, s.fruArchitectureType.value, p('fruArchitectureType'));
  w.u64(o + 16, s.fruArchitecture, p('fruArchitecture'));
  w.u32(o + 24, s.fruIdType.value, p('fruIdType'));
  w.u64(o + 28, s.fruId, p('fruId'));
  w.u32(o + 36, s.entries.length, p('entryCount'));
  s.entries.forEach((e, i) => {
    const at = o + FRU_POISON_HEADER_LENGTH + FRU_POISON_ENTRY_LENGTH * i;
    const q = (f: string) => p(`entries[${i}].${f}`);
    w.u64(at, e.timestamp, q('timestamp'));
    w.u32(at + 8, e.hardwareIdType.value, q('hardwareIdType'));
    w.u64(at + 12, e.hardwareId, q('hardwareId'));
    w.u32(at + 20, e.addressType.value, q('addressType'));
    w.u64(at + 24, e.address, q('address'));
  });
  if (s.trailing !== undefined) writeHex(w, o + FRU_POISON_HEADER_LENGTH + FRU_POISON_ENTRY_LENGTH * s.entries.length, s.trailing, p('trailing'));
}

const entryInput = z
  .strictObject({
    timestamp: u64.optional(),
    hardwareIdType: enumField(FRU_POISON_HARDWARE_ID_TYPES, 32).optional(),
    hardwareId: u64.optional(),
    addressType: enumField(FRU_POISON_ADDRESS_TYPES, 32).optional(),
    address: u64.optional(),
  })
  .transform(
    (e): FruPoisonEntry => ({
      timestamp: e.timestamp ?? 0n,
      hardwareIdType: e.hardwareIdType ?? enumValue(FRU_POISON_HARDWARE_ID_TYPES, 0),
      hardwareId: e.hardwareId ?? 0n,
      addressType: e.addressType ?? enumValue(FRU_POISON_ADDRESS_TYPES, 0),
      address: e.address ?? 0n,
    }),
  );

/**
 * JSON form: every field optional. The entry count is the length of `entries`. Without
 * `validationBits` the bits of the fields present are set (`entries` sets entryCount and entries).
 * Without `checksum` the correct one is computed; a given checksum is written as is.
 */
export const fruMemoryPoisonInput: z.ZodType<FruMemoryPoisonSection> = z
  .strictObject({
    ...identityShape('fruMemoryPoison', [INFO.guid]),
    checksum: uint(32).optional(),
    validationBits: flags64Field(FRU_POISON_VALIDATION_BITS).optional(),
    fruArchitectureType: enumField(FRU_ARCHITECTURE_TYPES, 32).optional(),
    fruArchitecture: u64.optional(),
    fruIdType: enumField(FRU_ID_TYPES, 32).optional(),
    fruId: u64.optional(),
    entries: z.array(entryInput).optional(),
    trailing: hexField().optional(),
  })
  .transform((v): FruMemoryPoisonSection => {
    const s: FruMemoryPoisonSection = {
      type: 'fruMemoryPoison',
      guid: INFO.guid,
      checksum: 0,
      validationBits: validationBitsFrom(FRU_POISON_VALIDATION_BITS, v.validationBits, {
        fruArchitectureType: v.fruArchitectureType !== undefined,
        fruArchitecture: v.fruArchitecture !== undefined,
        fruIdType: v.fruIdType !== undefined,
        fruId: v.fruId !== undefined,
        entryCount: v.entries !== undefined,
        entries: v.entries !== undefined,
      }),
      fruArchitectureType: v.fruArchitectureType ?? enumValue(FRU_ARCHITECTURE_TYPES, 0),
      fruArchitecture: v.fruArchitecture ?? 0n,
      fruIdType: v.fruIdType ?? enumValue(FRU_ID_TYPES, 0),
      fruId: v.fruId ?? 0n,
      entries: v.entries ?? [],
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    if (v.checksum !== undefined) s.checksum = v.checksum;
    else {
      const w = new ByteWriter(byteLength(s));
      encode(w, 0, s, '');
      s.checksum = fruPoisonChecksum(w.bytes);
    }
    return s;
  });

export const fruMemoryPoisonCodec: SectionCodec<FruMemoryPoisonSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: FRU_POISON_HEADER_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => byteLength(s),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: fruMemoryPoisonInput,
};
