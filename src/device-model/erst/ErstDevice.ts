import { CopyOnWrite, SavedValues, SavesState } from '../../binary/restore';
import type { GuestMemory, MemoryActor, MmioHandler } from '../../guest-memory/GuestMemory';
import { ErstAction, ErstStatus, ERST_EMPTY_END_RECORD_ID, ERST_EXECUTE_OPERATION_MAGIC, ERST_UNSPECIFIED_RECORD_ID, erstActionName, erstStatusName } from '../../acpi/Erst';
import type { ErstStorage, ErstStoredRecord } from './ErstStorage';

/**
 * The ERST executor of the device model: QEMU's hw/acpi/erst.c on ARM. Two 64-bit registers in an
 * MMIO window (ACTION at +0, VALUE at +8; 32-bit accesses reach either half, as in QEMU), an
 * exchange buffer in guest memory, and a record store with a fixed number of slots.
 *
 * Everything happens on a write to ACTION (QEMU's design): BEGIN_* set the operation,
 * SET_RECORD_OFFSET / SET_RECORD_IDENTIFIER latch VALUE, EXECUTE_OPERATION (VALUE's low byte must
 * be the magic 0x9C) runs the operation and sets the command status, the GET_* actions put their
 * answer in VALUE. Unknown actions and writes elsewhere in the window are ignored; reads return
 * the register contents. Every malformed request ends in a command status, never an exception:
 *   write: record offset beyond the buffer minus 128, CPER length < 128 or past the buffer end,
 *          record id 0 or all ones → FAILED; signature not "CPER" → FAILED (rasgw; QEMU does not
 *          look, see docs/ERST.md); no free slot → NOT_ENOUGH_SPACE; the persistent store failing
 *          → HARDWARE_NOT_AVAILABLE (nothing changed)
 *   read:  empty store → RECORD_STORE_EMPTY; id all ones, bad offset, stored length that does
 *          not fit → FAILED; unknown id → RECORD_NOT_FOUND (the identifier restarts at the first
 *          record, as QEMU and ACPI's "Reading" step 2.c say)
 *   clear: id 0 or all ones → FAILED; unknown id → RECORD_NOT_FOUND
 * Record identifiers follow ACPI and QEMU: 0 = unspecified (read: the first record), all ones =
 * none / end; GET_RECORD_IDENTIFIER walks the records in slot order and answers all ones (and
 * starts over) after the last.
 */
export interface ErstDeviceOptions {
  memory: GuestMemory;
  /** guest address of the register window (etc/erst + 0) */
  registers: bigint;
  /** guest address and size of the exchange buffer */
  exchange: bigint;
  exchangeSize: number;
  /** records the store holds */
  capacity: number;
  storage: ErstStorage;
  /** refuse a record whose first 4 bytes are not "CPER" (default true; QEMU does not check) */
  checkSignature?: boolean;
  /** told about every change of the store, after it is durable */
  onChange?: (change: ErstChange) => void;
}

export type ErstChange = { kind: 'written'; id: bigint; bytes: Uint8Array; overwrote: boolean } | { kind: 'cleared'; id: bigint };

/** One executed operation (for tests, the REST view and the VM's events). */
export interface ErstOperation {
  operation: string;
  status: number;
  statusName: string;
  recordId?: bigint;
}

export const CPER_MIN_RECORD = 128;
const CPER_LENGTH_OFFSET = 20;
const CPER_ID_OFFSET = 96;
const MASK64 = 0xffff_ffff_ffff_ffffn;
/** QEMU's GET_EXECUTE_OPERATION_TIMINGS answer: max 100 µs, nominal 10 µs */
export const ERST_TIMINGS = (100n << 32n) | 10n;

function validId(id: bigint): boolean {
  return id !== ERST_UNSPECIFIED_RECORD_ID && id !== ERST_EMPTY_END_RECORD_ID;
}

