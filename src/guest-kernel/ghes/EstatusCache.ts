import type { SavedValues, SavesState } from '../../binary/restore';

/**
 * GHES's duplicate-record cache (ghes_estatus_cached / ghes_estatus_cache_add): 4 slots; a record
 * counts as already seen when a slot holds the same length and byte-identical contents (the whole
 * status block, block_status and raw data included) added less than 10 s ago (virtual clock).
 * A hit increments the slot's hit count. Adding picks an empty slot, else one older than 10 s,
 * else the slot with the largest age / (hits + 1).
 */
export const ESTATUS_CACHE_SLOTS = 4;
export const ESTATUS_IN_CACHE_MAX_NS = 10_000_000_000n;
/** record bytes of spare slot objects kept for reuse (see EstatusCache.spare) */
const SPARE_BYTES_KEPT = 64 * 1024;

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

export class EstatusCache implements SavesState {
  private readonly slots: (Slot | undefined)[] = new Array(ESTATUS_CACHE_SLOTS);
  /**
   * restore points open: while one is, a slot object is never overwritten in place (a new one
   * takes the slot), so a point need only keep the slot objects and their hit counts
   */
  private pointsOpen = 0;
  /**
   * Slot objects taken out of `slots` while a point was open (a point may still hold them), and
   * spare ones nobody holds (reused by `add`: a typed array of a record's size is allocated
   * outside the JS heap, which costs more than the copy). Scratch, not state.
   */
  private evicted: Slot[] = [];
  private readonly spare: Slot[] = [];
  private spareBytes = 0;

  /** A restore point of the slots: which object is in each, and its hit count (the only field changed in place under a point). */
  saveState(s: SavedValues): void {
    this.pointsOpen++;
    for (let i = 0; i < ESTATUS_CACHE_SLOTS; i++) {
      const slot = this.slots[i];
      s.push(slot);
      s.push(slot ? slot.hits : 0);
    }
  }

  loadState(s: SavedValues): void {
    if (this.pointsOpen === 0) throw new Error('restore points are used innermost first');
    this.pointsOpen--;
    // some evicted slots are back in `slots`: none is reused (the others are left to the GC)
    if (this.evicted.length !== 0) this.evicted = [];
    for (let i = 0; i < ESTATUS_CACHE_SLOTS; i++) {
      const slot = s.next<Slot | undefined>();
      const hits = s.next<number>();
      if (slot) {
        slot.hits = hits;
        this.slots[i] = slot;
      } else delete this.slots[i];
    }
  }

  releaseState(): void {
    if (this.pointsOpen === 0) throw new Error('restore points are used innermost first');
    this.pointsOpen--;
    // no point holds the evicted slots any more: they become spares
    if (this.pointsOpen === 0 && this.evicted.length !== 0) {
      for (const slot of this.evicted) this.keepSpare(slot);
      this.evicted = [];
    }
  }

  /** Keeps a slot object nobody holds for reuse, up to SPARE_BYTES_KEPT bytes of records. */
  private keepSpare(slot: Slot): void {
    if (this.spareBytes + slot.bytes.length > SPARE_BYTES_KEPT) return;
    this.spare.push(slot);
    this.spareBytes += slot.bytes.length;
  }

  /** A spare slot object whose bytes have `length`, or undefined. */
  private takeSpare(length: number): Slot | undefined {
    const spare = this.spare;
    for (let i = spare.length - 1; i >= 0; i--) {
      const slot = spare[i];
      if (slot.bytes.length !== length) continue;
      spare[i] = spare[spare.length - 1];
      spare.pop();
      this.spareBytes -= length;
      return slot;
    }
    return undefined;
  }

  /** True if an identical record was added less than 10 s before `now` (counts a hit). */
  cached(bytes: Uint8Array, now: bigint): boolean {
    for (const s of this.slots) {
      if (!s) continue;
      if (now >= s.expires) continue;
      if (!sameBytes(s.bytes, bytes)) continue;
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
    let s: Slot | undefined;
    if (this.pointsOpen === 0) {
      // the evicted slot's copy has the right size: overwrite it instead of allocating another
      if (old && old.bytes.length === bytes.length) s = old;
      else if (old) this.keepSpare(old);
    } else if (old) {
      // not while a restore point is open: the point keeps the old object as it is
      this.evicted.push(old);
    }
    s ??= this.takeSpare(bytes.length);
    if (s) {
      s.bytes.set(bytes);
      s.timeIn = now;
      s.expires = now + ESTATUS_IN_CACHE_MAX_NS;
      s.hits = 0;
      this.slots[slot] = s;
    } else this.slots[slot] = { bytes: bytes.slice(), timeIn: now, expires: now + ESTATUS_IN_CACHE_MAX_NS, hits: 0 };
  }
}
