/**
 * Bits [bit, bit + width) of a 64-bit word given as its low and high 32-bit halves, as a plain
 * number (width ≤ 31). Decoders split a u64 register into two halves once and read each field from
 * them, so no bigint is made per field.
 */
export function bitsOfHalves(lo: number, hi: number, bit: number, width: number): number {
  let v: number;
  if (bit >= 32) v = hi >>> (bit - 32);
  else if (bit + width <= 32) v = lo >>> bit;
  else v = (lo >>> bit) | (hi << (32 - bit));
  return v & (2 ** width - 1);
}
