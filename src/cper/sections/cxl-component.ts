import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { Flags64, flags64Field, flags64Value, FlagTable, u64, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import {
  checkBits,
  checkLength,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readHex,
  readTrailing,
  validationBitsFrom,
  writeHex,
  slotWordInput,
} from './section-body-fields';

/**
 * CXL component event sections (UEFI N.2.14). One layout serves every CXL event-record type; the
 * section type GUID is the CXL event-record identifier (general media, DRAM, memory module,
 * physical switch, virtual switch, MLD port, memory sparing), so one codec is made per GUID by
 * `cxlComponentCodec`. 32 + log bytes:
 *   0 length u32 (the whole structure, this header included) · 4 validation bits u64 ·
 *   12 device ID 12 bytes (vendor u16, device u16, function u8, device u8, bus u8, segment u16,
 *   slot u16 with the number in 15:3, reserved u8) · 24 serial number u64 ·
 *   32 the CXL component event log, starting at the event record's Common Event Record
 *   (CXL offset 16, after the record's own identifier GUID).
 * The length is checked against the body before the log is read; bytes after it are kept as
 * `trailing`; the model has no length field (it is 32 + the log's size). Linux's GHES path drops
 * a record whose length is not larger than the 32-byte header; this decoder accepts an empty log.
 */

export const CXL_COMPONENT_HEADER_LENGTH = 32;

export const CXL_COMPONENT_VALIDATION_BITS: FlagTable = { 0: 'deviceId', 1: 'serialNumber', 2: 'eventLog' };

export const CXL_COMPONENT_KINDS = [
  SECTION_TYPES.cxlGeneralMedia,
  SECTION_TYPES.cxlDram,
  SECTION_TYPES.cxlMemoryModule,
  SECTION_TYPES.cxlPhysicalSwitch,
  SECTION_TYPES.cxlVirtualSwitch,
  SECTION_TYPES.cxlMldPort,
  SECTION_TYPES.cxlMemorySparing,
] as const;

export type CxlComponentKind = (typeof CXL_COMPONENT_KINDS)[number]['name'];

export interface CxlComponentDeviceId {
  vendorId: number;
  deviceId: number;
  function: number;
  device: number;
  bus: number;
  segment: number;
  slot: number;
  slotReserved: number;
  reserved: number;
}

export interface CxlComponentSection<K extends CxlComponentKind = CxlComponentKind> {
  type: K;
  guid: string;
  validationBits: Flags64;
  deviceId: CxlComponentDeviceId;
  serialNumber: bigint;
  eventLog: HexString;
  trailing?: HexString;
}

function decode<K extends CxlComponentKind>(r: ByteReader, name: K, guid: string): CxlComponentSection<K> {
  const length = r.u32(0, 'length');
  if (length < CXL_COMPONENT_HEADER_LENGTH) {
    throw r.error('bad_length', 0, 'length', `length ${length} is smaller than the ${CXL_COMPONENT_HEADER_LENGTH}-byte header`);
  }
  checkLength(r, 0, 'length', 0, length);
  const d = r.sub(12, 12, 'deviceId');
  const slotWord = d.u16(9, 'slot');
  const s: CxlComponentSection<K> = {
    type: name,
    guid,
    validationBits: flags64Value(CXL_COMPONENT_VALIDATION_BITS, r.u64(4, 'validationBits')),
    deviceId: {
      vendorId: d.u16(0, 'vendorId'),
      deviceId: d.u16(2, 'deviceId'),
      function: d.u8(4, 'function'),
      device: d.u8(5, 'device'),
      bus: d.u8(6, 'bus'),
      segment: d.u16(7, 'segment'),
      slot: slotWord >>> 3,
      slotReserved: slotWord & 7,
      reserved: d.u8(11, 'reserved'),
    },
    serialNumber: r.u64(24, 'serialNumber'),
    eventLog: readHex(r, CXL_COMPONENT_HEADER_LENGTH, length - CXL_COMPONENT_HEADER_LENGTH, 'eventLog'),
  };
  const trailing = readTrailing(r, length);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: CxlComponentSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  const id = s.deviceId;
  const logLength = hexByteLength(s.eventLog);
  w.u32(o, CXL_COMPONENT_HEADER_LENGTH + logLength, p('length'));
  w.u64(o + 4, s.validationBits.raw, p('validationBits'));
  w.u16(o + 12, id.vendorId, p('deviceId.vendorId'));
  w.u16(o + 14, id.deviceId, p('deviceId.deviceId'));
  w.u8(o + 16, id.function, p('deviceId.function'));
  w.u8(o + 17, id.device, p('deviceId.device'));
  w.u8(o + 18, id.bus, p('deviceId.bus'));
  w.u16(o + 19, id.segment, p('deviceId.segment'));
  w.u16(o + 21, (checkBits(id.slot, 0x1fff, p('deviceId.slot')) << 3) | checkBits(id.slotReserved, 7, p('deviceId.slotReserved')), p('deviceId.slot'));
  w.u8(o + 23, id.reserved, p('deviceId.reserved'));
  w.u64(o + 24, s.serialNumber, p('serialNumber'));
  writeHex(w, o + CXL_COMPONENT_HEADER_LENGTH, s.eventLog, p('eventLog'));
  if (s.trailing !== undefined) writeHex(w, o + CXL_COMPONENT_HEADER_LENGTH + logLength, s.trailing, p('trailing'));
}

function inputFor<K extends CxlComponentKind>(name: K, guid: string): z.ZodType<CxlComponentSection<K>> {
  return z
    .strictObject({
      ...identityShape(name, [guid]),
      validationBits: flags64Field(CXL_COMPONENT_VALIDATION_BITS).optional(),
      deviceId: z
        .strictObject({
          vendorId: uint(16).optional(),
          deviceId: uint(16).optional(),
          function: uint(8).optional(),
          device: uint(8).optional(),
          bus: uint(8).optional(),
          segment: uint(16).optional(),
          ...slotWordInput(),
          reserved: uint(8).optional(),
        })
        .optional(),
      serialNumber: u64.optional(),
      eventLog: hexField().optional(),
      trailing: hexField().optional(),
    })
    .transform((v): CxlComponentSection<K> => {
      const id = v.deviceId ?? {};
      const s: CxlComponentSection<K> = {
        type: name,
        guid,
        validationBits: validationBitsFrom(CXL_COMPONENT_VALIDATION_BITS, v.validationBits, {
          deviceId: v.deviceId !== undefined,
          serialNumber: v.serialNumber !== undefined,
          eventLog: v.eventLog !== undefined,
        }),
        deviceId: {
          vendorId: id.vendorId ?? 0,
          deviceId: id.deviceId ?? 0,
          function: id.function ?? 0,
          device: id.device ?? 0,
          bus: id.bus ?? 0,
          segment: id.segment ?? 0,
          slot: id.slot ?? 0,
          slotReserved: id.slotReserved ?? 0,
          reserved: id.reserved ?? 0,
        },
        serialNumber: v.serialNumber ?? 0n,
        eventLog: v.eventLog ?? '',
      };
      if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
      return s;
    });
}

/** The codec of one CXL component event type (the layout is shared; name and GUID differ). */
export function cxlComponentCodec<K extends CxlComponentKind>(name: K): SectionCodec<CxlComponentSection<K>> {
  const info = CXL_COMPONENT_KINDS.find((k) => k.name === name);
  if (info === undefined) throw new TypeError(`not a CXL component event section: ${name}`);
  return {
    name: info.name,
    guid: info.guid,
    title: info.title,
    minLength: CXL_COMPONENT_HEADER_LENGTH,
    decode: (r) => decode(r, name, info.guid),
    byteLength: (s) => CXL_COMPONENT_HEADER_LENGTH + hexByteLength(s.eventLog) + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
    encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
    input: inputFor(name, info.guid),
  };
}

/** One codec per CXL component event GUID. */
export const CXL_COMPONENT_CODECS: SectionCodec<CxlComponentSection>[] = CXL_COMPONENT_KINDS.map((k) => cxlComponentCodec(k.name));
