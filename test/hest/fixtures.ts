import {
  ErrorSource,
  ghesSource,
  HardwareErrorNotification,
  Hest,
  Ia32CorrectedMachineCheck,
  Ia32MachineCheck,
  Ia32Nmi,
  MachineCheckBank,
  PcieAer,
} from '../../src/hest';

/** Test tables built with the encoder: one structure of every type, with distinct values. */
export function bank(n: number): MachineCheckBank {
  return new MachineCheckBank({ bankNumber: n, clearStatusOnInit: 1, statusDataFormat: 1, controlRegisterMsr: 0x400 + 4 * n, controlInitData: 0xffff_ffff_ffff_ffffn, statusRegisterMsr: 0x401 + 4 * n, addressRegisterMsr: 0x402 + 4 * n, miscRegisterMsr: 0x403 + 4 * n });
}

export function allTypes(): ErrorSource[] {
  return [
    new Ia32MachineCheck({ sourceId: 1, flags: 1, enabled: 1, recordsToPreallocate: 2, maxSectionsPerRecord: 3, globalCapabilityInitData: 0x0a0bn, globalControlInitData: 0x1_0000_0000n, banks: [bank(0), bank(1)] }),
    new Ia32CorrectedMachineCheck({ type: 1, sourceId: 2, flags: 0, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, notification: HardwareErrorNotification.of('cmci', { pollInterval: 100 }), banks: [bank(2)] }),
    new Ia32Nmi({ sourceId: 3, recordsToPreallocate: 1, maxSectionsPerRecord: 1, maxRawDataLength: 4096 }),
    new PcieAer({ type: 6, sourceId: 4, flags: 2, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, bus: 0x0001_00, device: 2, function: 1, deviceControl: 0x0f, uncorrectableErrorMask: 0x10, uncorrectableErrorSeverity: 0x20, correctableErrorMask: 0x30, advancedErrorCapabilitiesAndControl: 0x40, rootErrorCommand: 7 }),
    new PcieAer({ type: 7, sourceId: 5, flags: 1, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, bus: 1, device: 0, function: 0, deviceControl: 0, uncorrectableErrorMask: 0, uncorrectableErrorSeverity: 0, correctableErrorMask: 0, advancedErrorCapabilitiesAndControl: 0 }),
    new PcieAer({ type: 8, sourceId: 6, flags: 0, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, bus: 2, device: 0, function: 0, deviceControl: 0, uncorrectableErrorMask: 0, uncorrectableErrorSeverity: 0, correctableErrorMask: 0, advancedErrorCapabilitiesAndControl: 0, secondaryUncorrectableErrorMask: 9, secondaryUncorrectableErrorSeverity: 10, secondaryAdvancedErrorCapabilitiesAndControl: 11 }),
    ghesSource({ kind: 'ghes', sourceId: 7, notify: 'sei', errorStatusAddress: 0x4000_0000n }),
    ghesSource({ sourceId: 8, notify: 'sdei', errorStatusAddress: 0x4000_0008n, readAckAddress: 0x4000_0010n }),
    new Ia32CorrectedMachineCheck({ type: 11, sourceId: 9, flags: 4, enabled: 1, recordsToPreallocate: 1, maxSectionsPerRecord: 1, notification: HardwareErrorNotification.of('polled', { pollInterval: 5000 }), banks: [] }),
  ];
}

/** Lengths of allTypes() in order. */
export const ALL_TYPES_LENGTHS = [40 + 56, 48 + 28, 20, 48, 44, 56, 64, 92, 48];

export function allTypesHest(): Uint8Array {
  return new Hest(allTypes(), { oemId: 'RASGW' }).toBytes();
}

export function u16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = v >> 8;
}
