import type { GuestMemory } from '../../guest-memory/GuestMemory';
import type { SavedValues, SavesState } from '../../binary/restore';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';
import type { BusyPolicy, RefusalCode } from '../../vm/contract';
import { LocatedBlock, LocatorConfig, isLocateFailure, locateBlock } from './BlockLocator';
import { RecordQueue } from './RecordQueue';

/**
 * The device model's half of the GHES protocol (QEMU's ghes_record_cper_errors), one record per
 * source at a time:
 *
 * 1. A record longer than the source's error block is refused with QEMU's text
 *    "GHES CPER record is too big: <len>" and the maximum; it is never truncated.
 * 2. The block and read-ack register are located as QEMU does (see BlockLocator).
 * 3. The read-ack register is read (8 bytes, as QEMU). 0 means the guest has not acknowledged the
 *    previous record ("busy"). GHES (type 9) sources have no read-ack register; for them a
 *    non-zero block_status word means busy (the guest clears it when it has consumed the record).
 *    Busy → the source's policy: `reject` answers with QEMU's text "OSPM does not acknowledge
 *    previous error, so can not record CPER for current error anymore"; `queue` keeps the record
 *    in a bounded FIFO (full → queue_full). A record never overtakes one already queued.
 * 4. Otherwise: write u64 0 to read-ack, write the record at the block address, notify.
 * 5. `pump()` (called by the VM after the guest ran) delivers queued records in order to every
 *    source whose read-ack is set again.
 *
 * The recorder writes guest memory only as 'device-model', so it can only touch the regions the
 * firmware gave it (error blocks and ack registers); guest-owned memory stays read-only to it.
 */
export interface RecordRequest {
  /** opaque id of the injection (reported back on delivery) */
  id: string;
  sourceId: number;
  bytes: Uint8Array;
}

export type RecordOutcome =
  | { state: 'delivered'; block: LocatedBlock }
  | { state: 'queued'; position: number }
  | { state: 'rejected'; code: RefusalCode; message: string; maxLength?: number };

export interface RecorderSourceConfig {
  sourceId: number;
  blockLength: number;
  busyPolicy: BusyPolicy;
  queueDepth: number;
}

export interface RecorderOptions {
  memory: GuestMemory;
  locator: LocatorConfig;
  sources: RecorderSourceConfig[];
  /** called after a record has been written into its block: raise the source's notification */
  onDelivered: (req: RecordRequest, block: LocatedBlock) => void;
}

export const QEMU_BUSY_TEXT = 'OSPM does not acknowledge previous error, so can not record CPER for current error anymore';

export function tooBigText(len: number): string {
  return `GHES CPER record is too big: ${len}`;
}

interface SourceSlot {
  cfg: RecorderSourceConfig;
  queue: RecordQueue<RecordRequest>;
}

export class Recorder implements SavesState {
  private readonly slots = new Map<number, SourceSlot>();
  /** sources whose queue is not empty: the only ones `pump` looks at */
  private readonly waiting = new Set<number>();
  private readonly memory: GuestMemory;
  private readonly locator: LocatorConfig;
  private readonly onDelivered: RecorderOptions['onDelivered'];
  private pumping = false;

  constructor(opts: RecorderOptions) {
    this.memory = opts.memory;
    this.locator = opts.locator;
    this.onDelivered = opts.onDelivered;
    for (const s of opts.sources) this.slots.set(s.sourceId, { cfg: s, queue: new RecordQueue(s.queueDepth) });
  }

  /** A restore point of the device model's queues (the blocks and ack registers are guest memory: the VM's point covers them). */
  saveState(s: SavedValues): void {
    for (const slot of this.slots.values()) slot.queue.saveState(s);
    s.pushSet(this.waiting);
    s.push(this.pumping);
  }

  loadState(s: SavedValues): void {
    for (const slot of this.slots.values()) slot.queue.loadState(s);
    s.loadSet(this.waiting);
    this.pumping = s.next();
  }

  queueLength(sourceId: number): number {
    return this.slots.get(sourceId)?.queue.length ?? 0;
  }

  queued(sourceId: number): RecordRequest[] {
    return this.slots.get(sourceId)?.queue.toArray() ?? [];
  }

