import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { makeFolder } from './makeFolder';

/**
 * One owner per data directory. A gateway takes this lock before it reads or writes anything in
 * its data directory and holds it until it closes; a second gateway on the same directory is
 * refused at once (DataDirInUseError, naming the holder) and writes nothing.
 *
 * The lock itself is an exclusive SQLite lock (`locking_mode=EXCLUSIVE` + `BEGIN EXCLUSIVE`) on
 * the small file `rasgw.lock`: SQLite takes it with a POSIX advisory lock, which the kernel drops
 * when the holding process dies, so the lock of a killed gateway (kill -9) is free again at once
 * and the next gateway simply takes it — no pid guessing, no stale-lock race. SQLite also keeps
 * two connections of one process apart, so two gateways inside one process are refused too.
 * The event store (rasgw.sqlite) is not locked this way: outside readers (`rasgw events
 * --offline`, sqlite3) keep working.
 *
 * `rasgw.lock` stays in the directory when the gateway stops: deleting it would let a gateway
 * that opened the old file and one that created a new file both believe they hold the lock.
 *
 * Who holds the lock is written, once it is taken, to `rasgw.lock.json` (pid, host name, ports,
 * start time) for the refusal message; that file is information only, never the lock.
 */
export const LOCK_FILE = 'rasgw.lock';
export const OWNER_FILE = 'rasgw.lock.json';

/** What the holder of a data directory writes about itself. */
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** REST listening address once known */
  url?: string;
  port?: number;
  qmpPort?: number;
}

/** Thrown when another gateway (process or in-process instance) holds the data directory. */
export class DataDirInUseError extends Error {
  readonly code = 'data_dir_in_use';
  constructor(
    readonly dataDir: string,
    /** what the holder wrote about itself; undefined if it has not written it (yet) */
    readonly owner: LockOwner | undefined,
  ) {
    super(describeRefusal(dataDir, owner));
    this.name = 'DataDirInUseError';
  }
}

function describeRefusal(dataDir: string, owner: LockOwner | undefined): string {
  if (!owner) return `data directory ${dataDir} is in use by another rasgw gateway (it has not said who it is yet); stop it or use another --data-dir`;
  const where: string[] = [];
  if (owner.url) where.push(`REST ${owner.url}`);
  else if (owner.port !== undefined) where.push(`REST port ${owner.port}`);
  if (owner.qmpPort !== undefined) where.push(`QMP port ${owner.qmpPort}`);
  const self = owner.pid === process.pid ? ' (this process)' : '';
  return (
    `data directory ${dataDir} is in use by rasgw pid ${owner.pid}${self} on ${owner.hostname}` +
    `${where.length ? ` (${where.join(', ')})` : ''}, started ${owner.startedAt}; stop it or use another --data-dir`
  );
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return typeof v?.pid === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

function isLockBusy(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export class DataDirLock {
  private db?: Database.Database;
  private owner: LockOwner;

  private constructor(
    readonly dataDir: string,
    db: Database.Database,
  ) {
    this.db = db;
    this.owner = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString() };
    this.writeOwner();
  }

  /**
   * Takes the data directory (created with mode 0700 if missing) or throws DataDirInUseError
   * without waiting. An in-memory store (':memory:') needs no lock: returns undefined.
   */
  static acquire(dataDir: string): DataDirLock | undefined {
    if (dataDir === ':memory:') return undefined;
    makeFolder(dataDir, 'data directory', 0o700);
    const db = new Database(path.join(dataDir, LOCK_FILE));
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      // the lock file holds nothing worth a rollback journal: no -journal file next to it
      db.pragma('journal_mode = MEMORY');
      // the exclusive lock is taken here and, in EXCLUSIVE locking mode, kept after COMMIT
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
      db.exec('COMMIT');
    } catch (e) {
      db.close();
      if (isLockBusy(e)) throw new DataDirInUseError(dataDir, readOwner(path.join(dataDir, OWNER_FILE)));
      if ((e as { code?: unknown })?.code === 'SQLITE_NOTADB') {
        throw new Error(`${path.join(dataDir, LOCK_FILE)} is not rasgw's lock file (something else wrote it); move it away and start again`);
      }
      throw e;
    }
    return new DataDirLock(dataDir, db);
  }

  /** Adds where the holder listens to the owner file (shown to a refused second gateway). */
  describe(where: Pick<LockOwner, 'url' | 'port' | 'qmpPort'>): void {
    this.owner = { ...this.owner, ...where };
    if (this.db) this.writeOwner();
  }

  get held(): boolean {
    return this.db !== undefined;
  }

  /** Gives the directory up (idempotent). The owner file goes first, then the lock. */
  release(): void {
    if (!this.db) return;
    try {
      fs.rmSync(path.join(this.dataDir, OWNER_FILE), { force: true });
    } finally {
      this.db.close();
      this.db = undefined;
    }
  }

  /** Written to a temporary file and renamed, so a reader never sees half of it. */
  private writeOwner(): void {
    const file = path.join(this.dataDir, OWNER_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.owner) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
}
