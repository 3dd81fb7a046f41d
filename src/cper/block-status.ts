import { z } from 'zod';
import { lazy } from './json/lazy';

/**
 * BlockStatus word of the Generic Error Status Block:
 * bit 0 an uncorrectable error is valid · bit 1 a correctable error is valid · bit 2 multiple
 * uncorrectable errors · bit 3 multiple correctable errors · bits 13:4 error data entry count
 * (10 bits; ACPICA masks only 8) · bits 31:14 reserved (kept, shifted down, in `reserved`).
 * QEMU leaves the count at 0, so decoders never require it to match the entries.
 */
export interface BlockStatus {
  raw: number;
  uncorrectable: boolean;
  correctable: boolean;
  multipleUncorrectable: boolean;
  multipleCorrectable: boolean;
  entryCount: number;
  reserved: number;
}

export function decodeBlockStatus(raw: number): BlockStatus {
  return {
    raw,
    uncorrectable: (raw & 1) !== 0,
    correctable: (raw & 2) !== 0,
    multipleUncorrectable: (raw & 4) !== 0,
    multipleCorrectable: (raw & 8) !== 0,
    entryCount: (raw >>> 4) & 0x3ff,
    reserved: raw >>> 14,
  };
}

export function blockStatusRaw(b: Omit<BlockStatus, 'raw'>): number {
  return (
    ((b.uncorrectable ? 1 : 0) |
      (b.correctable ? 2 : 0) |
      (b.multipleUncorrectable ? 4 : 0) |
      (b.multipleCorrectable ? 8 : 0) |
      ((b.entryCount & 0x3ff) << 4) |
      (b.reserved << 14)) >>>
    0
  );
}

/**
 * Input of the block status: a number (the raw word), `{ raw }` (wins, as decoded), or named parts.
 * Parts left out are filled by the status-block schema: the error bits from the block severity,
 * the entry count from the number of entries. The result is the parts as given; see
 * `completeBlockStatus`.
 */
export const blockStatusInput = lazy(() => z.union([
  z.number().int().min(0).max(0xffff_ffff),
  z.strictObject({
    raw: z.number().int().min(0).max(0xffff_ffff).optional(),
    uncorrectable: z.boolean().optional(),
    correctable: z.boolean().optional(),
    multipleUncorrectable: z.boolean().optional(),
    multipleCorrectable: z.boolean().optional(),
    entryCount: z.number().int().min(0).max(0x3ff).optional(),
    reserved: z.number().int().min(0).max(0x3ffff).optional(),
  }),
]));

/**
 * Completes a block-status input. Without error bits, a fatal or recoverable block gets
 * "uncorrectable valid" and a corrected or informational one "correctable valid"; without a count,
 * the count is the number of entries.
 */
export function completeBlockStatus(v: z.output<ReturnType<typeof blockStatusInput>> | undefined, severity: number, entries: number): BlockStatus {
  if (typeof v === 'number') return decodeBlockStatus(v);
  if (v !== undefined && v.raw !== undefined) return decodeBlockStatus(v.raw);
  const o = v ?? {};
  const anyBit = o.uncorrectable !== undefined || o.correctable !== undefined || o.multipleUncorrectable !== undefined || o.multipleCorrectable !== undefined;
  const uncorrected = severity === 0 || severity === 1;
  const parts = {
    uncorrectable: anyBit ? o.uncorrectable === true : uncorrected,
    correctable: anyBit ? o.correctable === true : !uncorrected,
    multipleUncorrectable: o.multipleUncorrectable === true,
    multipleCorrectable: o.multipleCorrectable === true,
    entryCount: o.entryCount ?? entries,
    reserved: o.reserved ?? 0,
  };
  return decodeBlockStatus(blockStatusRaw(parts));
}
