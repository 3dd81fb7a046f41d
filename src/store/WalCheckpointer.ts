import { Worker } from 'worker_threads';

/**
 * Moves WAL checkpoints off the thread that commits. SQLite normally checkpoints inside the
 * commit that pushes the WAL past 1000 pages (`wal_autocheckpoint`), so that one request pays for
 * copying the log back into the database file. With autocheckpoint off on the writing connection,
 * a worker thread with its own connection runs `PRAGMA wal_checkpoint(PASSIVE)` every `periodMs`:
 * PASSIVE copies what it can without waiting for or blocking the writer, and the writer restarts
 * the log from the beginning once everything in it has been copied.
 *
 * Durability is unchanged: a transaction is durable when its commit is in the WAL (synchronous
 * NORMAL: the process can be killed; FULL: fsynced too); checkpointing only moves committed pages
 * into the main file. If the worker fails, the writer's autocheckpoint is switched back on, so the
 * WAL never grows without bound.
 */
export interface WalCheckpointerOptions {
  /** how often the worker checkpoints (default 100 ms) */
  periodMs?: number;
  /** called with the worker's failure, after autocheckpoint was switched back on */
  onError?: (e: Error) => void;
}

/** What the worker posts after each checkpoint: PRAGMA wal_checkpoint's row. */
export interface CheckpointReport {
  busy: number;
  log: number;
  checkpointed: number;
}

// Plain JavaScript (the worker must not depend on the TypeScript loader of its parent).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const Database = require(workerData.driver);
let db;
let timer;
// Tells the parent, which may be blocked in close(), that this thread no longer uses the files.
const released = () => {
  Atomics.store(workerData.released, 0, 1);
  Atomics.notify(workerData.released, 0);
};
// an error object of the driver's own class would reach the parent without its message
const fail = (e) => {
  clearInterval(timer);
  try {
    if (db && db.open) db.close();
  } catch {}
  released();
  parentPort.postMessage({ failed: String(e && e.message), code: e && e.code });
  parentPort.close();
};
const checkpoint = () => {
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
    parentPort.postMessage({ busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (e) {
    fail(e);
  }
};
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 0');
  timer = setInterval(checkpoint, workerData.periodMs);
  parentPort.on('message', (m) => {
    if (m === 'checkpoint') checkpoint();
    if (m === 'close') {
      clearInterval(timer);
      db.close();
      released();
      parentPort.close();
    }
  });
} catch (e) {
  fail(e);
}
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly listeners = new Set<(r: CheckpointReport) => void>();
  private failed = false;
  private closed = false;
  /** set to 1 by the worker once its connection is closed (shared memory, so close() can wait) */
  private readonly released = new Int32Array(new SharedArrayBuffer(4));

  /**
   * `file`: the database file; `setAutocheckpoint`: sets `wal_autocheckpoint` on the writing
   * connection (0 now; SQLite's default 1000 back if the worker fails).
   */
  constructor(file: string, setAutocheckpoint: (pages: number) => void, opts: WalCheckpointerOptions = {}) {
    setAutocheckpoint(0);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: require.resolve('better-sqlite3'), periodMs: opts.periodMs ?? 100, released: this.released },
    });
    this.worker.unref();
    const fail = (e: Error) => {
      if (this.failed || this.closed) return;
      this.failed = true;
      setAutocheckpoint(1000);
      opts.onError?.(e);
    };
    this.worker.on('message', (r: CheckpointReport | { failed: string; code?: string }) => {
      if ('failed' in r) {
        fail(Object.assign(new Error(`WAL checkpoint worker: ${r.failed}`), { code: r.code }));
        return;
      }
      for (const l of this.listeners) l(r);
    });
    this.worker.on('error', (e: unknown) => fail(e instanceof Error ? e : new Error(`WAL checkpoint worker: ${JSON.stringify(e)}`)));
  }

  /** True when the worker failed and the writer checkpoints by itself again. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** Asks the worker for a checkpoint now; resolves with its result (for tests and diagnostics). */
  checkpointNow(): Promise<CheckpointReport> {
    return new Promise((resolve) => {
      const l = (r: CheckpointReport) => {
        this.listeners.delete(l);
        resolve(r);
      };
      this.listeners.add(l);
      this.worker.postMessage('checkpoint');
    });
  }

  /**
   * Stops the worker and waits (up to `timeoutMs`) until its connection is closed, so that once
   * this returns nothing but the caller touches the database files: the store's own close then
   * truncates the WAL, and a caller may delete the directory right away. A worker that does not
   * answer in time is terminated.
   */
  close(timeoutMs = 5000): void {
    if (this.closed) return;
    this.closed = true;
    if (Atomics.load(this.released, 0) === 1) return;
    this.worker.postMessage('close');
    if (Atomics.wait(this.released, 0, 0, timeoutMs) === 'timed-out') void this.worker.terminate();
  }
}
