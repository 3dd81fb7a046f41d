import { AET, AetName, ESR_EC_DABT_CUR, ESR_EC_DABT_LOW, ESR_EC_SERROR, ESR_EC_SHIFT, ESR_IL, ESR_ISS_MASK_25 } from './syndrome';

/**
 * ESR_EL1 decoded field by field, the way a reader of the Arm ARM (and of Linux's
 * arch/arm64/include/asm/esr.h) names them. Only the classes the device model raises are decoded
 * beyond EC/IL/ISS: SError (EC 0x2F: IDS, AET, EA, DFSC) and data aborts (EC 0x24/0x25: FnV, EA,
 * WnR, DFSC).
 *
 * The names are Linux's: `ecName` is esr_class_str[] ("SError", "DABT (lower EL)",
 * "DABT (current EL)"), `aetName` the ESR_ELx_AET_* suffix (UC, UEU, UEO, UER, CE).
 */
export interface EsrFields {
  /** exception class, bits 31..26 */
  ec: number;
  ecName: string;
  /** instruction length, bit 25 */
  il: number;
  /** the ISS, bits 24..0, as "0x…" */
  iss: string;
  /** SError: implementation-defined syndrome, bit 24 (1: the rest of the ISS is not architected) */
  ids?: number;
  /** SError with IDS 0: asynchronous error type, bits 12..10 */
  aet?: number;
  aetName?: AetName | 'reserved';
  /** what the AET tells the guest, in words */
  aetMeaning?: string;
  /** external abort type, bit 9 */
  ea?: number;
  /** data abort: FAR not valid, bit 10 */
  fnv?: number;
  /** data abort: write not read, bit 6 */
  wnr?: number;
  /** fault status code, bits 5..0 */
  dfsc?: number;
  dfscName?: string;
}

/** Linux's esr_class_str[] names for the classes rasgw raises. */
const EC_NAMES: Record<number, string> = {
  0x00: 'Unknown/Uncategorized',
  [ESR_EC_DABT_LOW]: 'DABT (lower EL)',
  [ESR_EC_DABT_CUR]: 'DABT (current EL)',
  [ESR_EC_SERROR]: 'SError',
};

const AET_BY_VALUE: Record<number, AetName> = Object.fromEntries(Object.entries(AET).map(([k, v]) => [v, k as AetName]));

/** What each AET means to the guest (Arm ARM "Asynchronous error type"), and what Linux does with it. */
export const AET_MEANING: Record<AetName, string> = {
  UC: 'uncontainable: the error may have spread, the system must stop (Linux panics)',
  UEU: 'unrecoverable: the error was consumed and cannot be contained to a process (Linux panics)',
  UEO: 'restartable: the error has not been consumed, execution can go on (Linux survives it)',
  UER: 'recoverable: the error was consumed but software can recover (Linux panics: Neoverse-N1 erratum 1349291)',
  CE: 'corrected: nothing to do (Linux survives it)',
};

const SERROR_DFSC_NAMES: Record<number, string> = {
  0x00: 'uncategorized',
  0x11: 'asynchronous SError interrupt',
};

const DABT_DFSC_NAMES: Record<number, string> = {
  0x10: 'synchronous external abort, not on a translation table walk',
};

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/** Decoded syndromes by value: an injection path raises a handful of distinct ESRs, decoded once each. */
const decoded = new Map<number, Readonly<EsrFields>>();
const DECODED_MAX = 1024;

/**
 * Decodes an ESR_EL1 value (a u32: the device model never raises bits above 31). The result is
 * shared between callers with the same value and must not be modified.
 */
export function decodeEsr(esr: number): Readonly<EsrFields> {
  const v = esr >>> 0;
  let d = decoded.get(v);
  if (!d) {
    d = Object.freeze(decodeEsrFresh(v));
    if (decoded.size >= DECODED_MAX) decoded.clear();
    decoded.set(v, d);
  }
  return d;
}

function decodeEsrFresh(esr: number): EsrFields {
  const v = esr >>> 0;
  const ec = (v >>> ESR_EC_SHIFT) & 0x3f;
  const iss = v & ESR_ISS_MASK_25;
  const out: EsrFields = { ec, ecName: EC_NAMES[ec] ?? `EC 0x${ec.toString(16)}`, il: (v & ESR_IL) !== 0 ? 1 : 0, iss: hex(iss) };
  if (ec === ESR_EC_SERROR) {
    out.ids = (iss >>> 24) & 1;
    if (out.ids === 0) {
      out.aet = (iss >>> 10) & 7;
      const name = AET_BY_VALUE[out.aet];
      out.aetName = name ?? 'reserved';
      out.aetMeaning = name ? AET_MEANING[name] : 'reserved value: Linux treats it as uncontainable and panics';
      out.ea = (iss >>> 9) & 1;
      out.dfsc = iss & 0x3f;
      out.dfscName = SERROR_DFSC_NAMES[out.dfsc] ?? 'reserved (not a RAS syndrome: Linux treats it as uncontainable)';
    }
  } else if (ec === ESR_EC_DABT_LOW || ec === ESR_EC_DABT_CUR) {
    out.fnv = (iss >>> 10) & 1;
    out.ea = (iss >>> 9) & 1;
    out.wnr = (iss >>> 6) & 1;
    out.dfsc = iss & 0x3f;
    out.dfscName = DABT_DFSC_NAMES[out.dfsc] ?? `DFSC 0x${out.dfsc.toString(16)}`;
  }
  return out;
}

/** ESR as JSON: "0x" + 8 hex digits (ESR_EL1 bits 31..0; bits 63..32 are RES0 for these classes). */
export function esrHex(esr: number): string {
  const v = esr >>> 0;
  // every injection's notification carries it, and a source raises the same syndrome again and again
  if (v !== lastEsr) {
    lastEsr = v;
    lastEsrHex = '0x' + v.toString(16).padStart(8, '0');
  }
  return lastEsrHex;
}

let lastEsr = -1;
let lastEsrHex = '';
