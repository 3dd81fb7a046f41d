/**
 * 64-bit values are `bigint` in code and `"0x…"` hex strings in JSON, so no value above 2^53
 * loses precision. JSON input also accepts a decimal or hex string and a safe integer number.
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

/**
 * Parses a JSON-side u64: "0x1f", "31", or a safe integer. Returns undefined if it is not a valid
 * u64 (negative, fractional, unsafe number, junk, or above 2^64-1).
 */
export function parseU64(v: unknown): bigint | undefined {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    b = BigInt(v);
  } else if (typeof v === 'string') {
    const s = v.trim();
    if (/^0[xX][0-9a-fA-F]{1,16}$/.test(s) || /^[0-9]{1,20}$/.test(s)) b = BigInt(s);
    else return undefined;
  } else return undefined;
  return b >= 0n && b <= U64_MAX ? b : undefined;
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
