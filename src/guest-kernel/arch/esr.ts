/**
 * The guest's reading of ESR_EL1 (arch/arm64/include/asm/esr.h) and arm64's SError decision
 * (do_serror / arm64_is_fatal_ras_serror): a RAS SError needs IDS = 0 and a CPU with the RAS
 * extension; with DFSC ≠ 0x11 it counts as uncontainable; AET CE and UEO are survivable and
 * silent; UEU, UER, UC and the unused AET values panic.
 */
export const ESR_EC_SERROR = 0x2f;

export function esrClass(esr: number): number {
  return (esr >>> 26) & 0x3f;
}

export function serrorIds(esr: number): boolean {
  return (esr & (1 << 24)) !== 0;
}

export function serrorAet(esr: number): number {
  return (esr >>> 10) & 7;
}

export function serrorDfsc(esr: number): number {
  return esr & 0x3f;
}

export type SErrorVerdict = 'silent' | 'panic';

export const AET_NAMES: Record<number, string> = { 0: 'UC', 1: 'UEU', 2: 'UEO', 3: 'UER', 6: 'CE' };

/** Whether the ESR is an architected RAS SError syndrome the guest may act on (IDS 0, DFSC 0x11, RAS CPU). */
export function isRasSError(esr: number, rasExtension: boolean): boolean {
  return rasExtension && !serrorIds(esr) && serrorDfsc(esr) === 0x11;
}

export function linuxSErrorVerdict(esr: number, rasExtension: boolean): SErrorVerdict {
  if (!rasExtension || serrorIds(esr)) return 'panic';
  if (serrorDfsc(esr) !== 0x11) return 'panic';
  const aet = serrorAet(esr);
  return aet === 6 || aet === 2 ? 'silent' : 'panic';
}

/** KERN_CRIT line of arm64_serror_panic. */
export function serrorPanicLine(cpu: number, esr: number, digits: 8 | 16): string {
  return `SError Interrupt on CPU${cpu}, code 0x${(esr >>> 0).toString(16).padStart(digits, '0')} -- SError`;
}

export const SERROR_PANIC = 'Asynchronous SError Interrupt';
