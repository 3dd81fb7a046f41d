import fs from 'fs';
import path from 'path';
import Database from 'better-sqlite3';
import type { RestorePoint } from '../binary/restore';
import { toJsonText } from '../binary/u64';
import type { GuestOutcome, InjectionTarget, LossReason, NotificationView, Refusal, VmSpec } from '../vm/contract';
import { lossOf } from './loss';
import { Dropped, Retention, RetentionLimits } from './retention';
import { MIGRATIONS, SCHEMA_VERSION } from './schema';
import { asStoreFailure, StoreFailureReason, StoreUnavailableError } from './StoreUnavailableError';
import { WalCheckpointer } from './WalCheckpointer';
import { ErstRecordTable, erstRecordFromRow, StoredErstRecord } from './ErstRecordTable';
import { CommittedReader, CommittedReads } from './CommittedReader';
import type {
  InjectionOrigin,
  StoredEvent,
  StoredEventType,
  StoredGuestRecord,
  StoredInjection,
  StoredInjectionState,
  StoredLogLine,
  StoredStateChange,
  StoredVm,
} from './records';

/** File name of the database inside the data directory. */
export const STORE_FILE = 'rasgw.sqlite';

export interface EventStoreOptions {
  /**
   * `normal` (default): WAL with synchronous=NORMAL — every committed transaction survives the
   * process being killed (kill -9); only an OS crash or power loss can drop the last commits.
   * `full`: synchronous=FULL — every commit is fsynced (survives power loss, slower).
   */
  durability?: 'normal' | 'full';
  /** wall clock (tests pass a fixed one) */
  now?: () => Date;
  /**
   * Group commit window: a batch opened by `batched` commits this many milliseconds later (0:
   * right after the current turn of the event loop), or as soon as it holds `maxBatch` writes.
   * Waiting a little lets concurrent requests share one commit — a commit costs several times
   * one injection's own writes. Default 1 ms.
   */
  groupCommitMs?: number;
  /** writes after which a batch commits without waiting for the window (default 64) */
  maxBatch?: number;
  /**
   * Who checkpoints the WAL of a file store. `worker` (default): a worker thread (see
   * WalCheckpointer), so no commit pays for it; `inline`: SQLite's autocheckpoint inside the
   * commit that fills the WAL past 1000 pages.
   */
  checkpoint?: 'worker' | 'inline';
  /** called if the checkpoint worker fails (the store falls back to `inline`) */
  onCheckpointError?: (e: Error) => void;
  /**
   * Called with what an after-commit step (`afterCommit`) threw; the other steps still run and the
   * commit stands. Default: a process warning.
   */
  onAfterCommitError?: (e: unknown) => void;
  /** per-VM retention bounds (retention.ts; defaults when absent) */
  retention?: Partial<RetentionLimits>;
  /**
   * Bytes the WAL file is cut back to while the server runs (PRAGMA journal_size_limit; default
   * 16 MiB): once the checkpoint worker has copied the whole WAL into the database file, the
   * writer's next commit starts the WAL over and truncates the file to this size, so a burst of
   * writes does not leave a large WAL file behind. (A TRUNCATE checkpoint would do it too, but it
   * blocks every writer while it runs: injections would fail as store-unavailable meanwhile.)
   */
  walSizeLimit?: number;
  /**
   * How long one write waits for a write lock held by another process before it fails with
   * StoreUnavailableError (default 50 ms). Short on purpose: SQLite waits synchronously, so a
   * long wait would stop the whole event loop; the client is told to retry instead (503).
   */
  busyTimeoutMs?: number;
}

/** The store's write health, as /healthz reports it. */
export type WriteHealth =
  | { ok: true }
  | { ok: false; reason: StoreFailureReason; message: string; since: string };

/**
 * After a write failed because the database was locked, further writes fail at once (without
 * waiting busyTimeoutMs again) for this long: a burst of requests against a locked store costs
 * one busy wait per window, not one per request.
 */
export const LOCKED_RETRY_WINDOW_MS = 250;

/** The columns of a guest record computed from its bytes (decoded JSON text and its summary). */
export interface GuestRecordRendering {
  /** JSON text of the decoded record ("null" when it does not decode) */
  decodedText: string;
  severity?: string;
  sections: string[];
}

/** Computes a record's decoded columns from its bytes; must depend on the bytes only. */
export type GuestRecordRenderer = (bytes: Uint8Array) => GuestRecordRendering;

/**
 * One open transaction level (the group-commit batch, a top-level transaction, a savepoint) and
 * the in-memory state that follows it: restore points taken by `guard` (one per key: a VM), undo
 * steps added by `onRollback`, steps held by `afterCommit` until the outermost level commits, and
 * the next injection id when the level opened.
 */
interface TxFrame {
  points?: Map<object, RestorePoint>;
  undo?: Array<() => void>;
  after?: Array<() => void>;
  nextInjectionId: number;
}

/** A guest record waiting for its batch's commit to be written. */
interface PendingGuestRecord {
  rec: Omit<StoredGuestRecord, 'id' | 'at' | 'decoded' | 'severity' | 'sections'>;
  render: GuestRecordRenderer;
  at: string;
}

/**
 * The decoded JSON of a guest record is stored with it only while it is small next to the bytes:
 * at most max(DECODED_INLINE_FACTOR × bytes, DECODED_INLINE_MIN) characters. A larger one (an ARM
 * section with hundreds of error-info entries decodes to ~26× its bytes) is stored as '' and
 * decoded again from the bytes when read, so the store holds at most ~5× a record's bytes + 4 KiB.
 */
export const DECODED_INLINE_FACTOR = 4;
export const DECODED_INLINE_MIN = 4096;

/** The decoded column to store for a record of `byteLength` bytes ('' = decode on read). */
export function decodedColumn(decodedText: string, byteLength: number): string {
  return decodedText.length <= Math.max(DECODED_INLINE_FACTOR * byteLength, DECODED_INLINE_MIN) ? decodedText : '';
}

/** A `notification` or `lost` event as the SSE log stream replays it (EventStore.streamEvents). */
export interface StreamEventRow {
  /** the event's row id */
  id: number;
  type: 'notification' | 'lost';
  /** the events row's boot (a lost event's: the boot the injection was in flight in) */
  boot: number;
  /** the last log line stored before the event */
  logSeq: number;
  data: Record<string, unknown>;
}

