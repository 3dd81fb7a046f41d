import type { EventStore } from '../../src/store';

/**
 * Store failures for tests, made the way SQLite reports them: better-sqlite3 throws an Error whose
 * `code` is the SQLite extended result code, which the store turns into a StoreUnavailableError.
 */

/** The error an I/O failure at a write gives (`SQLITE_IOERR_WRITE`). */
export function ioError(): Error {
  return Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
}

/**
 * Makes the store's next `COMMIT` fail with an I/O error, after the write lock was taken and the
 * batch's rows were written (the case a disk that fills up or fails at commit produces). Returns
 * `failNextCommit`, which arms it again; armed once on return unless `armed` is false.
 */
export function failCommits(store: EventStore, armed = true): { failNextCommit: () => void } {
  // the test reaches the store's connection: the COMMIT is the store's own statement
  const db = (store as unknown as { db: { exec(sql: string): unknown } }).db;
  const exec = db.exec.bind(db);
  let fail = armed;
  db.exec = (sql: string) => {
    if (sql === 'COMMIT' && fail) {
      fail = false;
      throw ioError();
    }
    return exec(sql);
  };
  return { failNextCommit: () => void (fail = true) };
}
