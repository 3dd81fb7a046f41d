import { RasgwError, RasgwErrorCode } from '../binary/errors';
import type { SavedValues, SavesState } from '../binary/restore';

/**
 * Guest physical memory: sparse, page-granular, bounded, with ownership of ranges.
 *
 * - Only RAM regions added with `addRam` exist; any access outside them fails with a typed error
 *   naming the address (never a crash, never a silent wrap).
 * - Pages are allocated on first non-zero write; an all-zero page is never stored, so a 128 KiB
 *   tables blob that is mostly padding costs only its non-zero pages.
 * - Ownership: `claim` gives a range to an owner and lists who may write it. Unclaimed RAM may be
 *   written by the firmware and the guest only. The device model can therefore write only what it
 *   was given (its error blocks and the ack registers it owns by protocol); guest-owned registers
 *   such as the crash registers are read-only to it.
 * - `transaction(fn)` journals every page touched by `fn` and undoes them all if `fn` throws: the
 *   mock firmware uses it to leave memory as it was after a failed loader script.
 * - restore points (`saveState`/`loadState`/`releaseState`, taken by the VM's point; nested,
 *   innermost first) keep, for every write while a point is open, the bytes it overwrote (or
 *   that it created the page), so the whole memory can go back to the point (src/binary/restore.ts):
 *   the cost follows the bytes written, not the size of the memory.
 */
export type MemoryActor = 'firmware' | 'device-model' | 'guest';

export interface OwnedRange {
  base: bigint;
  size: bigint;
  owner: MemoryActor;
  name: string;
  writers: ReadonlySet<MemoryActor>;
}

export class GuestMemoryError extends RasgwError {}

/**
 * A device register window (MMIO): register-sized accesses inside it reach the device's handler
 * instead of memory (the ERST device's ACTION/VALUE registers). Bulk reads and writes that touch
 * it are refused: registers are accessed one at a time, with their width.
 */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4 | 8): bigint;
  write(offset: number, size: 1 | 2 | 4 | 8, value: bigint, actor: MemoryActor): void;
}

export const PAGE_SIZE = 4096;
const PAGE_SHIFT = 12n;
const PAGE_MASK = BigInt(PAGE_SIZE - 1);

function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Addresses up to 2^52 are also handled as doubles on the hot paths: exact, and with a length
 * below 2^32 the end stays below 2^53, so page numbers, offsets and range checks need no bigint
 * arithmetic (each bigint operation allocates). Larger addresses take the bigint paths.
 */
const FAST_LIMIT = 1n << 52n;
const MAX_FAST_LENGTH = 0xffff_ffff;
/** 2^(8·size): the first value that does not fit in `size` bytes */
const UINT_LIMIT: Readonly<Record<number, bigint>> = { 1: 1n << 8n, 2: 1n << 16n, 4: 1n << 32n, 8: 1n << 64n };

function hex(a: bigint): string {
  return '0x' + a.toString(16);
}

/** the journal byte buffer kept between restore points (a larger one, from a big write, is dropped) */
const UNDO_BYTES_KEPT = 64 * 1024;

export class GuestMemory implements SavesState {
  private readonly pages = new Map<number, Uint8Array>();
  private readonly ram: Array<{ base: bigint; size: bigint }> = [];
  private readonly owned: OwnedRange[] = [];
  /** `ram` as doubles (base, end), for the fast range checks; rounding above 2^53 keeps the order */
  private ramFast: Array<{ base: number; end: number }> = [];
  /** per entry of `owned`: base and end as doubles (same rounding argument), and end as a bigint */
  private ownedFast: Array<{ base: number; end: number; endBig: bigint }> = [];
  /** page number and offset computed by `locate` (scratch, so no object per access) */
  private pn = 0;
  private po = 0;
  private journal: Map<number, Uint8Array | null> | null = null;
  /**
   * restore points: per write while a point is open, four numbers: page, offset, length and
   * where the bytes it overwrote are in `undoBytes` (length -1: the write created the page),
   * oldest first. Numbers and one byte buffer: no object per write.
   */
  private readonly undo: number[] = [];
  /**
   * entries of `undo` in use (4 numbers each); the array itself keeps its size once no point is
   * open (emptying it with `length = 0` would free its storage, regrown at the next point)
   */
  private undoLength = 0;
  /**
   * the overwritten bytes of the `undo` entries, back to back (`undoBytesLength` used); the buffer
   * is kept for the next points once none is open (dropped when it grew past UNDO_BYTES_KEPT)
   */
  private undoBytes = new Uint8Array(0);
  private undoBytesLength = 0;
  /** per open restore point, four numbers: `undo` length, `undoBytesLength`, claimed ranges, MMIO windows */
  private readonly undoMarks: number[] = [];
  /** `baseN` / `endN`: the window's bounds as doubles, for the fast no-overlap test (same rounding argument as `ramFast`) */
  private readonly mmio: Array<{ base: bigint; size: bigint; name: string; handler: MmioHandler; baseN: number; endN: number }> = [];

