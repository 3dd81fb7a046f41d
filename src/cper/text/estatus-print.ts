import { ByteReader, DecodeError, guidFromBytes } from '../../binary';
import { SECTION_TYPES } from '../guids';
import { ESTATUS_HEADER_SIZE, EstatusHeader, EstatusSectionRef, estatusSections, readEstatusHeader } from './estatus-check';
import { printHexDump } from './hex-dump';
import { FW_WARN, KernelLog, LinePrefix, LinuxLogLevel } from './kernel-log';
import type { LinuxTextProfile } from './linux-versions';
import { ARM_HEADER_SIZE, printArm } from './sections/arm';
import { CXL_PROT_ERR_SIZE, printCxlProtocolError } from './sections/cxl-protocol';
import { FW_ERR_MIN_SIZE, printFirmwareReference } from './sections/firmware-reference';
import { PROC_GENERIC_SIZE, printProcessorGeneric } from './sections/generic-processor';
import { MEM_ERR_OLD_SIZE, printMemory } from './sections/memory';
import { PCIE_SIZE, printPcie } from './sections/pcie';
import type { SectionContext } from './sections/section-context';

/**
 * __ghes_print_estatus + cper_estatus_print + cper_estatus_print_section: the record lines of a
 * status block that already passed the GHES checks (estatus-check.ts).
 */

const SEVERITY = ['recoverable', 'fatal', 'corrected', 'info'];

/** cper_severity_str (callers pass the u16 Linux holds the severity in). */
export function severityName(sev: number): string {
  return sev < SEVERITY.length ? SEVERITY[sev] : 'unknown';
}

/**
 * The level __ghes_print_estatus picks: ghes_severity() of the full u32 block severity;
 * informational and corrected print at KERN_WARNING, everything else (recoverable, fatal, unknown)
 * at KERN_ERR. The fatal path (__ghes_panic) prints at KERN_EMERG instead.
 */
export function ghesPrintLevel(blockSeverity: number, fatal = false): LinuxLogLevel {
  if (fatal) return 'emerg';
  return blockSeverity === 2 || blockSeverity === 3 ? 'warning' : 'err';
}

interface KnownSection {
  title: string;
  /** the smallest body Linux hands to the printer */
  minLength: number;
  print: (ctx: SectionContext) => void;
}

const PROCESSOR_GENERIC: KnownSection = { title: 'general processor error', minLength: PROC_GENERIC_SIZE, print: printProcessorGeneric };
const MEMORY: KnownSection = { title: 'memory error', minLength: MEM_ERR_OLD_SIZE, print: printMemory };
const PCIE: KnownSection = { title: 'PCIe error', minLength: PCIE_SIZE, print: printPcie };
const ARM: KnownSection = { title: 'ARM processor error', minLength: ARM_HEADER_SIZE, print: printArm };
const FIRMWARE_REFERENCE: KnownSection = { title: 'Firmware Error Record Reference', minLength: FW_ERR_MIN_SIZE, print: printFirmwareReference };
const CXL_PROTOCOL: KnownSection = { title: 'CXL Protocol Error', minLength: CXL_PROT_ERR_SIZE, print: printCxlProtocolError };

/** cper_estatus_print_section's if/else chain, in Linux's order (arm64 build: no IA32/X64 printer). */
function knownSection(guid: string, profile: LinuxTextProfile): KnownSection | undefined {
  switch (guid) {
    case SECTION_TYPES.processorGeneric.guid:
      return PROCESSOR_GENERIC;
    case SECTION_TYPES.memory.guid:
      return MEMORY;
    case SECTION_TYPES.pcie.guid:
      return PCIE;
    case SECTION_TYPES.arm.guid:
      return ARM;
    case SECTION_TYPES.firmwareErrorRecordReference.guid:
      return FIRMWARE_REFERENCE;
    case SECTION_TYPES.cxlProtocol.guid:
      return profile.cxlProtocolErrors ? CXL_PROTOCOL : undefined;
    default:
      return undefined;
  }
}

/** Sections 6.8+ name in one line and do not decode (`ignore_sections`). */
const NAMED_ONLY: Readonly<Record<string, string>> = {
  [SECTION_TYPES.cxlGeneralMedia.guid]: 'CXL General Media Event',
  [SECTION_TYPES.cxlDram.guid]: 'CXL DRAM Event',
  [SECTION_TYPES.cxlMemoryModule.guid]: 'CXL Memory Module Event',
};

function bcd(b: number): number {
  return (b & 0x0f) + (b >> 4) * 10;
}

function two(n: number): string {
  return n.toString().padStart(2, '0');
}

