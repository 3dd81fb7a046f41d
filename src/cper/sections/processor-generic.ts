import { SECTION_TYPES } from '../guids';
import type { EnumTable, FlagTable } from '../json/fields';
import { enumOf, flagsOf, text, u16, u64, u8, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';

/**
 * Processor generic error section (UEFI N.2.4.1), 192 bytes. JSON form: every field optional
 * (zero / empty when absent); without `validationBits` the bits of the fields present are set.
 * `brandString` is a plain string or `{ text, raw? }` as decoded.
 */

const INFO = SECTION_TYPES.processorGeneric;
export const PROCESSOR_GENERIC_BODY_LENGTH = 192;
export const BRAND_STRING_LENGTH = 128;

export const PROCESSOR_TYPES: EnumTable = { 0: 'ia32x64', 1: 'ia64', 2: 'arm' };
export const PROCESSOR_ISAS: EnumTable = { 0: 'ia32', 1: 'ia64', 2: 'x64', 3: 'armA32T32', 4: 'armA64' };
/** The error type byte is a bit set (Linux prints each set bit): 0x01 cache, 0x02 TLB, 0x04 bus, 0x08 micro-architectural. */
export const PROCESSOR_ERROR_TYPE_BITS: FlagTable = { 0: 'cache', 1: 'tlb', 2: 'bus', 3: 'microArchitectural' };
export const PROCESSOR_OPERATIONS: EnumTable = { 0: 'generic', 1: 'dataRead', 2: 'dataWrite', 3: 'instructionExecution' };
export const PROCESSOR_FLAG_BITS: FlagTable = { 0: 'restartable', 1: 'preciseIp', 2: 'overflow', 3: 'corrected' };

export const PROCESSOR_GENERIC_LAYOUT = layout('processor generic', PROCESSOR_GENERIC_BODY_LENGTH, [
  validationBits('validationBits', 0, 8),
  view('processorType', 8, 1, enumOf(PROCESSOR_TYPES), { vbit: 0, doc: 'processor type', libcper: 'processorType' }),
  view('isa', 9, 1, enumOf(PROCESSOR_ISAS), { vbit: 1, doc: 'instruction set architecture', libcper: 'processorISA' }),
  view('errorType', 10, 1, flagsOf(PROCESSOR_ERROR_TYPE_BITS, 1), { vbit: 2, doc: 'error type bits (Linux prints each set bit)', libcper: 'errorType' }),
  view('operation', 11, 1, enumOf(PROCESSOR_OPERATIONS), { vbit: 3, doc: 'operation', libcper: 'operation' }),
  view('flags', 12, 1, flagsOf(PROCESSOR_FLAG_BITS, 1), { vbit: 4, doc: 'flags', libcper: 'flags' }),
  u8('level', 13, { vbit: 5, doc: 'cache level of the error', libcper: 'level' }),
  u16('reserved', 14, { doc: 'reserved' }),
  u64('cpuVersion', 16, { vbit: 6, doc: 'CPU version: x86 CPUID(1).EAX, ARM MIDR_EL1', libcper: 'cpuVersionInfo' }),
  text('brandString', 24, BRAND_STRING_LENGTH, { vbit: 7, doc: 'processor brand string (ASCII)', libcper: 'cpuBrandString' }),
  u64('processorId', 152, { vbit: 8, doc: 'processor ID: APIC ID, LID, ARM MPIDR_EL1', libcper: 'processorID' }),
  u64('targetAddress', 160, { vbit: 9, doc: 'target address of the failing transaction', libcper: 'targetAddress' }),
  u64('requestorId', 168, { vbit: 10, doc: 'requestor ID', libcper: 'requestorID' }),
  u64('responderId', 176, { vbit: 11, doc: 'responder ID', libcper: 'responderID' }),
  u64('instructionIp', 184, { vbit: 12, doc: 'instruction pointer at the error', libcper: 'instructionIP' }),
  // validation bit 13 is Microsoft's own "native model ID" extension; it is kept in `raw` but not named
]);

export const processorGenericCodec = tableSection({
  info: INFO,
  head: PROCESSOR_GENERIC_LAYOUT,
  doc: 'processor generic error (UEFI N.2.4.1), 192 bytes',
  validation: { field: 'validationBits' },
  example: { type: 'processorGeneric', processorType: 'arm', isa: 'armA64', errorType: { cache: true }, operation: 'dataRead', level: 1, processorId: '0x80000101' },
});

export type ProcessorGenericSection = TableModel<'processorGeneric', LayoutModel<typeof PROCESSOR_GENERIC_LAYOUT>>;