/** Page of a list read: rows in ascending id order. */
export interface Page {
  /** only rows with an id/seq greater than this */
  after?: number;
  /** at most this many rows (default 1000) */
  limit?: number;
}

interface InjectionRow {
  id: number;
  vm_id: string;
  origin: string;
  target: string;
  source_id: number | null;
  bytes: Buffer;
  state: string;
  refusal: string | null;
  outcome: string | null;
  notification: string | null;
  vm_injection_id: string | null;
  boot: number | null;
  created_at: string;
  updated_at: string;
  history: string;
}

/** History as stored: clockNs as "0x…". */
type HistoryJson = Array<{ state: string; at: string; clockNs?: string; boot?: number; reason?: LossReason; message?: string }>;

function historyToJson(h: StoredStateChange[]): string {
  return JSON.stringify(
    h.map((c) => {
      const o: HistoryJson[number] = { state: c.state, at: c.at };
      if (c.clockNs !== undefined) o.clockNs = '0x' + c.clockNs.toString(16);
      if (c.boot !== undefined) o.boot = c.boot;
      if (c.reason !== undefined) o.reason = c.reason;
      if (c.message !== undefined) o.message = c.message;
      return o;
    }),
  );
}

function historyFromJson(text: string): StoredStateChange[] {
  return (JSON.parse(text) as HistoryJson).map((c) => {
    const o: StoredStateChange = { state: c.state as StoredInjectionState, at: c.at };
    if (c.clockNs !== undefined) o.clockNs = BigInt(c.clockNs);
    if (c.boot !== undefined) o.boot = c.boot;
    if (c.reason !== undefined) o.reason = c.reason;
    if (c.message !== undefined) o.message = c.message;
    return o;
  });
}

export interface InjectionUpdate {
  state?: StoredInjectionState;
  sourceId?: number;
  refusal?: Refusal;
  outcome?: GuestOutcome;
  vmInjectionId?: string;
  /** virtual clock of the state change */
  clockNs?: bigint;
  /** append `state` to the history even if it equals the current state (a re-delivery after restart) */
  appendHistory?: boolean;
  boot?: number;
}

/** Serialises a VmSpec (midr is a bigint) to JSON text. */
export function specToJsonText(spec: VmSpec): string {
  return toJsonText(spec);
}

/** Reads a VmSpec back from its JSON text. */
export function specFromJsonText(text: string): VmSpec {
  const raw = JSON.parse(text) as Omit<VmSpec, 'midr'> & { midr: string };
  return { ...raw, midr: BigInt(raw.midr) };
}

/** JSON text; the fast path for values without bigints, else bigints as "0x…". */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch (e) {
    if (e instanceof TypeError) return toJsonText(v) ?? 'null';
    throw e;
  }
}

