import { CopyOnWrite, SavedValues, SavesState } from '../../binary/restore';

/**
 * Where the ERST device keeps its records (the "persistent store" of ACPI's error serialization).
 * The device numbers its slots as QEMU does (a new record takes the lowest free slot; iteration
 * goes in slot order), and calls `put`/`remove` BEFORE it reports success to the guest: an
 * implementation must have made the change durable when the call returns, or throw (the device
 * then answers HARDWARE_NOT_AVAILABLE and changes nothing).
 *
 * `MemoryErstStorage` keeps records for the life of the object (the VM keeps one across reboots);
 * the gateway gives each VM a store-backed one (src/store/ErstRecordTable.ts), which survives a
 * gateway restart and kill -9.
 */
export interface ErstStoredRecord {
  id: bigint;
  slot: number;
  bytes: Uint8Array;
}

export interface ErstStorage {
  /** every record, in slot order */
  load(): ErstStoredRecord[];
  /** inserts or overwrites the record with this id (durable when it returns, else throws) */
  put(record: ErstStoredRecord): void;
  /** removes the record; false when there was none */
  remove(id: bigint): boolean;
  /** one record's bytes (optional: without it the device searches `load()`) */
  get?(id: bigint): Uint8Array | undefined;
  /**
   * A restore point of the records kept in memory (the VM's restore points take it): `saveState`,
   * `loadState` (see SavesState) and `releaseState`. Absent for a storage whose writes belong to
   * the caller's store transaction (the gateway's: a rollback of the transaction is the restore).
   */
  saveState?(s: SavedValues): void;
  loadState?(s: SavedValues): void;
  releaseState?(): void;
}

export class MemoryErstStorage implements ErstStorage, SavesState {
  private readonly records = new Map<bigint, ErstStoredRecord>();
  /** copies of `records` for restore points, taken at the first change under a point */
  private readonly recordsCopy = new CopyOnWrite<Array<[bigint, ErstStoredRecord]>>();

  saveState(_s: SavedValues): void {
    this.recordsCopy.open();
  }

  loadState(_s: SavedValues): void {
    const copy = this.recordsCopy.close();
    if (!copy) return;
    this.records.clear();
    for (const [k, v] of copy) this.records.set(k, v);
  }

  releaseState(): void {
    this.recordsCopy.close();
  }

  private beforeChange(): void {
    if (this.recordsCopy.needsCopy) this.recordsCopy.fill([...this.records]);
  }

  load(): ErstStoredRecord[] {
    return [...this.records.values()].sort((a, b) => a.slot - b.slot).map((r) => ({ ...r, bytes: r.bytes.slice() }));
  }

  put(record: ErstStoredRecord): void {
    this.beforeChange();
    this.records.set(record.id, { ...record, bytes: record.bytes.slice() });
  }

  remove(id: bigint): boolean {
    if (!this.records.has(id)) return false;
    this.beforeChange();
    return this.records.delete(id);
  }

  get(id: bigint): Uint8Array | undefined {
    return this.records.get(id)?.bytes.slice();
  }
}
