import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { fromHex } from '../../binary/hexdump';
import { SECTION_TYPES } from '../guids';
import type { EnumTable } from '../json/fields';
import { enumOf, hex, struct, u16, u24, u32, u32s, u64, u8, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';
import { functionDeviceRows, segmentRow, slotRows, vendorDeviceRows } from './pci-id-rows';
import { classCodeInput, HexString, readHex, u64FromHalves } from './section-body-fields';

/**
 * PCI Express error section (UEFI N.2.7), 208 bytes; bytes after 208 are kept as `trailing`.
 * JSON form: every field optional (zero when absent); validation bits, when not given, are set
 * for the fields present (`command` or `status` sets commandStatus). Input rule beyond the table:
 * the AER capability is given either as raw `aerInfo` hex or as named registers `aer` (the
 * layout of `decodeAerRegisters`), not both.
 */

const INFO = SECTION_TYPES.pcie;
export const PCIE_BODY_LENGTH = 208;
export const PCIE_CAPABILITY_LENGTH = 60;
export const PCIE_AER_LENGTH = 96;

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

export const PCIE_DEVICE_ID = layout('PCIe device ID', 16, [
  ...vendorDeviceRows(0),
  u24('classCode', 4, { doc: '24-bit class code: base class << 16 | sub-class << 8 | programming interface', libcper: 'classCode', input: classCodeInput }),
  ...functionDeviceRows(7),
  segmentRow(9, 2),
  u8('primaryBus', 11, { doc: 'primary bus (the device\'s own bus for an endpoint)', libcper: 'primaryOrDeviceBusNumber' }),
  u8('secondaryBus', 12, { doc: 'secondary bus number', libcper: 'secondaryBusNumber' }),
  ...slotRows(13),
  u8('reserved', 15, { doc: 'reserved' }),
], { truncated: 'at-start' });

const VERSION = layout('PCIe version', 4, [
  u8('minor', 0, { doc: 'minor version (BCD)', libcper: 'minor', required: true }),
  u8('major', 1, { doc: 'major version (BCD)', libcper: 'major', required: true }),
  u16('reserved', 2, { doc: 'reserved' }),
]);

export const PCIE_BRIDGE = layout('PCIe bridge control and status', 4, [
  u16('secondaryStatus', 0, { doc: 'secondary status register', libcper: 'secondaryStatusRegister' }),
  u16('control', 2, { doc: 'bridge control register', libcper: 'controlRegister' }),
]);

/**
 * Validation bit n marks the n-th field valid. Bits 8 and 9 are from UEFI 2.10+: with bit 8 the
 * device ID's bytes 7..10 (function, device, segment) hold the low 32 bits of the Root Complex
 * Register Block base instead (bit 3 must then be clear), and bit 9 says offset 20 holds its high
 * 32 bits.
 */
export const PCIE_LAYOUT = layout('PCIe', PCIE_BODY_LENGTH, [
  validationBits('validationBits', 0, 8, { 8: 'deviceIdRcrb' }),
  view('portType', 8, 4, enumOf(PCIE_PORT_TYPES, 4), { vbit: 0, doc: 'PCIe port type', libcper: 'portType' }),
  struct('version', 12, VERSION, { vbit: 1, doc: 'PCIe version as raw bytes; Linux prints major.minor', libcper: 'version' }),
  u16('command', 16, { vbit: 2, vbitName: 'commandStatus', doc: 'PCI command register', libcper: 'commandStatus.commandRegister' }),
  u16('status', 18, { vbit: 2, vbitName: 'commandStatus', doc: 'PCI status register', libcper: 'commandStatus.statusRegister' }),
  u32('rcrbHighAddress', 20, { vbit: 9, doc: 'upper 32 bits of the RCRB base (UEFI 2.10+), reserved before' }),
  struct('deviceId', 24, PCIE_DEVICE_ID, { vbit: 3, doc: 'device identification', libcper: 'deviceID' }),
  u64('serialNumber', 40, { vbit: 4, doc: 'device serial number', libcper: 'deviceSerialNumber' }),
  struct('bridgeControlStatus', 48, PCIE_BRIDGE, { vbit: 5, doc: 'bridge secondary status and control', libcper: 'bridgeControlStatus' }),
  hex('capabilityStructure', 52, PCIE_CAPABILITY_LENGTH, { vbit: 6, doc: 'the PCIe capability structure', libcper: 'capabilityStructure.data' }),
  hex('aerInfo', 112, PCIE_AER_LENGTH, { vbit: 7, doc: 'the AER extended capability (see aer for named registers)', libcper: 'aerInfo.data' }),
]);

export type PcieSection = TableModel<'pcie', LayoutModel<typeof PCIE_LAYOUT>>;

/**
 * The AER registers inside `aerInfo`, in the order of Linux's `struct aer_capability_regs`
 * (what mainline prints from a PCIe section): a view of bytes 0..55; bytes 56..95 are `reserved`.
 */
export const AER_LAYOUT = layout('PCIe AER capability', PCIE_AER_LENGTH, [
  u32('header', 0, { doc: 'AER extended capability header' }),
  u32('uncorStatus', 4, { doc: 'uncorrectable error status' }),
  u32('uncorMask', 8, { doc: 'uncorrectable error mask' }),
  u32('uncorSeverity', 12, { doc: 'uncorrectable error severity' }),
  u32('corStatus', 16, { doc: 'correctable error status' }),
  u32('corMask', 20, { doc: 'correctable error mask' }),
  u32('capControl', 24, { doc: 'advanced error capabilities and control' }),
  u32s('headerLog', 28, 4, { doc: 'the TLP header log, four dwords' }),
  u32('rootCommand', 44, { doc: 'root error command' }),
  u32('rootStatus', 48, { doc: 'root error status' }),
  u16('corErrSource', 52, { doc: 'correctable error source ID' }),
  u16('uncorErrSource', 54, { doc: 'uncorrectable error source ID' }),
  hex('reserved', 56, PCIE_AER_LENGTH - 56, { doc: 'bytes 56..95' }),
]);

export type AerRegisters = LayoutModel<typeof AER_LAYOUT>;

export function decodeAerRegisters(aerInfo: HexString | Uint8Array): AerRegisters {
  const bytes = typeof aerInfo === 'string' ? fromHex(aerInfo) : aerInfo;
  return AER_LAYOUT.read(new ByteReader(bytes, 0, bytes.length, 'aerInfo'), 0);
}

export function encodeAerRegisters(regs: AerRegisters): HexString {
  const w = new ByteWriter(PCIE_AER_LENGTH);
  AER_LAYOUT.encodeAt(w, 0, regs, 'aer');
  return readHex(new ByteReader(w.bytes), 0, PCIE_AER_LENGTH, 'aer');
}

/** RCRB base address (valid with validation bits 8 and 9): high dword at 20, low dword in device ID bytes 7..10. */
export function pcieRcrbBaseAddress(s: PcieSection): bigint {
  const low = (s.deviceId.function | (s.deviceId.device << 8) | (s.deviceId.segment << 16)) >>> 0;
  return u64FromHalves(low, s.rcrbHighAddress);
}

export const pcieCodec = tableSection({
  info: INFO,
  head: PCIE_LAYOUT,
  doc: 'PCI Express error (UEFI N.2.7), 208 bytes',
  validation: { field: 'validationBits', extra: { aer: 7 } },
  extraInput: () => ({ aer: AER_LAYOUT.input.optional().describe('the AER capability as named registers (instead of aerInfo)') }),
  resolve: (v, out, ctx) => {
    if (v.aerInfo !== undefined && v.aer !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['aer'], message: 'give the AER capability as aerInfo or as aer, not both' });
      return false;
    }
    if (v.aer !== undefined) out.aerInfo = encodeAerRegisters(v.aer as AerRegisters);
    return true;
  },
  example: {
    type: 'pcie',
    portType: 'rootPort',
    version: { major: 3, minor: 0 },
    deviceId: { vendorId: 0x1b36, deviceId: 0x000c, classCode: 0x060400, segment: 0, primaryBus: 0, function: 0, device: 1 },
    aer: { uncorStatus: 0x20 },
  },
});
