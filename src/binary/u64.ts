/**
 * 64-bit values are `bigint` in code and `"0x…"` hex strings in JSON, so no value above 2^53
 * loses precision. JSON input takes exactly two spellings, read the one way they can be meant:
 * a `"0x…"` hex string (every tool in this field writes addresses in hex), or a JSON number
 * that is a safe integer (below 2^53). A digit string without 0x ("40001000": hex or decimal?),
 * spaces, signs, other prefixes or fractions are refused; uintInputError says why and how to
 * write the value instead. A single digit "0"–"9" reads the same either way and is accepted.
 */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;

/** `0x` + lower-case hex, no padding: 0n → "0x0". */
export function u64ToHex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** `0x` + exactly `digits` lower-case hex digits. */
export function hexPad(v: bigint | number, digits: number): string {
  return '0x' + v.toString(16).padStart(digits, '0');
}

const HEX_STRING = /^0[xX][0-9a-fA-F]+$/;

/**
 * Parses a JSON-side unsigned integer of at most `max`: "0x1f" or a safe integer number (a
 * bigint too, for values built in code). Returns undefined for anything else, or above `max`.
 */
export function parseUint(v: unknown, max: bigint): bigint | undefined {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    b = BigInt(v);
  } else if (typeof v === 'string') {
    // at most as many digits as the largest value needs, plus leading zeros up to 64 digits
    // a single digit reads the same in hex and decimal, so it cannot be misread
    if (/^[0-9]$/.test(v)) b = BigInt(v);
    else if (!HEX_STRING.test(v) || v.length > 66) return undefined;
    else b = BigInt(v);
  } else return undefined;
  return b >= 0n && b <= max ? b : undefined;
}

/** Parses a JSON-side u64: "0x1f" or a safe integer (see parseUint). */
export function parseU64(v: unknown): bigint | undefined {
  return parseUint(v, U64_MAX);
}

/**
 * Why `v` is not an unsigned integer of at most `max` in JSON, with the fix (undefined when it
 * is one). `what` names the expected value, e.g. "a u64".
 */
export function uintInputError(v: unknown, max: bigint, what: string): string | undefined {
  if (parseUint(v, max) !== undefined) return undefined;
  const range = `0..0x${max.toString(16)}`;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t !== v && parseUint(t, max) !== undefined) return `${JSON.stringify(v)} has spaces around it; write ${JSON.stringify(t)}`;
    if (/^[0-9]+$/.test(t)) {
      const asHex = '0x' + t.replace(/^0+(?=.)/, '');
      const decimal = Number.isSafeInteger(Number(t)) ? `, or the decimal number ${Number(t)} as a JSON number without quotes` : '';
      return `${JSON.stringify(v)} is a digit string without 0x, which could be hex or decimal: write hex as ${JSON.stringify(asHex)}${decimal}`;
    }
    if (HEX_STRING.test(t)) return `${JSON.stringify(v)} is larger than ${what} (${range})`;
    if (/^[0-9a-fA-F]+$/.test(t)) return `${JSON.stringify(v)} has no 0x prefix: write ${JSON.stringify('0x' + t)}`;
    return `expected ${what} as a "0x…" hex string or a JSON number, got ${JSON.stringify(v)}`;
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v > 0 && !Number.isSafeInteger(v)) return `${v} is 2^53 or more and may already have lost precision: write it as a "0x…" hex string`;
    return `expected ${what} (${range}), got ${v}`;
  }
  if (typeof v === 'bigint') return `expected ${what} (${range}), got 0x${v.toString(16)}`;
  return `expected ${what} as a "0x…" hex string or a JSON number, got ${v === null ? 'null' : typeof v}`;
}

/** JSON.stringify replacer that writes every bigint as a hex string. */
export function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? u64ToHex(value) : value;
}

/** JSON text of a value whose u64 fields are bigints. */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, bigintReplacer, indent);
}

/** Deep copy of a value with every bigint replaced by its hex string (the JSON form). */
export function toJsonValue<T>(value: T): unknown {
  return JSON.parse(toJsonText(value));
}
