import { z } from 'zod';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { EnumTable, EnumValue, enumField, enumValue } from '../json/fields';
import { lazy } from '../json/lazy';

/**
 * The UEFI "Error Status" u64 (Appendix N, used by the memory, memory 2, PCI bus and PCI
 * component sections):
 * - bits 15:8  error type (table below);
 * - bit 16     the error was on the address signals or in the address phase;
 * - bit 17     on the control signals;
 * - bit 18     on the data signals;
 * - bit 19     detected by the responder of the transaction;
 * - bit 20     detected by the requester;
 * - bit 21     first error of a series (optional);
 * - bit 22     overflow: more errors happened and were not logged;
 * - bits 7:0 and 63:23 reserved.
 * The raw word is the source of truth; the named fields are its decoded view.
 */

export const ERROR_STATUS_TYPES: EnumTable = {
  1: 'internal',
  4: 'memory',
  5: 'tlb',
  6: 'cache',
  7: 'function',
  8: 'selfTest',
  9: 'flow',
  16: 'bus',
  17: 'map',
  18: 'improper',
  19: 'unimplemented',
  20: 'lossOfLockstep',
  21: 'response',
  22: 'parity',
  23: 'protocol',
  24: 'pathError',
  25: 'timeout',
  26: 'poisoned',
};

/** Linux's wording for each error type (`cper_mem_err_status_str`); other values print "Reserved". */
export const ERROR_STATUS_TYPE_TEXT: Readonly<Record<number, string>> = {
  1: 'Error detected internal to the component',
  4: 'Storage error in DRAM memory',
  5: 'Storage error in TLB',
  6: 'Storage error in cache',
  7: 'Error in one or more functional units',
  8: 'Component failed self test',
  9: 'Overflow or undervalue of internal queue',
  16: 'Error detected in the bus',
  17: 'Virtual address not found on IO-TLB or IO-PDIR',
  18: 'Improper access error',
  19: 'Access to a memory address which is not mapped to any component',
  20: 'Loss of Lockstep',
  21: 'Response not associated with a request',
  22: 'Bus parity error - must also set the A, C, or D Bits',
  23: 'Detection of a protocol error',
  24: 'Detection of a PATH_ERROR',
  25: 'Bus operation timeout',
  26: 'A read was issued to data that has been poisoned',
};

export function errorStatusText(raw: bigint): string {
  return ERROR_STATUS_TYPE_TEXT[Number((raw >> 8n) & 0xffn)] ?? 'Reserved';
}

const FLAG_BITS = {
  address: 16,
  control: 17,
  data: 18,
  responder: 19,
  requester: 20,
  firstError: 21,
  overflow: 22,
} as const;

type ErrorStatusFlag = keyof typeof FLAG_BITS;

export interface ErrorStatus extends Record<ErrorStatusFlag, boolean> {
  raw: bigint;
  errorType: EnumValue;
}

const RESERVED_MASK = 0xffn | (~((1n << 23n) - 1n) & 0xffff_ffff_ffff_ffffn);

export function decodeErrorStatus(raw: bigint): ErrorStatus {
  // Every named field lives in the low 32 bits: read them once as a number. The literal keeps the
  // key order of FLAG_BITS (the JSON form depends on it).
  const lo = Number(raw & 0xffff_ffffn);
  return {
    raw,
    errorType: enumValue(ERROR_STATUS_TYPES, (lo >>> 8) & 0xff),
    address: ((lo >>> FLAG_BITS.address) & 1) === 1,
    control: ((lo >>> FLAG_BITS.control) & 1) === 1,
    data: ((lo >>> FLAG_BITS.data) & 1) === 1,
    responder: ((lo >>> FLAG_BITS.responder) & 1) === 1,
    requester: ((lo >>> FLAG_BITS.requester) & 1) === 1,
    firstError: ((lo >>> FLAG_BITS.firstError) & 1) === 1,
    overflow: ((lo >>> FLAG_BITS.overflow) & 1) === 1,
  };
}

/** Bits that a spec-conforming word keeps at zero (7:0 and 63:23). */
export function errorStatusReservedBits(raw: bigint): bigint {
  return raw & RESERVED_MASK;
}

const flagShape = lazy(() => Object.fromEntries(Object.keys(FLAG_BITS).map((k) => [k, z.boolean().optional()])) as Record<
  ErrorStatusFlag,
  z.ZodOptional<z.ZodBoolean>
>);

/**
 * JSON input of an Error Status word: a u64 ("0x…" string or a safe integer number), or an object.
 * In the object `raw` wins when given (so a decoded word parses back unchanged); otherwise the word
 * is built from `errorType` and the named flags. A parity error built this way must say which
 * signals were hit (address, control or data), as the spec requires.
 */
export const errorStatusField = lazy(() => z
  .union([
    z.string(),
    z.number(),
    z.strictObject({
      raw: z.union([z.string(), z.number()]).optional(),
      errorType: enumField(ERROR_STATUS_TYPES, 8).optional(),
      ...flagShape(),
    }),
  ])
  .transform((v, ctx): ErrorStatus => {
    if (typeof v !== 'object' || v.raw !== undefined) {
      const raw = parseU64(typeof v === 'object' ? v.raw : v);
      if (raw === undefined) {
        const given = typeof v === 'object' ? v.raw : v;
        ctx.addIssue({ code: 'custom', message: `error status: ${uintInputError(given, U64_MAX, 'a u64') ?? 'expected a u64'}` });
        return z.NEVER;
      }
      return decodeErrorStatus(raw);
    }
    let raw = BigInt(v.errorType?.value ?? 0) << 8n;
    for (const [name, bit] of Object.entries(FLAG_BITS)) if (v[name as ErrorStatusFlag]) raw |= 1n << BigInt(bit);
    if (v.errorType?.value === 22 && !v.address && !v.control && !v.data) {
      ctx.addIssue({ code: 'custom', path: ['errorType'], message: 'a parity error must also set address, control or data' });
      return z.NEVER;
    }
    return decodeErrorStatus(raw);
  }));
