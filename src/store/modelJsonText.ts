import { toHex } from '../binary/hexdump';

/**
 * JSON text of a decoded model in the CPER JSON form, written in one pass: the same text as
 * `JSON.stringify(toJson(model))` (src/cper/json/to-json.ts) without building the intermediate
 * JSON object first. bigints become "0x…" strings, byte arrays lower-case hex strings,
 * undefined properties are dropped (an undefined array element becomes null, as
 * JSON.stringify writes it), non-finite numbers become null; any other object is written
 * through its own enumerable keys, as toJson copies it.
 *
 * The guest records the store keeps hold this text; writing it directly halves the cost of
 * persisting a record (no second object tree for the garbage collector either).
 */
export function modelJsonText(value: unknown): string {
  return write(value) ?? 'null';
}

/** Quoted property names, computed once per name (the models reuse a few hundred names). */
const quotedKeys = new Map<string, string>();

function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    // bound the cache: property names of models are few, keys of odd input objects are not
    if (quotedKeys.size < 4096) quotedKeys.set(k, q);
  }
  return q;
}

/** Text of one value, or undefined for what JSON.stringify leaves out of an object. */
function write(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return '"0x' + v.toString(16) + '"';
    case 'object':
      break;
    default:
      // undefined, functions, symbols: left out of objects, null in arrays
      return undefined;
  }
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return '"' + toHex(v) + '"';
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      s += write(v[i]) ?? 'null';
    }
    return s + ']';
  }
  let s = '{';
  let first = true;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const text = write(o[k]);
    if (text === undefined) continue;
    if (!first) s += ',';
    first = false;
    s += quotedKey(k) + ':' + text;
  }
  return s + '}';
}
