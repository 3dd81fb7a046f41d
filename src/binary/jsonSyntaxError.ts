/**
 * Where JSON text goes wrong, for messages that point at it: JSON.parse's own messages are V8's
 * (sometimes with a position, sometimes with a quoted excerpt, "Unexpected end of JSON input"
 * without either). `jsonSyntaxError(text)` scans the text by RFC 8259's grammar and names the
 * first offending place as line, column and byte offset (UTF-8) with what was expected there.
 * It is only called after JSON.parse has refused the text, so it favours plainness over speed;
 * containers are kept on an explicit stack so deep nesting cannot overflow the call stack.
 */
export interface JsonSyntaxError {
  /** byte offset of the offending character in the UTF-8 text */
  offset: number;
  /** 1-based line and column (column in characters) */
  line: number;
  column: number;
  /** what is wrong there, e.g. `expected a value, found "x"` */
  problem: string;
  /** `line L, column C (byte N): problem` */
  message: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

function found(text: string, i: number): string {
  if (i >= text.length) return 'the end of the input';
  const c = text.codePointAt(i)!;
  return c < 0x20 ? `control character 0x${c.toString(16).padStart(2, '0')}` : JSON.stringify(String.fromCodePoint(c));
}

export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const n = text.length;
  const stack: Array<'{' | '['> = [];
  const fail = (at: number, problem: string): JsonSyntaxError => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    const offset = Buffer.byteLength(before, 'utf8');
    return { offset, line, column, problem, message: `line ${line}, column ${column} (byte ${offset}): ${problem}` };
  };
  const ws = () => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  /** a string starting at i (text[i] === '"'); returns an error or undefined, i past the quote */
  const string = (): JsonSyntaxError | undefined => {
    const start = i++;
    for (;;) {
      if (i >= n) return fail(start, 'a string is not closed (no ending ")');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail(i, `control character 0x${c.toString(16).padStart(2, '0')} inside a string (write it as \\u${c.toString(16).padStart(4, '0')})`);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail(i, 'a \\u escape needs four hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return fail(i, `bad escape \\${e ?? ''} (one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)`);
      } else i++;
    }
  };
  /** a scalar or the start of a container at i */
  const value = (): JsonSyntaxError | undefined => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      return undefined;
    }
    if (c === '"') return string();
    const lit = /^(?:true|false|null)/.exec(text.slice(i, i + 5));
    if (lit) {
      i += lit[0].length;
      return undefined;
    }
    const num = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (num) {
      i += num[0].length;
      return undefined;
    }
    return fail(i, `expected a value (object, array, string, number, true, false or null), found ${found(text, i)}`);
  };
  let err = value();
  // true right after an opening bracket: the container may be empty or take its first member
  let opened = stack.length > 0;
  while (!err) {
    ws();
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i < n) return fail(i, `unexpected ${found(text, i)} after the JSON value`);
      return undefined;
    }
    const close = top === '{' ? '}' : ']';
    if (text[i] === close) {
      stack.pop();
      i++;
      opened = false;
      continue;
    }
    if (!opened) {
      if (text[i] !== ',') return fail(i, `expected "," or "${close}", found ${found(text, i)}`);
      i++;
      ws();
    }
    if (top === '{') {
      if (text[i] !== '"') return fail(i, `expected a property name in double quotes, found ${found(text, i)}`);
      err = string();
      if (err) return err;
      ws();
      if (text[i] !== ':') return fail(i, `expected ":" after the property name, found ${found(text, i)}`);
      i++;
    }
    const depth = stack.length;
    err = value();
    opened = stack.length > depth;
  }
  return err;
}
