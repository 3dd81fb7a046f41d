import { RestorePoint, UndoJournal } from '../../binary/restore';

/**
 * GHES's duplicate-record cache (ghes_estatus_cached / ghes_estatus_cache_add): 4 slots; a record
 * counts as already seen when a slot holds the same length and byte-identical contents (the whole
 * status block, block_status and raw data included) added less than 10 s ago (virtual clock).
 * A hit increments the slot's hit count. Adding picks an empty slot, else one older than 10 s,
 * else the slot with the largest age / (hits + 1).
 */
export const ESTATUS_CACHE_SLOTS = 4;
export const ESTATUS_IN_CACHE_MAX_NS = 10_000_000_000n;

interface Slot {
  bytes: Uint8Array;
  timeIn: bigint;
  /** timeIn + 10 s: the slot counts before this time */
  expires: bigint;
  hits: number;
}

/**
 * Byte-identical (memcmp). Compared from the end: records of one kind share their headers, and
 * distinct ones usually differ in the section body (addresses, counters), so a miss ends sooner.
 */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

export class EstatusCache {
  /** slot changes while a restore point is open */
  private readonly undo = new UndoJournal();

  /** A restore point of the slots (changes are journaled: a hit count, a slot taken or overwritten). */
  restorePoint(): RestorePoint {
    return this.undo.point();
  }

  private readonly slots: (Slot | undefined)[] = new Array(ESTATUS_CACHE_SLOTS);

  /** True if an identical record was added less than 10 s before `now` (counts a hit). */
  cached(bytes: Uint8Array, now: bigint): boolean {
    for (const s of this.slots) {
      if (!s) continue;
      if (now >= s.expires) continue;
      if (!sameBytes(s.bytes, bytes)) continue;
      if (this.undo.recording) {
        const hits = s.hits;
        this.undo.record(() => (s.hits = hits));
      }
      s.hits++;
      return true;
    }
    return false;
  }

  add(bytes: Uint8Array, now: bigint): void {
    let slot = -1;
    let maxPeriod = -1n;
    for (let i = 0; i < ESTATUS_CACHE_SLOTS; i++) {
      const s = this.slots[i];
      if (!s) {
        slot = i;
        break;
      }
      const duration = now - s.timeIn;
      if (duration >= ESTATUS_IN_CACHE_MAX_NS) {
        slot = i;
        break;
      }
      const period = duration / BigInt(s.hits + 1);
      if (period > maxPeriod) {
        maxPeriod = period;
        slot = i;
      }
    }
    if (slot < 0) return;
    const old = this.slots[slot];
    if (this.undo.recording) {
      // the slot as it was: its object, and (overwritten in place below) its fields and bytes
      const i = slot;
      const was = old && { bytes: old.bytes.slice(), timeIn: old.timeIn, expires: old.expires, hits: old.hits };
      this.undo.record(() => {
        if (old && was) {
          old.bytes.set(was.bytes);
          Object.assign(old, { timeIn: was.timeIn, expires: was.expires, hits: was.hits });
        }
        if (old) this.slots[i] = old;
        else delete this.slots[i];
      });
    }
    if (old && old.bytes.length === bytes.length) {
      // the evicted slot's copy has the right size: overwrite it instead of allocating another
      old.bytes.set(bytes);
      old.timeIn = now;
      old.expires = now + ESTATUS_IN_CACHE_MAX_NS;
      old.hits = 0;
    } else this.slots[slot] = { bytes: bytes.slice(), timeIn: now, expires: now + ESTATUS_IN_CACHE_MAX_NS, hits: 0 };
  }
}
