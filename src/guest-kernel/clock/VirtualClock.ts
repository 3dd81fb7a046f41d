/**
 * The guest's clock: nanoseconds since boot, moved only by the simulation (never wall time), so
 * the same inputs always give the same log. Work the guest does costs fixed virtual time (see
 * GuestKernelOptions.costs); `advance` moves it on and fires due timers in time order.
 */
import { RestorePoint, snapshotPoint } from '../../binary/restore';

export interface Timer {
  id: number;
  due: bigint;
  /** called when due; returns the next due time to re-arm, or undefined to stop */
  fire: (at: bigint) => bigint | undefined;
}

export class VirtualClock {
  private ns = 0n;
  private readonly timers = new Map<number, Timer>();
  private nextId = 1;

  /** A restore point: the time, the timers and their due times. */
  restorePoint(): RestorePoint {
    const ns = this.ns;
    const nextId = this.nextId;
    const timers = [...this.timers.values()].map((t) => ({ t, due: t.due }));
    return snapshotPoint(() => {
      this.ns = ns;
      this.nextId = nextId;
      this.timers.clear();
      for (const { t, due } of timers) {
        t.due = due;
        this.timers.set(t.id, t);
      }
    });
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