  /** Traps register accesses to `[base, base+size)` (inside RAM the firmware allocated) to `handler`. */
  mapMmio(base: bigint, size: bigint, name: string, handler: MmioHandler): void {
    this.check(base, Number(size));
    for (const m of this.mmio) if (base < m.base + m.size && m.base < base + size) this.fail('bad_reference', base, `MMIO window ${name} overlaps ${m.name}`);
    this.mmio.push({ base, size, name, handler, baseN: Number(base), endN: Number(base + size) });
  }

  /** The MMIO window an access falls in (refuses one that straddles its edge). */
  private mmioAt(addr: bigint, length: number): { base: bigint; name: string; handler: MmioHandler } | undefined {
    if (addr >= 0n && addr <= FAST_LIMIT && length >= 0 && length <= MAX_FAST_LENGTH) {
      // the common answer (no window touched) without bigint arithmetic
      const a = Number(addr);
      const e = a + length;
      let touches = false;
      for (let i = 0; i < this.mmio.length; i++) if (a < this.mmio[i].endN && this.mmio[i].baseN < e) touches = true;
      if (!touches) return undefined;
    }
    const end = addr + BigInt(length);
    for (const m of this.mmio) {
      if (addr < m.base + m.size && m.base < end) {
        if (addr < m.base || end > m.base + m.size) this.fail('bad_offset', addr, `${length}-byte access at ${hex(addr)} straddles the edge of MMIO window ${m.name}`);
        return m;
      }
    }
    return undefined;
  }

  private mmioBulk(addr: bigint, length: number): void {
    const m = this.mmioAt(addr, length);
    if (m) this.fail('protocol', addr, `MMIO window ${m.name} takes 1/2/4/8-byte register accesses, not a ${length}-byte block access`);
  }

  /** Adds a RAM region `[base, base+size)`; regions may not overlap. */
  addRam(base: bigint, size: bigint): this {
    if (size <= 0n || base < 0n || base + size > 1n << 64n) throw new RangeError('bad RAM region');
    for (const r of this.ram) {
      if (base < r.base + r.size && r.base < base + size) throw new RangeError(`RAM region ${hex(base)} overlaps ${hex(r.base)}`);
    }
    this.ram.push({ base, size });
    this.ram.sort((a, b) => (a.base < b.base ? -1 : 1));
    this.ramFast = this.ram.map((r) => ({ base: Number(r.base), end: Number(r.base + r.size) }));
    return this;
  }

  get ramRegions(): ReadonlyArray<{ base: bigint; size: bigint }> {
    return this.ram;
  }

  /** Bytes held in stored pages (for memory accounting). */
  get storedBytes(): number {
    return this.pages.size * PAGE_SIZE;
  }

  isRam(addr: bigint, length = 1): boolean {
    if (addr >= 0n && addr <= FAST_LIMIT && length >= 0 && length <= MAX_FAST_LENGTH) {
      const a = Number(addr);
      const e = a + length;
      for (let i = 0; i < this.ramFast.length; i++) {
        const r = this.ramFast[i];
        if (a >= r.base && e <= r.end) return true;
      }
      return false;
    }
    const end = addr + BigInt(length);
    for (let i = 0; i < this.ram.length; i++) {
      const r = this.ram[i];
      if (addr >= r.base && end <= r.base + r.size) return true;
    }
    return false;
  }

  private fail(code: RasgwErrorCode, addr: bigint, message: string): never {
    // Guest physical addresses may exceed 2^53, so the address goes in the path, not `offset`.
    throw new GuestMemoryError({ code, path: `guest[${hex(addr)}]`, message });
  }

  private check(addr: bigint, length: number): void {
    if (length < 0 || !Number.isInteger(length)) this.fail('bad_length', addr, `bad access length ${length}`);
    if (!this.isRam(addr, length)) {
      this.fail('bad_offset', addr, `${length}-byte access at ${hex(addr)} is outside guest RAM`);
    }
  }

