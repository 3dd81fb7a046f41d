import { encodeToBytes } from '../binary/ByteWriter';
import { EncodeError } from '../binary/errors';
import { TABLE_CHECKSUM_OFFSET } from '../acpi/TableHeader';
import { buildHest, GhesSpec, QEMU_BLOCK_LENGTH } from './build';
import { GHES_OFFSETS } from './GenericHardwareErrorSource';
import { Hest } from './Hest';
import { NotifyTypeName } from './NotificationStructure';

/** One error source as QEMU describes it (`AcpiNotificationSourceId`: source id + notification). */
export interface QemuHestSource {
  sourceId: number;
  notify: number | NotifyTypeName | (string & {});
  /** `ghesV2` (QEMU's only kind, default) or `ghes` for extended profiles */
  kind?: 'ghes' | 'ghesV2';
}

export interface QemuHestOptions {
  /** default: one SEA source with id 0 (QEMU 7.2; newest with ≤ virt-10.1) */
  sources?: QemuHestSource[];
  oemId?: string;
  oemTableId?: string;
  /** error status block length and max raw data length (QEMU: 1024) */
  blockLength?: number;
  /**
   * Guest address of `etc/hardware_errors`. Omitted: the GAS addresses hold the offsets QEMU
   * pre-stores for ADD_POINTER (8i and 8(N+i)), as in QEMU's fw_cfg blob. Given: they hold
   * address + offset, as after the firmware patched them.
   */
  hardwareErrorsAddress?: bigint;
  /** `zero` (default, as QEMU serves it) or `compute` (as after the firmware's ADD_CHECKSUM) */
  checksum?: 'zero' | 'compute';
}

/** QEMU 7.2 / newest: SEA source 0; newest virt-10.2+: SEA 0 and GPIO 1. */
export const QEMU_7_2_SOURCES: QemuHestSource[] = [{ sourceId: 0, notify: 'sea' }];
export const QEMU_10_2_SOURCES: QemuHestSource[] = [
  { sourceId: 0, notify: 'sea' },
  { sourceId: 1, notify: 'gpio' },
];

/**
 * Offsets inside QEMU's `etc/hardware_errors` for N sources and block size B:
 * 8·i error_block_address[i] · 8N + 8·i read_ack_register[i] · 16N + i·B block i; total 16N + N·B.
 */
export function qemuHardwareErrorsLayout(sourceCount: number, blockLength = QEMU_BLOCK_LENGTH) {
  return {
    size: 16 * sourceCount + sourceCount * blockLength,
    errorBlockAddressOffset: (i: number) => 8 * i,
    readAckOffset: (i: number) => 8 * (sourceCount + i),
    blockOffset: (i: number) => 16 * sourceCount + i * blockLength,
  };
}

/** The HEST model QEMU builds (`acpi_build_hest` + `build_ghes_v2`), in the order of `sources`. */
export function qemuHest(options: QemuHestOptions = {}): Hest {
  const sources = options.sources ?? QEMU_7_2_SOURCES;
  if (sources.length === 0) throw new EncodeError({ code: 'bad_count', path: 'sources', message: 'QEMU builds at least one GHES source' });
  const hw = qemuHardwareErrorsLayout(sources.length, options.blockLength);
  const base = options.hardwareErrorsAddress ?? 0n;
  const specs: GhesSpec[] = sources.map((s, i) => ({
    kind: s.kind ?? 'ghesV2',
    sourceId: s.sourceId,
    notify: s.notify,
    blockLength: options.blockLength ?? QEMU_BLOCK_LENGTH,
    errorStatusAddress: base + BigInt(hw.errorBlockAddressOffset(i)),
    readAckAddress: base + BigInt(hw.readAckOffset(i)),
  }));
  return buildHest(specs, {
    revision: 1,
    oemId: options.oemId ?? 'BOCHS ',
    oemTableId: options.oemTableId ?? 'BXPC    ',
    oemRevision: 1,
    creatorId: 'BXPC',
    creatorRevision: 1,
    padding: 'nul',
    checksum: options.checksum ?? 'zero',
  });
}

/** The HEST bytes QEMU serves in `etc/acpi/tables` (unpatched unless `hardwareErrorsAddress`/`checksum` say otherwise). */
export function buildQemuHest(options: QemuHestOptions = {}): Uint8Array {
  return encodeToBytes(qemuHest(options));
}

/** An ADD_POINTER target inside the HEST. */
export interface HestPointerField {
  /** index of the source in the table */
  sourceIndex: number;
  sourceId: number;
  field: 'errorStatusAddress' | 'readAckRegister';
  /** offset of the 8-byte address field from the start of the HEST */
  offset: number;
  size: 8;
  /** offset inside `etc/hardware_errors` that QEMU pre-stores there */
  hardwareErrorsOffset: number;
}

/** Where the boot helper must emit linker commands for a QEMU HEST. */
export interface QemuHestPatchPoints {
  tableLength: number;
  /** ADD_POINTER dest=`etc/acpi/tables` at (HEST offset + offset), src=`etc/hardware_errors` */
  pointers: HestPointerField[];
  /** ADD_CHECKSUM over [HEST, HEST + length) with the byte at HEST + 9 */
  checksum: { offset: number; start: number; length: number };
}

/**
 * The ADD_POINTER and ADD_CHECKSUM targets of `buildQemuHest(options)`, in QEMU's emission order
 * (per source: error status address, then read-ack register; the checksum after the table).
 * Offsets are relative to the HEST start; add the table's offset inside `etc/acpi/tables`.
 */
export function qemuHestPatchPoints(options: QemuHestOptions = {}): QemuHestPatchPoints {
  const hest = qemuHest(options);
  const hw = qemuHardwareErrorsLayout(hest.sources.length, options.blockLength);
  const pointers: HestPointerField[] = [];
  hest.sourceOffsets().forEach((at, i) => {
    const s = hest.sources[i];
    pointers.push({ sourceIndex: i, sourceId: s.sourceId, field: 'errorStatusAddress', offset: at + GHES_OFFSETS.errorStatusAddressValue, size: 8, hardwareErrorsOffset: hw.errorBlockAddressOffset(i) });
    if (s.type === 10) {
      pointers.push({ sourceIndex: i, sourceId: s.sourceId, field: 'readAckRegister', offset: at + GHES_OFFSETS.readAckRegisterValue, size: 8, hardwareErrorsOffset: hw.readAckOffset(i) });
    }
  });
  return { tableLength: hest.byteLength, pointers, checksum: { offset: TABLE_CHECKSUM_OFFSET, start: 0, length: hest.byteLength } };
}

