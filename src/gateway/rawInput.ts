/**
 * Raw status-block bytes given as text. `raw` is base64 and `rawHex` hex; these helpers tell the
 * two apart so a value is never decoded in a way the client did not mean.
 */

/**
 * True when `s` looks like hex text: an even number (at least 8) of hex digits, among them at
 * least one decimal digit. Hex text of a status block always holds zero bytes, so "0"s; base64
 * of a real block is very unlikely to use only the 22 hex-digit characters AND digits (its zero
 * bytes are "A"s: base64 of zeros, "AAAA…", is not hex text here). Hex text in the base64 field
 * is a common mistake that would otherwise decode to other bytes without a word.
 */
export function looksLikeHexText(s: string): boolean {
  return s.length >= 8 && s.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(s) && /[0-9]/.test(s);
}

/** Bytes of hex text (two digits per byte, no spaces, no 0x), or why it is not hex text. */
export function parseHexText(s: string): Uint8Array | string {
  const bad = /[^0-9a-fA-F]/.exec(s);
  if (bad) {
    const hint = /^0[xX]/.test(s) ? ' (no 0x prefix: the text is bytes, not a number)' : /\s/.test(bad[0]) ? ' (no spaces or line breaks)' : '';
    return `expected hex text, two digits per byte: character ${JSON.stringify(bad[0])} at offset ${bad.index} is not a hex digit${hint}`;
  }
  if (s.length % 2 !== 0) return `expected hex text, two digits per byte: ${s.length} digits is an odd number`;
  return new Uint8Array(Buffer.from(s, 'hex'));
}
