import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, Flags64, flags64Field, flags64Value, FlagTable, u64, uint } from '../json/fields';
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
  zeroHex,
  slotWordInput,
} from './section-body-fields';

/**
 * CXL protocol error section (UEFI N.2.13), 116 bytes + DVSEC + error log:
 *   0 validation bits u64 · 8 agent type u8 · 9 reserved 7 bytes · 16 agent address 8 bytes
 *   (function, device, bus u8, segment u16, 3 reserved; or the RCRB base address u64 for a
 *   restricted-CXL-host downstream port) · 24 device ID 16 bytes (vendor, device, subsystem vendor,
 *   subsystem device, class code u16 each, slot u16 with the number in 15:3, 4 reserved) ·
 *   40 serial number u64 · 48 PCIe capability structure 60 bytes · 108 CXL DVSEC length u16 ·
 *   110 error log length u16 · 112 reserved u32 · 116 the CXL DVSEC · then the error log (the CXL
 *   RAS capability structure).
 * Both lengths are checked against the body before the variable parts are read. Linux
 * (`cper_print_prot_err`) prints the agent address as segment:bus:device.function for agent types
 * 0, 2, 3, 4 and as an RCRB base for every other type; the model uses the RCRB form for type 1 only,
 * as the UEFI text does (the bytes are the same either way).
 */

const INFO = SECTION_TYPES.cxlProtocol;
export const CXL_PROTOCOL_HEADER_LENGTH = 116;
export const CXL_CAPABILITY_LENGTH = 60;

export const CXL_PROTOCOL_VALIDATION_BITS: FlagTable = {
  0: 'agentType',
  1: 'agentAddress',
  2: 'deviceId',
  3: 'serialNumber',
  4: 'capabilityStructure',
  5: 'dvsec',
  6: 'errorLog',
};

export const CXL_AGENT_TYPES: EnumTable = {
  0: 'rcd', // CXL 1.1 device (restricted CXL device)
  1: 'rchDownstreamPort', // restricted CXL host downstream port
  2: 'device',
  3: 'logicalDevice',
  4: 'fabricManagedLogicalDevice',
  5: 'rootPort',
  6: 'downstreamSwitchPort',
  7: 'upstreamSwitchPort',
};

/** Agent type whose agent address is an RCRB base address. */
export const CXL_AGENT_RCH_DOWNSTREAM_PORT = 1;

export interface CxlAgentBdf {
  function: number;
  device: number;
  bus: number;
  segment: number;
  /** bytes 5..7 */
  reserved: HexString;
}

export type CxlAgentAddress = CxlAgentBdf | { rcrbBaseAddress: bigint };

export interface CxlProtocolDeviceId {
  vendorId: number;
  deviceId: number;
  subsystemVendorId: number;
  subsystemDeviceId: number;
  classCode: number;
  slot: number;
  slotReserved: number;
  reserved: HexString;
}

export interface CxlProtocolSection {
  type: 'cxlProtocol';
  guid: string;
  validationBits: Flags64;
  agentType: EnumValue;
  /** bytes 9..15 */
  reserved: HexString;
  agentAddress: CxlAgentAddress;
  deviceId: CxlProtocolDeviceId;
  serialNumber: bigint;
  capabilityStructure: HexString;
  /** offset 112 */
  reserved2: number;
  dvsec: HexString;
  errorLog: HexString;
  trailing?: HexString;
}

/** The 8 agent-address bytes as one u64, whichever form the model uses. */
export function cxlAgentAddressValue(a: CxlAgentAddress): bigint {
  if ('rcrbBaseAddress' in a) return a.rcrbBaseAddress;
  const w = new ByteWriter(8);
  w.u8(0, a.function).u8(1, a.device).u8(2, a.bus).u16(3, a.segment);
  writeHex(w, 5, a.reserved, 'agentAddress.reserved', 3);
  return new ByteReader(w.bytes).u64(0);
}

