import { RasgwError } from '../../binary/errors';

/**
 * JSON text of libcper documents. libcper writes u64 fields as plain JSON integers (json-c
 * `json_object_new_uint64`), most above 2^53, which JSON.parse would round. These two functions
 * keep them exact: `parseLibcperJson` reads an integer that is not a safe JavaScript number as a
 * bigint, and `libcperJsonText` writes bigints as their decimal digits. The layout of the text is
 * json-c's JSON_C_TO_STRING_PRETTY (two-space indent, no space after the colon), which is what
 * `cper-convert to-json` prints.
 */

export type LibcperValue = null | boolean | number | bigint | string | LibcperValue[] | LibcperObject;
export interface LibcperObject {
  [key: string]: LibcperValue;
}

function fail(offset: number, message: string): never {
  throw new RasgwError({ code: 'invalid_input', offset, path: '', message: `libcper JSON: ${message}` });
}

/** Parses JSON text; integers beyond Number.MAX_SAFE_INTEGER become bigints. */
export function parseLibcperJson(text: string): LibcperValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  /** the comma-separated members after an opening bracket at `i`, up to `close` (each read by `member`) */
  const items = (close: string, member: () => void): void => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) return void i++;
      fail(i, `expected "," or "${close}" at character ${i}`);
    }
  };
  const value = (): LibcperValue => {
    ws();
    const c = text[i];
    if (c === '{') {
      const o: LibcperObject = {};
      return items('}', () => {
        ws();
        if (text[i] !== '"') fail(i, `expected a string key at character ${i}`);
        const k = str();
        ws();
        if (text[i] !== ':') fail(i, `expected ":" at character ${i}`);
        i++;
        o[k] = value();
      }), o;
    }
    if (c === '[') {
      const a: LibcperValue[] = [];
      return items(']', () => a.push(value())), a;
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(i, `unexpected ${c === undefined ? 'end of text' : JSON.stringify(c)} at character ${i}`);
    i += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail(start, `unterminated string at character ${start}`);
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value();
  ws();
  if (i !== text.length) fail(i, `unexpected text after the document at character ${i}`);
  return v;
}

/** Characters that make a string's JSON text differ from `"` + string + `"` (json-c escapes "/" too). */
const NEEDS_ESCAPE = /["\\/\u0000-\u001f\u007f-\uffff]/;

/** Characters other than "/" that JSON.stringify may escape (or that NEEDS_ESCAPE sends there). */
const NEEDS_ESCAPE_BUT_SLASH = /["\\\u0000-\u001f\u007f-\uffff]/;

/** json-c's text of a string: `\/` for "/", otherwise JSON.stringify's escapes. */
export function stringText(s: string): string {
  const kind = s.length <= 64 ? escapesShort(s) : NEEDS_ESCAPE.test(s) ? (NEEDS_ESCAPE_BUT_SLASH.test(s) ? 2 : 1) : 0;
  if (kind === 0) return '"' + s + '"';
  // only "/" to escape (base64 text, "PCI/PCI-X"): JSON.stringify would leave the string as it is
  if (kind === 1) return '"' + s.replaceAll('/', '\\/') + '"';
  // json-c escapes "/" as "\/"
  return JSON.stringify(s).split('/').join('\\/');
}

/**
 * NEEDS_ESCAPE's test as a loop (faster than the regular expression on libcper's short strings):
 * 0 when nothing needs escaping, 1 when only "/" does, 2 otherwise.
 */
function escapesShort(s: string): 0 | 1 | 2 {
  let kind = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x7f) return 2;
    kind |= ESCAPE_KIND[c];
  }
  return kind === 0 ? 0 : kind === 1 ? 1 : 2;
}

/** Per ASCII character below 0x7f: 0 plain, 1 "/", 2 escaped by JSON.stringify (control, '"', "\\"). */
const ESCAPE_KIND = new Uint8Array(0x7f);
for (let c = 0; c < 0x20; c++) ESCAPE_KIND[c] = 2;
ESCAPE_KIND[0x22] = 2;
ESCAPE_KIND[0x5c] = 2;
ESCAPE_KIND[0x2f] = 1;

/** The text of standard base64 (only "/" of its alphabet needs escaping). */
export function base64Text(b64: string): string {
  return '"' + b64.replaceAll('/', '\\/') + '"';
}

/** A key's text (keys are written as JSON.stringify writes them, "/" unescaped). */
function keyText(k: string): string {
  return NEEDS_ESCAPE.test(k) ? JSON.stringify(k) : '"' + k + '"';
}

/**
 * Texts of the keys seen so far, `"key":` with its leading ",\n" or "{\n" and indent left out.
 * libcper's keys are a small fixed set, so after the first records every key is a map hit; the
 * cache stops growing at KEY_CACHE_LIMIT entries (keys of arbitrary input documents).
 */
const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;
export function keyColon(k: string): string {
  let t = keyCache.get(k);
  if (t === undefined) {
    t = keyText(k) + ':';
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(k, t);
  }
  return t;
}

/** ",\n" or "{\n"/"[\n" plus the indent of each nesting depth, built once per depth. */
const openers: string[] = [];
const separators: string[] = [];
const closers: string[] = [];
function ensureDepth(base: string, depth: number): void {
  // only the default base indent ('') is cached; other bases are written uncached
  while (separators.length <= depth) {
    const d = separators.length;
    const inner = base + '  '.repeat(d + 1);
    openers.push('\n' + inner);
    separators.push(',\n' + inner);
    closers.push('\n' + base + '  '.repeat(d));
  }
}

/**
 * json-c's pretty text of a document (bigints as plain integers). One pass that appends to a
 * single string, indents and key texts reused (the record's JSON is written for every decode,
 * so this is on the hot path).
 */
export function libcperJsonText(v: LibcperValue, indent = ''): string {
  if (indent !== '') return writeIndented(v, indent);
  ensureDepth('', 8);
  return write(v, 0);
}

/**
 * The text of a value that sits `depth` containers deep (0: the document itself), as
 * libcperJsonText writes it there: the direct text writers (text-writer.ts) call this for the
 * parts they have no writer of their own for.
 */
export function valueText(v: LibcperValue, depth: number): string {
  if (depth + 1 >= separators.length) ensureDepth('', depth + 1);
  return write(v, depth);
}

const layouts: Array<Readonly<{ open: string; sep: string; close: string }>> = [];

/**
 * The layout pieces at `depth` (see valueText): `open` follows "{" or "[" before the first member,
 * `sep` goes between members, `close` comes before "}" or "]".
 */
export function layoutAt(depth: number): Readonly<{ open: string; sep: string; close: string }> {
  let l = layouts[depth];
  if (l === undefined) {
    if (depth + 1 >= separators.length) ensureDepth('', depth + 1);
    layouts[depth] = l = { open: openers[depth], sep: separators[depth], close: closers[depth] };
  }
  return l;
}

function scalar(v: null | boolean | number | bigint | string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return stringText(v);
  return String(v);
}

function write(v: LibcperValue, depth: number): string {
  if (v === null || typeof v !== 'object') return scalar(v);
  if (depth + 1 >= separators.length) ensureDepth('', depth + 1);
  const sep = separators[depth];
  if (Array.isArray(v)) {
    if (v.length === 0) return '[' + closers[depth] + ']';
    let out = '[' + openers[depth] + write(v[0], depth + 1);
    for (let i = 1; i < v.length; i++) out += sep + write(v[i], depth + 1);
    return out + closers[depth] + ']';
  }
  // for…in over own keys (documents are plain objects; no key array per object)
  let out = '';
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    out += (out === '' ? '{' + openers[depth] : sep) + keyColon(k) + write(v[k], depth + 1);
  }
  return out === '' ? '{' + closers[depth] + '}' : out + closers[depth] + '}';
}

/** The same text under a caller-given base indent (not on the hot path). */
function writeIndented(v: LibcperValue, indent: string): string {
  if (v === null || typeof v !== 'object') return scalar(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + indent + ']';
    return '[\n' + v.map((x) => inner + writeIndented(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{\n' + indent + '}';
  return '{\n' + keys.map((k) => inner + keyText(k) + ':' + writeIndented(v[k], inner)).join(',\n') + '\n' + indent + '}';
}
