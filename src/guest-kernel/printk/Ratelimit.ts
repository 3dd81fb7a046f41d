/**
 * lib/ratelimit.c on the virtual clock: at most `burst` callers pass per `intervalNs` window.
 * The window opens at the first call; a call after the window has ended opens a new one and, if
 * calls were suppressed in the old window, reports how many (the caller logs
 * "<name>: <n> callbacks suppressed" at KERN_WARNING, as ___ratelimit does).
 */
import type { SavedValues, SavesState } from '../../binary/restore';

export class Ratelimit implements SavesState {
  private begin: bigint | undefined;
  private printed = 0;
  private missed = 0;

  constructor(
    readonly name: string,
    readonly intervalNs: bigint,
    readonly burst: number,
  ) {}

  saveState(s: SavedValues): void {
    s.push(this.begin);
    s.push(this.printed);
    s.push(this.missed);
  }

  loadState(s: SavedValues): void {
    this.begin = s.next();
    this.printed = s.next();
    this.missed = s.next();
  }

  /** Whether this call may go ahead (the window ends strictly after begin + interval, as
   * time_is_before_jiffies); `suppressed` is set when a window with misses just closed. */
  check(now: bigint): { ok: boolean; suppressed: number } {
    let suppressed = 0;
    if (this.begin === undefined) this.begin = now;
    if (now - this.begin > this.intervalNs) {
      suppressed = this.missed;
      this.begin = now;
      this.printed = 0;
      this.missed = 0;
    }
    if (this.printed < this.burst) {
      this.printed++;
      return { ok: true, suppressed };
    }
    this.missed++;
    return { ok: false, suppressed };
  }
}

/** Linux's DEFAULT_RATELIMIT_INTERVAL (5 s) and GHES's burst of 2 for printing records. */
export const GHES_PRINT_INTERVAL_NS = 5_000_000_000n;
export const GHES_PRINT_BURST = 2;
/** printk_ratelimited default: 10 per 5 s per call site. */
export const DEFAULT_RATELIMIT_BURST = 10;