export class ErstDevice implements MmioHandler, SavesState {
  private readonly o: ErstDeviceOptions;
  /** slot → record id (undefined: free) */
  private readonly slots: Array<bigint | undefined>;
  private readonly index = new Map<bigint, { slot: number; length: number }>();
  /** copies of `slots` and `index` for restore points, taken at their first change under a point */
  private readonly recordsCopy = new CopyOnWrite<{ slots: Array<bigint | undefined>; index: Array<[bigint, { slot: number; length: number }]> }>();
  private operation = 0;
  private busy = 0;
  private commandStatus = 0;
  private recordOffset = 0;
  private regAction = 0n;
  private regValue = 0n;
  private recordIdentifier = 0n;
  private nextRecordIndex = 0;
  /** the last operation EXECUTE_OPERATION ran */
  lastOperation: ErstOperation | undefined;
  /** EXECUTE_OPERATIONs run since this device was created */
  executed = 0;

  constructor(o: ErstDeviceOptions) {
    this.o = o;
    this.slots = new Array<bigint | undefined>(o.capacity).fill(undefined);
    for (const r of o.storage.load()) {
      let slot = r.slot >= 0 && r.slot < o.capacity && this.slots[r.slot] === undefined ? r.slot : this.slots.indexOf(undefined);
      if (slot < 0 || !validId(r.id) || this.index.has(r.id)) continue;
      this.slots[slot] = r.id;
      this.index.set(r.id, { slot, length: r.bytes.length });
      slot++;
    }
  }

  /**
   * A restore point of the device: the ACTION/VALUE registers, the operation state and counters;
   * its slots and index are copied at their first change under the point (`beforeRecordsChange`).
   * The records themselves are the storage's (ErstStorage.saveState).
   */
  saveState(s: SavedValues): void {
    s.push(this.operation);
    s.push(this.busy);
    s.push(this.commandStatus);
    s.push(this.recordOffset);
    s.push(this.regAction);
    s.push(this.regValue);
    s.push(this.recordIdentifier);
    s.push(this.nextRecordIndex);
    s.push(this.lastOperation);
    s.push(this.executed);
    this.recordsCopy.open();
  }

  loadState(s: SavedValues): void {
    this.operation = s.next();
    this.busy = s.next();
    this.commandStatus = s.next();
    this.recordOffset = s.next();
    this.regAction = s.next();
    this.regValue = s.next();
    this.recordIdentifier = s.next();
    this.nextRecordIndex = s.next();
    this.lastOperation = s.next();
    this.executed = s.next();
    const copy = this.recordsCopy.close();
    if (copy) {
      for (let i = 0; i < copy.slots.length; i++) this.slots[i] = copy.slots[i];
      this.index.clear();
      for (const [k, v] of copy.index) this.index.set(k, v);
    }
  }

  releaseState(): void {
    this.recordsCopy.close();
  }

  /** Called before `slots` or `index` change: a restore point open without a copy of them takes one. */
  private beforeRecordsChange(): void {
    if (this.recordsCopy.needsCopy) this.recordsCopy.fill({ slots: this.slots.slice(), index: [...this.index] });
  }

  // ------------------------------------------------------------------ MMIO

