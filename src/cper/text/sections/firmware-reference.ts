import { guidFromBytes } from '../../../binary';
import { FW_WARN, hex } from '../kernel-log';
import { printHexDump } from '../hex-dump';
import type { SectionContext } from './section-context';

/**
 * cper_print_fw_err: the Firmware Error Record Reference section. Fixed part: record type u8,
 * revision u8, 6 reserved bytes, record identifier u64 (8), record identifier GUID (16), 32 bytes in
 * all; Linux dumps what follows the fields the revision defines (offset 16 for revision 0, which has
 * no GUID; 8 for revision 1, which has no u64 identifier; 32 otherwise).
 *
 * Before the CVE-2026-43171 fix an offset beyond error_data_length made `length - offset` wrap and
 * Linux dumped ~4 GiB. Without the fix (custom profile) the dump here stops at the end of the
 * record and prints "[Firmware Warn]: error section length is too small".
 */

/** The smallest section cper_estatus_print_section accepts (SZ_16). */
export const FW_ERR_MIN_SIZE = 16;

const RECORD_TYPE = ['IPF SAL Error Record', 'SOC Firmware Error Record Type1 (Legacy CrashLog Support)', 'SOC Firmware Error Record Type2'];

export function printFirmwareReference(ctx: SectionContext): void {
  const { log, pfx, body: r, length } = ctx;
  const type = r.u8(0, 'recordType');
  const revision = r.u8(1, 'revision');
  log.print(pfx, `Firmware Error Record Type: ${type < RECORD_TYPE.length ? RECORD_TYPE[type] : 'unknown'}`);
  log.print(pfx, `Revision: ${revision}`);
  if (revision === 0) {
    log.print(pfx, `Record Identifier: ${hex(r.u64(8, 'recordIdentifier'), 8)}`);
  } else if (revision === 2 && r.length >= 32) {
    // A revision-2 section shorter than 32 bytes makes Linux print whatever follows the record
    // as the GUID; that line is left out here and the length complaint below follows as in Linux.
    log.print(pfx, `Record Identifier: ${guidFromBytes(r.bytes, r.abs(16))}`);
  }
  const offset = revision === 0 ? 16 : revision === 1 ? 8 : 32;
  if (ctx.profile.firmwareReferenceBoundsCheck && offset > length) {
    log.print(pfx, `error section length is too small: offset=${offset}, length=${length | 0}`);
    return;
  }
  const dumpLength = (length - offset) >>> 0;
  const end = r.start + r.length;
  if (!printHexDump(log, pfx, r.bytes, r.abs(offset), dumpLength, true, end)) {
    log.printLevel('err', `${FW_WARN}error section length is too small`);
  }
}
