import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { fromHex } from '../../binary/hexdump';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, Flags64, flags64Decoder, flags64Field, FlagTable, u64, uint } from '../json/fields';
import type { SectionCodec } from './SectionCodec';
import { fieldWriter } from '../wire-write';
import {
  checkBitsOf,
  HexString,
  hexByteLength,
  hexField,
  identityShape,
  readHex,
  readTrailing,
  u64FromHalves,
  validationBitsFrom,
  writeHex,
  writeHexField,
  zeroHex,
  slotWordInput,
} from './section-body-fields';

/**
 * PCI Express error section (UEFI N.2.7), 208 bytes:
 *   0 validation bits u64 · 8 port type u32 · 12 version (minor, major, 2 reserved) ·
 *   16 command u16 · 18 status u16 · 20 RCRB high address u32 (reserved before UEFI 2.10) ·
 *   24 device ID 16 bytes · 40 serial number u64 · 48 secondary status u16 · 50 bridge control u16 ·
 *   52 PCIe capability structure 60 bytes · 112 AER extended capability 96 bytes.
 * Bytes after 208 are kept as `trailing`.
 */

const INFO = SECTION_TYPES.pcie;
export const PCIE_BODY_LENGTH = 208;
export const PCIE_CAPABILITY_LENGTH = 60;
export const PCIE_AER_LENGTH = 96;

/**
 * Bit n marks the n-th field valid. Bits 8 and 9 are from UEFI 2.10+: with bit 8 the device ID's
 * bytes 7..10 (function, device, segment) hold the low 32 bits of the Root Complex Register Block
 * base instead (bit 3 must then be clear), and bit 9 says offset 20 holds its high 32 bits.
 */
export const PCIE_VALIDATION_BITS: FlagTable = {
  0: 'portType',
  1: 'version',
  2: 'commandStatus',
  3: 'deviceId',
  4: 'serialNumber',
  5: 'bridgeControlStatus',
  6: 'capabilityStructure',
  7: 'aerInfo',
  8: 'deviceIdRcrb',
  9: 'rcrbHighAddress',
};

const decodeValidationBits = flags64Decoder(PCIE_VALIDATION_BITS);

export const PCIE_PORT_TYPES: EnumTable = {
  0: 'endpoint',
  1: 'legacyEndpoint',
  4: 'rootPort',
  5: 'upstreamSwitchPort',
  6: 'downstreamSwitchPort',
  7: 'pcieToPciBridge',
  8: 'pciToPcieBridge',
  9: 'rootComplexIntegratedEndpoint',
  10: 'rootComplexEventCollector',
};

/** Linux's wording of the port types (`cper_pcie_port_type_strs`); 2, 3 and > 10 print "unknown". */
export const PCIE_PORT_TYPE_TEXT: Readonly<Record<number, string>> = {
  0: 'PCIe end point',
  1: 'legacy PCI end point',
  4: 'root port',
  5: 'upstream switch port',
  6: 'downstream switch port',
  7: 'PCIe to PCI/PCI-X bridge',
  8: 'PCI/PCI-X to PCIe bridge',
  9: 'root complex integrated endpoint device',
  10: 'root complex event collector',
};

export interface PcieDeviceId {
  vendorId: number;
  deviceId: number;
  /** 24-bit class code: base class << 16 | sub-class << 8 | programming interface (stored LE) */
  classCode: number;
  function: number;
  device: number;
  segment: number;
  /** primary bus (or the device's own bus for an endpoint) */
  primaryBus: number;
  secondaryBus: number;
  /** physical slot number, bits 15:3 of the slot word */
  slot: number;
  /** bits 2:0 of the slot word (reserved) */
  slotReserved: number;
  /** byte 15 (reserved) */
  reserved: number;
}

export interface PcieSection {
  type: 'pcie';
  guid: string;
  validationBits: Flags64;
  portType: EnumValue;
  /** raw version bytes; Linux prints `major.minor` */
  version: { major: number; minor: number; reserved: number };
  command: number;
  status: number;
  /** offset 20: upper 32 bits of the RCRB base (UEFI 2.10+), reserved before */
  rcrbHighAddress: number;
  deviceId: PcieDeviceId;
  serialNumber: bigint;
  bridgeControlStatus: { secondaryStatus: number; control: number };
  /** the PCIe capability structure, 60 bytes */
  capabilityStructure: HexString;
  /** the AER extended capability, 96 bytes (see `decodeAerRegisters`) */
  aerInfo: HexString;
  trailing?: HexString;
}

