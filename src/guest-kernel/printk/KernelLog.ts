/**
 * The guest's kernel log: a dmesg-like ring buffer of printk records. Each record keeps its
 * sequence number, virtual timestamp, level and text; `format` gives the console line
 * `[    1.270413] text` (seconds right-aligned in 5 columns, then microseconds, as printk).
 * The ring is bounded (oldest records are overwritten, as the kernel's log_buf); sequence
 * numbers keep counting so readers can ask for "everything after seq N".
 */
import type { SavedValues, SavesState } from '../../binary/restore';

export type LogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

export interface LogRecord {
  seq: number;
  ns: bigint;
  level: LogLevel;
  text: string;
}

/** printk's time prefix: `[%5lu.%06lu] `. */
export function printkTime(ns: bigint): string {
  if (splitExact(ns)) {
    if (splitSecs < 10_000_000) return fixedStamp(splitSecs, splitMicros).slice(0, -1);
    return secondsHead(splitSecs) + THREE_DIGITS[Math.floor(splitMicros / 1000)] + THREE_DIGITS[splitMicros % 1000] + ']';
  }
  const secs = ns / 1_000_000_000n;
  const micros = (ns % 1_000_000_000n) / 1000n;
  return `[${secs.toString().padStart(5, ' ')}.${micros.toString().padStart(6, '0')}]`;
}

/**
 * The console line of a record: `printkTime(ns) + ' ' + text`. The guest prints one per printk
 * and keeps it (the injection's outcome), so it is two strings: the stamp made in one piece,
 * joined to the text (which the log record already holds).
 */
export function printkLine(ns: bigint, text: string): string {
  if (splitExact(ns)) {
    if (splitSecs < 10_000_000) return fixedStamp(splitSecs, splitMicros) + text;
    return secondsHead(splitSecs) + THREE_DIGITS[Math.floor(splitMicros / 1000)] + THREE_DIGITS[splitMicros % 1000] + '] ' + text;
  }
  return `${printkTime(ns)} ${text}`;
}

const ZERO = 0x30;
const SPACE = 0x20;

/**
 * Char codes of `[%5lu.%06lu] `, one scratch array per seconds width (5, 6 or 7 digits: seconds
 * that `splitExact` gives stay below 9,007,200).
 */
const STAMP_CODES: number[][] = [5, 6, 7].map((width) => new Array<number>(width + 10).fill(SPACE));

/** `[%5lu.%06lu] ` for secs < 10^7, built as one flat string (no intermediate strings). */
function fixedStamp(secs: number, micros: number): string {
  const width = secs < 100000 ? 5 : secs < 1000000 ? 6 : 7;
  const c = STAMP_CODES[width - 5];
  c[0] = 0x5b;
  // right-aligned: the last column is always a digit, columns before the number are spaces
  let v = secs;
  for (let i = width; i >= 1; i--) {
    c[i] = i === width || v > 0 ? ZERO + (v % 10) : SPACE;
    v = Math.floor(v / 10);
  }
  c[width + 1] = 0x2e;
  let m = micros;
  for (let i = width + 7; i >= width + 2; i--) {
    c[i] = ZERO + (m % 10);
    m = Math.floor(m / 10);
  }
  c[width + 8] = 0x5d;
  c[width + 9] = SPACE;
  // explicit arguments: faster than fromCharCode.apply
  if (width === 5) return String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14]);
  if (width === 6) return String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15]);
  return String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[16]);
}

const MAX_EXACT_NS = BigInt(Number.MAX_SAFE_INTEGER);
const SPACES = ['', ' ', '  ', '   ', '    '];
/** 0..999 as three digits: the two halves of `%06lu` */
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** results of `splitExact` (module scratch: no object per call) */
let splitSecs = 0;
let splitMicros = 0;

/**
 * Seconds and microseconds of `ns` into splitSecs / splitMicros when the value is exact in a
 * double (up to 2^53 ns, 104 days): the division then allocates no bigints. False otherwise.
 */
