import { hex, printBits } from '../kernel-log';
import type { SectionContext } from './section-context';

/** cper_print_proc_generic: the Processor Generic section (192 bytes), one line per valid field. */

/** sizeof(struct cper_sec_proc_generic) */
export const PROC_GENERIC_SIZE = 192;

const PROC_TYPE = ['IA32/X64', 'IA64', 'ARM'];
const PROC_ISA = ['IA32', 'IA64', 'X64', 'ARM A32/T32', 'ARM A64'];
/** cper_proc_error_type_strs, indexed by bit */
export const PROC_ERROR_TYPE = ['cache error', 'TLB error', 'bus error', 'micro-architectural error'];
const PROC_OPERATION = ['unknown or generic', 'data read', 'data write', 'instruction execution'];
const PROC_FLAGS = ['restartable', 'precise IP', 'overflow', 'corrected'];

const VALID = {
  type: 0x1n,
  isa: 0x2n,
  errorType: 0x4n,
  operation: 0x8n,
  flags: 0x10n,
  level: 0x20n,
  version: 0x40n,
  id: 0x100n,
  targetAddress: 0x200n,
  requestorId: 0x400n,
  responderId: 0x800n,
  ip: 0x1000n,
} as const;

function named(table: readonly string[], v: number): string {
  return v < table.length ? table[v] : 'unknown';
}

export function printProcessorGeneric(ctx: SectionContext): void {
  const { log, pfx, body: r } = ctx;
  const valid = r.u64(0, 'validationBits');
  const has = (bit: bigint) => (valid & bit) !== 0n;
  if (has(VALID.type)) {
    const t = r.u8(8, 'processorType');
    log.print(pfx, `processor_type: ${t}, ${named(PROC_TYPE, t)}`);
  }
  if (has(VALID.isa)) {
    const isa = r.u8(9, 'processorIsa');
    log.print(pfx, `processor_isa: ${isa}, ${named(PROC_ISA, isa)}`);
  }
  if (has(VALID.errorType)) {
    const et = r.u8(10, 'errorType');
    log.print(pfx, `error_type: 0x${hex(et, 2)}`);
    printBits(log, pfx, et, PROC_ERROR_TYPE);
  }
  if (has(VALID.operation)) {
    const op = r.u8(11, 'operation');
    log.print(pfx, `operation: ${op}, ${named(PROC_OPERATION, op)}`);
  }
  if (has(VALID.flags)) {
    const f = r.u8(12, 'flags');
    log.print(pfx, `flags: 0x${hex(f, 2)}`);
    printBits(log, pfx, f, PROC_FLAGS);
  }
  if (has(VALID.level)) log.print(pfx, `level: ${r.u8(13, 'level')}`);
  if (has(VALID.version)) log.print(pfx, `version_info: 0x${hex(r.u64(16, 'versionInfo'), 16)}`);
  if (has(VALID.id)) log.print(pfx, `processor_id: 0x${hex(r.u64(152, 'processorId'), 16)}`);
  if (has(VALID.targetAddress)) log.print(pfx, `target_address: 0x${hex(r.u64(160, 'targetAddress'), 16)}`);
  if (has(VALID.requestorId)) log.print(pfx, `requestor_id: 0x${hex(r.u64(168, 'requestorId'), 16)}`);
  if (has(VALID.responderId)) log.print(pfx, `responder_id: 0x${hex(r.u64(176, 'responderId'), 16)}`);
  if (has(VALID.ip)) log.print(pfx, `IP: 0x${hex(r.u64(184, 'ip'), 16)}`);
}
