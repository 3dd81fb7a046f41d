import { EncodeError } from '../../binary';
import type { NotificationKind, SourceSpec } from '../../vm/contract';

/**
 * One error source of a machine, fully resolved (every default applied). The profiles produce a
 * list of these; the boot code turns them into HEST entries and `etc/hardware_errors` slots.
 */
export interface RasSourceConfig {
  sourceId: number;
  notification: NotificationKind;
  /** GHESv2 (type 10, with a read-ack register) or GHES (type 9) */
  version: 'ghes' | 'ghesv2';
  /** bytes of the error status block; also the HEST Max Raw Data Length (QEMU: 1024 for both) */
  errorBlockLength: number;
  /** HEST Number of Records to Pre-allocate (QEMU: 1) */
  recordsToPreallocate: number;
  /** HEST Max Sections Per Record (QEMU: 1) */
  maxSectionsPerRecord: number;
  /** notification Poll Interval in ms (polled sources; QEMU writes 0) */
  pollIntervalMs: number;
  /** notification Vector: interrupt number, GSIV, or the SDEI event number (QEMU writes 0) */
  vector: number;
}

/** A source as the extended profile accepts it: the VM contract's SourceSpec plus the HEST counts. */
export interface ExtendedSourceSpec extends Partial<SourceSpec> {
  recordsToPreallocate?: number;
  maxSectionsPerRecord?: number;
}

/** HEST notification type numbers of the contract's notification names (ACPI 6.5 §18.3.2.9). */
export const NOTIFICATION_TYPE: Readonly<Record<NotificationKind, number>> = {
  polled: 0,
  external: 1,
  local: 2,
  sci: 3,
  nmi: 4,
  cmci: 5,
  mce: 6,
  gpio: 7,
  sea: 8,
  sei: 9,
  gsiv: 10,
  sdei: 11,
};

export const NOTIFICATION_KINDS = Object.keys(NOTIFICATION_TYPE) as NotificationKind[];

/** QEMU's error status block size (ACPI_GHES_MAX_RAW_DATA_LENGTH), 7.2 and newest. */
export const QEMU_ERROR_BLOCK_LENGTH = 1024;
/** Smallest block that holds a Generic Error Status Block header. */
export const MIN_ERROR_BLOCK_LENGTH = 20;
/** Largest block the extended profile accepts (1 MiB). */
export const MAX_ERROR_BLOCK_LENGTH = 0x10_0000;
/** Default poll interval of polled sources in the extended profile. */
export const DEFAULT_POLL_INTERVAL_MS = 1000;

function bad(path: string, message: string): never {
  throw new EncodeError({ code: 'invalid_input', path, message });
}

function uint(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(path, `must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Resolves extended-profile sources: default notification SEI, GHESv2, 1024-byte blocks, one
 * record, one section, source id = index. Source ids must be unique and below 0xFFFF (0xFFFF
 * means "no source" in Related Source Id).
 */
export function resolveExtendedSources(specs: readonly ExtendedSourceSpec[]): RasSourceConfig[] {
  if (!Array.isArray(specs) || specs.length === 0) bad('sources', 'the extended profile needs at least one source');
  if (specs.length > 0xffff) bad('sources', `at most 65535 sources, got ${specs.length}`);
  const seen = new Map<number, number>();
  return specs.map((s, i) => {
    const p = `sources[${i}]`;
    const notification = s.notification ?? 'sei';
    if (!NOTIFICATION_KINDS.includes(notification)) bad(`${p}.notification`, `unknown notification ${JSON.stringify(notification)} (one of ${NOTIFICATION_KINDS.join(', ')})`);
    const version = s.version ?? 'ghesv2';
    if (version !== 'ghes' && version !== 'ghesv2') bad(`${p}.version`, `must be "ghes" or "ghesv2", got ${JSON.stringify(version)}`);
    const sourceId = uint(s.sourceId ?? i, `${p}.sourceId`, 0, 0xfffe);
    if (seen.has(sourceId)) bad(`${p}.sourceId`, `source id ${sourceId} is already used by sources[${seen.get(sourceId)}]`);
    seen.set(sourceId, i);
    return {
      sourceId,
      notification,
      version,
      errorBlockLength: uint(s.errorBlockLength ?? QEMU_ERROR_BLOCK_LENGTH, `${p}.errorBlockLength`, MIN_ERROR_BLOCK_LENGTH, MAX_ERROR_BLOCK_LENGTH),
      recordsToPreallocate: uint(s.recordsToPreallocate ?? 1, `${p}.recordsToPreallocate`, 1, 0xffff_ffff),
      maxSectionsPerRecord: uint(s.maxSectionsPerRecord ?? 1, `${p}.maxSectionsPerRecord`, 1, 0xffff_ffff),
      pollIntervalMs: uint(s.pollIntervalMs ?? (notification === 'polled' ? DEFAULT_POLL_INTERVAL_MS : 0), `${p}.pollIntervalMs`, 0, 0xffff_ffff),
      vector: uint(s.vector ?? 0, `${p}.vector`, 0, 0xffff_ffff),
    };
  });
}

/** A source exactly as QEMU builds it (`build_ghes_v2`): GHESv2, 1 KiB block, every notification field 0. */
export function qemuSource(sourceId: number, notification: NotificationKind): RasSourceConfig {
  return {
    sourceId,
    notification,
    version: 'ghesv2',
    errorBlockLength: QEMU_ERROR_BLOCK_LENGTH,
    recordsToPreallocate: 1,
    maxSectionsPerRecord: 1,
    pollIntervalMs: 0,
    vector: 0,
  };
}
