import type Database from 'better-sqlite3';
import type { ErstStorage, ErstStoredRecord } from '../device-model/erst/ErstStorage';

/**
 * The ERST records of every VM, in the event store's database (table `erst_records`, schema
 * version 3; deleting a VM deletes its records by cascade). A record is keyed by (vm, record id as
 * 16 hex digits: ids are u64 and SQLite integers are signed); `slot` is the device's slot number.
 *
 * Durability: `put`/`remove` run on the store's connection. Outside a transaction they commit
 * before returning (WAL: the change survives kill -9), so the device reports success to the guest
 * only after the record is on disk. Inside the gateway's transaction or group commit (a panic
 * caused by an injection), the record commits with that transaction, before any client hears of
 * the injection; a crash before that commit loses the injection and its record together.
 */
export interface StoredErstRecord extends ErstStoredRecord {
  vmId: string;
  writtenAt: string;
}

export function erstIdText(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

/** A row of `erst_records` (record_id, slot, bytes, written_at) as a record of VM `vmId`. */
export function erstRecordFromRow(vmId: string, row: unknown): StoredErstRecord {
  const r = row as { record_id: string; slot: number; bytes: Buffer; written_at: string };
  return {
    vmId,
    id: BigInt('0x' + r.record_id),
    slot: r.slot,
    bytes: new Uint8Array(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength).slice(),
    writtenAt: r.written_at,
  };
}

export class ErstRecordTable {
  private readonly st: {
    load: Database.Statement;
    get: Database.Statement;
    put: Database.Statement;
    remove: Database.Statement;
    clear: Database.Statement;
  };

  constructor(
    db: Database.Database,
    private readonly stamp: () => string,
    private readonly committedList?: (vmId: string) => StoredErstRecord[],
  ) {
    this.st = {
      load: db.prepare('SELECT record_id, slot, bytes, written_at FROM erst_records WHERE vm_id = ? ORDER BY slot'),
      get: db.prepare('SELECT bytes FROM erst_records WHERE vm_id = ? AND record_id = ?'),
      put: db.prepare(
        `INSERT INTO erst_records (vm_id, record_id, slot, bytes, written_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(vm_id, record_id) DO UPDATE SET slot = excluded.slot, bytes = excluded.bytes, written_at = excluded.written_at`,
      ),
      remove: db.prepare('DELETE FROM erst_records WHERE vm_id = ? AND record_id = ?'),
      clear: db.prepare('DELETE FROM erst_records WHERE vm_id = ?'),
    };
  }

  list(vmId: string): StoredErstRecord[] {
    return this.st.load.all(vmId).map((r) => erstRecordFromRow(vmId, r));
  }

  put(vmId: string, r: ErstStoredRecord): void {
    this.st.put.run(vmId, erstIdText(r.id), r.slot, Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength), this.stamp());
  }

  get(vmId: string, id: bigint): Uint8Array | undefined {
    const row = this.st.get.get(vmId, erstIdText(id)) as { bytes: Buffer } | undefined;
    return row && new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength).slice();
  }

  remove(vmId: string, id: bigint): boolean {
    return this.st.remove.run(vmId, erstIdText(id)).changes > 0;
  }

  clear(vmId: string): number {
    return this.st.clear.run(vmId).changes;
  }

  /**
   * The device's storage for one VM. `loadCommitted` (given when the store has a committed
   * reader) lists the records as committed, for readers that show them to clients.
   */
  storageFor(vmId: string): ErstStorage & { loadCommitted?: () => StoredErstRecord[] } {
    const committed = this.committedList;
    return {
      ...(committed && { loadCommitted: () => committed(vmId) }),
      load: () => this.list(vmId),
      put: (r) => this.put(vmId, r),
      remove: (id) => this.remove(vmId, id),
      get: (id) => this.get(vmId, id),
    };
  }
}
