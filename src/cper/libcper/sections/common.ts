import { stringText, type LibcperObject } from '../json-text';
import { closeObject, KeyText } from '../text-pieces';
import { asBig, bad, bitSet, Converter, isObject, integerIn, Model, withText } from '../table';

/**
 * Converters several sections share: the Error Status word (UEFI N.2.4.1) and libcper's names for
 * its error types (CPER_GENERIC_ERROR_TYPES: a name and a description per type).
 */

export const ERROR_STATUS_TYPES: Readonly<Record<number, [string, string]>> = {
  1: ['ERR_INTERNAL', 'Error detected internal to the component.'],
  16: ['ERR_BUS', 'Error detected in the bus.'],
  4: ['ERR_MEM', 'Storage error in memory (DRAM).'],
  5: ['ERR_TLB', 'Storage error in TLB.'],
  6: ['ERR_CACHE', 'Storage error in cache.'],
  7: ['ERR_FUNCTION', 'Error in one or more functional units.'],
  8: ['ERR_SELFTEST', 'Component failed self test.'],
  9: ['ERR_FLOW', 'Overflow or underflow of internal queue.'],
  17: ['ERR_MAP', 'Virtual address not found on IO-TLB or IO-PDIR.'],
  18: ['ERR_IMPROPER', 'Improper access error.'],
  19: ['ERR_UNIMPL', 'Access to a memory address which is not mapped to any component.'],
  20: ['ERR_LOL', 'Loss of Lockstep error.'],
  21: ['ERR_RESPONSE', 'Response not associated with a request.'],
  22: ['ERR_PARITY', 'Bus parity error (must also set the A, C, or D bits).'],
  23: ['ERR_PROTOCOL', 'Detection of a protocol error.'],
  24: ['ERR_ERROR', 'Detection of a PATH_ERROR.'],
  25: ['ERR_TIMEOUT', 'Bus operation timeout.'],
  26: ['ERR_POISONED', 'A read was issued to data that has been poisoned.'],
};

const STATUS_FLAGS = ['addressSignal', 'controlSignal', 'dataSignal', 'detectedByResponder', 'detectedByRequester', 'firstError', 'overflowDroppedLogs'];

/**
 * Error Status: our `{ raw }` word ⇄ libcper's `{ errorType: { value, description?, name },
 * addressSignal, …, overflowDroppedLogs }` (type in bits 15:8, the seven flags in bits 22:16).
 * Reserved bits are not in libcper's form, so they do not survive a trip through it.
 */
const ERROR_TYPE = new KeyText('errorType');
const VALUE = new KeyText('value');
const DESCRIPTION = new KeyText('description');
const NAME = new KeyText('name');
const STATUS_FLAG_KEYS = STATUS_FLAGS.map((n) => new KeyText(n));

export const errorStatus: Converter = withText({
  name: 'Error Status word',
  // the word's low 32 bits hold the type and the flags
  text: (v, _m, depth) => {
    const raw = asBig((v as { raw?: unknown } | undefined)?.raw ?? 0);
    const low = Number(BigInt.asUintN(32, raw));
    const type = (low >>> 8) & 0xff;
    const t = ERROR_STATUS_TYPES[type];
    const d1 = depth + 1;
    let out = ERROR_TYPE.first(depth) + VALUE.first(d1) + String(type);
    out += (t ? DESCRIPTION.next(d1) + stringText(t[1]) + NAME.next(d1) + stringText(t[0]) : NAME.next(d1) + '"Unknown (Reserved)"') + closeObject(d1);
    for (let i = 0; i < STATUS_FLAG_KEYS.length; i++) out += STATUS_FLAG_KEYS[i].next(depth) + (((low >>> (16 + i)) & 1) === 1 ? 'true' : 'false');
    return out + closeObject(depth);
  },
  out: (v) => {
    const raw = asBig((v as { raw?: unknown } | undefined)?.raw ?? 0);
    const type = Number((raw >> 8n) & 0xffn);
    const t = ERROR_STATUS_TYPES[type];
    const errorType: LibcperObject = t ? { value: type, description: t[1], name: t[0] } : { value: type, name: 'Unknown (Reserved)' };
    const o: LibcperObject = { errorType };
    STATUS_FLAGS.forEach((n, i) => (o[n] = bitSet(raw, 16 + i)));
    return o;
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected the error status object');
    const t = v.errorType;
    if (!isObject(t)) bad(`${path}/errorType`, 'expected { "value": …, "name": … }');
    let raw = (integerIn(t.value ?? null, `${path}/errorType/value`, 0xffn)) << 8n;
    STATUS_FLAGS.forEach((n, i) => {
      if (v[n] !== undefined && typeof v[n] !== 'boolean') bad(`${path}/${n}`, 'expected true or false');
      if (v[n] === true) raw |= 1n << BigInt(16 + i);
    });
    return '0x' + raw.toString(16);
  },
});

