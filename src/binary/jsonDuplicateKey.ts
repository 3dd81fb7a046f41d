/**
 * A key given twice in one JSON object (`{"severity":"fatal","severity":"corrected"}`): JSON.parse
 * keeps the last value without a word, so the first one, which the writer may well have meant,
 * vanishes. `findDuplicateKey(text)` names the first such key with its JSON pointer and place, so
 * the input can be refused like any other value that would not be read as meant.
 *
 * One pass over the text; strings are skipped with indexOf (a 256 KiB base64 value costs a few
 * jumps), keys are compared as JSON.parse decodes them (`"a"` and `"\u0061"` are the same key).
 * Text JSON.parse refuses is not looked at: call it on text that parsed.
 */
export interface DuplicateKey {
  /** the key as JSON.parse decodes it */
  key: string;
  /** JSON pointer of the second occurrence (RFC 6901: ~ and / escaped) */
  pointer: string;
  /** character index of the second occurrence's opening quote */
  index: number;
  /** 1-based line and column (characters) of that quote */
  line: number;
  column: number;
}

interface Frame {
  object: boolean;
  /** object: keys seen so far; the key whose value is being read */
  keys?: Set<string>;
  key?: string;
  expectKey?: boolean;
  /** array: index of the element being read */
  index?: number;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function findDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: find its closing quote (one not escaped by an odd run of backslashes)
      let end = i + 1;
      for (;;) {
        end = text.indexOf('"', end);
        if (end < 0) return undefined;
        let backslashes = 0;
        while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
        if (backslashes % 2 === 0) break;
        end++;
      }
      const top = stack[stack.length - 1];
      if (top !== undefined && top.object && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.keys!.has(key)) {
          const pointer = [...stack.slice(0, -1).map((f) => (f.object ? escape(f.key!) : String(f.index))), escape(key)].map((s) => '/' + s).join('');
          const before = text.slice(0, i);
          const line = before.split('\n').length;
          return { key, pointer, index: i, line, column: i - (before.lastIndexOf('\n') + 1) + 1 };
        }
        top.keys!.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (c === 0x7b) stack.push({ object: true, keys: new Set(), expectKey: true });
    else if (c === 0x5b) stack.push({ object: false, index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top === undefined) continue;
      if (top.object) top.expectKey = true;
      else top.index!++;
    }
  }
  return undefined;
}

/** The message for a duplicate key (the pointer is given separately where problems carry one). */
export function duplicateKeyMessage(d: DuplicateKey): string {
  return `the key ${JSON.stringify(d.key)} is given twice in one object (JSON keeps only the last value, silently): give it once`;
}
