/** Plain hex helpers used by codecs (opaque byte fields are hex strings in JSON), tests and the CLI. */

export function toHex(bytes: Uint8Array): string {
  // short runs (reserved fields, FRU text, ids: decoded for every record) by table, which is
  // faster than making a Buffer view for them; longer runs through Buffer's hex encoder
  if (bytes.length <= 16) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += HEX_BYTE[bytes[i]];
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Two lower-case hex digits of each byte value. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

const SEPARATORS = /[\s:]/;

/** Parses hex text (whitespace and colons allowed between digits) into a fresh Uint8Array. */
export function fromHex(hex: string): Uint8Array {
  const clean = SEPARATORS.test(hex) ? hex.replace(/[\s:]/g, '') : hex;
  // Buffer's decoder stops at the first non-hex pair, so a short result means bad input.
  const decoded = Buffer.from(clean, 'hex');
  if (clean.length % 2 !== 0 || decoded.length * 2 !== clean.length) {
    throw new TypeError('hex text must have an even number of hex digits');
  }
  const out = new Uint8Array(decoded.length);
  out.set(decoded);
  return out;
}