/** `(x & 0xff)` and `(x >> 8)` halves of a u16, as libcper's bus/segment style objects. */
export function lowHigh(lowKey: string, highKey: string): Converter {
  return {
    name: `u16 split into ${lowKey} (bits 7:0) and ${highKey} (bits 15:8)`,
    out: (v) => {
      const n = Number(asBig(v));
      return { [lowKey]: n & 0xff, [highKey]: n >> 8 };
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, `expected { "${lowKey}": …, "${highKey}": … }`);
      return Number(integerIn(v[lowKey] ?? 0, `${path}/${lowKey}`, 0xffn) | (integerIn(v[highKey] ?? 0, `${path}/${highKey}`, 0xffn) << 8n));
    },
  };
}

/** Our model's `{ text }` / `{ raw }` fixed-text field as bytes. */
export function fixedTextBytes(v: unknown, length: number): Uint8Array {
  const f = (v ?? {}) as { text?: string; raw?: string };
  if (typeof f.raw === 'string') return new Uint8Array(Buffer.from(f.raw, 'hex'));
  const out = new Uint8Array(length);
  Buffer.from(f.text ?? '', 'latin1').copy(out);
  return out;
}

/**
 * libcper's add_untrusted_string: the text up to the first NUL, or nothing at all when a byte
 * before it is not printable ASCII (the key is then left out).
 */
export function untrustedString(bytes: Uint8Array): string | undefined {
  let s = '';
  for (const b of bytes) {
    if (b === 0) break;
    if (b < 0x20 || b > 0x7e) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * untrustedString(fixedTextBytes(v, length)) without making the bytes: a `{ text }` of our model
 * (no raw bytes) is the text up to its first NUL, so its characters are checked in place; any
 * other form (raw bytes, characters above 0xff) goes through the bytes.
 */
export function untrustedFixedText(v: unknown, length: number): string | undefined {
  const f = (v ?? {}) as { text?: unknown; raw?: unknown };
  // the presence test and the value ask for the same field one after the other: the last answer is kept
  if (f.text === last.text && f.raw === last.raw && length === last.length) return last.result;
  const result = untrustedFixedTextOf(f, v, length);
  last = { text: f.text, raw: f.raw, length, result };
  return result;
}
let last: { text: unknown; raw: unknown; length: number; result: string | undefined } = { text: undefined, raw: undefined, length: -1, result: undefined };

function untrustedFixedTextOf(f: { text?: unknown; raw?: unknown }, v: unknown, length: number): string | undefined {
  if (typeof f.raw !== 'string' && typeof f.text === 'string') {
    const t = f.text;
    const n = Math.min(t.length, length);
    for (let i = 0; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c === 0) return t.slice(0, i);
      if (c < 0x20 || c > 0x7e) return c > 0xff ? untrustedString(fixedTextBytes(v, length)) : undefined;
    }
    return n === t.length ? t : t.slice(0, n);
  }
  return untrustedString(fixedTextBytes(v, length));
}

export type { Model };
