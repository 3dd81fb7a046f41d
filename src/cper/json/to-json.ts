import { toHex } from '../../binary/hexdump';

/**
 * The JSON form of a decoded model: bigints become "0x…" hex strings, byte arrays become lower-case
 * hex strings, undefined properties are dropped. Everything else is copied as is. The result
 * parses back through the input schemas to an equal model.
 */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return '0x' + value.toString(16);
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = toJson(v);
    }
    return out;
  }
  return value;
}