function decode(r: ByteReader): CxlProtocolSection {
  const agentType = enumValue(CXL_AGENT_TYPES, r.u8(8, 'agentType'));
  const a = r.sub(16, 8, 'agentAddress');
  const agentAddress: CxlAgentAddress =
    agentType.value === CXL_AGENT_RCH_DOWNSTREAM_PORT
      ? { rcrbBaseAddress: a.u64(0, 'rcrbBaseAddress') }
      : { function: a.u8(0, 'function'), device: a.u8(1, 'device'), bus: a.u8(2, 'bus'), segment: a.u16(3, 'segment'), reserved: readHex(a, 5, 3, 'reserved') };
  const d = r.sub(24, 16, 'deviceId');
  const slotWord = d.u16(10, 'slot');
  const dvsecLength = r.u16(108, 'dvsecLength');
  const errorLogLength = r.u16(110, 'errorLogLength');
  checkLength(r, 108, 'dvsecLength', CXL_PROTOCOL_HEADER_LENGTH, dvsecLength + errorLogLength);
  const s: CxlProtocolSection = {
    type: 'cxlProtocol',
    guid: INFO.guid,
    validationBits: flags64Value(CXL_PROTOCOL_VALIDATION_BITS, r.u64(0, 'validationBits')),
    agentType,
    reserved: readHex(r, 9, 7, 'reserved'),
    agentAddress,
    deviceId: {
      vendorId: d.u16(0, 'vendorId'),
      deviceId: d.u16(2, 'deviceId'),
      subsystemVendorId: d.u16(4, 'subsystemVendorId'),
      subsystemDeviceId: d.u16(6, 'subsystemDeviceId'),
      classCode: d.u16(8, 'classCode'),
      slot: slotWord >>> 3,
      slotReserved: slotWord & 7,
      reserved: readHex(d, 12, 4, 'reserved'),
    },
    serialNumber: r.u64(40, 'serialNumber'),
    capabilityStructure: readHex(r, 48, CXL_CAPABILITY_LENGTH, 'capabilityStructure'),
    reserved2: r.u32(112, 'reserved2'),
    dvsec: readHex(r, CXL_PROTOCOL_HEADER_LENGTH, dvsecLength, 'dvsec'),
    errorLog: readHex(r, CXL_PROTOCOL_HEADER_LENGTH + dvsecLength, errorLogLength, 'errorLog'),
  };
  const trailing = readTrailing(r, CXL_PROTOCOL_HEADER_LENGTH + dvsecLength + errorLogLength);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function byteLength(s: CxlProtocolSection): number {
  return CXL_PROTOCOL_HEADER_LENGTH + hexByteLength(s.dvsec) + hexByteLength(s.errorLog) + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
}

function encode(w: ByteWriter, o: number, s: CxlProtocolSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  const id = s.deviceId;
  w.u64(o, s.validationBits.raw, p('validationBits'));
  w.u8(o + 8, s.agentType.value, p('agentType'));
  writeHex(w, o + 9, s.reserved, p('reserved'), 7);
  w.u64(o + 16, cxlAgentAddressValue(s.agentAddress), p('agentAddress'));
  w.u16(o + 24, id.vendorId, p('deviceId.vendorId'));
  w.u16(o + 26, id.deviceId, p('deviceId.deviceId'));
  w.u16(o + 28, id.subsystemVendorId, p('deviceId.subsystemVendorId'));
  w.u16(o + 30, id.subsystemDeviceId, p('deviceId.subsystemDeviceId'));
  w.u16(o + 32, id.classCode, p('deviceId.classCode'));
  w.u16(o + 34, (checkBits(id.slot, 0x1fff, p('deviceId.slot')) << 3) | checkBits(id.slotReserved, 7, p('deviceId.slotReserved')), p('deviceId.slot'));
  writeHex(w, o + 36, id.reserved, p('deviceId.reserved'), 4);
  w.u64(o + 40, s.serialNumber, p('serialNumber'));
  writeHex(w, o + 48, s.capabilityStructure, p('capabilityStructure'), CXL_CAPABILITY_LENGTH);
  const dvsecLength = hexByteLength(s.dvsec);
  const errorLogLength = hexByteLength(s.errorLog);
  w.u16(o + 108, dvsecLength, p('dvsecLength'));
  w.u16(o + 110, errorLogLength, p('errorLogLength'));
  w.u32(o + 112, s.reserved2, p('reserved2'));
  writeHex(w, o + CXL_PROTOCOL_HEADER_LENGTH, s.dvsec, p('dvsec'));
  writeHex(w, o + CXL_PROTOCOL_HEADER_LENGTH + dvsecLength, s.errorLog, p('errorLog'));
  if (s.trailing !== undefined) writeHex(w, o + CXL_PROTOCOL_HEADER_LENGTH + dvsecLength + errorLogLength, s.trailing, p('trailing'));
}

const agentAddressInput = z.union([
  z.strictObject({ rcrbBaseAddress: u64 }),
  z.strictObject({
    function: uint(8).optional(),
    device: uint(8).optional(),
    bus: uint(8).optional(),
    segment: uint(16).optional(),
    reserved: hexField(3).optional(),
  }),
]);

/** A variable part whose size must fit the u16 length field that describes it. */
const u16SizedHex = hexField().refine((h) => h.length / 2 <= 0xffff, 'at most 65535 bytes (the length field is a u16)');

/**
 * JSON form: every field optional. The DVSEC and error-log lengths are the sizes of `dvsec` and
 * `errorLog`. `agentAddress` is `{ function, device, bus, segment }` or `{ rcrbBaseAddress }`.
 * Without `validationBits` the bits of the fields present are set.
 */
export const cxlProtocolInput: z.ZodType<CxlProtocolSection> = z
  .strictObject({
    ...identityShape('cxlProtocol', [INFO.guid]),
    validationBits: flags64Field(CXL_PROTOCOL_VALIDATION_BITS).optional(),
    agentType: enumField(CXL_AGENT_TYPES).optional(),
    reserved: hexField(7).optional(),
    agentAddress: agentAddressInput.optional(),
    deviceId: z
      .strictObject({
        vendorId: uint(16).optional(),
        deviceId: uint(16).optional(),
        subsystemVendorId: uint(16).optional(),
        subsystemDeviceId: uint(16).optional(),
        classCode: uint(16).optional(),
        ...slotWordInput(),
        reserved: hexField(4).optional(),
      })
      .optional(),
    serialNumber: u64.optional(),
    capabilityStructure: hexField(CXL_CAPABILITY_LENGTH).optional(),
    reserved2: uint(32).optional(),
    dvsec: u16SizedHex.optional(),
    errorLog: u16SizedHex.optional(),
    trailing: hexField().optional(),
  })
  .transform((v): CxlProtocolSection => {
    const id = v.deviceId ?? {};
    const a = v.agentAddress ?? {};
    const agentAddress: CxlAgentAddress =
      'rcrbBaseAddress' in a
        ? { rcrbBaseAddress: a.rcrbBaseAddress }
        : { function: a.function ?? 0, device: a.device ?? 0, bus: a.bus ?? 0, segment: a.segment ?? 0, reserved: a.reserved ?? zeroHex(3) };
    const s: CxlProtocolSection = {
      type: 'cxlProtocol',
      guid: INFO.guid,
      validationBits: validationBitsFrom(CXL_PROTOCOL_VALIDATION_BITS, v.validationBits, {
        agentType: v.agentType !== undefined,
        agentAddress: v.agentAddress !== undefined,
        deviceId: v.deviceId !== undefined,
        serialNumber: v.serialNumber !== undefined,
        capabilityStructure: v.capabilityStructure !== undefined,
        dvsec: v.dvsec !== undefined,
        errorLog: v.errorLog !== undefined,
      }),
      agentType: v.agentType ?? enumValue(CXL_AGENT_TYPES, 'rcrbBaseAddress' in a ? CXL_AGENT_RCH_DOWNSTREAM_PORT : 0),
      reserved: v.reserved ?? zeroHex(7),
      agentAddress,
      deviceId: {
        vendorId: id.vendorId ?? 0,
        deviceId: id.deviceId ?? 0,
        subsystemVendorId: id.subsystemVendorId ?? 0,
        subsystemDeviceId: id.subsystemDeviceId ?? 0,
        classCode: id.classCode ?? 0,
        slot: id.slot ?? 0,
        slotReserved: id.slotReserved ?? 0,
        reserved: id.reserved ?? zeroHex(4),
      },
      serialNumber: v.serialNumber ?? 0n,
      capabilityStructure: v.capabilityStructure ?? zeroHex(CXL_CAPABILITY_LENGTH),
      reserved2: v.reserved2 ?? 0,
      dvsec: v.dvsec ?? '',
      errorLog: v.errorLog ?? '',
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const cxlProtocolCodec: SectionCodec<CxlProtocolSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: CXL_PROTOCOL_HEADER_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => byteLength(s),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: cxlProtocolInput,
};
