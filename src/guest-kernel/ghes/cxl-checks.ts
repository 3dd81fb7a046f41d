import type { LogLevel } from '../printk/KernelLog';
import { SectionView, u32AtOrZero, u64AtOrZero } from './sections';

/**
 * The checks GHES makes on CXL sections before handing them to the CXL driver (drivers/acpi/apei/
 * ghes.c). The simulated guest has no CXL driver registered, so a section that passes the checks
 * goes no further and prints nothing; a section that fails prints what Linux prints. Fields are
 * read without regard to error_data_length, as Linux reads them; bytes past the record read as 0.
 */
export interface CheckLine {
  level: LogLevel;
  text: string;
  /** ratelimit site (pr_*_ratelimited has one state per call site) */
  site: string;
}

/** sizeof(cxl_cper_event_rec.hdr): length u32, validation u64, device id 12 bytes, serial 8 bytes */
export const CXL_EVENT_HEADER_SIZE = 32;
/** sizeof(struct cxl_cper_event_rec): the header and a 128-byte raw event record */
export const CXL_EVENT_REC_SIZE = 160;
/** CPER_CXL_COMP_EVENT_LOG_VALID */
const COMP_EVENT_LOG_VALID = 0x4n;

/**
 * cxl_cper_post_event (6.8+), for General Media, DRAM and Memory Module event sections:
 * hdr.length must exceed the header and fit the record, and the component event log must be
 * valid. Both lines are pr_err(FW_WARN …).
 */
export function checkCxlEvent(record: Uint8Array, s: SectionView): CheckLine[] {
  const length = u32AtOrZero(record, s.payloadOffset);
  if (length <= CXL_EVENT_HEADER_SIZE || length > CXL_EVENT_REC_SIZE) {
    return [{ level: 'err', text: `[Firmware Warn]: CXL CPER Invalid section length (${length})`, site: 'cxl-event-length' }];
  }
  if ((u64AtOrZero(record, s.payloadOffset + 4) & COMP_EVENT_LOG_VALID) === 0n) {
    return [{ level: 'err', text: '[Firmware Warn]: CXL CPER invalid event', site: 'cxl-event-invalid' }];
  }
  return [];
}

/** PROT_ERR_VALID_* bits of struct cxl_cper_sec_prot_err */
const VALID_AGENT_ADDRESS = 0x2n;
const VALID_SERIAL_NUMBER = 0x8n;
const VALID_ERROR_LOG = 0x40n;
/** sizeof(struct cxl_ras_capability_regs) */
const RAS_CAP_SIZE = 88;
/** agent types that are CXL devices (RCD, DEVICE, LD, FMLD): they must carry a serial number */
const DEVICE_AGENTS = new Set([0, 2, 3, 4]);

/**
 * cxl_cper_sec_prot_err_valid, called by cxl_cper_post_prot_err (7.3.4): the agent address and
 * the error log must be valid (pr_err_ratelimited, and the section is dropped), the error log must
 * be a RAS capability (88 bytes), and a device agent should carry a serial number
 * (pr_warn_ratelimited(FW_WARN …), the section is kept).
 */
export function checkCxlProtocolError(record: Uint8Array, s: SectionView): CheckLine[] {
  const p = s.payloadOffset;
  const valid = u64AtOrZero(record, p);
  if ((valid & VALID_AGENT_ADDRESS) === 0n) return [{ level: 'err', text: 'CXL CPER invalid agent type', site: 'cxl-prot-agent' }];
  if ((valid & VALID_ERROR_LOG) === 0n) return [{ level: 'err', text: 'CXL CPER invalid protocol error log', site: 'cxl-prot-log' }];
  const errLen = u32AtOrZero(record, p + 110) & 0xffff;
  if (errLen !== RAS_CAP_SIZE) return [{ level: 'err', text: `CXL CPER invalid RAS Cap size (${errLen})`, site: 'cxl-prot-ras-size' }];
  const agent = u32AtOrZero(record, p + 8) & 0xff;
  if (DEVICE_AGENTS.has(agent) && (valid & VALID_SERIAL_NUMBER) === 0n) {
    return [{ level: 'warning', text: '[Firmware Warn]: CXL CPER no device serial number', site: 'cxl-prot-serial' }];
  }
  return [];
}
