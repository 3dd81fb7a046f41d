import { hex } from '../kernel-log';
import type { SectionContext } from './section-context';

/**
 * cper_print_pcie: the PCI Express Error section (208 bytes). The AER registers (bytes 112..207,
 * a copy of the device's AER capability) are printed by the rule of the profile: older kernels
 * show the uncorrectable status/mask, severity and TLP header only when the section severity has
 * bit 0 set (fatal, or informational), newer ones show the correctable pair too, whenever the
 * AER-info bit is valid.
 */

/** sizeof(struct cper_sec_pcie) */
export const PCIE_SIZE = 208;

const V = {
  portType: 0x1n,
  version: 0x2n,
  commandStatus: 0x4n,
  deviceId: 0x8n,
  serialNumber: 0x10n,
  bridgeControlStatus: 0x20n,
  capability: 0x40n,
  aerInfo: 0x80n,
} as const;

const PORT_TYPE = [
  'PCIe end point', 'legacy PCI end point', 'unknown', 'unknown', 'root port', 'upstream switch port',
  'downstream switch port', 'PCIe to PCI/PCI-X bridge', 'PCI/PCI-X to PCIe bridge',
  'root complex integrated endpoint device', 'root complex event collector',
];

/** Offset of the AER capability copy inside the section. */
const AER = 112;

export function printPcie(ctx: SectionContext): void {
  const { log, pfx, body: r, profile } = ctx;
  const valid = r.u64(0, 'validationBits');
  const has = (bit: bigint) => (valid & bit) !== 0n;
  if (has(V.portType)) {
    const t = r.u32(8, 'portType');
    log.print(pfx, `port_type: ${t | 0}, ${t < PORT_TYPE.length ? PORT_TYPE[t] : 'unknown'}`);
  }
  if (has(V.version)) log.print(pfx, `version: ${r.u8(13, 'version.major')}.${r.u8(12, 'version.minor')}`);
  if (has(V.commandStatus)) log.print(pfx, `command: 0x${hex(r.u16(16, 'command'), 4)}, status: 0x${hex(r.u16(18, 'status'), 4)}`);
  if (has(V.deviceId)) {
    const segment = r.u16(33, 'deviceId.segment');
    const bus = r.u8(35, 'deviceId.bus');
    const device = r.u8(32, 'deviceId.device');
    const fn = r.u8(31, 'deviceId.function');
    log.print(pfx, `device_id: ${hex(segment, 4)}:${hex(bus, 2)}:${hex(device, 2)}.${fn.toString(16)}`);
    log.print(pfx, `slot: ${r.u16(37, 'deviceId.slot') >> 3}`);
    log.print(pfx, `secondary_bus: 0x${hex(r.u8(36, 'deviceId.secondaryBus'), 2)}`);
    log.print(pfx, `vendor_id: 0x${hex(r.u16(24, 'deviceId.vendorId'), 4)}, device_id: 0x${hex(r.u16(26, 'deviceId.deviceId'), 4)}`);
    log.print(pfx, `class_code: ${hex(r.u8(30, 'deviceId.classCode'), 2)}${hex(r.u8(29, 'deviceId.classCode'), 2)}${hex(r.u8(28, 'deviceId.classCode'), 2)}`);
  }
  if (has(V.serialNumber)) log.print(pfx, `serial number: 0x${hex(r.u32(40, 'serialNumber.lower'), 4)}, 0x${hex(r.u32(44, 'serialNumber.upper'), 4)}`);
  if (has(V.bridgeControlStatus)) {
    log.print(pfx, `bridge: secondary_status: 0x${hex(r.u16(48, 'bridge.secondaryStatus'), 4)}, control: 0x${hex(r.u16(50, 'bridge.control'), 4)}`);
  }
  if (!has(V.aerInfo)) return;
  const all = profile.pcieAerLines === 'all-when-valid';
  if (!all && (ctx.severity & 1) === 0) return;
  // struct aer_capability_regs: header, uncor status/mask/severity, cor status/mask, cap control, TLP log.
  const u = (i: number, name: string) => hex(r.u32(AER + i * 4, `aerInfo.${name}`), 8);
  if (all) log.print(pfx, `aer_cor_status: 0x${u(4, 'corStatus')}, aer_cor_mask: 0x${u(5, 'corMask')}`);
  log.print(pfx, `aer_uncor_status: 0x${u(1, 'uncorStatus')}, aer_uncor_mask: 0x${u(2, 'uncorMask')}`);
  log.print(pfx, `aer_uncor_severity: 0x${u(3, 'uncorSeverity')}`);
  log.print(pfx, `TLP Header: ${u(7, 'headerLog')} ${u(8, 'headerLog')} ${u(9, 'headerLog')} ${u(10, 'headerLog')}`);
}
