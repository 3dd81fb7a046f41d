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

/** json-c's pretty text of a document (bigints as plain integers). */
export function libcperJsonText(v: LibcperValue, indent = ''): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  // json-c escapes "/" as "\/"
  if (typeof v === 'string') return JSON.stringify(v).split('/').join('\\/');
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + indent + ']';
    return '[\n' + v.map((x) => inner + libcperJsonText(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{\n' + indent + '}';
  return '{\n' + keys.map((k) => `${inner}${JSON.stringify(k)}:${libcperJsonText(v[k], inner)}`).join(',\n') + '\n' + indent + '}';
}
