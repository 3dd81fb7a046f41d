/**
 * JSON text the way QEMU's json-writer prints a QMP message (non-pretty mode): `": "` after a
 * key, `", "` between members and elements, and strings escaped as QEMU does — `\"`, `\\`, `\b`,
 * `\f`, `\n`, `\r`, `\t`, every other code point below 0x20 or from 0x7F up as `\uXXXX` (upper-case
 * hex, surrogate pairs beyond the BMP); `/` is not escaped. Object members keep their insertion
 * order (callers build them in the order QEMU prints them). bigint values print as integers, so
 * a u64 above 2^53 keeps every digit.
 */
export type QemuJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | QemuJsonValue[]
  | { [key: string]: QemuJsonValue | undefined };

export function quoteQemu(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (cp) {
      case 0x22: out += '\\"'; break;
      case 0x5c: out += '\\\\'; break;
      case 0x08: out += '\\b'; break;
      case 0x0c: out += '\\f'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      default:
        if (cp > 0xffff) {
          const hi = 0xd800 + ((cp - 0x10000) >> 10);
          const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
          out += '\\u' + hex4(hi) + '\\u' + hex4(lo);
        } else if (cp < 0x20 || cp >= 0x7f) out += '\\u' + hex4(cp);
        else out += ch;
    }
  }
  return out + '"';
}

/**
 * Integers print in full; other numbers as C's %.17g (what QEMU's json_writer_double uses).
 * QEMU would print a non-finite double as "inf"/"nan", which is not JSON; we print null.
 */
function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (Number.isSafeInteger(v)) return v.toFixed(0);
  const [mant, expText] = v.toExponential(16).split('e');
  const exp = Number(expText);
  const strip = (t: string) => (t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
  if (exp < -4 || exp >= 17) return `${strip(mant)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(v.toFixed(Math.max(0, 16 - exp)));
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export function toQemuJson(v: QemuJsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatNumber(v);
    case 'bigint':
      return v.toString(10);
    case 'string':
      return quoteQemu(v);
  }
  if (Array.isArray(v)) return '[' + v.map(toQemuJson).join(', ') + ']';
  const members: string[] = [];
  for (const [k, x] of Object.entries(v)) if (x !== undefined) members.push(quoteQemu(k) + ': ' + toQemuJson(x));
  return '{' + members.join(', ') + '}';
}