/**
 * The AER registers inside `aerInfo`, in the order of Linux's `struct aer_capability_regs`
 * (what mainline prints from a PCIe section): a view of bytes 0..55; bytes 56..95 are `reserved`.
 */
export interface AerRegisters {
  header: number;
  uncorStatus: number;
  uncorMask: number;
  uncorSeverity: number;
  corStatus: number;
  corMask: number;
  capControl: number;
  /** the TLP header log, four dwords */
  headerLog: [number, number, number, number];
  rootCommand: number;
  rootStatus: number;
  corErrSource: number;
  uncorErrSource: number;
  reserved: HexString;
}

const AER_U32_FIELDS = ['header', 'uncorStatus', 'uncorMask', 'uncorSeverity', 'corStatus', 'corMask', 'capControl'] as const;

export function decodeAerRegisters(aerInfo: HexString | Uint8Array): AerRegisters {
  const bytes = typeof aerInfo === 'string' ? fromHex(aerInfo) : aerInfo;
  const r = new ByteReader(bytes, 0, bytes.length, 'aerInfo');
  const regs = {} as AerRegisters;
  AER_U32_FIELDS.forEach((name, i) => (regs[name] = r.u32(4 * i, name)));
  regs.headerLog = [r.u32(28, 'headerLog[0]'), r.u32(32, 'headerLog[1]'), r.u32(36, 'headerLog[2]'), r.u32(40, 'headerLog[3]')];
  regs.rootCommand = r.u32(44, 'rootCommand');
  regs.rootStatus = r.u32(48, 'rootStatus');
  regs.corErrSource = r.u16(52, 'corErrSource');
  regs.uncorErrSource = r.u16(54, 'uncorErrSource');
  regs.reserved = readHex(r, 56, PCIE_AER_LENGTH - 56, 'reserved');
  return regs;
}

export function encodeAerRegisters(regs: AerRegisters): HexString {
  const w = new ByteWriter(PCIE_AER_LENGTH);
  AER_U32_FIELDS.forEach((name, i) => w.u32(4 * i, regs[name], `aer.${name}`));
  regs.headerLog.forEach((dw, i) => w.u32(28 + 4 * i, dw, `aer.headerLog[${i}]`));
  w.u32(44, regs.rootCommand, 'aer.rootCommand');
  w.u32(48, regs.rootStatus, 'aer.rootStatus');
  w.u16(52, regs.corErrSource, 'aer.corErrSource');
  w.u16(54, regs.uncorErrSource, 'aer.uncorErrSource');
  writeHex(w, 56, regs.reserved, 'aer.reserved', PCIE_AER_LENGTH - 56);
  return readHex(new ByteReader(w.bytes), 0, PCIE_AER_LENGTH, 'aer');
}

/** RCRB base address (valid with validation bits 8 and 9): high dword at 20, low dword in device ID bytes 7..10. */
export function pcieRcrbBaseAddress(s: PcieSection): bigint {
  const low = (s.deviceId.function | (s.deviceId.device << 8) | (s.deviceId.segment << 16)) >>> 0;
  return u64FromHalves(low, s.rcrbHighAddress);
}

function decode(r: ByteReader): PcieSection {
  const d = r.sub(24, 16, 'deviceId');
  const slotWord = d.u16(13, 'slot');
  const s: PcieSection = {
    type: 'pcie',
    guid: INFO.guid,
    validationBits: decodeValidationBits(r.u64(0, 'validationBits')),
    portType: enumValue(PCIE_PORT_TYPES, r.u32(8, 'portType')),
    version: { minor: r.u8(12, 'version.minor'), major: r.u8(13, 'version.major'), reserved: r.u16(14, 'version.reserved') },
    command: r.u16(16, 'command'),
    status: r.u16(18, 'status'),
    rcrbHighAddress: r.u32(20, 'rcrbHighAddress'),
    deviceId: {
      vendorId: d.u16(0, 'vendorId'),
      deviceId: d.u16(2, 'deviceId'),
      classCode: d.u8(4, 'classCode') | (d.u8(5, 'classCode') << 8) | (d.u8(6, 'classCode') << 16),
      function: d.u8(7, 'function'),
      device: d.u8(8, 'device'),
      segment: d.u16(9, 'segment'),
      primaryBus: d.u8(11, 'primaryBus'),
      secondaryBus: d.u8(12, 'secondaryBus'),
      slot: slotWord >>> 3,
      slotReserved: slotWord & 7,
      reserved: d.u8(15, 'reserved'),
    },
    serialNumber: r.u64(40, 'serialNumber'),
    bridgeControlStatus: { secondaryStatus: r.u16(48, 'bridgeControlStatus.secondaryStatus'), control: r.u16(50, 'bridgeControlStatus.control') },
    capabilityStructure: readHex(r, 52, PCIE_CAPABILITY_LENGTH, 'capabilityStructure'),
    aerInfo: readHex(r, 112, PCIE_AER_LENGTH, 'aerInfo'),
  };
  const trailing = readTrailing(r, PCIE_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function byteLength(s: PcieSection): number {
  return PCIE_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing));
}

