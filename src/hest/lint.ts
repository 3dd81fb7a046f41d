import type { Hest } from './Hest';
import { inspectHest } from './Hest';
import { RasgwErrorCode } from '../binary/errors';
import { ErrorSource } from './ErrorSource';
import { HEST_TYPE_NAMES } from './ErrorSourceType';
import { MACHINE_CHECK_BANK_LENGTH } from './MachineCheckBank';
import { CONFIG_WRITE_ENABLE_RESERVED_MASK, HardwareErrorNotification, NOTIFICATION_LENGTH } from './NotificationStructure';

/** Codes of the HEST validity rules (layouts §5 rule 14), besides the structural RasgwErrorCodes. */
export type HestRuleCode =
  /** notification Length byte ≠ 28 */
  | 'notification_length'
  /** ConfigurationWriteEnable bits 6–15 set */
  | 'config_write_enable_reserved'
  /** notification type ≥ 13 (reserved; kept raw) */
  | 'unknown_notification_type'
  /** NumberOfRecordsToPreAllocate = 0 */
  | 'records_zero'
  /** MaxSectionsPerRecord = 0 */
  | 'max_sections_zero'
  /** a reserved field is not zero */
  | 'reserved_nonzero'
  /** AER Flags bits 2–7 set */
  | 'aer_flags_reserved'
  /** IA-32 Flags bits other than 0 (firmware first) and 2 (GHES assist) set */
  | 'flags_reserved'
  /** more than one structure of type 0, 1 or 2 */
  | 'duplicate_type'
  /** two structures share a SourceId */
  | 'duplicate_source_id'
  /** revision 2 table whose structures (types < 12) are not in ascending type order */
  | 'not_sorted'
  /** table revision other than 1 or 2 */
  | 'bad_revision';

export interface HestLintIssue {
  code: HestRuleCode | RasgwErrorCode;
  /** errors break a MUST rule; warnings are tolerated values worth knowing about */
  severity: 'error' | 'warning';
  /** byte offset from the start of the table */
  offset: number;
  path: string;
  message: string;
}

/**
 * Lints HEST bytes: every structural violation of the strict decoder, then the validity rules on
 * the structures it could decode. Each issue has its code, byte offset and field path.
 */
export function lintHest(bytes: Uint8Array): HestLintIssue[] {
  const ins = inspectHest(bytes);
  const issues: HestLintIssue[] = ins.violations.map((v) => ({
    code: v.code,
    severity: 'error' as const,
    offset: v.offset ?? 0,
    path: v.path,
    message: v.message,
  }));
  if (ins.header) issues.push(...checkRules(ins.header.revision, ins.sources, ins.offsets));
  return issues.sort((a, b) => a.offset - b.offset);
}

/** The validity rules on a table model (used by the encoder before it writes). */
export function lintHestModel(hest: Hest): HestLintIssue[] {
  return checkRules(hest.header.revision, hest.sources, hest.sourceOffsets());
}

