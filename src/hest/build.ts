import { EncodeError } from '../binary/errors';
import { GenericAddress } from '../acpi/GenericAddress';
import { HeaderOptions } from '../acpi/RootTable';
import { ErrorSource } from './ErrorSource';
import { GenericHardwareErrorSource, NO_RELATED_SOURCE } from './GenericHardwareErrorSource';
import { Hest, HestEncodeOptions } from './Hest';
import { HardwareErrorNotification, NotificationFields, NotifyTypeName, notifyTypeValue } from './NotificationStructure';

/** QEMU's read-ack masks: OSPM may only change bit 0 (Preserve ~1, Write 1). */
export const QEMU_READ_ACK_PRESERVE = 0xffff_ffff_ffff_fffen;
export const QEMU_READ_ACK_WRITE = 1n;
/** QEMU's error status block size (ACPI_GHES_MAX_RAW_DATA_LENGTH), in 7.2 and the newest release. */
export const QEMU_BLOCK_LENGTH = 1024;

/** A GHES or GHESv2 source described by what matters; everything else gets QEMU's value. */
export interface GhesSpec {
  /** `ghesV2` (type 10, default) or `ghes` (type 9, no read-ack register) */
  kind?: 'ghes' | 'ghesV2';
  sourceId: number;
  /** notification type (name or number) or a whole notification structure */
  notify: number | NotifyTypeName | (string & {}) | NotificationFields;
  relatedSourceId?: number;
  enabled?: boolean;
  recordsToPreallocate?: number;
  maxSectionsPerRecord?: number;
  /** default: the block length */
  maxRawDataLength?: number;
  /** Error Status Block Length (default 1024) */
  blockLength?: number;
  /** the address (or whole GAS) of the 8-byte register holding the block address; default 0 */
  errorStatusAddress?: bigint | GenericAddress;
  /** GHESv2: the read-ack register address (or whole GAS); default 0 */
  readAckAddress?: bigint | GenericAddress;
  readAckPreserve?: bigint;
  readAckWrite?: bigint;
}

export interface HestBuildOptions extends HeaderOptions, HestEncodeOptions {}

/** Turns a GhesSpec into the structure, QEMU style: one named field per line. */
export function ghesSource(spec: GhesSpec, path = 'sources'): GenericHardwareErrorSource {
  const blockLength = spec.blockLength ?? QEMU_BLOCK_LENGTH;
  const notification =
    typeof spec.notify === 'object' ? new HardwareErrorNotification(spec.notify) : HardwareErrorNotification.of(notifyTypeValue(spec.notify, `${path}.notify`));
  const gas = (a: bigint | GenericAddress | undefined) => (a instanceof GenericAddress ? a : GenericAddress.qword(a ?? 0n));
  const v2 = (spec.kind ?? 'ghesV2') === 'ghesV2';
  return new GenericHardwareErrorSource({
    type: v2 ? 10 : 9,
    sourceId: spec.sourceId,
    relatedSourceId: spec.relatedSourceId ?? NO_RELATED_SOURCE,
    reserved: 0,
    enabled: spec.enabled === false ? 0 : 1,
    recordsToPreallocate: spec.recordsToPreallocate ?? 1,
    maxSectionsPerRecord: spec.maxSectionsPerRecord ?? 1,
    maxRawDataLength: spec.maxRawDataLength ?? blockLength,
    errorStatusAddress: gas(spec.errorStatusAddress),
    notification,
    errorStatusBlockLength: blockLength,
    readAck: v2
      ? { register: gas(spec.readAckAddress), preserve: spec.readAckPreserve ?? QEMU_READ_ACK_PRESERVE, write: spec.readAckWrite ?? QEMU_READ_ACK_WRITE }
      : undefined,
  });
}

function isGhesSpec(e: ErrorSource | GhesSpec): e is GhesSpec {
  return 'notify' in e;
}

/**
 * A HEST from any structures: error-source objects of any type, or GhesSpec shorthands for
 * GHES/GHESv2 (any number, any notification type, any block length). The validity rules are
 * checked when the table is written (unless `validate: false`).
 */
export function buildHest(entries: Array<ErrorSource | GhesSpec>, options: HestBuildOptions = {}): Hest {
  const sources = entries.map((e, i) => (isGhesSpec(e) ? ghesSource(e, `sources[${i}]`) : e));
  if (sources.length === 0 && options.validate !== false) {
    throw new EncodeError({ code: 'bad_count', path: 'sources', message: 'a HEST needs at least one error source' });
  }
  const { checksum, validate, errorSourceCount, ...header } = options;
  return new Hest(sources, header, { checksum, validate, errorSourceCount });
}
