/**
 * The guest's clock: nanoseconds since boot, moved only by the simulation (never wall time), so
 * the same inputs always give the same log. Work the guest does costs fixed virtual time (see
 * GuestKernelOptions.costs); `advance` moves it on and fires due timers in time order.
 */
import type { SavedValues, SavesState } from '../../binary/restore';

export interface Timer {
  id: number;
  due: bigint;
  /** called when due; returns the next due time to re-arm, or undefined to stop */
  fire: (at: bigint) => bigint | undefined;
}

export class VirtualClock implements SavesState {
  private ns = 0n;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  /** A restore point: the time, the timers and their due times. */
  saveState(s: SavedValues): void {
    s.push(this.ns);
    s.push(this.nextId);
    s.push(this.timers.size);
    for (const t of this.timers.values()) {
      s.push(t);
      s.push(t.due);
    }
  }

  loadState(s: SavedValues): void {
    this.ns = s.next();
    this.nextId = s.next();
    const n = s.next<number>();
    if (this.timers.size > 0) this.timers.clear();
    for (let i = 0; i < n; i++) {
      const t = s.next<Timer>();
      t.due = s.next();
      this.timers.set(t.id, t);
    }
  }

  now(): bigint {
    return this.ns;
  }

  /** Moves the clock forward by `ns` without firing timers (cost of work being done). */
  spend(ns: bigint): void {
    if (ns < 0n) throw new RangeError('time does not go backwards');
    this.ns += ns;
  }

  addTimer(due: bigint, fire: Timer['fire']): Timer {
    const t: Timer = { id: this.nextId++, due, fire };
    this.timers.set(t.id, t);
    return t;
  }

  cancel(t: Timer): void {
    this.timers.delete(t.id);
  }

  /** Re-arms a timer at a new due time. */
  reschedule(t: Timer, due: bigint): void {
    t.due = due;
    if (!this.timers.has(t.id)) this.timers.set(t.id, t);
  }

  /** The earliest timer due at or before `limit`, if any. */
  nextDue(limit: bigint): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (t.due <= limit && (!best || t.due < best.due || (t.due === best.due && t.id < best.id))) best = t;
    return best;
  }

  /**
   * Advances to `now + ns`, firing every timer due on the way in due order (a timer that fires
   * sets the clock to its due time first, unless work already pushed the clock past it).
   * `shouldStop` is checked between timers (a panicked guest stops running timers).
   */
  advance(ns: bigint, shouldStop: () => boolean = () => false): void {
    if (ns < 0n) throw new RangeError('time does not go backwards');
    const target = this.ns + ns;
    for (;;) {
      if (shouldStop()) break;
      const t = this.nextDue(target);
      if (!t) break;
      if (t.due > this.ns) this.ns = t.due;
      const next = t.fire(t.due);
      if (next === undefined) this.timers.delete(t.id);
      else t.due = next > t.due ? next : t.due + 1n;
    }
    if (target > this.ns) this.ns = target;
  }
}