  /** Records one status block for a source (see the class comment for the steps). */
  record(req: RecordRequest): RecordOutcome {
    const slot = this.slots.get(req.sourceId);
    if (!slot) return { state: 'rejected', code: 'no_such_source', message: `HEST: Source ${req.sourceId} not found.` };
    const len = req.bytes.length;
    if (len > slot.cfg.blockLength) {
      return { state: 'rejected', code: 'record_too_large', message: tooBigText(len), maxLength: slot.cfg.blockLength };
    }
    const where = locateBlock(this.memory, this.locator, req.sourceId);
    if (isLocateFailure(where)) return { state: 'rejected', code: where.code, message: where.message };
    if (slot.queue.length > 0 || this.busy(where)) {
      if (slot.cfg.busyPolicy === 'reject') return { state: 'rejected', code: 'source_busy', message: QEMU_BUSY_TEXT };
      if (!slot.queue.push(req)) {
        return {
          state: 'rejected',
          code: 'queue_full',
          message: `${QEMU_BUSY_TEXT}; the queue of source ${req.sourceId} is full (${slot.cfg.queueDepth} records)`,
        };
      }
      this.waiting.add(req.sourceId);
      return { state: 'queued', position: slot.queue.length };
    }
    const failure = this.write(where, req.bytes);
    if (failure) return { state: 'rejected', code: 'no_such_source', message: failure };
    this.onDelivered(req, where);
    return { state: 'delivered', block: where };
  }

  /**
   * Delivers queued records to every source whose previous record has been acknowledged, oldest
   * first, one per acknowledgement. Returns how many were delivered. Re-entrant calls (a
   * notification handler that acks synchronously) are folded into the running loop.
   */
  pump(): number {
    if (this.pumping || this.waiting.size === 0) return 0;
    this.pumping = true;
    let delivered = 0;
    try {
      let progress = true;
      while (progress && this.waiting.size > 0) {
        progress = false;
        for (const sourceId of [...this.waiting]) {
          const slot = this.slots.get(sourceId)!;
          const next = slot.queue.peek();
          if (!next) {
            this.waiting.delete(sourceId);
            continue;
          }
          const where = locateBlock(this.memory, this.locator, sourceId);
          if (isLocateFailure(where) || this.busy(where)) continue;
          if (this.write(where, next.bytes)) continue;
          slot.queue.shift();
          if (slot.queue.length === 0) this.waiting.delete(sourceId);
          delivered++;
          progress = true;
          this.onDelivered(next, where);
        }
      }
    } finally {
      this.pumping = false;
    }
    return delivered;
  }

  /** Drops every queued record (reboot); returns them so the caller can report them. */
  drop(): RecordRequest[] {
    const out: RecordRequest[] = [];
    for (const slot of this.slots.values()) out.push(...slot.queue.clear());
    this.waiting.clear();
    return out;
  }

  private busy(where: LocatedBlock): boolean {
    try {
      if (where.readAckAddress !== undefined) return this.memory.readU64(where.readAckAddress) === 0n;
      return this.memory.readU32(where.blockAddress) !== 0;
    } catch (e) {
      if (e instanceof GuestMemoryError) return true;
      throw e;
    }
  }

  /**
   * Writes 0 to read-ack, then the record. If the guest pointed the register somewhere the device
   * model may not write, nothing is changed and the reason is returned.
   */
  private write(where: LocatedBlock, bytes: Uint8Array): string | undefined {
    const refused = this.notWritable(where.blockAddress, bytes.length) ?? (where.readAckAddress !== undefined ? this.notWritable(where.readAckAddress, 8) : undefined);
    if (refused) return `can not write the Generic Error Status Block at 0x${where.blockAddress.toString(16)}: ${refused}`;
    if (where.readAckAddress !== undefined) this.memory.writeU64(where.readAckAddress, 0n, 'device-model');
    this.memory.write(where.blockAddress, bytes, 'device-model');
    return undefined;
  }

  /** Why the device model may not write `[addr, addr+len)`, or undefined when it may. */
  private notWritable(addr: bigint, len: number): string | undefined {
    const r = this.memory.ownerOf(addr);
    if (!r || !r.writers.has('device-model')) return `device-model may not write ${r ? `${r.name} (owned by ${r.owner})` : 'unowned guest RAM'} at 0x${addr.toString(16)}`;
    if (addr + BigInt(len) > r.base + r.size) return `the ${len}-byte write at 0x${addr.toString(16)} runs past ${r.name}`;
    return undefined;
  }

}
