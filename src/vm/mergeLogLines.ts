/**
 * Merges two runs of printk lines ("[    1.234567] text"), each already in log order, into log
 * order by their timestamps. An injection's outcome joins the lines of its record (printed while
 * the record was attributed to it) with the lines of the exception that carried it (printed
 * before and after the record, e.g. the apei-sei SError line); both come from one log, and every
 * console line advances the virtual clock, so the timestamps order them. On equal stamps the
 * first run's line goes first.
 */
function stamp(line: string): number {
  const fast = plainStamp(line);
  if (fast >= 0) return fast;
  const m = STAMP.exec(line);
  return m ? Number(m[1]) * 1e6 + Number(m[2]) : Number.NaN;
}

const STAMP = /^\[\s*(\d+)\.(\d{6})\]/;

/**
 * The stamp of a line as printk writes it ("[", spaces, 1 to 15 digits, ".", 6 digits, "]"),
 * read character by character (no match objects: this runs for every injection whose exception
 * printed lines); -1 for any other shape, which the regular expression then decides.
 */
function plainStamp(line: string): number {
  if (line.charCodeAt(0) !== 0x5b) return -1;
  let i = 1;
  while (line.charCodeAt(i) === 0x20) i++;
  let secs = 0;
  const first = i;
  for (let c = line.charCodeAt(i); c >= 0x30 && c <= 0x39; c = line.charCodeAt(++i)) secs = secs * 10 + (c - 0x30);
  if (i === first || i - first > 15 || line.charCodeAt(i) !== 0x2e) return -1;
  let micros = 0;
  for (let k = 1; k <= 6; k++) {
    const c = line.charCodeAt(i + k);
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    micros = micros * 10 + (c - 0x30);
  }
  if (line.charCodeAt(i + 7) !== 0x5d) return -1;
  return secs * 1e6 + micros;
}

export function mergeLogLines(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  // the common cases, with four stamps read: one run wholly before the other
  const a0 = stamp(a[0]);
  const bLast = stamp(b[b.length - 1]);
  if (bLast < a0) return [...b, ...a];
  const aLast = stamp(a[a.length - 1]);
  const b0 = stamp(b[0]);
  if (aLast <= b0) return [...a, ...b];
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const sb = stamp(b[j]);
    // a line without a stamp keeps its place after the run it came with
    if (Number.isNaN(sb) || stamp(a[i]) <= sb) out.push(a[i++]);
    else out.push(b[j++]);
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}
