import { keyColon, layoutAt } from './json-text';

/**
 * Pieces for writing libcper's JSON text directly, without building the object first: the text
 * of an object member's key at each nesting depth, and the closing of an object. They produce
 * exactly what libcperJsonText writes for the same object (json-c's pretty layout), so a direct
 * writer is `first(d)` + value + `next(d)` + value … + `closeObject(d)`, where `d` is the depth
 * of the object itself (0: the document) and its member values sit at depth `d + 1`.
 */
export class KeyText {
  private readonly firsts: string[] = [];
  private readonly nexts: string[] = [];
  private readonly colon: string;
  constructor(readonly key: string) {
    this.colon = keyColon(key);
  }

  /** "{", the line break and indent, and `"key":` of an object's first member. */
  first(depth: number): string {
    return this.firsts[depth] ?? (this.firsts[depth] = '{' + layoutAt(depth).open + this.colon);
  }

  /** ",", the line break and indent, and `"key":` of any later member. */
  next(depth: number): string {
    return this.nexts[depth] ?? (this.nexts[depth] = layoutAt(depth).sep + this.colon);
  }
}

const closes: string[] = [];
const empties: string[] = [];

/** The line break, indent and "}" that end a non-empty object at `depth`. */
export function closeObject(depth: number): string {
  return closes[depth] ?? (closes[depth] = layoutAt(depth).close + '}');
}

/** An object without members at `depth`. */
export function emptyObject(depth: number): string {
  return empties[depth] ?? (empties[depth] = '{' + layoutAt(depth).close + '}');
}

/** The text of an array at `depth` whose items' texts (written at depth + 1) are given. */
export function arrayText(items: readonly string[], depth: number): string {
  const { open, sep, close } = layoutAt(depth);
  if (items.length === 0) return '[' + close + ']';
  let out = '[' + open + items[0];
  for (let i = 1; i < items.length; i++) out += sep + items[i];
  return out + close + ']';
}

/** Keys that a JavaScript object would not keep in insertion order (array indices). */
export function isIndexKey(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}