function encode(w: ByteWriter, o: number, s: PcieSection, path: string): void {
  const id = s.deviceId;
  const bridge = s.bridgeControlStatus;
  const fw = fieldWriter(w);
  fw.u64(o, s.validationBits.raw, path, 'validationBits')
    .u32(o + 8, s.portType.value, path, 'portType')
    .u8(o + 12, s.version.minor, path, 'version.minor')
    .u8(o + 13, s.version.major, path, 'version.major')
    .u16(o + 14, s.version.reserved, path, 'version.reserved')
    .u16(o + 16, s.command, path, 'command')
    .u16(o + 18, s.status, path, 'status')
    .u32(o + 20, s.rcrbHighAddress, path, 'rcrbHighAddress')
    .u16(o + 24, id.vendorId, path, 'deviceId.vendorId')
    .u16(o + 26, id.deviceId, path, 'deviceId.deviceId');
  const classCode = checkBitsOf(id.classCode, 0xffffff, path, 'deviceId.classCode');
  fw.u8(o + 28, classCode & 0xff, path, 'deviceId.classCode')
    .u8(o + 29, (classCode >>> 8) & 0xff, path, 'deviceId.classCode')
    .u8(o + 30, classCode >>> 16, path, 'deviceId.classCode')
    .u8(o + 31, id.function, path, 'deviceId.function')
    .u8(o + 32, id.device, path, 'deviceId.device')
    .u16(o + 33, id.segment, path, 'deviceId.segment')
    .u8(o + 35, id.primaryBus, path, 'deviceId.primaryBus')
    .u8(o + 36, id.secondaryBus, path, 'deviceId.secondaryBus');
  const slot = checkBitsOf(id.slot, 0x1fff, path, 'deviceId.slot');
  const slotReserved = checkBitsOf(id.slotReserved, 7, path, 'deviceId.slotReserved');
  fw.u16(o + 37, (slot << 3) | slotReserved, path, 'deviceId.slot')
    .u8(o + 39, id.reserved, path, 'deviceId.reserved')
    .u64(o + 40, s.serialNumber, path, 'serialNumber')
    .u16(o + 48, bridge.secondaryStatus, path, 'bridgeControlStatus.secondaryStatus')
    .u16(o + 50, bridge.control, path, 'bridgeControlStatus.control');
  writeHexField(w, o + 52, s.capabilityStructure, path, 'capabilityStructure', PCIE_CAPABILITY_LENGTH);
  writeHexField(w, o + 112, s.aerInfo, path, 'aerInfo', PCIE_AER_LENGTH);
  if (s.trailing !== undefined) writeHexField(w, o + PCIE_BODY_LENGTH, s.trailing, path, 'trailing');
}

const deviceIdInput = z.strictObject({
  vendorId: uint(16).optional(),
  deviceId: uint(16).optional(),
  classCode: uint(32).refine((n) => n <= 0xffffff, 'class code is 24 bits').optional(),
  function: uint(8).optional(),
  device: uint(8).optional(),
  segment: uint(16).optional(),
  primaryBus: uint(8).optional(),
  secondaryBus: uint(8).optional(),
  ...slotWordInput(),
  reserved: uint(8).optional(),
});

const aerInput = z.strictObject({
  header: uint(32).optional(),
  uncorStatus: uint(32).optional(),
  uncorMask: uint(32).optional(),
  uncorSeverity: uint(32).optional(),
  corStatus: uint(32).optional(),
  corMask: uint(32).optional(),
  capControl: uint(32).optional(),
  headerLog: z.tuple([uint(32), uint(32), uint(32), uint(32)]).optional(),
  rootCommand: uint(32).optional(),
  rootStatus: uint(32).optional(),
  corErrSource: uint(16).optional(),
  uncorErrSource: uint(16).optional(),
  reserved: hexField(PCIE_AER_LENGTH - 56).optional(),
});

