import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';
import { decodeErrorSourceHead, ErrorSourceHead, ErrorSourceHeadFields } from './ErrorSourceHead';

export type PcieAerType = 6 | 7 | 8;

export interface PcieAerFields extends ErrorSourceHeadFields {
  /** 6 root port (48 bytes), 7 device/endpoint (44), 8 PCIe/PCI-X bridge (56) */
  type: PcieAerType;
  /** bit 0 firmware first, bit 1 global; bits 2–7 reserved */
  flags: number;
  /** bits 7:0 bus, 23:8 segment */
  bus: number;
  device: number;
  function: number;
  deviceControl: number;
  reserved2?: number;
  uncorrectableErrorMask: number;
  uncorrectableErrorSeverity: number;
  correctableErrorMask: number;
  advancedErrorCapabilitiesAndControl: number;
  /** type 6 only */
  rootErrorCommand?: number;
  /** type 8 only */
  secondaryUncorrectableErrorMask?: number;
  secondaryUncorrectableErrorSeverity?: number;
  secondaryAdvancedErrorCapabilitiesAndControl?: number;
}

const LENGTH: Record<PcieAerType, number> = { 6: 48, 7: 44, 8: 56 };
const NAME: Record<PcieAerType, string> = { 6: 'pcieRootPortAer', 7: 'pcieDeviceAer', 8: 'pcieBridgeAer' };

/**
 * Types 6/7/8, PCI Express AER. Shared body: 4 Reserved u16 · 6 Flags · 7 Enabled · 8 Records u32
 * · 12 MaxSections u32 · 16 Bus u32 · 20 Device u16 · 22 Function u16 · 24 DeviceControl u16 · 26
 * Reserved u16 · 28 UncorrectableErrorMask · 32 UncorrectableErrorSeverity · 36
 * CorrectableErrorMask · 40 AdvancedErrorCapabilitiesAndControl (u32 each). Root port adds 44
 * RootErrorCommand; bridge adds 44/48/52 the three secondary fields.
 */
export class PcieAer extends ErrorSourceHead<PcieAerType> implements Encodable {
  readonly bus: number;
  readonly device: number;
  readonly function: number;
  readonly deviceControl: number;
  readonly reserved2: number;
  readonly uncorrectableErrorMask: number;
  readonly uncorrectableErrorSeverity: number;
  readonly correctableErrorMask: number;
  readonly advancedErrorCapabilitiesAndControl: number;
  readonly rootErrorCommand: number;
  readonly secondaryUncorrectableErrorMask: number;
  readonly secondaryUncorrectableErrorSeverity: number;
  readonly secondaryAdvancedErrorCapabilitiesAndControl: number;

  constructor(f: PcieAerFields) {
    super(f.type, f);
    this.bus = f.bus;
    this.device = f.device;
    this.function = f.function;
    this.deviceControl = f.deviceControl;
    this.reserved2 = f.reserved2 ?? 0;
    this.uncorrectableErrorMask = f.uncorrectableErrorMask;
    this.uncorrectableErrorSeverity = f.uncorrectableErrorSeverity;
    this.correctableErrorMask = f.correctableErrorMask;
    this.advancedErrorCapabilitiesAndControl = f.advancedErrorCapabilitiesAndControl;
    this.rootErrorCommand = f.rootErrorCommand ?? 0;
    this.secondaryUncorrectableErrorMask = f.secondaryUncorrectableErrorMask ?? 0;
    this.secondaryUncorrectableErrorSeverity = f.secondaryUncorrectableErrorSeverity ?? 0;
    this.secondaryAdvancedErrorCapabilitiesAndControl = f.secondaryAdvancedErrorCapabilitiesAndControl ?? 0;
  }

  get byteLength(): number {
    return LENGTH[this.type];
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    this.writeHead(w, offset, path);
    w.u32(offset + 16, this.bus, p('bus'));
    w.u16(offset + 20, this.device, p('device'));
    w.u16(offset + 22, this.function, p('function'));
    w.u16(offset + 24, this.deviceControl, p('deviceControl'));
    w.u16(offset + 26, this.reserved2, p('reserved2'));
    w.u32(offset + 28, this.uncorrectableErrorMask, p('uncorrectableErrorMask'));
    w.u32(offset + 32, this.uncorrectableErrorSeverity, p('uncorrectableErrorSeverity'));
    w.u32(offset + 36, this.correctableErrorMask, p('correctableErrorMask'));
    w.u32(offset + 40, this.advancedErrorCapabilitiesAndControl, p('advancedErrorCapabilitiesAndControl'));
    if (this.type === 6) w.u32(offset + 44, this.rootErrorCommand, p('rootErrorCommand'));
    if (this.type === 8) {
      w.u32(offset + 44, this.secondaryUncorrectableErrorMask, p('secondaryUncorrectableErrorMask'));
      w.u32(offset + 48, this.secondaryUncorrectableErrorSeverity, p('secondaryUncorrectableErrorSeverity'));
      w.u32(offset + 52, this.secondaryAdvancedErrorCapabilitiesAndControl, p('secondaryAdvancedErrorCapabilitiesAndControl'));
    }
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      ...this.headJson(NAME[this.type]),
      bus: this.bus,
      device: this.device,
      function: this.function,
      deviceControl: this.deviceControl,
      reserved2: this.reserved2,
      uncorrectableErrorMask: this.uncorrectableErrorMask,
      uncorrectableErrorSeverity: this.uncorrectableErrorSeverity,
      correctableErrorMask: this.correctableErrorMask,
      advancedErrorCapabilitiesAndControl: this.advancedErrorCapabilitiesAndControl,
    };
    if (this.type === 6) out.rootErrorCommand = this.rootErrorCommand;
    if (this.type === 8) {
      out.secondaryUncorrectableErrorMask = this.secondaryUncorrectableErrorMask;
      out.secondaryUncorrectableErrorSeverity = this.secondaryUncorrectableErrorSeverity;
      out.secondaryAdvancedErrorCapabilitiesAndControl = this.secondaryAdvancedErrorCapabilitiesAndControl;
    }
    return out;
  }
}

export function decodePcieAer(r: ByteReader, type: PcieAerType): PcieAer {
  return new PcieAer({
    type,
    ...decodeErrorSourceHead(r),
    bus: r.u32(16, 'bus'),
    device: r.u16(20, 'device'),
    function: r.u16(22, 'function'),
    deviceControl: r.u16(24, 'deviceControl'),
    reserved2: r.u16(26, 'reserved2'),
    uncorrectableErrorMask: r.u32(28, 'uncorrectableErrorMask'),
    uncorrectableErrorSeverity: r.u32(32, 'uncorrectableErrorSeverity'),
    correctableErrorMask: r.u32(36, 'correctableErrorMask'),
    advancedErrorCapabilitiesAndControl: r.u32(40, 'advancedErrorCapabilitiesAndControl'),
    rootErrorCommand: type === 6 ? r.u32(44, 'rootErrorCommand') : undefined,
    secondaryUncorrectableErrorMask: type === 8 ? r.u32(44, 'secondaryUncorrectableErrorMask') : undefined,
    secondaryUncorrectableErrorSeverity: type === 8 ? r.u32(48, 'secondaryUncorrectableErrorSeverity') : undefined,
    secondaryAdvancedErrorCapabilitiesAndControl: type === 8 ? r.u32(52, 'secondaryAdvancedErrorCapabilitiesAndControl') : undefined,
  });
}
