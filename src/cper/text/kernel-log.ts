/**
 * The pieces of printk that decide what a CPER line looks like on the console.
 *
 * Linux builds every hardware-error line as `<level marker>{<seq>}[Hardware Error]: <indent><text>`.
 * The level marker (KERN_SOH + one digit, two bytes) is not shown on the console, but it counts in
 * the length arithmetic of cper_print_bits (which wraps at 80 bytes *including* the prefix), so a
 * prefix here knows both its visible text and the byte length Linux sees.
 *
 * A line printed with pr_err/pr_info carries its own level; when its text also contains the
 * HW-error prefix (the CXL printer does `pr_info("%s agent_type…", pfx)`) printk keeps the FIRST
 * level marker, so such lines are `info` although the prefix was built for `err`/`warning`.
 */

/** Kernel log levels, KERN_EMERG (0) … KERN_DEBUG (7). */
export type LinuxLogLevel = 'emerg' | 'alert' | 'crit' | 'err' | 'warning' | 'notice' | 'info' | 'debug';

/** One console line: its log level and the exact text (no printk timestamp). */
export interface LinuxLine {
  level: LinuxLogLevel;
  text: string;
}

/** `HW_ERR` from include/linux/printk.h, with its trailing space. */
export const HW_ERR = '[Hardware Error]: ';
/** `FW_WARN`, with its trailing space. */
export const FW_WARN = '[Firmware Warn]: ';
/** `GHES_PFX` from drivers/acpi/apei/ghes.c. */
export const GHES_PFX = 'GHES: ';

/** Bytes of the invisible KERN_SOH level marker at the start of every prefix. */
const LEVEL_MARKER_BYTES = 2;

/**
 * A printk prefix as cper.c passes it down: level + `{seq}[Hardware Error]: ` + indentation.
 * Every nesting level in cper.c is `snprintf(newpfx, "%s ", pfx)`, i.e. one more space: `deeper()`.
 */
export class LinePrefix {
  constructor(
    readonly level: LinuxLogLevel,
    /** `{N}[Hardware Error]: ` */
    readonly head: string,
    /** spaces added by the nesting levels */
    readonly indent: string,
    /** false: the console text omits `head` (indentation stays) */
    readonly showHead: boolean,
  ) {
    this.text = showHead ? head + indent : indent;
  }

  /** What the console shows for this prefix (computed once: every line of the prefix starts with it). */
  readonly text: string;

  /** The record prefix built by __ghes_print_estatus. */
  static record(level: LinuxLogLevel, seq: number, showHead: boolean): LinePrefix {
    return new LinePrefix(level, `{${seq}}${HW_ERR}`, '', showHead);
  }

  /** `snprintf(newpfx, sizeof(newpfx), "%s ", pfx)` */
  deeper(): LinePrefix {
    return new LinePrefix(this.level, this.head, this.indent + ' ', this.showHead);
  }

  /** strlen() of the prefix as Linux holds it (level marker included, head always included). */
  get byteLength(): number {
    return LEVEL_MARKER_BYTES + this.head.length + this.indent.length;
  }
}

/** Collects console lines in order. Printers only append; nothing is ever rewritten. */
export class KernelLog {
  readonly lines: LinuxLine[] = [];

  /** `printk("%s<text>", pfx)`: the line takes the prefix's level. */
  print(pfx: LinePrefix, text: string): void {
    this.lines.push({ level: pfx.level, text: pfx.text + text });
  }

  /** `pr_<level>(<text>)`: a line with its own level and no HW-error prefix. */
  printLevel(level: LinuxLogLevel, text: string): void {
    this.lines.push({ level, text });
  }

  /** `pr_<level>("%s<text>", pfx)`: the first level marker (the call's own) wins. */
  printWithLevel(level: LinuxLogLevel, pfx: LinePrefix, text: string): void {
    this.lines.push({ level, text: pfx.text + text });
  }
}

/**
 * cper_print_bits: names of the set bits joined by ", ", starting a new line when the next name
 * would make the line (prefix included, as Linux measures it) longer than 80 bytes.
 */
export function printBits(log: KernelLog, pfx: LinePrefix, bits: number, names: readonly (string | undefined)[]): void {
  let line = '';
  let len = 0;
  for (let i = 0; i < names.length; i++) {
    if (!(bits & (1 << i))) continue;
    const name = names[i];
    if (name === undefined) continue;
    if (len && len + name.length + 2 > 80) {
      log.print(pfx, line);
      len = 0;
    }
    if (!len) {
      line = name;
      len = pfx.byteLength + name.length;
    } else {
      line += ', ' + name;
      len += 2 + name.length;
    }
  }
  if (len) log.print(pfx, line);
}

/** printf `%d` of a value held in a u32 (or narrower) field: the signed 32-bit reading. */
export function asInt32(v: number): number {
  return v | 0;
}

/** printf `%0<w>x` / `%0<w>llx` (lower case, zero padded to at least `width`). */
export function hex(v: number | bigint, width: number): string {
  return v.toString(16).padStart(width, '0');
}