/**
 * JSON form. Every field is optional (zero when absent); validation bits, when not given, are set
 * for the fields present (`command` or `status` sets commandStatus). The AER capability is given
 * either as raw `aerInfo` hex or as named registers `aer` (the layout of `decodeAerRegisters`),
 * not both.
 */
export const pcieInput: z.ZodType<PcieSection> = z
  .strictObject({
    ...identityShape('pcie', [INFO.guid]),
    validationBits: flags64Field(PCIE_VALIDATION_BITS).optional(),
    portType: enumField(PCIE_PORT_TYPES, 32).optional(),
    version: z.strictObject({ major: uint(8), minor: uint(8), reserved: uint(16).optional() }).optional(),
    command: uint(16).optional(),
    status: uint(16).optional(),
    rcrbHighAddress: uint(32).optional(),
    deviceId: deviceIdInput.optional(),
    serialNumber: u64.optional(),
    bridgeControlStatus: z.strictObject({ secondaryStatus: uint(16).optional(), control: uint(16).optional() }).optional(),
    capabilityStructure: hexField(PCIE_CAPABILITY_LENGTH).optional(),
    aerInfo: hexField(PCIE_AER_LENGTH).optional(),
    aer: aerInput.optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): PcieSection => {
    if (v.aerInfo !== undefined && v.aer !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['aer'], message: 'give the AER capability as aerInfo or as aer, not both' });
      return z.NEVER;
    }
    const id = v.deviceId ?? {};
    const aer = v.aer;
    const aerInfo =
      v.aerInfo ??
      (aer === undefined
        ? zeroHex(PCIE_AER_LENGTH)
        : encodeAerRegisters({
            header: aer.header ?? 0,
            uncorStatus: aer.uncorStatus ?? 0,
            uncorMask: aer.uncorMask ?? 0,
            uncorSeverity: aer.uncorSeverity ?? 0,
            corStatus: aer.corStatus ?? 0,
            corMask: aer.corMask ?? 0,
            capControl: aer.capControl ?? 0,
            headerLog: aer.headerLog ?? [0, 0, 0, 0],
            rootCommand: aer.rootCommand ?? 0,
            rootStatus: aer.rootStatus ?? 0,
            corErrSource: aer.corErrSource ?? 0,
            uncorErrSource: aer.uncorErrSource ?? 0,
            reserved: aer.reserved ?? zeroHex(PCIE_AER_LENGTH - 56),
          }));
    const s: PcieSection = {
      type: 'pcie',
      guid: INFO.guid,
      validationBits: validationBitsFrom(PCIE_VALIDATION_BITS, v.validationBits, {
        portType: v.portType !== undefined,
        version: v.version !== undefined,
        commandStatus: v.command !== undefined || v.status !== undefined,
        deviceId: v.deviceId !== undefined,
        serialNumber: v.serialNumber !== undefined,
        bridgeControlStatus: v.bridgeControlStatus !== undefined,
        capabilityStructure: v.capabilityStructure !== undefined,
        aerInfo: v.aerInfo !== undefined || v.aer !== undefined,
        rcrbHighAddress: v.rcrbHighAddress !== undefined,
      }),
      portType: v.portType ?? enumValue(PCIE_PORT_TYPES, 0),
      version: { major: v.version?.major ?? 0, minor: v.version?.minor ?? 0, reserved: v.version?.reserved ?? 0 },
      command: v.command ?? 0,
      status: v.status ?? 0,
      rcrbHighAddress: v.rcrbHighAddress ?? 0,
      deviceId: {
        vendorId: id.vendorId ?? 0,
        deviceId: id.deviceId ?? 0,
        classCode: id.classCode ?? 0,
        function: id.function ?? 0,
        device: id.device ?? 0,
        segment: id.segment ?? 0,
        primaryBus: id.primaryBus ?? 0,
        secondaryBus: id.secondaryBus ?? 0,
        slot: id.slot ?? 0,
        slotReserved: id.slotReserved ?? 0,
        reserved: id.reserved ?? 0,
      },
      serialNumber: v.serialNumber ?? 0n,
      bridgeControlStatus: { secondaryStatus: v.bridgeControlStatus?.secondaryStatus ?? 0, control: v.bridgeControlStatus?.control ?? 0 },
      capabilityStructure: v.capabilityStructure ?? zeroHex(PCIE_CAPABILITY_LENGTH),
      aerInfo,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const pcieCodec: SectionCodec<PcieSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: PCIE_BODY_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => byteLength(s),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: pcieInput,
};