function splitExact(ns: bigint): boolean {
  if (ns < 0n || ns > MAX_EXACT_NS) return false;
  const n = Number(ns);
  let secs = Math.floor(n / 1e9);
  let rest = n - secs * 1e9;
  // the quotient can round up to the next integer near 2^53: step back one second
  if (rest < 0) {
    secs -= 1;
    rest += 1e9;
  }
  splitSecs = secs;
  splitMicros = Math.floor(rest / 1000);
  return true;
}

/** `[%5lu.` of the last seconds value asked for (consecutive lines mostly share it) */
let headSecs = -1;
let head = '';

function secondsHead(secs: number): string {
  if (secs !== headSecs) {
    headSecs = secs;
    head = '[' + padSeconds(secs) + '.';
  }
  return head;
}

/** `%5lu`: right-aligned in 5 columns (longer numbers are printed whole). */
function padSeconds(secs: number): string {
  const t = String(secs);
  return t.length >= 5 ? t : SPACES[5 - t.length] + t;
}

export function formatLogRecord(r: LogRecord): string {
  return printkLine(r.ns, r.text);
}

export class KernelLog implements SavesState {
  /** grows to `capacity` as records arrive (an idle VM keeps only what it logged), then wraps */
  private readonly ring: LogRecord[] = [];
  private nextSeq = 1;
  private readonly listeners = new Set<(r: LogRecord) => void>();
  /**
   * records overwritten while a restore point is open, oldest first (a record's slot follows
   * from its seq; records themselves never change)
   */
  private readonly overwritten: Array<LogRecord | undefined> = [];
  /** records of `overwritten` in use (the array keeps its storage between points) */
  private overwrittenLength = 0;
  /** per open restore point, three numbers: next sequence number, ring length, `overwritten` length */
  private readonly marks: number[] = [];

  constructor(readonly capacity = 16384) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('log capacity must be a positive integer');
  }

  /** Sequence number of the last record written (0 when empty). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  append(ns: bigint, level: LogLevel, text: string): LogRecord {
    const r: LogRecord = { seq: this.nextSeq++, ns, level, text };
    const at = (r.seq - 1) % this.capacity;
    if (at === this.ring.length) this.ring.push(r);
    else {
      if (this.marks.length !== 0) this.overwritten[this.overwrittenLength++] = this.ring[at];
      this.ring[at] = r;
    }
    if (this.listeners.size > 0) for (const l of this.listeners) l(r);
    return r;
  }

  /** A restore point of the log (a mark): `loadState` drops records appended since and brings overwritten ones back. */
  saveState(_s: SavedValues): void {
    this.marks.push(this.nextSeq, this.ring.length, this.overwrittenLength);
  }

  loadState(_s: SavedValues): void {
    if (this.marks.length === 0) throw new Error('restore points are used innermost first');
    const overwritten = this.marks.pop()!;
    const length = this.marks.pop()!;
    const nextSeq = this.marks.pop()!;
    for (let i = this.overwrittenLength - 1; i >= overwritten; i--) {
      const old = this.overwritten[i]!;
      this.ring[(old.seq - 1) % this.capacity] = old;
    }
    this.forgetOverwritten(overwritten);
    this.nextSeq = nextSeq;
    this.ring.length = length;
  }

  releaseState(): void {
    if (this.marks.length === 0) throw new Error('restore points are used innermost first');
    // pops, not a length change: setting an array's length is a slow runtime call in V8
    this.marks.pop();
    this.marks.pop();
    this.marks.pop();
    // with no point open, nothing can be undone any more
    if (this.marks.length === 0) this.forgetOverwritten(0);
  }

  /** Drops the overwritten records from `at` on (their references too). */
  private forgetOverwritten(at: number): void {
    for (let i = at; i < this.overwrittenLength; i++) this.overwritten[i] = undefined;
    this.overwrittenLength = at;
  }

  /** Records with seq > sinceSeq that are still in the ring, oldest first. */
  records(sinceSeq = 0): LogRecord[] {
    const first = Math.max(sinceSeq + 1, this.nextSeq - this.capacity, 1);
    const out: LogRecord[] = [];
    for (let s = first; s < this.nextSeq; s++) out.push(this.ring[(s - 1) % this.capacity]);
    return out;
  }

  lines(sinceSeq = 0): string[] {
    return this.records(sinceSeq).map(formatLogRecord);
  }

  onRecord(listener: (r: LogRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
