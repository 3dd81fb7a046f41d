import { FW_WARN, hex } from '../kernel-log';
import { printHexDump } from '../hex-dump';
import { readU32LE } from '../../../binary/le';
import type { SectionContext } from './section-context';

/**
 * cxl_cper_print_prot_err (drivers/firmware/efi/cper_cxl.c, 6.7+): the CXL Protocol Error section.
 *
 * Layout (116 bytes, packed): validation u64 · agent type u8 @8 · agent address @16 (an RCRB base
 * u64, or function u8, device u8, bus u8, segment u16) · device id @24 (vendor u16, device u16,
 * subsystem vendor u16, subsystem u16, class code 2 bytes @32, slot u16 @34) · serial number @40
 * (lower u32, upper u32) · capability structure 60 bytes @48 · DVSEC length u16 @108 · error log
 * length u16 @110 · 4 reserved; then DVSEC bytes, then the CXL RAS capability (error log).
 *
 * Every line is pr_info("%s <text>", pfx): level `info` (the call's own level marker comes first)
 * and one extra space after the section prefix.
 */

/** sizeof(struct cxl_cper_sec_prot_err) */
export const CXL_PROT_ERR_SIZE = 116;

const AGENT_TYPE = [
  'Restricted CXL Device',
  'Restricted CXL Host Downstream Port',
  'CXL Device',
  'CXL Logical Device',
  'CXL Fabric Manager managed Logical Device',
  'CXL Root Port',
  'CXL Downstream Switch Port',
  'CXL Upstream Switch Port',
];
const RCD = 0;
const RCH_DP = 1;
const DEVICE = 2;
const LD = 3;
const FMLD = 4;
const RP = 5;
const DSP = 6;
const USP = 7;
const SBDF_AGENTS = new Set([RCD, DEVICE, LD, FMLD, RP, DSP, USP]);
const DEVICE_AGENTS = new Set([RCD, DEVICE, LD, FMLD]);

export function printCxlProtocolError(ctx: SectionContext): void {
  const { log, pfx, body: r } = ctx;
  const info = (text: string) => log.printWithLevel('info', pfx, ` ${text}`);
  const valid = r.u64(0, 'validationBits');
  const has = (bit: number) => (valid & (1n << BigInt(bit))) !== 0n;
  const agent = r.u8(8, 'agentType');
  const end = r.start + r.length;

  if (has(0)) info(`agent_type: ${agent}, ${agent < AGENT_TYPE.length ? AGENT_TYPE[agent] : 'unknown'}`);
  if (has(1)) {
    if (SBDF_AGENTS.has(agent)) {
      info(`agent_address: ${hex(r.u16(19, 'agentAddress.segment'), 4)}:${hex(r.u8(18, 'agentAddress.bus'), 2)}:${hex(r.u8(17, 'agentAddress.device'), 2)}.${r.u8(16, 'agentAddress.function').toString(16)}`);
    } else if (agent === RCH_DP) {
      info(`rcrb_base_address: 0x${hex(r.u64(16, 'agentAddress.rcrbBaseAddress'), 16)}`);
    }
  }
  if (has(2) && SBDF_AGENTS.has(agent)) {
    info(`slot: ${r.u16(34, 'deviceId.slot') >> 3}`);
    info(`vendor_id: 0x${hex(r.u16(24, 'deviceId.vendorId'), 4)}, device_id: 0x${hex(r.u16(26, 'deviceId.deviceId'), 4)}`);
    info(`sub_vendor_id: 0x${hex(r.u16(28, 'deviceId.subsystemVendorId'), 4)}, sub_device_id: 0x${hex(r.u16(30, 'deviceId.subsystemId'), 4)}`);
    info(`class_code: ${hex(r.u8(33, 'deviceId.classCode'), 2)}${hex(r.u8(32, 'deviceId.classCode'), 2)}`);
  }
  if (has(3) && DEVICE_AGENTS.has(agent)) {
    info(`lower_dw: 0x${hex(r.u32(40, 'serialNumber.lower'), 8)}, upper_dw: 0x${hex(r.u32(44, 'serialNumber.upper'), 8)}`);
  }
  const tooSmall = () => log.printLevel('err', `${FW_WARN}error section length is too small`);
  if (has(4) && SBDF_AGENTS.has(agent)) {
    if (!printHexDump(log, pfx, r.bytes, r.abs(48), 60, false, end)) return tooSmall();
  }
  if (has(5)) {
    const dvsecLength = r.u16(108, 'dvsecLength');
    info(`DVSEC length: 0x${hex(dvsecLength, 4)}`);
    info('CXL DVSEC:');
    if (!printHexDump(log, pfx, r.bytes, r.abs(CXL_PROT_ERR_SIZE), dvsecLength, false, end)) return tooSmall();
  }
  if (has(6)) {
    info(`Error log length: 0x${hex(r.u16(110, 'errorLogLength'), 4)}`);
    info('CXL Error Log:');
    // struct cxl_ras_capability_regs follows the DVSEC bytes.
    const ras = CXL_PROT_ERR_SIZE + r.u16(108, 'dvsecLength');
    if (ctx.profile.cxlHeaderLogBoundsCheck) {
      const reg = (i: number, name: string) => hex(r.u32(ras + i * 4, `errorLog.${name}`), 8);
      printRasRegisters(info, reg);
      if (!printHexDump(log, pfx, r.bytes, r.abs(ras + 24), 64, false, end)) tooSmall();
      return;
    }
    // 6.12 and 7.3.4: the registers and the 64-byte header log are read with no bounds check; what
    // lies past the record reads as zeros (the rest of GHES's zeroed buffer), so the whole dump is
    // printed, zero rows included, and no length warning follows.
    const regs = rasCapabilityCopy(r.bytes, r.abs(ras), end);
    const reg = (i: number) => hex(readU32LE(regs, i * 4), 8);
    printRasRegisters(info, reg);
    printHexDump(log, pfx, regs, 24, 64, false, regs.length);
  }
}

/** sizeof(struct cxl_ras_capability_regs): six u32 registers, then the 64-byte header log. */
export const CXL_RAS_CAPABILITY_SIZE = 88;

function printRasRegisters(info: (text: string) => void, reg: (i: number, name: string) => string): void {
  info(`cxl_ras_uncor_status: 0x${reg(0, 'uncorStatus')}`);
  info(`cxl_ras_uncor_mask: 0x${reg(1, 'uncorMask')}`);
  info(`cxl_ras_uncor_severity: 0x${reg(2, 'uncorSeverity')}`);
  info(`cxl_ras_cor_status: 0x${reg(3, 'corStatus')}`);
  info(`cxl_ras_cor_mask: 0x${reg(4, 'corMask')}`);
  info(`cap_control: 0x${reg(5, 'capControl')}`);
  info('Header Log Registers:');
}

/** The 88 bytes of the RAS capability at absolute `start`, zero where they lie past `end`. */
function rasCapabilityCopy(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(CXL_RAS_CAPABILITY_SIZE);
  const have = Math.max(0, Math.min(CXL_RAS_CAPABILITY_SIZE, end - start));
  if (have > 0) out.set(bytes.subarray(start, start + have));
  return out;
}

