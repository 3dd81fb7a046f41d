import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { Flags64, flags64Field, flags64Value, FlagTable, u64, uint } from '../json/fields';
import { decodeErrorStatus, ErrorStatus, errorStatusField } from './error-status';
import type { SectionCodec } from './SectionCodec';
import {
  checkBits,
  checkCount,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readHex,
  readTrailing,
  validationBitsFrom,
  writeHex,
  zeroHex,
} from './section-body-fields';

/**
 * PCI/PCI-X component error section (UEFI N.2.9), 40 + 16·(M + I) bytes:
 *   0 validation bits u64 · 8 error status u64 · 16 component ID 16 bytes (vendor u16, device u16,
 *   class code 3 bytes LE, function, device, bus, segment u8, 5 reserved) · 32 memory register
 *   count M u32 · 36 I/O register count I u32 · 40 M memory then I I/O register pairs
 *   {address u64, data u64}; 2 to 8 bytes of each data word are meaningful.
 * The spec's "Bytes 1-2: Device Id" is a typo for bytes 2-3.
 */

const INFO = SECTION_TYPES.pciComponent;
export const PCI_COMPONENT_HEADER_LENGTH = 40;
export const PCI_REGISTER_PAIR_LENGTH = 16;

export const PCI_COMPONENT_VALIDATION_BITS: FlagTable = {
  0: 'errorStatus',
  1: 'idInfo',
  2: 'memoryNumber',
  3: 'ioNumber',
  4: 'registerDataPairs',
};

export interface PciComponentId {
  vendorId: number;
  deviceId: number;
  classCode: number;
  function: number;
  device: number;
  bus: number;
  segment: number;
  /** bytes 11..15 */
  reserved: HexString;
}

export interface PciRegisterPair {
  address: bigint;
  data: bigint;
}

export interface PciComponentSection {
  type: 'pciComponent';
  guid: string;
  validationBits: Flags64;
  errorStatus: ErrorStatus;
  idInfo: PciComponentId;
  /** the first MemoryNumber pairs */
  memoryRegisters: PciRegisterPair[];
  /** the IoNumber pairs after them */
  ioRegisters: PciRegisterPair[];
  trailing?: HexString;
}

function readPairs(r: ByteReader, start: number, count: number, name: string): PciRegisterPair[] {
  const out: PciRegisterPair[] = [];
  for (let i = 0; i < count; i++) {
    const o = start + PCI_REGISTER_PAIR_LENGTH * i;
    out.push({ address: r.u64(o, `${name}[${i}].address`), data: r.u64(o + 8, `${name}[${i}].data`) });
  }
  return out;
}

