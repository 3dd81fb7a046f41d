/**
 * Restore points: how in-memory state follows the store's transactions (docs/ARCHITECTURE.md,
 * "Restore points"). An object that changes while a request runs hands out a `RestorePoint`;
 * when the request's transaction (or savepoint) rolls back, the point puts the object back as
 * it was when the point was taken; when it commits, the point is released.
 *
 * Points of one object nest and are used innermost first (a batch's point, then a point per
 * injection inside it): `restore` and `release` of a point that is not the innermost one open
 * throw, so a misuse is loud rather than a silent half-restore.
 *
 * A point costs what it saves, not what the object holds, and allocates (almost) nothing, since
 * the gateway takes one per injection inside one per batch:
 * - small state is saved by value on one stack per object (`SavedValues`, `SavedPoints`): each
 *   part pushes its fields (`SavesState.saveState`) and reads them back in the same order;
 * - state that grows with history (guest memory, the log ring, a VM's injections) is journaled
 *   while a point is open (`UndoJournal`, or a journal of the class's own): a point is a mark,
 *   restoring undoes the entries since it, newest first; journals keep their storage between
 *   points;
 * - state that rarely changes (ERST records) is copied at its first change under a point
 *   (`CopyOnWrite`): a point under which it does not change costs nothing.
 */
export interface RestorePoint {
  /** puts the state back as it was when the point was taken; the point is used up */
  restore(): void;
  /** keeps the state as it is now; the point is used up (an outer point still covers the changes) */
  release(): void;
}

/**
 * The values a VM's restore points save, on one stack per VM reused by every point: a point is the
 * stack's length when it was taken, and taking one pushes each part's fields (`SavesState`) with
 * no allocation beyond the stack's own growth and copies of collections that are not empty.
 * Restoring reads the values back from the point's position, in the order they were pushed;
 * restoring or releasing pops them (points nest: the innermost is used first).
 */
export class SavedValues {
  private readonly values: unknown[] = [];
  private top = 0;
  private cursor = 0;

  /** values saved by the points open now */
  get length(): number {
    return this.top;
  }

  /** where the next `next` reads */
  get position(): number {
    return this.cursor;
  }

  push(v: unknown): void {
    this.values[this.top++] = v;
  }

  /** Starts reading back the values pushed from `at` on. */
  readFrom(at: number): void {
    this.cursor = at;
  }

  /** The next value saved (a read past the values saved is a bug: it throws). */
  next<T>(): T {
    if (this.cursor >= this.top) throw new Error('restore point: read past the values saved');
    return this.values[this.cursor++] as T;
  }

  /** Drops the values from `at` on (their references too, so they can be collected). */
  truncate(at: number): void {
    for (let i = at; i < this.top; i++) this.values[i] = undefined;
    this.top = at;
    if (this.cursor > at) this.cursor = at;
  }

  /** Pushes an array's length and elements (read back by `loadArray` into the same array). */
  pushArray(a: readonly unknown[]): void {
    this.push(a.length);
    for (let i = 0; i < a.length; i++) this.push(a[i]);
  }

  /** Puts back the elements `pushArray` saved into `a` (the same array object). */
  loadArray(a: unknown[]): void {
    const n = this.next<number>();
    if (a.length !== n) a.length = n;
    for (let i = 0; i < n; i++) a[i] = this.next();
  }

  /** Pushes a Map's size and entries in order (read back by `loadMap` into the same Map). */
  pushMap(m: ReadonlyMap<unknown, unknown>): void {
    this.push(m.size);
    for (const [k, v] of m) {
      this.push(k);
      this.push(v);
    }
  }

  /** Puts back the entries `pushMap` saved into `m` (the same Map object, same order). */
  loadMap<K, V>(m: Map<K, V>): void {
    const n = this.next<number>();
    if (m.size > 0) m.clear();
    for (let i = 0; i < n; i++) {
      const k = this.next<K>();
      m.set(k, this.next<V>());
    }
  }

  /** Pushes a Set's size and members in order (read back by `loadSet` into the same Set). */
  pushSet(s: ReadonlySet<unknown>): void {
    this.push(s.size);
    for (const v of s) this.push(v);
  }

  /** Puts back the members `pushSet` saved into `s` (the same Set object, same order). */
  loadSet<T>(s: Set<T>): void {
    const n = this.next<number>();
    if (s.size > 0) s.clear();
    for (let i = 0; i < n; i++) s.add(this.next<T>());
  }
}

/**
 * A part of a VM that a VM restore point saves: `saveState` pushes its state (fields, or the mark
 * of its own journal), `loadState` reads back exactly what `saveState` pushed, in the same order,
 * and puts the state back. A part with a journal also has `releaseState` (the point is released:
 * its mark goes, the journal entries stay for an outer point).
 */
export interface SavesState {
  saveState(s: SavedValues): void;
  loadState(s: SavedValues): void;
}

/** Something whose points `SavedPoints` takes: saves, loads and releases on one SavedValues. */
export interface SavesStateWithRelease extends SavesState {
  /** a point is released: read back what `saveState` pushed as far as needed to close marks */
  releaseState(s: SavedValues): void;
}

/**
 * The restore points of one object (a VM), on one SavedValues: a point is the stack's length
 * when it was taken (one small object, no closures). Points are used innermost first: using
 * another one, or one already used, throws. Restoring checks that `loadState` read back exactly
 * what `saveState` pushed, so a save and a load that disagree are loud, not a silent half-restore.
 */
export class SavedPoints {
  private readonly values = new SavedValues();
  private readonly open: StackPoint[] = [];

