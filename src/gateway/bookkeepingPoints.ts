import { RestorePoint, SavedPoints, SavedValues, SavesStateWithRelease, UndoJournal } from '../binary/restore';
import type { StoredInjection } from '../store/records';

/**
 * Restore points of the gateway's bookkeeping of one VM (docs/ARCHITECTURE.md "Restore points"),
 * taken with the VM's own point by Gateway.restorePointOf.
 *
 * The id mappings (`ids`, `historyLen`) and the finished ring grow with the VM's history (up to
 * FINISHED_KEPT finished injections), while a point must cost what one injection changes, not
 * what the VM remembers: they are journaled. `ids` and `historyLen` are JournaledMaps (every
 * `set` and `delete` records its undo while a point is open, so no change can be missed); the
 * ring's two writes journal themselves (`journalFinishedPush`, `journalFinishedSet`). The rest
 * is small and saved by value at each point: the open injections (each object's fields and
 * history length), the dirty set, and the scalar fields.
 */
export interface Bookkeeping {
  /** the VM's current boot number */
  boot: number;
  /** VM injection id → gateway injection id (open injections and the last FINISHED_KEPT finished ones) */
  ids: Map<string, string>;
  /** history entries of each gateway injection already taken from the VM (same keys as `ids`' values) */
  historyLen: Map<string, number>;
  /** in-memory copies of the injections this VM still works on (written back by flushDirty) */
  open: Map<string, StoredInjection>;
  /** injections whose row must be written */
  dirty: Set<string>;
  /** VM injection ids of finished injections still mapped, oldest first (a ring of FINISHED_KEPT) */
  finished: string[];
  /** next slot of `finished` to overwrite */
  finishedAt: number;
  /** sequence number of the VM's last stored log line */
  lastLogSeq: number;
  /** wall-clock mode: hrtime up to which this VM's virtual clock has been moved */
  clockAt: bigint;
}

/**
 * A fresh bookkeeping of a VM just booted, with its journal: `ids` and `historyLen` journal into
 * it, so a BookkeepingPoints made with the same journal can undo their changes.
 */
export function newBookkeeping(boot: number, lastLogSeq: number, clockAt: bigint): { bookkeeping: Bookkeeping; journal: UndoJournal } {
  const journal = new UndoJournal();
  const bookkeeping: Bookkeeping = {
    boot,
    ids: new JournaledMap(journal),
    historyLen: new JournaledMap(journal),
    open: new Map(),
    dirty: new Set(),
    finished: [],
    finishedAt: 0,
    lastLogSeq,
    clockAt,
  };
  return { bookkeeping, journal };
}

// Undo steps (UndoJournal.recordCall). They write through Map.prototype, so undoing is not journaled again.
const mapSet = Map.prototype.set;
const mapDelete = Map.prototype.delete;

function setBack<K, V>(m: Map<K, V>, k: K, v: V): void {
  mapSet.call(m, k, v);
}

function deleteKey<K, V>(m: Map<K, V>, k: K): void {
  mapDelete.call(m, k);
}

function popFinished(finished: string[]): void {
  finished.pop();
}

function setFinished(finished: string[], at: number, id: string): void {
  finished[at] = id;
}

/**
 * A Map looked up by key only (its order is not state) whose `set` and `delete` journal their
 * undo while a point of `journal` is open. An undone delete puts the key back at the end.
 */
export class JournaledMap<K, V> extends Map<K, V> {
  constructor(private readonly journal: UndoJournal) {
    super();
  }

  override set(k: K, v: V): this {
    if (this.journal.recording) {
      if (super.has(k)) this.journal.recordCall(setBack, this as Map<K, V>, k, super.get(k) as V);
      else this.journal.recordCall(deleteKey, this as Map<K, V>, k, undefined);
    }
    return super.set(k, v);
  }

  override delete(k: K): boolean {
    if (this.journal.recording && super.has(k)) this.journal.recordCall(setBack, this as Map<K, V>, k, super.get(k) as V);
    return super.delete(k);
  }

  override clear(): void {
    if (this.journal.recording) for (const [k, v] of this) this.journal.recordCall(setBack, this as Map<K, V>, k, v);
    super.clear();
  }
}

export class BookkeepingPoints implements SavesStateWithRelease {
  private readonly points = new SavedPoints(this);

  constructor(
    private readonly b: Bookkeeping,
    private readonly journal: UndoJournal,
  ) {}

  /** A point of the bookkeeping as it is now (nested, innermost first, as the VM's). */
  take(): RestorePoint {
    return this.points.take();
  }

  /** Journals `finished.push(id)` about to be made. */
  journalFinishedPush(): void {
    this.journal.recordCall(popFinished, this.b.finished, undefined, undefined);
  }

  /** Journals `finished[at] = id` about to be made. */
  journalFinishedSet(at: number): void {
    this.journal.recordCall(setFinished, this.b.finished, at, this.b.finished[at]);
  }

  saveState(s: SavedValues): void {
    const b = this.b;
    s.push(b.boot);
    s.push(b.finishedAt);
    s.push(b.lastLogSeq);
    s.push(b.clockAt);
    s.pushSet(b.dirty);
    s.pushMap(b.open);
    // each open injection's own fields (changed in place as the VM reports) and history length
    for (const inj of b.open.values()) {
      const o = inj as unknown as Record<string, unknown>;
      const keys = Object.keys(o);
      s.push(keys.length);
      for (const k of keys) {
        s.push(k);
        s.push(o[k]);
      }
      s.push(inj.history.length);
    }
    this.journal.mark();
  }

  loadState(s: SavedValues): void {
    const b = this.b;
    b.boot = s.next();
    b.finishedAt = s.next();
    b.lastLogSeq = s.next();
    b.clockAt = s.next();
    s.loadSet(b.dirty);
    s.loadMap(b.open);
    for (const inj of b.open.values()) {
      const o = inj as unknown as Record<string, unknown>;
      const n = s.next<number>();
      const saved = new Map<string, unknown>();
      for (let i = 0; i < n; i++) {
        const k = s.next<string>();
        saved.set(k, s.next());
      }
      // fields added since are deleted, the others set back (in their saved order)
      for (const k of Object.keys(o)) if (!saved.has(k)) delete o[k];
      for (const [k, v] of saved) o[k] = v;
      inj.history.length = s.next<number>();
    }
    this.journal.undoToMark();
  }

  releaseState(): void {
    this.journal.unmark();
  }
}
