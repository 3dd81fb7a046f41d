import { EncodeError } from '../../binary/errors';

/**
 * Exception syndromes (ESR_EL1 values) the device model raises on a vCPU.
 *
 * SError (asynchronous external abort), as KVM offers it through KVM_SET_VCPU_EVENTS:
 *   bits 31..26 EC = 0x2F (SError), bit 25 IL, bits 24..0 ISS. Inside the ISS: bit 24 IDS
 *   (set = implementation-defined syndrome, i.e. not a RAS encoding), bits 12..10 AET (error
 *   type), bit 9 EA, bits 5..0 DFSC (0x11 = "asynchronous SError", the only value that makes AET
 *   meaningful).
 *
 * Which ISS bits userspace may set is where the two references disagree: Linux's KVM checks
 * `esr & ~GENMASK(24, 0)` (25 bits, IDS included) while the QEMU-side text says "only the low 24
 * bits". Both are available as `IssWidth`; the default is KVM's actual check ('kvm-25').
 *
 * Synchronous external abort (SEA), as QEMU's kvm_inject_arm_sea builds it: a data abort with
 * IL = 1, FnV (bit 10) = 1 and DFSC 0x10, EC 0x24 when the vCPU was at EL0 (lower EL) and 0x25 at
 * EL1 (same EL): 0x92000410 / 0x96000410.
 */

export const ESR_EC_SHIFT = 26;
export const ESR_EC_SERROR = 0x2f;
export const ESR_EC_DABT_LOW = 0x24;
export const ESR_EC_DABT_CUR = 0x25;
export const ESR_IL = 1 << 25;
export const ESR_ISS_MASK_25 = 0x1ffffff;
export const ESR_ISS_MASK_24 = 0xffffff;
export const SERROR_IDS = 1 << 24;
export const SERROR_AET_SHIFT = 10;
export const SERROR_DFSC_ASYNC = 0x11;
export const DABT_FNV = 1 << 10;
export const DFSC_SEA = 0x10;

/** Asynchronous error types (AET, ISS bits 12..10). */
export const AET = { UC: 0, UEU: 1, UEO: 2, UER: 3, CE: 6 } as const;
export type AetName = keyof typeof AET;

export type IssWidth = 'kvm-25' | 'doc-24';

export function issMask(width: IssWidth): number {
  return width === 'kvm-25' ? ESR_ISS_MASK_25 : ESR_ISS_MASK_24;
}

/**
 * AET for a Generic Error Status Block severity (0 recoverable, 1 fatal, 2 corrected,
 * 3 informational, other = unknown):
 * - corrected and informational → CE (corrected; Linux survives it silently);
 * - recoverable → UEO ("restartable": the error has not been consumed, execution can go on).
 *   UER would mean "consumed but recoverable by software"; stock Linux panics on UER (it does not
 *   special-case it because of Neoverse-N1 erratum 1349291), which would contradict a record whose
 *   whole-event severity says the system survives. UEO is therefore the default;
 *   `InjectionTarget.esrIss` chooses UER explicitly.
 * - fatal and unknown → UC (uncontainable).
 */
export function aetForBlockSeverity(severity: number): AetName {
  switch (severity) {
    case 2:
    case 3:
      return 'CE';
    case 0:
      return 'UEO';
    default:
      return 'UC';
  }
}

/** ISS of a RAS SError: IDS 0, the AET, DFSC 0x11 (EA 0). */
export function serrorIss(aet: AetName): number {
  return (AET[aet] << SERROR_AET_SHIFT) | SERROR_DFSC_ASYNC;
}

/**
 * Checks an ISS given by the user the way KVM_SET_VCPU_EVENTS does (only ISS bits may be set) and
 * returns it. Throws an EncodeError naming the stray bits otherwise.
 */
export function checkSerrorIss(iss: number, width: IssWidth = 'kvm-25'): number {
  const mask = issMask(width);
  if (!Number.isInteger(iss) || iss < 0 || iss > 0xffffffff || (iss & ~mask) >>> 0 !== 0) {
    throw new EncodeError({
      code: 'out_of_range',
      path: 'esrIss',
      message: `SError ISS 0x${Math.max(0, Math.trunc(iss) >>> 0).toString(16)} sets bits outside 0x${mask.toString(16)} (KVM refuses it with EINVAL)`,
    });
  }
  return iss >>> 0;
}

/**
 * The ESR_EL1 the guest sees when the virtual SError is delivered by hardware (VSE + VSESR_EL2):
 * EC 0x2F and IL set by the delivery, ISS from VSESR.
 */
export function serrorEsr(iss: number): number {
  return ((ESR_EC_SERROR << ESR_EC_SHIFT) | ESR_IL | (iss & ESR_ISS_MASK_25)) >>> 0;
}

/** KVM's choice when no ESR is given (kvm_inject_vabt): IDS set, "no architected syndrome". */
export const SERROR_ISS_DEFAULT = SERROR_IDS;

/** ESR_EL1 of QEMU's injected synchronous external abort (kvm_inject_arm_sea). */
export function seaEsr(el: 0 | 1): number {
  const ec = el === 0 ? ESR_EC_DABT_LOW : ESR_EC_DABT_CUR;
  return ((ec << ESR_EC_SHIFT) | ESR_IL | DABT_FNV | DFSC_SEA) >>> 0;
}