function decode(r: ByteReader): PciComponentSection {
  const validationBits = flags64Value(PCI_COMPONENT_VALIDATION_BITS, r.u64(0, 'validationBits'));
  const errorStatus = decodeErrorStatus(r.u64(8, 'errorStatus'));
  const id = r.sub(16, 16, 'idInfo');
  const idInfo: PciComponentId = {
    vendorId: id.u16(0, 'vendorId'),
    deviceId: id.u16(2, 'deviceId'),
    classCode: id.u8(4, 'classCode') | (id.u8(5, 'classCode') << 8) | (id.u8(6, 'classCode') << 16),
    function: id.u8(7, 'function'),
    device: id.u8(8, 'device'),
    bus: id.u8(9, 'bus'),
    segment: id.u8(10, 'segment'),
    reserved: readHex(id, 11, 5, 'reserved'),
  };
  const memoryNumber = r.u32(32, 'memoryNumber');
  const ioNumber = r.u32(36, 'ioNumber');
  // both counts are checked against the bytes present before any pair is read
  checkCount(r, 32, 'memoryNumber', memoryNumber + ioNumber, PCI_REGISTER_PAIR_LENGTH, PCI_COMPONENT_HEADER_LENGTH);
  const memoryRegisters = readPairs(r, PCI_COMPONENT_HEADER_LENGTH, memoryNumber, 'memoryRegisters');
  const ioStart = PCI_COMPONENT_HEADER_LENGTH + PCI_REGISTER_PAIR_LENGTH * memoryNumber;
  const ioRegisters = readPairs(r, ioStart, ioNumber, 'ioRegisters');
  const s: PciComponentSection = { type: 'pciComponent', guid: INFO.guid, validationBits, errorStatus, idInfo, memoryRegisters, ioRegisters };
  const trailing = readTrailing(r, ioStart + PCI_REGISTER_PAIR_LENGTH * ioNumber);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function byteLength(s: PciComponentSection): number {
  return (
    PCI_COMPONENT_HEADER_LENGTH +
    PCI_REGISTER_PAIR_LENGTH * (s.memoryRegisters.length + s.ioRegisters.length) +
    (s.trailing === undefined ? 0 : hexByteLength(s.trailing))
  );
}

function encode(w: ByteWriter, o: number, s: PciComponentSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  const id = s.idInfo;
  w.u64(o, s.validationBits.raw, p('validationBits'));
  w.u64(o + 8, s.errorStatus.raw, p('errorStatus'));
  w.u16(o + 16, id.vendorId, p('idInfo.vendorId'));
  w.u16(o + 18, id.deviceId, p('idInfo.deviceId'));
  checkBits(id.classCode, 0xffffff, p('idInfo.classCode'));
  w.u8(o + 20, id.classCode & 0xff, p('idInfo.classCode'));
  w.u8(o + 21, (id.classCode >>> 8) & 0xff, p('idInfo.classCode'));
  w.u8(o + 22, id.classCode >>> 16, p('idInfo.classCode'));
  w.u8(o + 23, id.function, p('idInfo.function'));
  w.u8(o + 24, id.device, p('idInfo.device'));
  w.u8(o + 25, id.bus, p('idInfo.bus'));
  w.u8(o + 26, id.segment, p('idInfo.segment'));
  writeHex(w, o + 27, id.reserved, p('idInfo.reserved'), 5);
  w.u32(o + 32, s.memoryRegisters.length, p('memoryNumber'));
  w.u32(o + 36, s.ioRegisters.length, p('ioNumber'));
  let at = o + PCI_COMPONENT_HEADER_LENGTH;
  for (const [name, list] of [['memoryRegisters', s.memoryRegisters], ['ioRegisters', s.ioRegisters]] as const) {
    list.forEach((pair, i) => {
      w.u64(at, pair.address, p(`${name}[${i}].address`));
      w.u64(at + 8, pair.data, p(`${name}[${i}].data`));
      at += PCI_REGISTER_PAIR_LENGTH;
    });
  }
  if (s.trailing !== undefined) writeHex(w, at, s.trailing, p('trailing'));
}

const pairInput = z.strictObject({ address: u64, data: u64 });

/**
 * JSON form: every field optional. MemoryNumber and IoNumber are the array lengths. Without
 * `validationBits`, errorStatus / idInfo set their bits, and any register array given sets
 * memoryNumber, ioNumber and registerDataPairs.
 */
export const pciComponentInput: z.ZodType<PciComponentSection> = z
  .strictObject({
    ...identityShape('pciComponent', [INFO.guid]),
    validationBits: flags64Field(PCI_COMPONENT_VALIDATION_BITS).optional(),
    errorStatus: errorStatusField.optional(),
    idInfo: z
      .strictObject({
        vendorId: uint(16).optional(),
        deviceId: uint(16).optional(),
        classCode: uint(32).refine((n) => n <= 0xffffff, 'class code is 24 bits').optional(),
        function: uint(8).optional(),
        device: uint(8).optional(),
        bus: uint(8).optional(),
        segment: uint(8).optional(),
        reserved: hexField(5).optional(),
      })
      .optional(),
    memoryRegisters: z.array(pairInput).optional(),
    ioRegisters: z.array(pairInput).optional(),
    trailing: hexField().optional(),
  })
  .transform((v): PciComponentSection => {
    const id = v.idInfo ?? {};
    const registers = v.memoryRegisters !== undefined || v.ioRegisters !== undefined;
    const s: PciComponentSection = {
      type: 'pciComponent',
      guid: INFO.guid,
      validationBits: validationBitsFrom(PCI_COMPONENT_VALIDATION_BITS, v.validationBits, {
        errorStatus: v.errorStatus !== undefined,
        idInfo: v.idInfo !== undefined,
        memoryNumber: registers,
        ioNumber: registers,
        registerDataPairs: registers,
      }),
      errorStatus: v.errorStatus ?? decodeErrorStatus(0n),
      idInfo: {
        vendorId: id.vendorId ?? 0,
        deviceId: id.deviceId ?? 0,
        classCode: id.classCode ?? 0,
        function: id.function ?? 0,
        device: id.device ?? 0,
        bus: id.bus ?? 0,
        segment: id.segment ?? 0,
        reserved: id.reserved ?? zeroHex(5),
      },
      memoryRegisters: v.memoryRegisters ?? [],
      ioRegisters: v.ioRegisters ?? [],
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const pciComponentCodec: SectionCodec<PciComponentSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: PCI_COMPONENT_HEADER_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => byteLength(s),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: pciComponentInput,
};
