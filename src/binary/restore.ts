/**
 * Restore points: how in-memory state follows the store's transactions (docs/ARCHITECTURE.md,
 * "Restore points"). An object that changes while a request runs hands out a `RestorePoint`;
 * when the request's transaction (or savepoint) rolls back, the point puts the object back as
 * it was when the point was taken; when it commits, the point is released.
 *
 * Points of one object nest and are used innermost first (a batch's point, then a point per
 * injection inside it): `restore` and `release` of a point that is not the innermost one open
 * throw, so a misuse is loud rather than a silent half-restore.
 */
export interface RestorePoint {
  /** puts the state back as it was when the point was taken; the point is used up */
  restore(): void;
  /** keeps the state as it is now; the point is used up (an outer point still covers the changes) */
  release(): void;
}

/** A point with nothing to undo (an object without mutable state). */
export const NOTHING_TO_RESTORE: RestorePoint = Object.freeze({ restore: () => undefined, release: () => undefined });

/** A point that restores by running `undo` (state copied when the point was taken); release keeps nothing. */
export function snapshotPoint(undo: () => void): RestorePoint {
  return { restore: undo, release: () => undefined };
}

/** One point over several: restored and released in reverse order of `points`. */
export function combinedPoint(points: RestorePoint[]): RestorePoint {
  return {
    restore: () => {
      for (let i = points.length - 1; i >= 0; i--) points[i].restore();
    },
    release: () => {
      for (let i = points.length - 1; i >= 0; i--) points[i].release();
    },
  };
}

/** Undo of a Map's contents (the same Map object gets its entries back). */
export function mapContents<K, V>(m: Map<K, V>): () => void {
  const saved = [...m];
  return () => {
    m.clear();
    for (const [k, v] of saved) m.set(k, v);
  };
}

/** Undo of a Set's contents (the same Set object gets its members back). */
export function setContents<T>(s: Set<T>): () => void {
  const saved = [...s];
  return () => {
    s.clear();
    for (const v of saved) s.add(v);
  };
}

/** Undo of an array's contents (the same array object gets its elements back). */
export function arrayContents<T>(a: T[]): () => void {
  const saved = a.slice();
  return () => {
    a.length = 0;
    for (const v of saved) a.push(v);
  };
}

/**
 * Undo of a plain object's own fields (the same object: fields added since are deleted, the
 * others set back). The values are kept by reference: for fields replaced, not changed in place.
 */
export function objectFields<T extends object>(o: T): () => void {
  const saved = { ...o } as Record<string | symbol, unknown>;
  return () => {
    const target = o as Record<string | symbol, unknown>;
    for (const k of Object.keys(target)) if (!(k in saved)) delete target[k];
    Object.assign(target, saved);
  };
}

/** the last id given to a point of an UndoJournal (process-wide: ids are never reused, see `current`) */
let lastPointId = 0;

/**
 * An undo log with nested marks, for state too large to copy at every point (a log ring, the
 * injections a VM remembers): while a mark is open, every change records how to undo itself;
 * restoring a point runs the entries recorded since its mark, newest first.
 */
export class UndoJournal {
  private readonly entries: Array<() => void> = [];
  private readonly marks: Array<{ at: number; id: number }> = [];

  /** True while a point is open: changes must call `record`. */
  get recording(): boolean {
    return this.marks.length > 0;
  }

  /**
   * A number naming the innermost open point (0: none), never reused: an object can note the
   * point it was created or journaled under and skip journaling it again under the same point.
   */
  get current(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1].id : 0;
  }

  /** Records how to undo a change just about to be made (ignored when no point is open). */
  record(undo: () => void): void {
    if (this.marks.length > 0) this.entries.push(undo);
  }

  /** Opens a point at the current state. */
  point(): RestorePoint {
    const mark = { at: this.entries.length, id: ++lastPointId };
    this.marks.push(mark);
    return {
      restore: () => {
        this.pop(mark);
        for (let i = this.entries.length - 1; i >= mark.at; i--) this.entries[i]();
        this.entries.length = mark.at;
        if (this.marks.length === 0) this.entries.length = 0;
      },
      release: () => {
        this.pop(mark);
        // the entries stay for an outer point; with none left, nothing can be undone any more
        if (this.marks.length === 0) this.entries.length = 0;
      },
    };
  }

  private pop(mark: { at: number; id: number }): void {
    if (this.marks[this.marks.length - 1] !== mark) throw new Error('restore points are used innermost first');
    this.marks.pop();
  }
}
