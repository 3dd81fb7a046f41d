import type { ByteReader } from '../../../binary';
import type { KernelLog, LinePrefix } from '../kernel-log';
import type { LinuxTextProfile } from '../linux-versions';

/**
 * What a section printer gets: the section body as Linux sees it and where to print.
 *
 * `body` is a bounded window from the first body byte to the end of the record Linux copied, so a
 * printer can read exactly the bytes Linux reads, including bytes past the declared section length
 * that still belong to the record (Linux's printers do that for some malformed sections). A read
 * past the record throws a DecodeError; the dispatcher turns it into Linux's "error section length
 * is too small" warning instead of inventing bytes.
 */
export interface SectionContext {
  log: KernelLog;
  /** the body prefix (two spaces of indentation: cper_estatus_print_section's `newpfx`) */
  pfx: LinePrefix;
  body: ByteReader;
  /** error_data_length from the entry header (u32, not trusted) */
  length: number;
  /** error_severity from the entry header (u32) */
  severity: number;
  profile: LinuxTextProfile;
}
