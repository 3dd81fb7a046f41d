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
  /** `"key":` alone (a first member whose "{" and indent are written by the caller) */
  readonly bare: string;
  constructor(readonly key: string) {
    this.bare = keyColon(key);
  }

  /** "{", the line break and indent, and `"key":` of an object's first member. */
  first(depth: number): string {
    return this.firsts[depth] ?? (this.firsts[depth] = '{' + layoutAt(depth).open + this.bare);
  }

  /** ",", the line break and indent, and `"key":` of any later member. */
  next(depth: number): string {
    return this.nexts[depth] ?? (this.nexts[depth] = layoutAt(depth).sep + this.bare);
  }
}

const opens: string[] = [];
const closes: string[] = [];

/** "{" and the line break and indent before an object's first member at `depth`. */
export function openObject(depth: number): string {
  return opens[depth] ?? (opens[depth] = '{' + layoutAt(depth).open);
}

const empties: string[] = [];

/** The line break, indent and "}" that end a non-empty object at `depth`. */
export function closeObject(depth: number): string {
  return closes[depth] ?? (closes[depth] = layoutAt(depth).close + '}');
}

/** An object without members at `depth`. */
export function emptyObject(depth: number): string {
  return empties[depth] ?? (empties[depth] = '{' + layoutAt(depth).close + '}');
}

/**
 * The members of an object's text at `depth` without its braces and outer layout ('' for an
 * empty object): the first member's `"key":…` through the last member's value.
 */
export function membersOf(objectText: string, depth: number): string {
  if (objectText === emptyObject(depth)) return '';
  return objectText.slice(1 + layoutAt(depth).open.length, objectText.length - closeObject(depth).length);
}

/**
 * One object's text at `depth` from two runs of members: `first` as written by the pieces
 * (starting with "{" and its first key, or '' when it has none) and `rest` as membersOf gives them.
 */
export function joinMembers(first: string, rest: string, depth: number): string {
  if (first === '') return rest === '' ? emptyObject(depth) : '{' + layoutAt(depth).open + rest + closeObject(depth);
  return rest === '' ? first + closeObject(depth) : first + layoutAt(depth).sep + rest + closeObject(depth);
}

/**
 * An object's text at `depth` built member by member (for the hand-written section writers):
 * `add` a key with its value's text (written at `depth` + 1), `addMembers` a run of members as
 * membersOf gives them, `done` closes it.
 */
export class ObjectText {
  private out = '';
  constructor(private readonly depth: number) {}

  add(key: KeyText, value: string): this {
    this.out += (this.out === '' ? key.first(this.depth) : key.next(this.depth)) + value;
    return this;
  }

  addMembers(members: string): this {
    if (members !== '') this.out += (this.out === '' ? openObject(this.depth) : layoutAt(this.depth).sep) + members;
    return this;
  }

  done(): string {
    return this.out === '' ? emptyObject(this.depth) : this.out + closeObject(this.depth);
  }
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