function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function bufferOf(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * The gateway's persistent store (better-sqlite3, WAL journal). Every call is synchronous: a
 * write has reached the database file (WAL) when the call returns, so the gateway writes first
 * and answers the client afterwards. Group several writes with `transaction`.
 */
export class EventStore implements CommittedReads {
  readonly file: string;
  private readonly db: Database.Database;
  /** the clock a test gave; undefined: Date.now() */
  private readonly clock?: () => Date;
  private readonly st: ReturnType<EventStore['prepare']>;
  /** last wall-clock stamp and its millisecond, reused while the millisecond lasts */
  private stampMs = -1;
  private stampText = '';
  /** id the next injection gets (ids are handed out here so a row is written once, in its final form) */
  private nextInjectionId: number;
  /** last log sequence number per VM (read from the file once) */
  private readonly logSeq = new Map<string, number>();
  private batch?: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void; writes: number; timer?: NodeJS.Timeout; frame: TxFrame };
  private readonly groupCommitMs: number;
  private readonly maxBatch: number;
  /** guest records of the open batch, written (decoded once per distinct record) just before it commits */
  private readonly pendingRecords: PendingGuestRecord[] = [];
  /** checkpoints the WAL on a worker thread (file stores, unless `checkpoint: 'inline'`) */
  readonly checkpointer?: WalCheckpointer;
  /** per-VM retention (prune) */
  readonly retention: Retention;
  /** the last write that could not be made (cleared by the next write that commits) */
  private failure?: { error: StoreUnavailableError; atMs: number; at: string };
  private totalChanges?: Database.Statement;
  /** the open transaction levels, outermost first (see TxFrame, guard, onRollback, afterCommit) */
  private readonly frames: TxFrame[] = [];
  /**
   * While a transaction is open: per VM with log lines written in it, the last log sequence
   * number committed before it (see committedLogSeq). Cleared when the outermost level ends.
   */
  private readonly logHorizon = new Map<string, number>();
  /** while a transaction is open and has written events: the last event id committed before it */
  private eventHorizon?: number;
  private readonly onAfterCommitError: (e: unknown) => void;
  /** the second, read-only connection of a file store (CommittedReader; opened on first read) */
  private readonly reader?: CommittedReader;

  private constructor(file: string, opts: EventStoreOptions) {
    this.file = file;
    this.clock = opts.now;
    this.groupCommitMs = opts.groupCommitMs ?? 1;
    this.maxBatch = opts.maxBatch ?? 64;
    this.onAfterCommitError =
      opts.onAfterCommitError ?? ((e) => process.emitWarning(`rasgw store: an after-commit step failed: ${e instanceof Error ? e.message : String(e)}`));
    this.db = new Database(file);
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL');
    if (file !== ':memory:' && (opts.checkpoint ?? 'worker') === 'worker') {
      this.checkpointer = new WalCheckpointer(file, (pages) => this.db.open && this.db.pragma(`wal_autocheckpoint = ${pages}`), { onError: opts.onCheckpointError });
    }
    if (file !== ':memory:') this.db.pragma(`journal_size_limit = ${opts.walSizeLimit ?? 16 * 1024 * 1024}`);
    this.db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 50}`);
    this.migrate();
    this.st = this.prepare();
    this.retention = new Retention(this.db, opts.retention);
    this.nextInjectionId = (this.st.maxInjectionId.get() as { id: number }).id + 1;
    if (file !== ':memory:') {
      this.reader = new CommittedReader(file, { injection: injectionFromRow, guestRecord: guestRecordFromRow, erstRecord: erstRecordFromRow }, { busyTimeoutMs: opts.busyTimeoutMs });
    }
  }

  /**
   * The reads to show clients (REST, QMP, the console): committed rows only. A file store reads
   * them on its second, read-only connection (CommittedReader: WAL snapshot isolation hides the
   * open transaction's rows, which a failed COMMIT could still take back). An in-memory store
   * (':memory:', tests and `--data-dir :memory:`) has no second connection (it cannot see a
   * private memory database) and answers on its own: there a read can show a row of the open
   * batch during its window.
   */
  get committedReads(): CommittedReads {
    return this.reader ?? this;
  }

  /** True while a group-commit batch is open (its rows written, its COMMIT not yet made). */
  get batchOpen(): boolean {
    return this.batch !== undefined;
  }

  /** Opens (creating if needed) the store in `dataDir` (mode 0700), or an in-memory one for ':memory:'. */
  static open(dataDir: string, opts: EventStoreOptions = {}): EventStore {
    if (dataDir === ':memory:') return new EventStore(':memory:', opts);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    return new EventStore(path.join(dataDir, STORE_FILE), opts);
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    // the reader first: the TRUNCATE checkpoint below waits for no reader
    this.reader?.close();
    if (this.checkpointer) {
      this.checkpointer.close();
      // the WAL is copied into the database file and emptied before the file is closed
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /**
   * Runs `fn` in one transaction (nested calls, and calls inside an open batch, become savepoints).
   * `immediate`: a top-level transaction takes the write lock before `fn` runs, so a store that
   * cannot be written (locked by another process, read-only) fails here, before `fn` changed
   * anything in memory. Those failures are thrown as StoreUnavailableError.
   */
  transaction<T>(fn: () => T, opts: { immediate?: boolean } = {}): T {
    const mark = this.pendingRecords.length;
    const top = !this.db.inTransaction;
    let frame: TxFrame | undefined;
    try {
      if (top && opts.immediate) this.checkWritable();
      // rows written so far, to clear a recorded failure once a write commits (only counted
      // while a failure is recorded: two statements per transaction otherwise saved)
      const changesBefore = top && this.failure ? this.changes() : -1;
      const tx = this.db.transaction(() => {
        frame = this.openFrame();
        const out = fn();
        // outside a batch the transaction commits now: its guest records go with it
        if (!this.batch) this.writePendingRecords();
        return out;
      });
      const out = top && opts.immediate ? tx.immediate() : tx();
      if (changesBefore >= 0 && this.failure && this.changes() > changesBefore) this.failure = undefined;
      if (frame) this.closeFrame(frame, true);
      return out;
    } catch (e) {
      // the transaction (or savepoint) is rolled back: so is the in-memory state that follows
      // it, and so are the guest records it added
      if (frame && this.frames.includes(frame)) this.closeFrame(frame, false);
      this.pendingRecords.length = mark;
      throw this.noteFailure(e);
    }
  }

  /**
   * Takes a restore point of the in-memory state named `key` (the gateway passes a VM) for every
   * open transaction level that has none of it yet. A level that rolls back restores its points;
   * one that commits releases them (a savepoint's commit hands its changes to the level around
   * it, whose own point still covers them). Call it before the state first changes inside a
   * transaction; outside one it does nothing. Points are taken at the first change, not when
   * the level opens: until then the state is as it was when the level opened.
   */
  guard(key: object, take: () => RestorePoint): void {
    for (const f of this.frames) {
      if (f.points?.has(key)) continue;
      (f.points ??= new Map()).set(key, take());
    }
  }

  /** Runs `undo` if the innermost open transaction level (or one around it) rolls back; nothing outside a transaction. */
  onRollback(undo: () => void): void {
    const f = this.frames[this.frames.length - 1];
    if (f) (f.undo ??= []).push(undo);
  }

  /**
   * Runs `fn` once the work of the innermost open transaction level is committed for good: when
   * the outermost level (the batch, or a top-level transaction) commits, right after its COMMIT,
   * with every other step of that commit in the order they were added. If the level `fn` was
   * added in (or one around it) rolls back, `fn` never runs: a savepoint's steps are dropped with
   * it, the rest of its batch keeps theirs. Outside a transaction `fn` runs at once (a write
   * outside one is committed when it returns). The gateway sends its live events and counts its
   * metrics this way, so nobody sees work that is then undone. `fn` must not throw (what it
   * throws goes to `onAfterCommitError`; the commit stands).
   */
  afterCommit(fn: () => void): void {
    const f = this.frames[this.frames.length - 1];
    if (f) (f.after ??= []).push(fn);
    else this.runAfterCommit([fn]);
  }

  private runAfterCommit(steps: Array<() => void>): void {
    for (const step of steps) {
      try {
        step();
      } catch (e) {
        this.onAfterCommitError(e);
      }
    }
  }

  private openFrame(): TxFrame {
    const f: TxFrame = { nextInjectionId: this.nextInjectionId };
    this.frames.push(f);
    return f;
  }

  /**
   * Ends the innermost transaction level. Committed: its points are released and its undo steps
   * and after-commit steps go to the level around it (undone, or dropped, if that one rolls back);
   * the outermost level runs its after-commit steps. Rolled back: its points are restored, its
   * undo steps run (newest first), its after-commit steps are dropped, and the injection ids it
   * handed out are handed out again.
   */
  private closeFrame(f: TxFrame, committed: boolean): void {
    if (this.frames[this.frames.length - 1] !== f) throw new Error('store: transaction levels closed out of order');
    this.frames.pop();
    const points = f.points ? [...f.points.values()] : [];
    const parent = this.frames[this.frames.length - 1];
    if (!parent) {
      // the outermost level ends: everything written is committed, or gone
      this.logHorizon.clear();
      this.eventHorizon = undefined;
    }
    if (committed) {
      for (let i = points.length - 1; i >= 0; i--) points[i].release();
      if (parent && f.undo) (parent.undo ??= []).push(...f.undo);
      // a savepoint's steps wait for the level around it; the outermost level's run now, in order
      if (f.after) {
        if (parent) (parent.after ??= []).push(...f.after);
        else this.runAfterCommit(f.after);
      }
      return;
    }
    let error: unknown;
    for (let i = points.length - 1; i >= 0; i--) {
      try {
        points[i].restore();
      } catch (e) {
        error ??= e;
      }
    }
    if (f.undo) for (let i = f.undo.length - 1; i >= 0; i--) f.undo[i]();
    this.nextInjectionId = f.nextInjectionId;
    if (error !== undefined) throw error;
  }

  /** Rows changed by this connection so far (SQLite's total_changes()). */
  private changes(): number {
    this.totalChanges ??= this.db.prepare('SELECT total_changes() AS n');
    return (this.totalChanges.get() as { n: number }).n;
  }

  /** Records a failure that means "cannot write now" and returns it as StoreUnavailableError. */
  private noteFailure(e: unknown): unknown {
    const f = asStoreFailure(e);
    if (f instanceof StoreUnavailableError) {
      const atMs = Date.now();
      this.failure = { error: f, atMs, at: new Date(atMs).toISOString() };
    }
    return f;
  }

  /** Throws at once while a recent write found the database locked (see LOCKED_RETRY_WINDOW_MS). */
  private checkWritable(): void {
    const f = this.failure;
    if (f && f.error.reason === 'locked' && Date.now() - f.atMs < LOCKED_RETRY_WINDOW_MS) throw f.error;
  }

  /** True while writes fail at once (a recent write found the database locked). */
  get writeBlocked(): boolean {
    const f = this.failure;
    return f !== undefined && f.error.reason === 'locked' && Date.now() - f.atMs < LOCKED_RETRY_WINDOW_MS;
  }

  /**
   * Can the store be written? Reports the last write failure; when there is none, or it was a
   * lock, the write lock is tried (BEGIN IMMEDIATE + ROLLBACK, waiting at most busyTimeoutMs)
   * unless this connection holds it already. A failure stays reported until a write commits;
   * a lock until the lock can be taken again, read-only until a probe write is taken.
   */
  writeHealth(): WriteHealth {
    const f = this.failure;
    if (!this.db.open) return { ok: false, reason: 'io-error', message: 'the store is closed', since: f?.at ?? new Date().toISOString() };
    if (f && f.error.reason === 'read-only' && !this.db.inTransaction) {
      // a read-only store is probed with a write that is rolled back (the schema version
      // rewritten with its own value): once the store takes it again, the failure is over
      try {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        this.db.exec('BEGIN IMMEDIATE');
        try {
          this.db.pragma(`user_version = ${version}`);
        } finally {
          this.db.exec('ROLLBACK');
        }
        this.failure = undefined;
        return { ok: true };
      } catch (e) {
        this.noteFailure(e);
        const now = this.failure!;
        return { ok: false, reason: now.error.reason, message: now.error.message, since: f.at };
      }
    }
    // disk full and I/O errors stay reported until a write commits: a rolled-back probe would
    // not reach the disk, so it proves nothing
    if (f && f.error.reason !== 'locked') return { ok: false, reason: f.error.reason, message: f.error.message, since: f.at };
    if (this.db.inTransaction) return { ok: true };
    if (!this.writeBlocked) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        this.db.exec('ROLLBACK');
        this.failure = undefined;
        return { ok: true };
      } catch (e) {
        this.noteFailure(e);
      }
    }
    const now = this.failure;
    return now ? { ok: false, reason: now.error.reason, message: now.error.message, since: now.at } : { ok: true };
  }

  /**
   * Group commit: runs `fn` (as a savepoint, so a failure undoes only its own writes) inside the
   * current batch, opening one if none is open. The batch commits once, `groupCommitMs` later or
   * when it holds `maxBatch` writes, so requests that arrive together share it. A caller answers its client only
   * after `committed()` resolves, so an acknowledged write is on disk; concurrent requests share
   * one commit instead of paying one each.
   */
  batched<T>(fn: () => T): T {
    if (!this.batch) this.openBatch();
    const b = this.batch!;
    try {
      return this.transaction(fn);
    } finally {
      if (++b.writes === this.maxBatch) {
        if (b.timer) clearTimeout(b.timer);
        setImmediate(() => this.flush());
      }
    }
  }

  /** Resolves when everything written so far is committed (at once when no batch is open). */
  committed(): Promise<void> {
    return this.batch?.promise ?? Promise.resolve();
  }

  /** Commits the open batch now (also done by close()). */
  flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    if (b.timer) clearTimeout(b.timer);
    let committed = false;
    try {
      this.writePendingRecords();
      this.db.exec('COMMIT');
      committed = true;
      this.failure = undefined;
    } catch (e) {
      e = this.noteFailure(e);
      this.pendingRecords.length = 0;
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the rollback failing too leaves nothing more to undo
      }
      // every VM the batch touched goes back to where the batch found it (a restore that
      // throws is a bug: its error, not the store's, goes to the batch's callers)
      try {
        this.closeFrame(b.frame, false);
      } catch (restoreError) {
        e = restoreError;
      }
      b.reject(e instanceof Error ? e : new Error(String(e)));
    }
    if (committed) {
      this.closeFrame(b.frame, true);
      b.resolve();
    }
  }

  private openBatch(): void {
    // a store that cannot be written fails here, before the caller's `fn` changed anything
    try {
      this.checkWritable();
      this.db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw this.noteFailure(e);
    }
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // a batch nobody waits for must not become an unhandled rejection
    promise.catch(() => undefined);
    const batch: NonNullable<EventStore['batch']> = { promise, resolve, reject, writes: 0, frame: this.openFrame() };
    this.batch = batch;
    if (this.groupCommitMs > 0) batch.timer = setTimeout(() => this.batch === batch && this.flush(), this.groupCommitMs);
    else setImmediate(() => this.batch === batch && this.flush());
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`store ${this.file} has schema version ${version}, newer than this rasgw (${SCHEMA_VERSION})`);
    }
    for (let v = version; v < SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private prepare() {
    const db = this.db;
    return {
      putVm: db.prepare(
        'INSERT INTO vms (id, ordinal, spec, created_at, boot_count) VALUES (?, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM vms), ?, ?, 0)',
      ),
      getVm: db.prepare('SELECT * FROM vms WHERE id = ?'),
      listVms: db.prepare('SELECT * FROM vms ORDER BY ordinal'),
      listVmsPage: db.prepare('SELECT * FROM vms WHERE ordinal > ? ORDER BY ordinal LIMIT ?'),
      deleteVm: db.prepare('DELETE FROM vms WHERE id = ?'),
      bumpBoot: db.prepare('UPDATE vms SET boot_count = boot_count + 1 WHERE id = ? RETURNING boot_count'),
      maxInjectionId: db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM injections'),
      addInjection: db.prepare(
        `INSERT INTO injections (id, vm_id, origin, target, bytes, state, created_at, updated_at, history)
         VALUES (?, ?, ?, ?, ?, 'accepted', ?, ?, ?)`,
      ),
      getInjection: db.prepare('SELECT * FROM injections WHERE id = ? AND vm_id = ?'),
      injectionState: db.prepare('SELECT state, history FROM injections WHERE id = ?'),
      // one statement for a new injection (first write, already in its state after delivery) and for a later change
      saveInjection: db.prepare(
        `INSERT INTO injections (id, vm_id, origin, target, bytes, state, source_id, refusal, outcome, notification, vm_injection_id, boot, created_at, updated_at, history)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, source_id = excluded.source_id, refusal = excluded.refusal,
         outcome = excluded.outcome, notification = excluded.notification, vm_injection_id = excluded.vm_injection_id, boot = excluded.boot, updated_at = excluded.updated_at,
         history = excluded.history`,
      ),
      updateInjection: db.prepare(
        `UPDATE injections SET state = COALESCE(?, state), source_id = COALESCE(?, source_id), refusal = COALESCE(?, refusal),
         outcome = COALESCE(?, outcome), vm_injection_id = COALESCE(?, vm_injection_id), boot = COALESCE(?, boot), updated_at = ?,
         history = ? WHERE id = ?`,
      ),
      listInjections: db.prepare('SELECT * FROM injections WHERE vm_id = ? AND id > ? ORDER BY id LIMIT ?'),
      openInjections: db.prepare(
        "SELECT * FROM injections WHERE vm_id = ? AND state IN ('accepted', 'queued', 'delivered') ORDER BY id",
      ),
      countByState: db.prepare('SELECT state, COUNT(*) AS n FROM injections WHERE vm_id = ? GROUP BY state'),
      addGuestRecord: db.prepare(
        `INSERT INTO guest_records (vm_id, injection_id, source_id, boot, severity, sections, decoded, bytes, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      addGuestRecordRow: db.prepare(
        `INSERT INTO guest_records (vm_id, injection_id, source_id, boot, severity, sections, decoded, bytes, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      guestRecordsOfVm: db.prepare('SELECT * FROM guest_records WHERE vm_id = ? AND id > ? AND at >= ? ORDER BY id LIMIT ?'),
      guestRecordsAll: db.prepare('SELECT * FROM guest_records WHERE id > ? AND at >= ? ORDER BY id LIMIT ?'),
      guestRecordsOfInjection: db.prepare('SELECT * FROM guest_records WHERE injection_id = ? ORDER BY id'),
      lastLogSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM log_lines WHERE vm_id = ?'),
      addLog: db.prepare('INSERT INTO log_lines (vm_id, seq, boot, line, at) VALUES (?, ?, ?, ?, ?)'),
      logSince: db.prepare('SELECT seq, boot, line, at FROM log_lines WHERE vm_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      logSinceUpTo: db.prepare('SELECT seq, boot, line, at FROM log_lines WHERE vm_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?'),
      addEvent: db.prepare('INSERT INTO events (vm_id, type, boot, data, at) VALUES (?, ?, ?, ?, ?) RETURNING id'),
      // the expression and the type test are those of the partial index events_notifications,
      // which also gives the order (its entries end with the rowid, the event id)
      // both use the partial index events_stream (schema version 4): its WHERE term is repeated
      // as is, which is what lets SQLite use it; the notification query narrows it further
      notificationEvents: db.prepare(
        `SELECT id, type, boot, json_extract(data, '$.logSeq') AS log_seq, data FROM events INDEXED BY events_stream
         WHERE vm_id = ? AND type IN ('notification', 'lost') AND type = 'notification' AND json_extract(data, '$.logSeq') >= ? AND json_extract(data, '$.logSeq') < ? AND id > ? AND id <= ?
         ORDER BY json_extract(data, '$.logSeq'), id LIMIT ?`,
      ),
      streamEvents: db.prepare(
        `SELECT id, type, boot, json_extract(data, '$.logSeq') AS log_seq, data FROM events INDEXED BY events_stream
         WHERE vm_id = ? AND type IN ('notification', 'lost') AND json_extract(data, '$.logSeq') >= ? AND json_extract(data, '$.logSeq') < ? AND id > ? AND id <= ?
         ORDER BY json_extract(data, '$.logSeq'), id LIMIT ?`,
      ),
      eventsOfVm: db.prepare('SELECT * FROM events WHERE vm_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?'),
    };
  }

  private stamp(): string {
    if (this.clock) return this.clock().toISOString();
    const ms = Date.now();
    if (ms !== this.stampMs) {
      this.stampMs = ms;
      this.stampText = new Date(ms).toISOString();
    }
    return this.stampText;
  }

  private erstTable?: ErstRecordTable;

  /** ERST records per VM (src/store/ErstRecordTable.ts; its statements are prepared on first use). */
  get erst(): ErstRecordTable {
    const reader = this.reader;
    return (this.erstTable ??= new ErstRecordTable(this.db, () => this.stamp(), reader && ((vmId) => reader.erstRecords(vmId))));
  }

  // ---- VMs -------------------------------------------------------------------------------

  /** Stores a new VM definition. */
  putVm(id: string, spec: VmSpec): StoredVm {
    this.st.putVm.run(id, specToJsonText(spec), this.stamp());
    return this.getVm(id)!;
  }

  getVm(id: string): StoredVm | undefined {
    const row = this.st.getVm.get(id) as { id: string; ordinal: number; spec: string; created_at: string; boot_count: number } | undefined;
    return row && { id: row.id, ordinal: row.ordinal, spec: specFromJsonText(row.spec), createdAt: row.created_at, bootCount: row.boot_count };
  }

  listVms(): StoredVm[] {
    return (this.st.listVms.all() as Array<{ id: string; ordinal: number; spec: string; created_at: string; boot_count: number }>).map(
      (row) => ({ id: row.id, ordinal: row.ordinal, spec: specFromJsonText(row.spec), createdAt: row.created_at, bootCount: row.boot_count }),
    );
  }

  /** Applies the retention bounds to one VM's rows (oldest dropped first); returns what was dropped. */
  prune(vmId: string, budget?: number): Dropped & { done: boolean } {
    return this.transaction(() => {
      // the tallies count rows: a rolled-back prune (or batch around it) counts them again
      this.onRollback(this.retention.keep(vmId));
      return this.retention.prune(vmId, budget);
    });
  }

  /** Sizes of the database file and its WAL in bytes (for /metrics). */
  fileSizes(): { db: number; wal: number } {
    if (this.file === ':memory:') return { db: 0, wal: 0 };
    const size = (f: string) => {
      try {
        return fs.statSync(f).size;
      } catch {
        return 0;
      }
    };
    return { db: size(this.file), wal: size(this.file + '-wal') };
  }

  /** VMs with an ordinal greater than `page.after`, in creation order (a page of GET /vms). */
  listVmsPage(page: Page = {}): StoredVm[] {
    return (this.st.listVmsPage.all(page.after ?? 0, page.limit ?? 1000) as Array<{ id: string; ordinal: number; spec: string; created_at: string; boot_count: number }>).map(
      (row) => ({ id: row.id, ordinal: row.ordinal, spec: specFromJsonText(row.spec), createdAt: row.created_at, bootCount: row.boot_count }),
    );
  }

  /** Deletes a VM and everything recorded about it. Returns false when it did not exist. */
  deleteVm(id: string): boolean {
    // the row first: if the store refuses the delete, nothing in memory is dropped either
    const deleted = this.st.deleteVm.run(id).changes > 0;
    const pending = this.pendingRecords.slice();
    this.onRollback(() => {
      this.pendingRecords.length = 0;
      this.pendingRecords.push(...pending);
    });
    this.logSeq.delete(id);
    // a VM created again under this id in the same transaction starts its log over: none of
    // its lines is committed before the transaction is
    if (this.frames.length > 0) this.logHorizon.set(id, 0);
    this.retention.forget(id);
    // records of the open batch die with their VM (as stored ones do, by cascade)
    for (let i = this.pendingRecords.length - 1; i >= 0; i--) if (this.pendingRecords[i].rec.vmId === id) this.pendingRecords.splice(i, 1);
    return deleted;
  }

  /** Counts one more boot of the VM; returns the new boot number (1 for the first). */
  recordBoot(id: string): number {
    const row = this.st.bumpBoot.get(id) as { boot_count: number } | undefined;
    if (!row) throw new Error(`store: no VM ${id}`);
    return row.boot_count;
  }

  // ---- injections ------------------------------------------------------------------------

  /** Stores a new injection in state `accepted`; returns its id. */
  addInjection(vmId: string, origin: InjectionOrigin, target: InjectionTarget, bytes: Uint8Array): string {
    const at = this.stamp();
    return this.createInjection(vmId, origin, target, bytes, at).id;
  }

  /** Stores a new injection in state `accepted`; returns it as stored (no read back). */
  createInjection(vmId: string, origin: InjectionOrigin, target: InjectionTarget, bytes: Uint8Array, at = this.stamp()): StoredInjection {
    const inj = this.newInjection(vmId, origin, target, bytes, at);
    this.st.addInjection.run(Number(inj.id), vmId, origin, JSON.stringify(target), bufferOf(bytes), at, at, `[{"state":"accepted","at":"${at}"}]`);
    return inj;
  }

  /**
   * A new injection in state `accepted` with its id, not yet written: `saveInjection` writes it
   * (one INSERT, in the state it has by then). The gateway writes it in the same transaction, so
   * an injection is never answered without its row.
   */
  newInjection(vmId: string, origin: InjectionOrigin, target: InjectionTarget, bytes: Uint8Array, at = this.stamp()): StoredInjection {
    const id = String(this.nextInjectionId++);
    return { id, vmId, origin, target, bytes, state: 'accepted', history: [{ state: 'accepted', at }], createdAt: at, updatedAt: at };
  }

  /**
   * Gives back the id of the injection created last, when its transaction was rolled back, so
   * the next injection gets it and ids stay without gaps. Any other id is left alone.
   */
  releaseInjectionId(id: string): void {
    if (Number(id) === this.nextInjectionId - 1) this.nextInjectionId--;
  }

  /** Writes an injection's current fields and history: inserts it when new, else updates it (one statement). */
  saveInjection(inj: StoredInjection, boot?: number): void {
    this.st.saveInjection.run(
      Number(inj.id),
      inj.vmId,
      inj.origin,
      JSON.stringify(inj.target),
      bufferOf(inj.bytes),
      inj.state,
      inj.sourceId ?? null,
      inj.refusal === undefined ? null : JSON.stringify(inj.refusal),
      inj.outcome === undefined ? null : JSON.stringify(inj.outcome),
      inj.notification === undefined ? null : JSON.stringify(inj.notification),
      inj.vmInjectionId ?? null,
      boot ?? null,
      inj.createdAt,
      inj.updatedAt,
      historyToJson(inj.history),
    );
  }

  /** Wall-clock stamp the store uses (ISO). */
  stampNow(): string {
    return this.stamp();
  }

  /** Applies an update; a change of state is appended to the injection's history. */
  updateInjection(id: string, u: InjectionUpdate): void {
    const n = Number(id);
    const cur = this.st.injectionState.get(n) as { state: string; history: string } | undefined;
    if (!cur) throw new Error(`store: no injection ${id}`);
    const at = this.stamp();
    const history = historyFromJson(cur.history);
    if (u.state !== undefined && (u.state !== cur.state || u.appendHistory)) {
      const c: StoredStateChange = { state: u.state, at };
      if (u.clockNs !== undefined) c.clockNs = u.clockNs;
      if (u.boot !== undefined) c.boot = u.boot;
      history.push(c);
    }
    this.st.updateInjection.run(
      u.state ?? null,
      u.sourceId ?? null,
      u.refusal === undefined ? null : JSON.stringify(u.refusal),
      u.outcome === undefined ? null : JSON.stringify(u.outcome),
      u.vmInjectionId ?? null,
      u.boot ?? null,
      at,
      historyToJson(history),
      n,
    );
  }

  getInjection(vmId: string, id: string): StoredInjection | undefined {
    if (!/^[0-9]{1,15}$/.test(id)) return undefined;
    const row = this.st.getInjection.get(Number(id), vmId) as InjectionRow | undefined;
    return row && injectionFromRow(row);
  }

  listInjections(vmId: string, page: Page = {}): StoredInjection[] {
    return (this.st.listInjections.all(vmId, page.after ?? 0, page.limit ?? 1000) as InjectionRow[]).map((r) => injectionFromRow(r));
  }

  /** Injections the guest has not consumed (accepted, queued, delivered), oldest first. */
  openInjections(vmId: string): StoredInjection[] {
    return (this.st.openInjections.all(vmId) as InjectionRow[]).map((r) => injectionFromRow(r));
  }

  /** Number of injections of a VM per state. */
  injectionCounts(vmId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.st.countByState.all(vmId) as Array<{ state: string; n: number }>) out[r.state] = r.n;
    return out;
  }

  /** The VM's ERST records on this connection (CommittedReads; the device's own reads go through `erst`). */
  erstRecords(vmId: string): StoredErstRecord[] {
    return this.erst.list(vmId);
  }

  // ---- guest records ---------------------------------------------------------------------

  /**
   * Stores a record the guest read. `decodedText` is the JSON text of `rec.decoded` when the
   * caller already has it (the gateway writes it from the decoded model in one pass).
   */
  addGuestRecord(rec: Omit<StoredGuestRecord, 'id' | 'at'>, decodedText?: string): number {
    const row = this.st.addGuestRecord.get(
      rec.vmId,
      rec.injectionId === undefined ? null : Number(rec.injectionId),
      rec.sourceId,
      rec.boot,
      rec.severity ?? null,
      JSON.stringify(rec.sections),
      decodedColumn(decodedText ?? jsonText(rec.decoded), rec.bytes.length),
      bufferOf(rec.bytes),
      this.stamp(),
    ) as { id: number };
    return row.id;
  }

  /**
   * Stores a record the guest read, computing its decoded columns with `render` when the open
   * batch commits (at once when no batch is open): the request path only queues it, and the
   * records of one batch with the same bytes are decoded once. Until then reads of guest records
   * write the queue first, so they see every record, as before.
   */
  addGuestRecordDeferred(rec: PendingGuestRecord['rec'], render: GuestRecordRenderer): void {
    // a copy: the caller's buffer may be reused before the batch commits
    this.pendingRecords.push({ rec: { ...rec, bytes: rec.bytes.slice() }, render, at: this.stamp() });
    if (!this.batch && !this.db.inTransaction) this.writePendingRecords();
  }

  /** Number of guest records queued for the open batch. */
  get pendingGuestRecords(): number {
    return this.pendingRecords.length;
  }

  /** Writes the queued guest records, in order, rendering each distinct record once. */
  private writePendingRecords(): void {
    const pending = this.pendingRecords;
    if (pending.length === 0) return;
    let lastRender: GuestRecordRenderer | undefined;
    let rendered = new Map<string, GuestRecordRendering>();
    for (const p of pending) {
      if (p.render !== lastRender) {
        lastRender = p.render;
        rendered = new Map();
      }
      const key = bufferOf(p.rec.bytes).toString('latin1');
      let r = rendered.get(key);
      if (r === undefined) {
        r = p.render(p.rec.bytes);
        rendered.set(key, r);
      }
      this.st.addGuestRecordRow.run(
        p.rec.vmId,
        p.rec.injectionId === undefined ? null : Number(p.rec.injectionId),
        p.rec.sourceId,
        p.rec.boot,
        r.severity ?? null,
        JSON.stringify(r.sections),
        decodedColumn(r.decodedText, p.rec.bytes.length),
        bufferOf(p.rec.bytes),
        p.at,
      );
    }
    pending.length = 0;
  }

  /** Guest records, of one VM or of all, at or after the ISO time `since`. */
  guestRecords(opts: { vmId?: string; since?: string } & Page = {}): StoredGuestRecord[] {
    if (this.db.inTransaction) this.writePendingRecords();
    const since = opts.since ?? '';
    const rows = (
      opts.vmId === undefined
        ? this.st.guestRecordsAll.all(opts.after ?? 0, since, opts.limit ?? 1000)
        : this.st.guestRecordsOfVm.all(opts.vmId, opts.after ?? 0, since, opts.limit ?? 1000)
    ) as GuestRecordRow[];
    return rows.map(guestRecordFromRow);
  }

  guestRecordsOfInjection(injectionId: string): StoredGuestRecord[] {
    if (this.db.inTransaction) this.writePendingRecords();
    return (this.st.guestRecordsOfInjection.all(Number(injectionId)) as GuestRecordRow[]).map(guestRecordFromRow);
  }

  // ---- guest log -------------------------------------------------------------------------

  /** Sequence number of the VM's last stored log line (0 when none). */
  lastLogSeq(vmId: string): number {
    return this.logSeq.get(vmId) ?? (this.st.lastLogSeq.get(vmId) as { seq: number }).seq;
  }

  /** Appends guest log lines; returns the sequence numbers given to them. */
  appendLog(vmId: string, boot: number, lines: string[]): number[] {
    if (lines.length === 0) return [];
    const cached = this.logSeq.get(vmId);
    let seq = cached ?? (this.st.lastLogSeq.get(vmId) as { seq: number }).seq;
    // the first lines of this VM in an open transaction: the ones before are the committed ones
    if (this.frames.length > 0 && !this.logHorizon.has(vmId)) this.logHorizon.set(vmId, seq);
    // the lines go if the transaction rolls back: so does the cached sequence number
    this.onRollback(() => (cached === undefined ? this.logSeq.delete(vmId) : this.logSeq.set(vmId, cached)));
    const at = this.stamp();
    const out: number[] = [];
    for (const line of lines) {
      seq++;
      this.st.addLog.run(vmId, seq, boot, line, at);
      out.push(seq);
    }
    this.logSeq.set(vmId, seq);
    return out;
  }

  log(vmId: string, page: Page = {}): StoredLogLine[] {
    return this.st.logSince.all(vmId, page.after ?? 0, page.limit ?? 10000) as StoredLogLine[];
  }

  /**
   * Sequence number of the VM's last committed log line. Inside an open transaction (a group
   * commit's batch waits up to groupCommitMs) this connection also reads the lines written in it,
   * which a rollback can still take back; readers that show lines to clients (the live stream,
   * GET /vms/{id}/log) stop here.
   */
  committedLogSeq(vmId: string): number {
    return this.logHorizon.get(vmId) ?? this.lastLogSeq(vmId);
  }

  /** `log` without the lines of the open transaction (see committedLogSeq). */
  committedLog(vmId: string, page: Page = {}): StoredLogLine[] {
    const upTo = this.logHorizon.get(vmId);
    if (upTo === undefined) return this.log(vmId, page);
    return this.st.logSinceUpTo.all(vmId, page.after ?? 0, upTo, page.limit ?? 10000) as StoredLogLine[];
  }

  // ---- events ----------------------------------------------------------------------------

  addEvent(vmId: string, type: StoredEventType, boot: number, data: unknown): number {
    const id = (this.st.addEvent.get(vmId, type, boot, jsonText(data), this.stamp()) as { id: number }).id;
    // the first event of an open transaction: every event before it is committed (a new row's
    // id is the largest id + 1, so every event the transaction writes has an id ≥ this one)
    if (this.frames.length > 0 && this.eventHorizon === undefined) this.eventHorizon = id - 1;
    return id;
  }

  /**
   * The `notification` events with `fromLogSeq` ≤ logSeq < `toLogSeq` (a notification with logSeq
   * L was raised after log line L and before line L + 1) and an event id greater than `afterId`,
   * in log order (logSeq, then id), at most `limit`. To page, pass the last one's logSeq and id:
   * event ids and logSeq grow together within a VM, so nothing is skipped. Only committed ones:
   * those of an open transaction wait for its commit (see committedLogSeq).
   */
  notificationEvents(
    vmId: string,
    fromLogSeq: number,
    toLogSeq = Number.MAX_SAFE_INTEGER,
    limit = 1000,
    afterId = 0,
  ): Array<{ id: number; boot: number; logSeq: number; data: Record<string, unknown> }> {
    return this.streamEventRows(this.st.notificationEvents, vmId, fromLogSeq, toLogSeq, limit, afterId).map(({ type: _type, ...e }) => e);
  }

  /**
   * The events the SSE log stream shows among the log lines: `notification` and `lost` ones, each
   * stored with the log line it followed (`data.logSeq`). The same range, keyset and committed-only
   * rule as notificationEvents; the two kinds come interleaved in the order they were stored.
   */
  streamEvents(vmId: string, fromLogSeq: number, toLogSeq = Number.MAX_SAFE_INTEGER, limit = 1000, afterId = 0): StreamEventRow[] {
    return this.streamEventRows(this.st.streamEvents, vmId, fromLogSeq, toLogSeq, limit, afterId);
  }

  private streamEventRows(stmt: Database.Statement, vmId: string, fromLogSeq: number, toLogSeq: number, limit: number, afterId: number): StreamEventRow[] {
    return (stmt.all(vmId, fromLogSeq, toLogSeq, afterId, this.eventHorizon ?? Number.MAX_SAFE_INTEGER, limit) as Array<{ id: number; type: string; boot: number; log_seq: number; data: string }>).map((r) => ({
      id: r.id,
      type: r.type as StreamEventRow['type'],
      boot: r.boot,
      logSeq: r.log_seq,
      data: JSON.parse(r.data) as Record<string, unknown>,
    }));
  }

  events(vmId: string, page: Page = {}): StoredEvent[] {
    return this.eventRows(vmId, page, Number.MAX_SAFE_INTEGER);
  }

  /** `events` without those of the open transaction (see committedLogSeq). */
  committedEvents(vmId: string, page: Page = {}): StoredEvent[] {
    return this.eventRows(vmId, page, this.eventHorizon ?? Number.MAX_SAFE_INTEGER);
  }

  private eventRows(vmId: string, page: Page, upToId: number): StoredEvent[] {
    return (
      this.st.eventsOfVm.all(vmId, page.after ?? 0, upToId, page.limit ?? 1000) as Array<{
        id: number;
        vm_id: string;
        type: string;
        boot: number;
        data: string;
        at: string;
      }>
    ).map((r) => ({ id: r.id, vmId: r.vm_id, type: r.type as StoredEventType, boot: r.boot, data: JSON.parse(r.data), at: r.at }));
  }
}

/** An `injections` row as the store's object (both connections use it). */
export function injectionFromRow(row: unknown): StoredInjection {
  const r = row as InjectionRow;
  const history = historyFromJson(r.history);
  const out: StoredInjection = {
    id: String(r.id),
    vmId: r.vm_id,
    origin: r.origin as InjectionOrigin,
    target: JSON.parse(r.target) as InjectionTarget,
    bytes: bytesOf(r.bytes),
    state: r.state as StoredInjectionState,
    history,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.source_id !== null) out.sourceId = r.source_id;
  if (r.refusal !== null) out.refusal = JSON.parse(r.refusal) as Refusal;
  if (r.outcome !== null) out.outcome = JSON.parse(r.outcome) as GuestOutcome;
  if (r.notification !== null) out.notification = JSON.parse(r.notification) as NotificationView;
  if (r.vm_injection_id !== null) out.vmInjectionId = r.vm_injection_id;
  if (out.state === 'lost') out.lost = lossOf(history);
  return out;
}

interface GuestRecordRow {
  id: number;
  vm_id: string;
  injection_id: number | null;
  source_id: number;
  boot: number;
  severity: string | null;
  sections: string;
  decoded: string;
  bytes: Buffer;
  at: string;
}

/** A `guest_records` row as the store's object (both connections use it). */
export function guestRecordFromRow(row: unknown): StoredGuestRecord {
  const r = row as GuestRecordRow;
  const out: StoredGuestRecord = {
    id: r.id,
    vmId: r.vm_id,
    sourceId: r.source_id,
    boot: r.boot,
    sections: JSON.parse(r.sections) as string[],
    // '' = too large to keep decoded: undefined here, decoded from the bytes by whoever shows it
    decoded: r.decoded === '' ? undefined : JSON.parse(r.decoded),
    bytes: bytesOf(r.bytes),
    at: r.at,
  };
  if (r.injection_id !== null) out.injectionId = String(r.injection_id);
  if (r.severity !== null) out.severity = r.severity;
  return out;
}
