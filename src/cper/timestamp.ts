import { z } from 'zod';
import { parseU64 } from '../binary/u64';
import { lazy } from './json/lazy';

/**
 * CPER timestamp (8 bytes, used by the record header and revision-3 data entries):
 * byte 0 seconds, 1 minutes, 2 hours (BCD), 3 flags (bit 0 = precise: the time is that of the
 * error event; bits 7:1 reserved), 4 day, 5 month, 6 year within the century, 7 century (BCD).
 * Local time without a time zone.
 *
 * `raw` is the 8 bytes read as one little-endian u64 (so 2025-03-14 15:09:26 precise is
 * 0x2025031401150926) and is the source of truth: a timestamp whose digits are not valid BCD or
 * whose values are out of range is kept as is, with `iso` null and `validBcd` false.
 */
export interface CperTimestamp {
  raw: bigint;
  /** `YYYY-MM-DDTHH:MM:SS`, or null when a digit is not BCD or a value is out of range */
  iso: string | null;
  precise: boolean;
  /** bits 7:1 of the flags byte, shifted down (reserved, normally 0) */
  reservedFlags: number;
  validBcd: boolean;
}

function bcd(b: number): number {
  const hi = b >>> 4;
  const lo = b & 0xf;
  return hi > 9 || lo > 9 ? -1 : hi * 10 + lo;
}

const two = (n: number) => (n < 10 ? '0' : '') + n;

/** Decodes the 8 bytes at `offset` (bounds already checked by the caller). */
export function decodeTimestamp(bytes: Uint8Array, offset: number): CperTimestamp {
  const lo = (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
  const hi = (bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24)) >>> 0;
  // an all-zero timestamp (no time given) is the common case
  if (lo === 0 && hi === 0) return { raw: 0n, iso: null, precise: false, reservedFlags: 0, validBcd: false };
  return timestampFromHalves((BigInt(hi) << 32n) | BigInt(lo), lo, hi);
}

/** Interprets a raw timestamp u64. */
export function timestampFromRaw(raw: bigint): CperTimestamp {
  return timestampFromHalves(raw, Number(raw & 0xffff_ffffn), Number(raw >> 32n));
}

function timestampFromHalves(raw: bigint, lo: number, hi: number): CperTimestamp {
  const sec = bcd(lo & 0xff);
  const min = bcd((lo >>> 8) & 0xff);
  const hour = bcd((lo >>> 16) & 0xff);
  const flags = lo >>> 24;
  const day = bcd(hi & 0xff);
  const month = bcd((hi >>> 8) & 0xff);
  const year = bcd((hi >>> 16) & 0xff);
  const century = bcd(hi >>> 24);
  const validBcd =
    sec >= 0 && sec <= 59 && min >= 0 && min <= 59 && hour >= 0 && hour <= 23 &&
    day >= 1 && day <= 31 && month >= 1 && month <= 12 && year >= 0 && century >= 0;
  const iso = validBcd
    ? `${two(century)}${two(year)}-${two(month)}-${two(day)}T${two(hour)}:${two(min)}:${two(sec)}`
    : null;
  return { raw, iso, precise: (flags & 1) === 1, reservedFlags: flags >>> 1, validBcd };
}

/** The raw u64 of a time given as `YYYY-MM-DD[T ]HH:MM:SS`; undefined when the text is not such a time. */
export function timestampRawFromIso(iso: string, precise: boolean, reservedFlags = 0): bigint | undefined {
  const m = /^(\d{2})(\d{2})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/.exec(iso);
  if (!m) return undefined;
  const [century, year, month, day, hour, min, sec] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) return undefined;
  const b = (n: number) => BigInt(Math.floor(n / 10) * 16 + (n % 10));
  const flags = BigInt(((reservedFlags << 1) | (precise ? 1 : 0)) & 0xff);
  return (
    b(sec) | (b(min) << 8n) | (b(hour) << 16n) | (flags << 24n) |
    (b(day) << 32n) | (b(month) << 40n) | (b(year) << 48n) | (b(century) << 56n)
  );
}

export const ZERO_TIMESTAMP: CperTimestamp = timestampFromRaw(0n);

/**
 * JSON input of a timestamp: `{ raw }` (wins when given, as in decoded output), or
 * `{ iso, precise?, reservedFlags? }`, or just the ISO string.
 */
export const timestampInput = lazy(() => z
  .union([
    z.string(),
    z
      .object({
        raw: z.union([z.string(), z.number()]).optional(),
        iso: z.string().nullable().optional(),
        precise: z.boolean().optional(),
        reservedFlags: z.number().int().min(0).max(127).optional(),
        validBcd: z.boolean().optional(),
      })
      .strict(),
  ])
  .transform((v, ctx): CperTimestamp => {
    const o = typeof v === 'string' ? { iso: v } : v;
    if (o.raw !== undefined) {
      const raw = parseU64(o.raw);
      if (raw === undefined) {
        ctx.addIssue({ code: 'custom', path: ['raw'], message: 'timestamp raw must be a u64' });
        return z.NEVER;
      }
      return timestampFromRaw(raw);
    }
    if (o.iso === undefined || o.iso === null) {
      ctx.addIssue({ code: 'custom', message: 'timestamp needs `raw` or `iso` (YYYY-MM-DDTHH:MM:SS)' });
      return z.NEVER;
    }
    const raw = timestampRawFromIso(o.iso, o.precise ?? false, o.reservedFlags ?? 0);
    if (raw === undefined) {
      ctx.addIssue({ code: 'custom', path: typeof v === 'string' ? [] : ['iso'], message: `not a valid time YYYY-MM-DDTHH:MM:SS: ${JSON.stringify(o.iso)}` });
      return z.NEVER;
    }
    return timestampFromRaw(raw);
  }));
