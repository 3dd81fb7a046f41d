import Database from 'better-sqlite3';
import type { StoredErstRecord } from './ErstRecordTable';
import type { StoredGuestRecord, StoredInjection } from './records';

/** Page of a list read: rows in ascending id order (the same shape as EventStore's Page). */
interface ReadPage {
  after?: number;
  limit?: number;
}

/**
 * The reads the gateway shows to clients (REST, QMP, the console): injections, their counts per
 * state, guest records and ERST records, as committed. EventStore implements it on its own
 * connection (which also reads the open transaction's rows); CommittedReader on a second one.
 */
export interface CommittedReads {
  getInjection(vmId: string, id: string): StoredInjection | undefined;
  listInjections(vmId: string, page?: ReadPage): StoredInjection[];
  injectionCounts(vmId: string): Record<string, number>;
  guestRecords(opts?: { vmId?: string; since?: string } & ReadPage): StoredGuestRecord[];
  guestRecordsOfInjection(injectionId: string): StoredGuestRecord[];
  erstRecords(vmId: string): StoredErstRecord[];
}

/** How a row becomes an object: the store's own conversions, so both connections answer alike. */
export interface RowConversions {
  injection(row: unknown): StoredInjection;
  guestRecord(row: unknown): StoredGuestRecord;
  erstRecord(vmId: string, row: unknown): StoredErstRecord;
}

/**
 * A second, read-only connection to the store's WAL database. Each of its statements runs in its
 * own read transaction, which sees the database as of the last COMMIT (WAL snapshot isolation):
 * never the rows of the writer's open transaction (a group-commit batch waits up to its window
 * with its rows written), which a failed COMMIT can still take back. The writer's connection
 * does read those rows, and keeps doing so for its own needs (the next injection id, the state it
 * updates).
 *
 * The connection opens on the first read (an idle gateway pays nothing for it) with a small page
 * cache (`cacheKiB`, default 512 KiB), `query_only` set, and closes before the writer does.
 * Only for file stores: a second connection cannot see a private ':memory:' database.
 */
export class CommittedReader implements CommittedReads {
  private db?: Database.Database;
  private st?: ReturnType<CommittedReader['prepare']>;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly rows: RowConversions,
    private readonly opts: { cacheKiB?: number; busyTimeoutMs?: number } = {},
  ) {}

  /** True once the connection was opened (by a first read) and until close(). */
  get isOpen(): boolean {
    return this.db?.open ?? false;
  }

  /** Closes the connection; reads after it throw (they never open it again). */
  close(): void {
    this.closed = true;
    if (this.db?.open) this.db.close();
    this.db = undefined;
    this.st = undefined;
  }

  private statements(): NonNullable<CommittedReader['st']> {
    if (this.st) return this.st;
    if (this.closed) throw new Error(`store ${this.file}: the committed reader is closed`);
    const db = new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      db.pragma(`cache_size = ${-(this.opts.cacheKiB ?? 512)}`);
      db.pragma('query_only = ON');
      // a reader waits only while SQLite recovers the WAL index, which is short
      db.pragma(`busy_timeout = ${this.opts.busyTimeoutMs ?? 50}`);
      this.st = this.prepare(db);
    } catch (e) {
      db.close();
      throw e;
    }
    this.db = db;
    return this.st;
  }

  private prepare(db: Database.Database) {
    return {
      getInjection: db.prepare('SELECT * FROM injections WHERE id = ? AND vm_id = ?'),
      listInjections: db.prepare('SELECT * FROM injections WHERE vm_id = ? AND id > ? ORDER BY id LIMIT ?'),
      countByState: db.prepare('SELECT state, COUNT(*) AS n FROM injections WHERE vm_id = ? GROUP BY state'),
      guestRecordsOfVm: db.prepare('SELECT * FROM guest_records WHERE vm_id = ? AND id > ? AND at >= ? ORDER BY id LIMIT ?'),
      guestRecordsAll: db.prepare('SELECT * FROM guest_records WHERE id > ? AND at >= ? ORDER BY id LIMIT ?'),
      guestRecordsOfInjection: db.prepare('SELECT * FROM guest_records WHERE injection_id = ? ORDER BY id'),
      erstRecords: db.prepare('SELECT record_id, slot, bytes, written_at FROM erst_records WHERE vm_id = ? ORDER BY slot'),
    };
  }

  getInjection(vmId: string, id: string): StoredInjection | undefined {
    if (!/^[0-9]{1,15}$/.test(id)) return undefined;
    const row = this.statements().getInjection.get(Number(id), vmId);
    return row === undefined ? undefined : this.rows.injection(row);
  }

  listInjections(vmId: string, page: ReadPage = {}): StoredInjection[] {
    return this.statements()
      .listInjections.all(vmId, page.after ?? 0, page.limit ?? 1000)
      .map((r) => this.rows.injection(r));
  }

  injectionCounts(vmId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.statements().countByState.all(vmId) as Array<{ state: string; n: number }>) out[r.state] = r.n;
    return out;
  }

  guestRecords(opts: { vmId?: string; since?: string } & ReadPage = {}): StoredGuestRecord[] {
    const st = this.statements();
    const since = opts.since ?? '';
    const rows =
      opts.vmId === undefined
        ? st.guestRecordsAll.all(opts.after ?? 0, since, opts.limit ?? 1000)
        : st.guestRecordsOfVm.all(opts.vmId, opts.after ?? 0, since, opts.limit ?? 1000);
    return rows.map((r) => this.rows.guestRecord(r));
  }

  guestRecordsOfInjection(injectionId: string): StoredGuestRecord[] {
    return this.statements()
      .guestRecordsOfInjection.all(Number(injectionId))
      .map((r) => this.rows.guestRecord(r));
  }

  erstRecords(vmId: string): StoredErstRecord[] {
    return this.statements()
      .erstRecords.all(vmId)
      .map((r) => this.rows.erstRecord(vmId, r));
  }
}