  /** Gives `[base, base+size)` to `owner`; `writers` are the actors allowed to write it. */
  claim(range: { base: bigint; size: bigint; owner: MemoryActor; name: string; writers?: MemoryActor[] }): OwnedRange {
    this.check(range.base, Number(range.size));
    for (const o of this.owned) {
      if (range.base < o.base + o.size && o.base < range.base + range.size) {
        this.fail('bad_reference', range.base, `range ${range.name} overlaps ${o.name} owned by ${o.owner}`);
      }
    }
    const r: OwnedRange = {
      base: range.base,
      size: range.size,
      owner: range.owner,
      name: range.name,
      writers: new Set(range.writers ?? [range.owner]),
    };
    this.owned.push(r);
    this.syncOwnedFast();
    return r;
  }

  /** Releases every range owned by `owner` (for example the firmware's scratch, at hand-off). */
  releaseOwner(owner: MemoryActor): void {
    for (let i = this.owned.length - 1; i >= 0; i--) if (this.owned[i].owner === owner) this.owned.splice(i, 1);
    this.syncOwnedFast();
  }

  private syncOwnedFast(): void {
    this.ownedFast = this.owned.map((o) => ({ base: Number(o.base), end: Number(o.base + o.size), endBig: o.base + o.size }));
  }

  /** Page number and offset of `addr` into `pn` / `po`. */
  private locate(addr: bigint): void {
    if (addr >= 0n && addr <= FAST_LIMIT) {
      const a = Number(addr);
      this.pn = Math.floor(a / PAGE_SIZE);
      this.po = a - this.pn * PAGE_SIZE;
    } else {
      this.pn = Number(addr >> PAGE_SHIFT);
      this.po = Number(addr & PAGE_MASK);
    }
  }

  get ownedRanges(): readonly OwnedRange[] {
    return this.owned;
  }

  /** The owned range containing `addr`, if any. */
  ownerOf(addr: bigint): OwnedRange | undefined {
    for (let i = 0; i < this.owned.length; i++) if (addr >= this.owned[i].base && addr < this.ownedFast[i].endBig) return this.owned[i];
    return undefined;
  }

  private checkWrite(addr: bigint, length: number, actor: MemoryActor): void {
    // Common case: the write lies inside one owned range that lists the actor.
    if (addr >= 0n && addr <= FAST_LIMIT && length >= 0 && length <= MAX_FAST_LENGTH) {
      const a = Number(addr);
      const e = a + length;
      for (let i = 0; i < this.ownedFast.length; i++) {
        const f = this.ownedFast[i];
        if (a >= f.base && e <= f.end && this.owned[i].writers.has(actor)) return;
      }
    }
    const end = addr + BigInt(length);
    for (let i = 0; i < this.owned.length; i++) {
      const o = this.owned[i];
      if (addr >= o.base && end <= o.base + o.size && o.writers.has(actor)) return;
    }
    let covered = addr;
    // Every byte must be writable by `actor`: either inside a range that lists it, or unclaimed
    // RAM (writable by firmware and guest only).
    const ranges = this.owned.filter((o) => addr < o.base + o.size && o.base < end).sort((a, b) => (a.base < b.base ? -1 : 1));
    for (const o of ranges) {
      if (!o.writers.has(actor)) {
        this.fail('protocol', addr, `${actor} may not write ${o.name} (owned by ${o.owner}) at ${hex(o.base > addr ? o.base : addr)}`);
      }
      if (o.base > covered && actor === 'device-model') {
        this.fail('protocol', covered, `device-model may not write unowned guest RAM at ${hex(covered)}`);
      }
      covered = o.base + o.size;
    }
    if (covered < end && actor === 'device-model') {
      this.fail('protocol', covered, `device-model may not write unowned guest RAM at ${hex(covered)}`);
    }
  }

