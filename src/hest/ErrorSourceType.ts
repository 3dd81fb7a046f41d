/**
 * Error-source structure types of the HEST. Every structure starts with Type u16 and SourceId u16
 * and has no length field: its size follows from the type (and, for the IA-32 machine-check
 * types, from the bank count inside it). Types 3–5 are unused (formerly IPF) and ≥ 12 reserved.
 */
export const HestType = {
  ia32MachineCheck: 0,
  ia32CorrectedMachineCheck: 1,
  ia32Nmi: 2,
  pcieRootPortAer: 6,
  pcieDeviceAer: 7,
  pcieBridgeAer: 8,
  ghes: 9,
  ghesV2: 10,
  ia32DeferredMachineCheck: 11,
} as const;

export type HestTypeName = keyof typeof HestType;
export type HestTypeValue = (typeof HestType)[HestTypeName];

export const HEST_TYPE_NAMES: Readonly<Record<number, HestTypeName>> = Object.fromEntries(
  Object.entries(HestType).map(([k, v]) => [v, k as HestTypeName]),
);

export function hestTypeName(type: number): HestTypeName | 'reserved' {
  return HEST_TYPE_NAMES[type] ?? 'reserved';
}

/** Size of the fixed part of each type (banks of types 0, 1 and 11 follow it, 28 bytes each). */
export const FIXED_LENGTH: Readonly<Record<number, number>> = {
  0: 40,
  1: 48,
  2: 20,
  6: 48,
  7: 44,
  8: 56,
  9: 64,
  10: 92,
  11: 48,
};

/** Offset of the NumberOfHardwareBanks byte for the types that carry banks. */
export const BANK_COUNT_OFFSET: Readonly<Record<number, number>> = { 0: 32, 1: 44, 11: 44 };

/** Flag bits of the Flags byte (types 0, 1, 6, 7, 8, 11). */
export const HestFlags = {
  /** bit 0: the firmware handles the errors first and reports them through a GHES */
  firmwareFirst: 0x01,
  /** bit 1 (AER types only): the structure applies to every device of its kind; bus/device/function ignored */
  global: 0x02,
  /** bit 2 (ACPI 6.3+; types 0, 1, 11): a GHES whose RelatedSourceId is this source assists it */
  ghesAssist: 0x04,
} as const;
