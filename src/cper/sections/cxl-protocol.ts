import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import { EnumTable, enumValue, u64, uint } from '../json/fields';
import { count, enumOf, hex, IntView, struct, u16, u32, u64 as u64Row, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { bytesPart, tableSection, TableModel } from '../layout/section';
import { slotRows, vendorDeviceRows } from './pci-id-rows';
import { HexString, hexField, writeHex, zeroHex } from './section-body-fields';
import { lazy } from '../json/lazy';

/**
 * CXL protocol error section (UEFI N.2.13), 116 bytes + DVSEC + error log (the CXL RAS capability
 * structure). Both lengths are checked against the body before the variable parts are read.
 * Linux (`cper_print_prot_err`) prints the agent address as segment:bus:device.function for agent
 * types 0, 2, 3, 4 and as an RCRB base for every other type; the model uses the RCRB form for type
 * 1 only, as the UEFI text does (the bytes are the same either way): that choice, and the agent
 * type an input without one gets from the address form, are the hand-written rules below.
 */

const INFO = SECTION_TYPES.cxlProtocol;
export const CXL_PROTOCOL_HEADER_LENGTH = 116;
export const CXL_CAPABILITY_LENGTH = 60;

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

/** The 8 agent-address bytes as one u64, whichever form the model uses. */
export function cxlAgentAddressValue(a: CxlAgentAddress): bigint {
  if ('rcrbBaseAddress' in a) return a.rcrbBaseAddress;
  const w = new ByteWriter(8);
  w.u8(0, a.function).u8(1, a.device).u8(2, a.bus).u16(3, a.segment);
  writeHex(w, 5, a.reserved, 'agentAddress.reserved', 3);
  return new ByteReader(w.bytes).u64(0);
}

function bdfOf(raw: bigint): CxlAgentBdf {
  const n = Number(raw & 0xff_ffff_ffffn);
  return {
    function: n & 0xff,
    device: (n >>> 8) & 0xff,
    bus: (n >>> 16) & 0xff,
    segment: Number((raw >> 24n) & 0xffffn),
    reserved: (raw >> 40n).toString(16).padStart(6, '0').match(/../g)!.reverse().join(''),
  };
}

const agentAddressInput = lazy(() => z.union([
  z.strictObject({ rcrbBaseAddress: u64() }),
  z.strictObject({
    function: uint(8).optional(),
    device: uint(8).optional(),
    bus: uint(8).optional(),
    segment: uint(16).optional(),
    reserved: hexField(3).optional(),
  }),
]));

/** A variable part whose size must fit the u16 length field that describes it. */
const u16SizedHex = lazy(() => hexField().refine((h) => h.length / 2 <= 0xffff, 'at most 65535 bytes (the length field is a u16)'));

const agentAddressView: IntView<CxlAgentAddress> = {
  decode: (raw) => bdfOf(raw as bigint),
  encode: cxlAgentAddressValue,
  get input() {
    return agentAddressInput().transform(
    (a): CxlAgentAddress =>
      'rcrbBaseAddress' in a
        ? { rcrbBaseAddress: a.rcrbBaseAddress }
        : { function: a.function ?? 0, device: a.device ?? 0, bus: a.bus ?? 0, segment: a.segment ?? 0, reserved: a.reserved ?? zeroHex(3) },
    );
  },
  zero: () => bdfOf(0n),
  describe: '{ function, device, bus, segment, reserved } or, for a restricted CXL host downstream port (agent type 1), { rcrbBaseAddress }',
};

export const CXL_PROTOCOL_DEVICE_ID = layout('CXL protocol device ID', 16, [
  ...vendorDeviceRows(0),
  u16('subsystemVendorId', 4, { doc: 'subsystem vendor ID', libcper: 'subsystemVendorID' }),
  u16('subsystemDeviceId', 6, { doc: 'subsystem device ID', libcper: 'subsystemDeviceID' }),
  u16('classCode', 8, { doc: 'class code', libcper: 'classCode' }),
  ...slotRows(10),
  hex('reserved', 12, 4, { doc: 'reserved' }),
], { truncated: 'at-start' });

export const CXL_PROTOCOL_LAYOUT = layout('CXL protocol', CXL_PROTOCOL_HEADER_LENGTH, [
  validationBits('validationBits', 0, 8, { 5: 'dvsec', 6: 'errorLog' }),
  view('agentType', 8, 1, enumOf(CXL_AGENT_TYPES), { vbit: 0, doc: 'CXL agent type (default 1 with an rcrbBaseAddress, else 0)', libcper: 'agentType' }),
  hex('reserved', 9, 7, { doc: 'bytes 9..15 (reserved)' }),
  view('agentAddress', 16, 8, agentAddressView, { vbit: 1, doc: 'CXL agent address', libcper: 'cxlAgentAddress' }),
  struct('deviceId', 24, CXL_PROTOCOL_DEVICE_ID, { vbit: 2, doc: 'device identification', libcper: 'deviceID' }),
  u64Row('serialNumber', 40, { vbit: 3, doc: 'device serial number', libcper: 'deviceSerial' }),
  hex('capabilityStructure', 48, CXL_CAPABILITY_LENGTH, { vbit: 4, doc: 'the PCIe capability structure', libcper: 'capabilityStructure' }),
  count('dvsecLength', 108, 2, 'dvsec', { doc: 'length of the CXL DVSEC' }),
  count('errorLogLength', 110, 2, 'errorLog', { doc: 'length of the error log' }),
  u32('reserved2', 112, { doc: 'offset 112 (reserved)' }),
]);


const PARTS = [
  bytesPart('dvsec', 'dvsecLength', 'the CXL DVSEC as hex (its size is dvsecLength)', { vbits: [5], input: u16SizedHex }),
  bytesPart('errorLog', 'errorLogLength', 'the error log (CXL RAS capability structure) as hex', { vbits: [6], input: u16SizedHex }),
] as const;

export const cxlProtocolCodec = tableSection({
  info: INFO,
  head: CXL_PROTOCOL_LAYOUT,
  parts: PARTS,
  doc: 'CXL protocol error (UEFI N.2.13), 116 bytes + DVSEC + error log',
  validation: { field: 'validationBits' },
  afterDecode: (s) => {
    if (s.agentType.value === CXL_AGENT_RCH_DOWNSTREAM_PORT) s.agentAddress = { rcrbBaseAddress: cxlAgentAddressValue(s.agentAddress) };
  },
  resolve: (v, out) => {
    if (v.agentType === undefined && 'rcrbBaseAddress' in out.agentAddress) out.agentType = enumValue(CXL_AGENT_TYPES, CXL_AGENT_RCH_DOWNSTREAM_PORT);
    return true;
  },
  example: { type: 'cxlProtocol', agentType: 'device', agentAddress: { bus: 3 }, deviceId: { vendorId: 0x8086, deviceId: 0x0d93 }, errorLog: '00'.repeat(8) },
});

export type CxlProtocolSection = TableModel<'cxlProtocol', LayoutModel<typeof CXL_PROTOCOL_LAYOUT>, typeof PARTS>;
