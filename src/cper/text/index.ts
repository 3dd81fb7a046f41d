import { RasgwError } from '../../binary';
import type { LinuxVersion } from '../../vm/contract';
import { ESTATUS_HEADER_SIZE, GHES_ESTATUS_MAX_SIZE, GHES_MESSAGES, EstatusHeader, EstatusSectionRef, ghesCheckBlock, checkEstatus, readEstatusHeader } from './estatus-check';
import { printEstatusRecord } from './estatus-print';
import { KernelLog, LinuxLine } from './kernel-log';
import { LinuxTextProfile, linuxTextProfile } from './linux-versions';

/**
 * Linux-style CPER text, version by version: what a Linux guest prints on its console for a
 * Generic Error Status Block, computed from the block's bytes the way Linux reads them (bounded
 * reads; nothing past the bytes given is ever read).
 *
 * The GHES gate runs first, as in ghes.c: block_status 0 prints nothing; a block the length or
 * CPER checks refuse prints only Linux's "[Firmware Warn]: GHES: …" line. Otherwise the record is
 * printed with the `{seq}[Hardware Error]: ` prefix as __ghes_print_estatus does.
 */

export interface RenderLinuxOptions {
  /** kernel whose text to reproduce (default 'mainline') */
  version?: LinuxVersion;
  /** HEST source id printed in the first line (u16, default 0) */
  sourceId?: number;
  /** the `{N}` sequence number (default 1) */
  seq?: number;
  /** include the `{N}[Hardware Error]: ` prefix (default true; indentation is kept either way) */
  prefix?: boolean;
  /** print at KERN_EMERG, as __ghes_panic does for a fatal block (default false) */
  fatal?: boolean;
  /** the HEST source's error block length (default: the number of bytes given) */
  errorBlockLength?: number;
  /** print even when block_status is 0 (Linux would not look at the block; default false) */
  ignoreBlockStatus?: boolean;
  /** a custom switch set instead of the version's (other kernels, other backport states) */
  profile?: LinuxTextProfile;
}

function invalid(path: string, message: string): RasgwError {
  return new RasgwError({ code: 'invalid_input', path, message });
}

function checkedInt(v: number | undefined, fallback: number, max: number, path: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) throw invalid(path, `expected an integer 0..${max}, got ${String(v)}`);
  return v;
}

/**
 * The console lines Linux prints for the status block in `bytes` (the block starts at byte 0;
 * bytes after the record are ignored). Throws a RasgwError (`invalid_input`) only for bad options;
 * any byte content gives lines.
 */
export function renderStatusBlockLinux(bytes: Uint8Array, opts: RenderLinuxOptions = {}): LinuxLine[] {
  const profile = opts.profile ?? linuxTextProfile(opts.version ?? 'mainline');
  const sourceId = checkedInt(opts.sourceId, 0, 0xffff, 'opts.sourceId');
  const seq = checkedInt(opts.seq, 1, 0xffffffff, 'opts.seq');
  const errorBlockLength = checkedInt(opts.errorBlockLength, bytes.length, 0xffffffff, 'opts.errorBlockLength');
  const warn = (message: string): LinuxLine[] => [{ level: 'warning', text: message }];

  if (bytes.length < ESTATUS_HEADER_SIZE) return warn(GHES_MESSAGES['read-failed']);
  const header = readEstatusHeader(bytes);
  if (header.blockStatus === 0 && !opts.ignoreBlockStatus) return [];
  const gate = ghesCheckBlock(header, errorBlockLength, GHES_ESTATUS_MAX_SIZE);
  if (!gate.ok) return warn(gate.message);
  if (gate.length > bytes.length) return warn(GHES_MESSAGES['read-failed']);
  const record = bytes.subarray(0, gate.length);
  if (!checkEstatus(record).ok) return warn(GHES_MESSAGES['read-failed']);

  const log = new KernelLog();
  printEstatusRecord(log, record, { profile, sourceId, seq, showHead: opts.prefix ?? true, fatal: opts.fatal ?? false });
  return log.lines;
}

/**
 * The console lines of a record the caller has already read and checked the way GHES does (the
 * GHES gate with the source's block length and cper_estatus_check passed, block_status non-zero;
 * `record` is exactly the cper_estatus_len bytes Linux copied), as `renderStatusBlockLinux` prints
 * such a record, without checking it a second time. The simulated guest's GHES driver prints
 * through this; `header` and `sections` (estatusSections of the record) save re-reading them when
 * the caller has them. A record that was not checked can give lines Linux would never print: use
 * `renderStatusBlockLinux` for bytes from anywhere else.
 */
export function renderCheckedRecordLinux(
  record: Uint8Array,
  opts: Pick<RenderLinuxOptions, 'version' | 'sourceId' | 'seq' | 'prefix' | 'fatal' | 'profile'> & { header?: EstatusHeader; sections?: readonly EstatusSectionRef[] } = {},
): LinuxLine[] {
  const profile = opts.profile ?? linuxTextProfile(opts.version ?? 'mainline');
  const sourceId = checkedInt(opts.sourceId, 0, 0xffff, 'opts.sourceId');
  const seq = checkedInt(opts.seq, 1, 0xffffffff, 'opts.seq');
  const log = new KernelLog();
  printEstatusRecord(log, record, { profile, sourceId, seq, showHead: opts.prefix ?? true, fatal: opts.fatal ?? false, header: opts.header, sections: opts.sections });
  return log.lines;
}

/** `renderStatusBlockLinux` as text: the lines joined with "\n" (no trailing newline). */
export function renderStatusBlockLinuxText(bytes: Uint8Array, opts: RenderLinuxOptions = {}): string {
  return renderStatusBlockLinux(bytes, opts)
    .map((l) => l.text)
    .join('\n');
}

export type { LinuxLine, LinuxLogLevel } from './kernel-log';
export { HW_ERR, FW_WARN, GHES_PFX } from './kernel-log';
export { hexDumpLines, hexDumpRow } from './hex-dump';
export { LINUX_TEXT_PROFILES, linuxTextProfile } from './linux-versions';
export type { LinuxTextProfile } from './linux-versions';
export {
  ESTATUS_HEADER_SIZE,
  GDATA_HEADER_SIZE,
  GDATA_V300_HEADER_SIZE,
  GHES_ESTATUS_MAX_SIZE,
  GHES_MESSAGES,
  checkEstatus,
  checkEstatusHeader,
  entryHeaderSize,
  estatusLength,
  estatusSections,
  ghesCheckBlock,
  ghesReadEstatus,
  readEstatusHeader,
} from './estatus-check';
export type {
  EstatusCheck,
  EstatusCheckFailure,
  EstatusCheckReason,
  EstatusHeader,
  EstatusHeaderCheck,
  EstatusSectionRef,
  GhesBlockCheck,
  GhesReadResult,
  GhesRejectReason,
} from './estatus-check';
export { ghesPrintLevel, severityName, timestampText } from './estatus-print';
