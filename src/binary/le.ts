/**
 * Little-endian u32 at `o` of `b`, without a DataView (hot paths read a few fields of a record;
 * the engine inlines this). The caller has checked that the 4 bytes are present.
 */
export function readU32LE(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
