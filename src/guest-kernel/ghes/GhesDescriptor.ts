import type { Gas } from '../apei/GenericAddress';

/**
 * The guest's view of one GHES (type 9) or GHESv2 (type 10) HEST entry: exactly the fields Linux's
 * GHES driver uses. Built from the HEST bytes by the ACPI discovery step.
 */
export interface GhesDescriptor {
  type: 9 | 10;
  sourceId: number;
  enabled: boolean;
  errorStatusAddress: Gas;
  notify: { type: number; pollIntervalMs: number; vector: number };
  errorBlockLength: number;
  /** GHESv2 only */
  readAck?: { register: Gas; preserve: bigint; write: bigint };
  /** offset of the entry inside the HEST table (for messages and tests) */
  hestOffset: number;
}

/** HEST notification type numbers (ACPI 6.x). */
export const NOTIFY = {
  POLLED: 0,
  EXTERNAL: 1,
  LOCAL: 2,
  SCI: 3,
  NMI: 4,
  CMCI: 5,
  MCE: 6,
  GPIO: 7,
  SEA: 8,
  SEI: 9,
  GSIV: 10,
  SDEI: 11,
} as const;
