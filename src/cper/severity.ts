import { EnumTable, EnumValue, enumValue } from './json/fields';

/**
 * Error severity, shared by the status block, data entries, CPER headers and section
 * descriptors: 0 recoverable (uncorrected, non-fatal), 1 fatal, 2 corrected, 3 informational
 * ("none" in ACPI texts). The numeric order is not the severity order.
 */
export const SEVERITY: EnumTable = { 0: 'recoverable', 1: 'fatal', 2: 'corrected', 3: 'informational' };

export const SeverityValue = { recoverable: 0, fatal: 1, corrected: 2, informational: 3 } as const;

/** How bad a severity is: fatal 3 > recoverable 2 > corrected 1 > informational 0; unknown counts as fatal. */
export function severityRank(value: number): number {
  switch (value) {
    case 1: return 3;
    case 0: return 2;
    case 2: return 1;
    case 3: return 0;
    default: return 4;
  }
}

export function severity(value: number): EnumValue {
  return enumValue(SEVERITY, value);
}

/** The most severe of several severities (for a record header built from its sections). */
export function mostSevere(values: number[]): number {
  let best = 3;
  for (const v of values) if (severityRank(v) > severityRank(best)) best = v;
  return best;
}

/**
 * A container's severity: the one given, else the most severe of its parts' given severities
 * (fatal > recoverable > corrected > informational), else undefined.
 */
export function severityOf(given: EnumValue | undefined, parts: Array<EnumValue | undefined>): EnumValue | undefined {
  if (given !== undefined) return given;
  const values = parts.filter((p): p is EnumValue => p !== undefined).map((p) => p.value);
  return values.length === 0 ? undefined : severity(mostSevere(values));
}