  constructor(private readonly part: SavesStateWithRelease) {}

  /** points open now */
  get depth(): number {
    return this.open.length;
  }

  take(): RestorePoint {
    const p = new StackPoint(this, this.values.length);
    this.part.saveState(this.values);
    this.open.push(p);
    return p;
  }

  /** Restores (or releases) `p`, which must be the innermost open point. */
  close(p: StackPoint, restore: boolean): void {
    if (this.open[this.open.length - 1] !== p) throw new Error('restore points are used innermost first');
    this.open.pop();
    const s = this.values;
    s.readFrom(p.at);
    try {
      if (restore) {
        this.part.loadState(s);
        if (s.position !== s.length) throw new Error(`restore point: read back ${s.position - p.at} values of the ${s.length - p.at} saved`);
      } else this.part.releaseState(s);
    } finally {
      s.truncate(p.at);
    }
  }
}

class StackPoint implements RestorePoint {
  constructor(
    private readonly points: SavedPoints,
    readonly at: number,
  ) {}

  restore(): void {
    this.points.close(this, true);
  }

  release(): void {
    this.points.close(this, false);
  }
}

function runThunk(undo: () => void): void {
  undo();
}

/** the last id given to a point of an UndoJournal (process-wide: ids are never reused, see `current`) */
let lastPointId = 0;

/**
 * An undo log with nested marks, for state too large to copy at every point (a log ring, the
 * injections a VM remembers): while a mark is open, every change records how to undo itself;
 * restoring a point runs the entries recorded since its mark, newest first.
 */
export class UndoJournal {
  /**
   * per change, four slots: a function and the three arguments it undoes the change with (so a
   * change made often can journal itself with a function defined once, no closure per change);
   * `length` of them in use (the array keeps its storage between points)
   */
  private readonly entries: unknown[] = [];
  private length = 0;
  /** per open mark: the entries' length when it was opened and its id (two numbers a mark) */
  private readonly marks: number[] = [];

  /** True while a point is open: changes must call `record`. */
  get recording(): boolean {
    return this.marks.length > 0;
  }

  /**
   * A number naming the innermost open point (0: none), never reused: an object can note the
   * point it was created or journaled under and skip journaling it again under the same point.
   */
  get current(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }

  /** Records how to undo a change just about to be made (ignored when no point is open). */
  record(undo: () => void): void {
    this.recordCall(runThunk, undo, undefined, undefined);
  }

  /** Records `undo(a, b, c)` as the undo of a change just about to be made (ignored when no point is open). */
  recordCall<A, B, C>(undo: (a: A, b: B, c: C) => void, a: A, b: B, c: C): void {
    if (this.marks.length === 0) return;
    const e = this.entries;
    const k = this.length;
    e[k] = undo;
    e[k + 1] = a;
    e[k + 2] = b;
    e[k + 3] = c;
    this.length = k + 4;
  }

  /** Opens a mark at the current state (the innermost; `undoToMark` or `unmark` closes it). */
  mark(): void {
    this.marks.push(this.length, ++lastPointId);
  }

  /** Runs the entries recorded since the innermost mark, newest first, and closes the mark. */
  undoToMark(): void {
    if (this.marks.length === 0) throw new Error('restore points are used innermost first');
    this.marks.pop();
    const at = this.marks.pop()!;
    const e = this.entries;
    for (let i = this.length - 4; i >= at; i -= 4) (e[i] as (a: unknown, b: unknown, c: unknown) => void)(e[i + 1], e[i + 2], e[i + 3]);
    this.forget(at);
  }

  /** Closes the innermost mark keeping its entries (an outer mark still covers them; with none left they go). */
  unmark(): void {
    if (this.marks.length === 0) throw new Error('restore points are used innermost first');
    // pops, not a length change: setting an array's length is a slow runtime call in V8
    this.marks.pop();
    this.marks.pop();
    if (this.marks.length === 0) this.forget(0);
  }

  /** entries journaled now (for tests: 0 once no point is open) */
  get size(): number {
    return this.length / 4;
  }

  /** Drops the entries from `at` on (their references too, so what they hold can be collected). */
  private forget(at: number): void {
    const e = this.entries;
    for (let i = at; i < this.length; i++) e[i] = undefined;
    this.length = at;
  }
}

/**
 * Copies taken lazily for restore points, for state that rarely changes (an ERST device's slots,
 * the records of an in-memory ERST store): opening a point costs nothing; the first change while
 * points are open takes one copy (`fill`), which serves every open point that has none yet —
 * none of them saw a change since it opened, so the state as it is now is the state each opened
 * at. Closing a point gives its copy, or undefined when nothing changed while it was open.
 */
export class CopyOnWrite<T> {
  /** per open point, innermost last: its copy, or undefined (nothing changed since it opened) */
  private readonly levels: Array<T | undefined> = [];

  /** Opens a point (innermost). */
  open(): void {
    this.levels.push(undefined);
  }

  /** True when a change now must first `fill` a copy (a point is open that has none). */
  get needsCopy(): boolean {
    return this.levels.length > 0 && this.levels[this.levels.length - 1] === undefined;
  }

  /** Gives `copy` (the state before the change about to be made) to every open point without one. */
  fill(copy: T): void {
    for (let i = this.levels.length - 1; i >= 0 && this.levels[i] === undefined; i--) this.levels[i] = copy;
  }

  /** Closes the innermost point: its copy, or undefined when nothing changed while it was open. */
  close(): T | undefined {
    if (this.levels.length === 0) throw new Error('restore points are used innermost first');
    return this.levels.pop();
  }
}
