import type Database from 'better-sqlite3';

/**
 * Per-VM retention of the event store: what the store keeps of each VM is bounded in
 * rows and in bytes, the oldest rows going first.
 *
 * - guest log lines: `logLines` lines and `logBytes` bytes of line text;
 * - guest records: `records` records and `recordBytes` bytes (raw bytes + stored decoded JSON);
 * - injections: `injections` finished ones (acknowledged or rejected) and `injectionBytes` bytes
 *   of their status blocks; an injection the guest has not consumed yet (accepted, queued,
 *   delivered) is never dropped;
 * - events: `events` events.
 *
 * `prune(vmId)` applies the bounds to one VM and returns what it dropped. The gateway calls it on
 * a schedule for the VMs written to since the last run only, so the work follows the VMs that
 * have work. Deleted rows leave free pages that SQLite reuses: the file stops growing once every
 * VM is at its bounds.
 */
export interface RetentionLimits {
  logLines: number;
  logBytes: number;
  records: number;
  recordBytes: number;
  injections: number;
  injectionBytes: number;
  events: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionLimits> = {
  logLines: 100_000,
  logBytes: 16 * 1024 * 1024,
  records: 10_000,
  recordBytes: 64 * 1024 * 1024,
  injections: 10_000,
  injectionBytes: 64 * 1024 * 1024,
  events: 10_000,
};

export type RetentionKind = 'log' | 'records' | 'injections' | 'events';

export type Dropped = Record<RetentionKind, number>;

/** rows a prune call reads or deletes per kind at most (a larger backlog takes several calls) */
export const PRUNE_BUDGET_ROWS = 2_000;

export function retentionLimits(given: Partial<RetentionLimits> = {}): RetentionLimits {
  const out = { ...DEFAULT_RETENTION };
  for (const [k, v] of Object.entries(given) as Array<[keyof RetentionLimits, number | undefined]>) {
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`retention ${k} must be a positive integer, not ${v}`);
    out[k] = v;
  }
  return out;
}

interface KindSql {
  /** (k, size) of the VM's rows with a key above ?, oldest first */
  newer: string;
  /** (k, size, prunable) of the VM's rows, oldest first */
  oldest: string;
  /** deletes the VM's prunable rows with a key up to ? */
  del: string;
}

const SQL: Record<RetentionKind, KindSql> = {
  log: {
    newer: 'SELECT seq AS k, LENGTH(CAST(line AS BLOB)) AS size FROM log_lines WHERE vm_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    oldest: 'SELECT seq AS k, LENGTH(CAST(line AS BLOB)) AS size, 1 AS prunable FROM log_lines WHERE vm_id = ? ORDER BY seq',
    del: 'DELETE FROM log_lines WHERE vm_id = ? AND seq <= ?',
  },
  records: {
    newer: 'SELECT id AS k, LENGTH(bytes) + LENGTH(CAST(decoded AS BLOB)) AS size FROM guest_records WHERE vm_id = ? AND id > ? ORDER BY id LIMIT ?',
    oldest: 'SELECT id AS k, LENGTH(bytes) + LENGTH(CAST(decoded AS BLOB)) AS size, 1 AS prunable FROM guest_records WHERE vm_id = ? ORDER BY id',
    del: 'DELETE FROM guest_records WHERE vm_id = ? AND id <= ?',
  },
  injections: {
    newer: 'SELECT id AS k, LENGTH(bytes) AS size FROM injections WHERE vm_id = ? AND id > ? ORDER BY id LIMIT ?',
    oldest: "SELECT id AS k, LENGTH(bytes) AS size, state IN ('acknowledged', 'rejected', 'lost') AS prunable FROM injections WHERE vm_id = ? ORDER BY id",
    del: "DELETE FROM injections WHERE vm_id = ? AND id <= ? AND state IN ('acknowledged', 'rejected', 'lost')",
  },
  events: {
    newer: 'SELECT id AS k, 0 AS size FROM events WHERE vm_id = ? AND id > ? ORDER BY id LIMIT ?',
    oldest: 'SELECT id AS k, 0 AS size, 1 AS prunable FROM events WHERE vm_id = ? ORDER BY id',
    del: 'DELETE FROM events WHERE vm_id = ? AND id <= ?',
  },
};

const KINDS: RetentionKind[] = ['log', 'records', 'injections', 'events'];

/** What is known of one kind of rows of one VM: totals of the rows up to key `upTo`. */
interface Tally {
  upTo: number;
  rows: number;
  bytes: number;
}

export class Retention {
  readonly limits: RetentionLimits;
  /** rows dropped so far, by kind (for /metrics) */
  readonly dropped: Dropped = { log: 0, records: 0, injections: 0, events: 0 };
  /**
   * Per VM and kind, the rows and bytes counted so far: a prune reads only the rows added since
   * the last one (and, when over a bound, the oldest rows it deletes), so its cost follows what
   * was written, not what is kept. The first prune of a VM in a process counts all its rows once.
   */
  private readonly tallies = new Map<string, Record<RetentionKind, Tally>>();
  private readonly st: Record<RetentionKind, { newer: Database.Statement; oldest: Database.Statement; del: Database.Statement }>;
  /** rows and bytes of a VM's open injections (exempt from the bounds) */
  private readonly openInjections: Database.Statement;

