/**
 * ghes_severity(): the CPER severity of a block or section mapped to GHES's ordered scale.
 * 3 informational → NO, 2 corrected → CORRECTED, 0 recoverable → RECOVERABLE, 1 fatal → PANIC,
 * and any other value → PANIC (so an unknown block severity panics the guest).
 */
export const GHES_SEV = { NO: 0, CORRECTED: 1, RECOVERABLE: 2, PANIC: 3 } as const;

export function ghesSeverity(cperSeverity: number): number {
  switch (cperSeverity) {
    case 3:
      return GHES_SEV.NO;
    case 2:
      return GHES_SEV.CORRECTED;
    case 0:
      return GHES_SEV.RECOVERABLE;
    default:
      return GHES_SEV.PANIC;
  }
}