  read(offset: number, size: 1 | 2 | 4 | 8): bigint {
    const reg = offset < 8 ? this.regAction : this.regValue;
    if (offset >= 16 || offset % 4 !== 0) return 0n;
    if (size === 8) return offset % 8 === 0 ? reg : 0n;
    const shift = offset % 8 === 4 ? 32n : 0n;
    return (reg >> shift) & 0xffff_ffffn;
  }

  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint, _actor: MemoryActor): void {
    if (offset === 8 || offset === 12) {
      // QEMU's erst_wr_reg64: a 64-bit write replaces VALUE; a 32-bit one replaces its half
      if (size === 8) this.regValue = offset === 8 ? value & MASK64 : this.regValue;
      else {
        const shift = offset === 12 ? 32n : 0n;
        const mask = 0xffff_ffffn << shift;
        this.regValue = (this.regValue & ~mask & MASK64) | ((value & 0xffff_ffffn) << shift);
      }
      return;
    }
    if (offset === 0) this.action(Number(value & 0xffff_ffffn));
    // ACTION + 4 and anything else in the window: ignored (QEMU: NOP)
  }

  private action(a: number): void {
    const A = ErstAction;
    switch (a) {
      case A.BEGIN_WRITE:
      case A.BEGIN_READ:
      case A.BEGIN_CLEAR:
      case A.BEGIN_DUMMY_WRITE:
      case A.END:
        this.operation = a;
        return;
      case A.SET_RECORD_OFFSET:
        this.recordOffset = Number(this.regValue & 0xffff_ffffn);
        return;
      case A.EXECUTE_OPERATION:
        if ((this.regValue & 0xffn) === ERST_EXECUTE_OPERATION_MAGIC) this.execute();
        return;
      case A.CHECK_BUSY_STATUS:
        this.regValue = BigInt(this.busy);
        return;
      case A.GET_COMMAND_STATUS:
        this.regValue = BigInt(this.commandStatus);
        return;
      case A.GET_RECORD_IDENTIFIER:
        this.regValue = this.nextRecordId(false);
        this.commandStatus = ErstStatus.SUCCESS;
        return;
      case A.SET_RECORD_IDENTIFIER:
        this.recordIdentifier = this.regValue;
        return;
      case A.GET_RECORD_COUNT:
        this.regValue = BigInt(this.index.size);
        return;
      case A.GET_ERROR_LOG_ADDRESS_RANGE:
        this.regValue = this.o.exchange;
        return;
      case A.GET_ERROR_LOG_ADDRESS_LENGTH:
        this.regValue = BigInt(this.o.exchangeSize);
        return;
      case A.GET_ERROR_LOG_ADDRESS_RANGE_ATTRIBUTES:
        this.regValue = 0n; // not NVRAM, not slow (QEMU)
        return;
      case A.GET_EXECUTE_OPERATION_TIMINGS:
        this.regValue = ERST_TIMINGS;
        return;
      default:
        return; // unknown action: NOP
    }
  }

  private execute(): void {
    this.busy = 1;
    const A = ErstAction;
    let status: number;
    let recordId: bigint | undefined;
    switch (this.operation) {
      case A.BEGIN_WRITE: {
        const r = this.writeRecord();
        status = r.status;
        recordId = r.id;
        break;
      }
      case A.BEGIN_READ:
        status = this.readRecord();
        recordId = this.recordIdentifier;
        break;
      case A.BEGIN_CLEAR:
        status = this.clearRecord();
        recordId = this.recordIdentifier;
        break;
      case A.BEGIN_DUMMY_WRITE:
      case A.END:
        status = ErstStatus.SUCCESS;
        break;
      default:
        status = ErstStatus.FAILED;
    }
    this.commandStatus = status;
    this.busy = 0;
    this.executed++;
    this.lastOperation = { operation: erstActionName(this.operation), status, statusName: erstStatusName(status), ...(recordId !== undefined ? { recordId } : {}) };
  }

  // ------------------------------------------------------------------ operations (QEMU's)

  private nextRecordId(first: boolean): bigint {
    if (first) this.nextRecordIndex = 0;
    for (let i = this.nextRecordIndex; this.index.size > 0 && i < this.slots.length; i++) {
      const id = this.slots[i];
      if (id !== undefined) {
        this.nextRecordIndex = i + 1;
        return id;
      }
    }
    this.nextRecordIndex = 0; // scan complete: start over
    return ERST_EMPTY_END_RECORD_ID;
  }

  private offsetOk(): boolean {
    return this.recordOffset <= this.o.exchangeSize - CPER_MIN_RECORD;
  }

  private writeRecord(): { status: number; id?: bigint } {
    if (!this.offsetOk()) return { status: ErstStatus.FAILED };
    const m = this.o.memory;
    const at = this.o.exchange + BigInt(this.recordOffset);
    const room = this.o.exchangeSize - this.recordOffset;
    const head = m.read(at, CPER_MIN_RECORD);
    const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const length = dv.getUint32(CPER_LENGTH_OFFSET, true);
    if (length < CPER_MIN_RECORD || length > room) return { status: ErstStatus.FAILED };
    if ((this.o.checkSignature ?? true) && String.fromCharCode(head[0], head[1], head[2], head[3]) !== 'CPER') return { status: ErstStatus.FAILED };
    const id = dv.getBigUint64(CPER_ID_OFFSET, true);
    if (!validId(id)) return { status: ErstStatus.FAILED, id };
    const existing = this.index.get(id);
    const slot = existing ? existing.slot : this.slots.indexOf(undefined);
    if (slot < 0) return { status: ErstStatus.NOT_ENOUGH_SPACE, id };
    const bytes = m.read(at, length);
    const stored: ErstStoredRecord = { id, slot, bytes };
    try {
      this.o.storage.put(stored);
    } catch {
      // the persistent store did not take it: nothing changed, and the guest is told
      return { status: ErstStatus.HARDWARE_NOT_AVAILABLE, id };
    }
    this.beforeRecordsChange();
    this.slots[slot] = id;
    this.index.set(id, { slot, length });
    this.o.onChange?.({ kind: 'written', id, bytes, overwrote: existing !== undefined });
    return { status: ErstStatus.SUCCESS, id };
  }

  private readRecord(): number {
    if (this.index.size === 0) return ErstStatus.RECORD_STORE_EMPTY;
    if (this.recordIdentifier === ERST_UNSPECIFIED_RECORD_ID) this.recordIdentifier = this.nextRecordId(true);
    if (this.recordIdentifier === ERST_EMPTY_END_RECORD_ID) return ErstStatus.FAILED;
    if (!this.offsetOk()) return ErstStatus.FAILED;
    const hit = this.index.get(this.recordIdentifier);
    if (!hit) {
      this.recordIdentifier = this.nextRecordId(true);
      return ErstStatus.RECORD_NOT_FOUND;
    }
    const record = this.recordBytes(this.recordIdentifier);
    if (!record) return ErstStatus.HARDWARE_NOT_AVAILABLE;
    if (record.length < CPER_MIN_RECORD || record.length > this.o.exchangeSize - this.recordOffset) return ErstStatus.FAILED;
    this.o.memory.write(this.o.exchange + BigInt(this.recordOffset), record, 'device-model');
    return ErstStatus.SUCCESS;
  }

  private clearRecord(): number {
    const id = this.recordIdentifier;
    if (!validId(id)) return ErstStatus.FAILED;
    const hit = this.index.get(id);
    if (!hit) return ErstStatus.RECORD_NOT_FOUND;
    try {
      this.o.storage.remove(id);
    } catch {
      return ErstStatus.HARDWARE_NOT_AVAILABLE;
    }
    this.beforeRecordsChange();
    this.slots[hit.slot] = undefined;
    this.index.delete(id);
    this.o.onChange?.({ kind: 'cleared', id });
    return ErstStatus.SUCCESS;
  }

  /** The stored bytes of a record (read from the storage; undefined if it failed or lost it). */
  private recordBytes(id: bigint): Uint8Array | undefined {
    try {
      const s = this.o.storage;
      return s.get ? s.get(id) : s.load().find((r) => r.id === id)?.bytes;
    } catch {
      return undefined;
    }
  }

  // ------------------------------------------------------------------ views and administration

  /** Record ids in slot order. */
  recordIds(): bigint[] {
    return this.slots.filter((x): x is bigint => x !== undefined);
  }

  get recordCount(): number {
    return this.index.size;
  }

  get capacity(): number {
    return this.o.capacity;
  }

  /** Clears a record outside the guest's protocol (REST DELETE); false when there is none. */
  adminClear(id: bigint): boolean {
    const hit = this.index.get(id);
    if (!hit) return false;
    this.o.storage.remove(id);
    this.beforeRecordsChange();
    this.slots[hit.slot] = undefined;
    this.index.delete(id);
    this.o.onChange?.({ kind: 'cleared', id });
    return true;
  }
}
