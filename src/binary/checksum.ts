/** ACPI 8-bit checksums: a table is valid when all its bytes sum to 0 modulo 256. */

/** Sum of `bytes[start, start+length)` modulo 256. */
export function sum8(bytes: Uint8Array, start = 0, length = bytes.length - start): number {
  let s = 0;
  const end = start + length;
  for (let i = start; i < end; i++) s = (s + bytes[i]) & 0xff;
  return s;
}

/**
 * The byte that makes `[start, start+length)` sum to 0, computed with the checksum byte at
 * `checksumOffset` counted as 0 (so it can be called on a table whose checksum byte is stale).
 */
export function acpiChecksum(bytes: Uint8Array, start: number, length: number, checksumOffset: number): number {
  const inRange = checksumOffset >= start && checksumOffset < start + length;
  const s = (sum8(bytes, start, length) - (inRange ? bytes[checksumOffset] : 0)) & 0xff;
  return (0x100 - s) & 0xff;
}

/** Writes the checksum byte so that the range sums to zero. Returns the byte written. */
export function applyAcpiChecksum(bytes: Uint8Array, start: number, length: number, checksumOffset: number): number {
  const c = acpiChecksum(bytes, start, length, checksumOffset);
  bytes[checksumOffset] = c;
  return c;
}