/** cper_print_tstamp: "precise tstamp: CCYY-MM-DD hh:mm:ss" from the 8 BCD bytes at `off`. */
export function timestampText(bytes: Uint8Array, off: number): string {
  const t = (i: number) => bcd(bytes[off + i]);
  const kind = bytes[off + 3] & 0x1 ? 'precise ' : 'imprecise ';
  return `${kind}tstamp: ${two(t(7))}${two(t(6))}-${two(t(5))}-${two(t(4))} ${two(t(2))}:${two(t(1))}:${two(t(0))}`;
}

/** `%.20s`: at most 20 characters, stopping at the first NUL. */
function fixedString(bytes: Uint8Array, off: number, max: number): string {
  let s = '';
  for (let i = 0; i < max && bytes[off + i] !== 0; i++) s += String.fromCharCode(bytes[off + i]);
  return s;
}

/** `%#x` as the kernel prints it (0 → "0x0", unlike C libraries). */
function kernelHashX(v: number): string {
  return '0x' + v.toString(16);
}

function printSection(log: KernelLog, pfx: LinePrefix, rec: ByteReader, sec: EstatusSectionRef, profile: LinuxTextProfile): void {
  const b = rec.bytes;
  const o = rec.abs(sec.offset);
  const gdataValid = b[o + 22];
  if (sec.revision >> 8 >= 3 && gdataValid & 0x4) log.print(pfx, timestampText(b, o + 64));
  // error_severity is a u32 in the entry but Linux keeps it in a __u16 for this line.
  const severity = rec.u32(sec.offset + 16, `entries[${sec.index}].errorSeverity`);
  log.print(pfx, `Error ${sec.index}, type: ${severityName(severity & 0xffff)}`);
  if (gdataValid & 0x1) log.print(pfx, `fru_id: ${guidFromBytes(b, o + 28)}`);
  if (gdataValid & 0x2) log.print(pfx, `fru_text: ${fixedString(b, o + 44, 20)}`);

  const newpfx = pfx.deeper();
  const guid = guidFromBytes(b, o);
  const length = sec.errorDataLength;
  const bodyStart = Math.min(sec.payloadOffset, rec.length);
  const body = rec.sub(bodyStart, rec.length - bodyStart, `entries[${sec.index}].section`);

  const named = profile.cxlEventSectionsNamed ? NAMED_ONLY[guid] : undefined;
  if (named) {
    log.print(newpfx, `section_type: ${named}`);
    return;
  }
  const known = knownSection(guid, profile);
  if (!known) {
    log.print(newpfx, `section type: unknown, ${guid}`);
    log.print(newpfx, `section length: ${kernelHashX(length)}`);
    if (!printHexDump(log, newpfx, b, body.start, length, true, body.start + body.length)) {
      // Only a wrapped error_data_length gets here: Linux would dump gigabytes past its buffer.
      log.printLevel('err', `${FW_WARN}error section length is too small`);
    }
    return;
  }
  log.print(newpfx, `section_type: ${known.title}`);
  if (length < known.minLength) {
    log.printLevel('err', `${FW_WARN}error section length is too small`);
    return;
  }
  try {
    known.print({ log, pfx: newpfx, body, length, severity, profile });
  } catch (e) {
    // A field Linux would read from beyond its copy of the record: stop with the closest message.
    if (!(e instanceof DecodeError)) throw e;
    log.printLevel('err', `${FW_WARN}error section length is too small`);
  }
}

export interface PrintRecordOptions {
  profile: LinuxTextProfile;
  sourceId: number;
  seq: number;
  showHead: boolean;
  fatal: boolean;
  /** the record's header, when the caller has read it already */
  header?: EstatusHeader;
  /** estatusSections(record), when the caller has walked it already */
  sections?: readonly EstatusSectionRef[];
}

/**
 * Prints a record that passed ghesReadEstatus: the "Hardware error from APEI…" line, the block
 * severity lines and every section. `record` is exactly the bytes Linux copied (cper_estatus_len).
 */
export function printEstatusRecord(log: KernelLog, record: Uint8Array, opts: PrintRecordOptions): void {
  const header = opts.header ?? readEstatusHeader(record);
  const pfx = LinePrefix.record(ghesPrintLevel(header.errorSeverity, opts.fatal), opts.seq, opts.showHead);
  log.print(pfx, `Hardware error from APEI Generic Hardware Error Source: ${opts.sourceId}`);
  const severity = header.errorSeverity & 0xffff;
  if (severity === 2) log.print(pfx, 'It has been corrected by h/w and requires no further action');
  log.print(pfx, `event severity: ${severityName(severity)}`);
  const rec = new ByteReader(record, 0, record.length, '');
  const sectionPfx = pfx.deeper();
  for (const sec of opts.sections ?? estatusSections(record, header)) {
    if (sec.offset < ESTATUS_HEADER_SIZE) break;
    printSection(log, sectionPfx, rec, sec, opts.profile);
  }
}