function checkRules(revision: number, sources: ErrorSource[], offsets: number[]): HestLintIssue[] {
  const issues: HestLintIssue[] = [];
  const push = (code: HestLintIssue['code'], severity: HestLintIssue['severity'], offset: number, path: string, message: string) =>
    issues.push({ code, severity, offset, path, message });
  if (revision !== 1 && revision !== 2) push('bad_revision', 'warning', 8, 'header.revision', `HEST revision ${revision}; ACPI defines 1 (up to 6.4) and 2 (6.5+)`);
  const typeSeen = new Map<number, number>();
  const idSeen = new Map<number, number>();
  let lastType = -1;
  sources.forEach((s, i) => {
    const o = offsets[i];
    const p = `sources[${i}]`;
    const what = `error source ${s.sourceId}`;
    if (s.recordsToPreallocate === 0) push('records_zero', 'error', o + 8, `${p}.recordsToPreallocate`, `${what}: NumberOfRecordsToPreAllocate must be at least 1`);
    if (s.maxSectionsPerRecord === 0) push('max_sections_zero', 'error', o + 12, `${p}.maxSectionsPerRecord`, `${what}: MaxSectionsPerRecord must be at least 1`);
    const reserved = (off: number, field: string, value: number | bigint | Uint8Array) => {
      const nonZero = value instanceof Uint8Array ? value.some((b) => b !== 0) : value !== 0 && value !== 0n;
      if (nonZero) push('reserved_nonzero', 'error', o + off, `${p}.${field}`, `${what}: reserved field ${field} is not zero`);
    };
    switch (s.type) {
      case 0:
        reserved(4, 'reserved1', s.reserved1);
        reserved(33, 'reserved2', s.reserved2);
        break;
      case 1:
      case 11:
        reserved(4, 'reserved1', s.reserved1);
        reserved(45, 'reserved2', s.reserved2);
        break;
      case 2:
        reserved(4, 'reserved', s.reserved);
        break;
      case 6:
      case 7:
      case 8:
        reserved(4, 'reserved1', s.reserved1);
        reserved(26, 'reserved2', s.reserved2);
        if (s.flags & 0xfc) push('aer_flags_reserved', 'error', o + 6, `${p}.flags`, `${what}: AER flags bits 2-7 are reserved, found 0x${s.flags.toString(16)}`);
        break;
      case 9:
      case 10:
        reserved(6, 'reserved', s.reserved);
        break;
    }
    if (s.type === 0 || s.type === 1 || s.type === 11) {
      if (s.flags & ~0x05 & 0xff) push('flags_reserved', 'error', o + 6, `${p}.flags`, `${what}: only flag bits 0 (firmware first) and 2 (GHES assist) are defined, found 0x${s.flags.toString(16)}`);
      const bankBase = s.type === 0 ? 40 : 48;
      s.banks.forEach((b, j) => reserved(bankBase + j * MACHINE_CHECK_BANK_LENGTH + 3, `banks[${j}].reserved`, b.reserved));
    }
    const notificationAt = s.type === 1 || s.type === 11 ? 16 : s.type === 9 || s.type === 10 ? 32 : -1;
    if (notificationAt >= 0) checkNotification((s as { notification: HardwareErrorNotification }).notification, o + notificationAt, `${p}.notification`, what, push);
    if (s.type <= 2) {
      const first = typeSeen.get(s.type);
      if (first !== undefined) push('duplicate_type', 'error', o, `${p}.type`, `${what}: a HEST may hold only one ${HEST_TYPE_NAMES[s.type]} structure (the first is sources[${first}])`);
      else typeSeen.set(s.type, i);
    }
    const firstId = idSeen.get(s.sourceId);
    if (firstId !== undefined) push('duplicate_source_id', 'error', o + 2, `${p}.sourceId`, `source id ${s.sourceId} is already used by sources[${firstId}]`);
    else idSeen.set(s.sourceId, i);
    if (revision >= 2 && s.type < 12) {
      if (s.type < lastType) push('not_sorted', 'error', o, `${p}.type`, `revision ${revision} table: type ${s.type} follows type ${lastType}; structures must be sorted by type`);
      lastType = Math.max(lastType, s.type);
    }
  });
  return issues;
}

function checkNotification(
  n: HardwareErrorNotification,
  at: number,
  path: string,
  what: string,
  push: (code: HestLintIssue['code'], severity: HestLintIssue['severity'], offset: number, path: string, message: string) => void,
): void {
  if (n.length !== NOTIFICATION_LENGTH) push('notification_length', 'error', at + 1, `${path}.length`, `${what}: notification Length is ${n.length}, must be ${NOTIFICATION_LENGTH}`);
  if (n.configWriteEnable & CONFIG_WRITE_ENABLE_RESERVED_MASK) {
    push('config_write_enable_reserved', 'error', at + 2, `${path}.configWriteEnable`, `${what}: ConfigurationWriteEnable bits 6-15 are reserved, found 0x${n.configWriteEnable.toString(16)}`);
  }
  if (n.type > 12) push('unknown_notification_type', 'warning', at, `${path}.type`, `${what}: notification type ${n.type} is reserved`);
}