  read(addr: bigint, length: number): Uint8Array {
    this.check(addr, length);
    if (this.mmio.length !== 0) this.mmioBulk(addr, length);
    this.locate(addr);
    const first = this.pn;
    const firstOff = this.po;
    if (firstOff + length <= PAGE_SIZE) {
      const page = this.pages.get(first);
      return page ? page.slice(firstOff, firstOff + length) : new Uint8Array(length);
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = addr + BigInt(done);
      const pn = Number(a >> PAGE_SHIFT);
      const off = Number(a & PAGE_MASK);
      const n = Math.min(PAGE_SIZE - off, length - done);
      const page = this.pages.get(pn);
      if (page) out.set(page.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  write(addr: bigint, data: Uint8Array, actor: MemoryActor): void {
    this.check(addr, data.length);
    if (this.mmio.length !== 0) this.mmioBulk(addr, data.length);
    this.checkWrite(addr, data.length, actor);
    // Page numbers fit a double exactly (addresses < 2^64 → page numbers < 2^52).
    this.locate(addr);
    let pn = this.pn;
    let off = this.po;
    let done = 0;
    while (done < data.length) {
      const n = Math.min(PAGE_SIZE - off, data.length - done);
      const chunk = n === data.length ? data : data.subarray(done, done + n);
      let page = this.pages.get(pn);
      if (this.journal && !this.journal.has(pn)) this.journal.set(pn, page ? page.slice() : null);
      if (this.undoMarks.length !== 0 && page) this.saveUndo(pn, page, off, n);
      if (!page && !isAllZero(chunk)) {
        page = new Uint8Array(PAGE_SIZE);
        this.pages.set(pn, page);
        if (this.undoMarks.length !== 0) this.pushUndo(pn, 0, -1, 0);
      }
      if (page) page.set(chunk, off);
      done += n;
      pn += 1;
      off = 0;
    }
  }

  /**
   * For an access that stays inside one page: checks it, and returns the stored page (undefined
   * when the page is all zeros) with the offset in `po`. Null when the access crosses a page.
   */
  private inPage(addr: bigint, length: number): Uint8Array | undefined | null {
    this.locate(addr);
    if (this.po + length > PAGE_SIZE) return null;
    const pn = this.pn;
    const po = this.po;
    this.check(addr, length);
    this.po = po;
    return this.pages.get(pn);
  }

  readU16(addr: bigint): number {
    if (this.mmio.length !== 0) {
      const m = this.mmioAt(addr, 2);
      if (m) return Number(m.handler.read(Number(addr - m.base), 2) & 0xffffn);
    }
    const p = this.inPage(addr, 2);
    const b = p === null ? this.read(addr, 2) : p;
    if (!b) return 0;
    const o = p === null ? 0 : this.po;
    return b[o] | (b[o + 1] << 8);
  }

  readU32(addr: bigint): number {
    if (this.mmio.length !== 0) {
      const m = this.mmioAt(addr, 4);
      if (m) return Number(m.handler.read(Number(addr - m.base), 4) & 0xffff_ffffn);
    }
    const p = this.inPage(addr, 4);
    const b = p === null ? this.read(addr, 4) : p;
    if (!b) return 0;
    const o = p === null ? 0 : this.po;
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  }

  readU64(addr: bigint): bigint {
    if (this.mmio.length !== 0) {
      const m = this.mmioAt(addr, 8);
      if (m) return m.handler.read(Number(addr - m.base), 8);
    }
    const p = this.inPage(addr, 8);
    const b = p === null ? this.read(addr, 8) : p;
    if (!b) return 0n;
    const o = p === null ? 0 : this.po;
    const lo = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
    const hi = (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0;
    return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Reads an unsigned little-endian value of 1, 2, 4 or 8 bytes. */
  readUint(addr: bigint, size: 1 | 2 | 4 | 8): bigint {
    if (this.mmio.length !== 0) {
      const m = this.mmioAt(addr, size);
      if (m) return m.handler.read(Number(addr - m.base), size);
    }
    const b = this.read(addr, size);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  }

  writeUint(addr: bigint, size: 1 | 2 | 4 | 8, value: bigint, actor: MemoryActor): void {
    if (value < 0n || value >= UINT_LIMIT[size]) this.fail('out_of_range', addr, `${hex(value)} does not fit in ${size} byte(s)`);
    if (this.mmio.length !== 0) {
      const m = this.mmioAt(addr, size);
      if (m) {
        this.checkWrite(addr, size, actor);
        m.handler.write(Number(addr - m.base), size, value, actor);
        return;
      }
    }
    this.locate(addr);
    const off = this.po;
    const page = off + size <= PAGE_SIZE && !this.journal ? this.pages.get(this.pn) : undefined;
    if (page) {
      // Fast path: the page exists and the value stays inside it.
      this.check(addr, size);
      this.checkWrite(addr, size, actor);
      if (this.undoMarks.length !== 0) this.saveUndo(this.pn, page, off, size);
      // values below 2^53 split into 32-bit halves as doubles (exact), larger ones as bigints
      const small = value <= FAST_LIMIT;
      let lo = small ? Number(value) % 0x1_0000_0000 : Number(value & 0xffff_ffffn);
      let hi = size !== 8 ? 0 : small ? Math.floor(Number(value) / 0x1_0000_0000) : Number(value >> 32n);
      for (let i = 0; i < size; i++) {
        page[off + i] = i < 4 ? lo & 0xff : hi & 0xff;
        if (i < 4) lo >>>= 8;
        else hi >>>= 8;
      }
      return;
    }
    const b = new Uint8Array(size);
    let v = value;
    for (let i = 0; i < size; i++) {
      b[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    this.write(addr, b, actor);
  }

  writeU32(addr: bigint, value: number, actor: MemoryActor): void {
    this.writeUint(addr, 4, BigInt(value >>> 0), actor);
  }

  writeU64(addr: bigint, value: bigint, actor: MemoryActor): void {
    this.writeUint(addr, 8, value, actor);
  }

  /**
   * Runs `fn`; if it throws, every page it changed and every range it claimed is put back, then
   * the error is rethrown. Transactions do not nest.
   */
  transaction<T>(fn: () => T): T {
    if (this.journal) throw new Error('GuestMemory transactions do not nest');
    const journal = new Map<number, Uint8Array | null>();
    this.journal = journal;
    const ownedBefore = this.owned.length;
    try {
      const result = fn();
      this.journal = null;
      return result;
    } catch (e) {
      for (const [pn, old] of journal) {
        if (old) this.pages.set(pn, old);
        else this.pages.delete(pn);
      }
      this.owned.splice(ownedBefore);
      this.syncOwnedFast();
      this.journal = null;
      throw e;
    }
  }

  /**
   * A restore point of the whole memory (src/binary/restore.ts): opens a mark of the journal;
   * `loadState` puts back every page written since (and drops ranges claimed and MMIO windows
   * mapped since); `releaseState` keeps the writes. Marks nest and are used innermost first.
   */
  saveState(_s: SavedValues): void {
    this.undoMarks.push(this.undoLength, this.undoBytesLength, this.owned.length, this.mmio.length);
  }

  loadState(_s: SavedValues): void {
    const m = this.undoMarks;
    if (m.length === 0) throw new Error('restore points are used innermost first');
    const mmio = m.pop()!;
    const owned = m.pop()!;
    const bytes = m.pop()!;
    const at = m.pop()!;
    // newest first: each write's bytes go back, then the pages written ones created go
    const u = this.undo;
    for (let i = this.undoLength - 4; i >= at; i -= 4) {
      if (u[i + 2] < 0) this.pages.delete(u[i]);
      else this.pages.get(u[i])!.set(this.undoBytes.subarray(u[i + 3], u[i + 3] + u[i + 2]), u[i + 1]);
    }
    this.undoLength = at;
    this.undoBytesLength = bytes;
    if (this.owned.length > owned) {
      this.owned.splice(owned);
      this.syncOwnedFast();
    }
    this.mmio.length = Math.min(this.mmio.length, mmio);
    this.afterUndoMark();
  }

  releaseState(): void {
    // the entries stay for an outer point
    if (this.undoMarks.length === 0) throw new Error('restore points are used innermost first');
    // pops, not a length change: setting an array's length is a slow runtime call in V8
    this.undoMarks.pop();
    this.undoMarks.pop();
    this.undoMarks.pop();
    this.undoMarks.pop();
    this.afterUndoMark();
  }

  /** True while the journal holds nothing (no point open, or nothing written since the outermost one). */
  get journalEmpty(): boolean {
    return this.undoLength === 0 && this.undoBytesLength === 0;
  }

  private afterUndoMark(): void {
    if (this.undoMarks.length !== 0) return;
    // nothing can be undone any more: the journal is emptied (its byte buffer kept for the next point)
    this.undoLength = 0;
    this.undoBytesLength = 0;
    if (this.undoBytes.length > UNDO_BYTES_KEPT) {
      this.undoBytes = new Uint8Array(0);
      this.undo.length = 0;
    }
  }

  /** Journals the `n` bytes at `off` of page `pn` before a write overwrites them. */
  private saveUndo(pn: number, page: Uint8Array, off: number, n: number): void {
    const at = this.undoBytesLength;
    if (at + n > this.undoBytes.length) {
      const grown = new Uint8Array(Math.max(4096, 2 * (at + n)));
      grown.set(this.undoBytes.subarray(0, at));
      this.undoBytes = grown;
    }
    // a loop rather than set(subarray): the writes are small, and a subarray is an object each
    const b = this.undoBytes;
    for (let i = 0; i < n; i++) b[at + i] = page[off + i];
    this.undoBytesLength = at + n;
    this.pushUndo(pn, off, n, at);
  }

  private pushUndo(pn: number, off: number, n: number, at: number): void {
    const u = this.undo;
    const k = this.undoLength;
    u[k] = pn;
    u[k + 1] = off;
    u[k + 2] = n;
    u[k + 3] = at;
    this.undoLength = k + 4;
  }

  /** A copy of all stored pages (for tests that prove nothing changed). */
  snapshot(): Map<number, Uint8Array> {
    return new Map([...this.pages].map(([k, v]) => [k, v.slice()]));
  }
}