  constructor(db: Database.Database, limits: Partial<RetentionLimits> = {}) {
    this.limits = retentionLimits(limits);
    const prep = (k: RetentionKind) => ({ newer: db.prepare(SQL[k].newer).raw(), oldest: db.prepare(SQL[k].oldest).raw(), del: db.prepare(SQL[k].del) });
    this.st = { log: prep('log'), records: prep('records'), injections: prep('injections'), events: prep('events') };
    this.openInjections = db
      .prepare("SELECT COUNT(*), COALESCE(SUM(LENGTH(bytes)), 0) FROM injections WHERE vm_id = ? AND state IN ('accepted', 'queued', 'delivered')")
      .raw();
  }

  private bounds(kind: RetentionKind): { rows: number; bytes: number } {
    const l = this.limits;
    switch (kind) {
      case 'log':
        return { rows: l.logLines, bytes: l.logBytes };
      case 'records':
        return { rows: l.records, bytes: l.recordBytes };
      case 'injections':
        return { rows: l.injections, bytes: l.injectionBytes };
      case 'events':
        return { rows: l.events, bytes: Number.MAX_SAFE_INTEGER };
    }
  }

  /** Undo of a VM's tallies (for a prune that is rolled back). */
  keep(vmId: string): () => void {
    const t = this.tallies.get(vmId);
    const saved = t && { log: { ...t.log }, records: { ...t.records }, injections: { ...t.injections }, events: { ...t.events } };
    const dropped = { ...this.dropped };
    return () => {
      if (saved) this.tallies.set(vmId, saved);
      else this.tallies.delete(vmId);
      Object.assign(this.dropped, dropped);
    };
  }

  /** Forgets a deleted VM's tallies. */
  forget(vmId: string): void {
    this.tallies.delete(vmId);
  }

  /** Rows and bytes kept of a VM, as counted by the last prune (for tests and diagnostics). */
  kept(vmId: string): Record<RetentionKind, { rows: number; bytes: number }> | undefined {
    const t = this.tallies.get(vmId);
    if (!t) return undefined;
    const out = {} as Record<RetentionKind, { rows: number; bytes: number }>;
    for (const k of KINDS) out[k] = { rows: t[k].rows, bytes: t[k].bytes };
    return out;
  }

  /**
   * Applies the bounds to one VM (call inside a transaction), reading and deleting at most
   * `budget` rows per kind, so one call stays short; returns the rows dropped and whether the VM
   * is within its bounds (`done`), else the caller calls again.
   */
  prune(vmId: string, budget = PRUNE_BUDGET_ROWS): Dropped & { done: boolean } {
    let done = true;
    let t = this.tallies.get(vmId);
    if (!t) {
      t = { log: { upTo: 0, rows: 0, bytes: 0 }, records: { upTo: 0, rows: 0, bytes: 0 }, injections: { upTo: 0, rows: 0, bytes: 0 }, events: { upTo: 0, rows: 0, bytes: 0 } };
      this.tallies.set(vmId, t);
    }
    const out: Dropped = { log: 0, records: 0, injections: 0, events: 0 };
    for (const kind of KINDS) {
      const tally = t[kind];
      const st = this.st[kind];
      let seen = 0;
      for (const [k, size] of st.newer.iterate(vmId, tally.upTo, budget) as IterableIterator<[number, number]>) {
        tally.upTo = k;
        tally.rows++;
        tally.bytes += size;
        seen++;
      }
      if (seen === budget) done = false;
      const b = this.bounds(kind);
      // open injections are never dropped and do not count against the bounds
      const [exemptRows, exemptBytes] = kind === 'injections' ? (this.openInjections.get(vmId) as [number, number]) : [0, 0];
      if (tally.rows - exemptRows <= b.rows && tally.bytes - exemptBytes <= b.bytes) continue;
      // walk from the oldest row, deleting prunable ones until within both bounds
      let rows = tally.rows - exemptRows;
      let bytes = tally.bytes - exemptBytes;
      let cut = 0;
      let n = 0;
      let walked = 0;
      for (const [k, size, prunable] of st.oldest.iterate(vmId) as IterableIterator<[number, number, number]>) {
        if (rows <= b.rows && bytes <= b.bytes) break;
        if (++walked > budget) {
          done = false;
          break;
        }
        if (!prunable) continue;
        rows--;
        bytes -= size;
        cut = k;
        n++;
      }
      if (cut === 0) continue;
      st.del.run(vmId, cut);
      tally.rows = rows + exemptRows;
      tally.bytes = bytes + exemptBytes;
      out[kind] = n;
      this.dropped[kind] += n;
    }
    return { ...out, done };
  }
}
