import { AET_NAMES, linuxSErrorVerdict, serrorAet } from './esr';

/**
 * The apei-sei personality's own console lines (stock Linux prints neither; the `linux`
 * personality never prints them). They follow the layout of arm64 Linux's SError message
 * (arch/arm64/kernel/traps.c, arm64_serror_panic: "SError Interrupt on CPU%d, code 0x%016lx -- %s")
 * behind an "SEI: " prefix, so a reader of a Linux log recognises them and can tell them apart:
 *
 *   SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources
 *     printed (KERN_INFO) when an SError whose syndrome is an architected RAS error arrives, before
 *     the guest reads its SEI sources;
 *   SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, no APEI SEI error record pending (AET UEO: survivable)
 *     printed (KERN_WARNING) when no SEI source held a record for it; the syndrome then decides as
 *     in stock Linux ("fatal": Linux's own SError panic line follows).
 *
 * Both are printk_ratelimited, as a kernel would print a per-exception message: at most 10 per
 * 5 s of virtual time each, then "sei_serror: N callbacks suppressed" (or
 * "sei_serror_no_record: …") when the next window opens. A storm of SErrors therefore does not
 * flood the log; the injection's `notification` carries the syndrome of every one of them.
 */
function code(esr: number, digits: 8 | 16): string {
  return '0x' + (esr >>> 0).toString(16).padStart(digits, '0');
}

function aetName(esr: number): string {
  return AET_NAMES[serrorAet(esr)] ?? `reserved ${serrorAet(esr)}`;
}

/** the last reading line built, by its inputs: an SError storm repeats one syndrome */
let lastReading: { cpu: number; esr: number; digits: number; line: string } | undefined;

export function seiReadingLine(cpu: number, esr: number, digits: 8 | 16): string {
  const last = lastReading;
  if (last && last.cpu === cpu && last.esr === esr && last.digits === digits) return last.line;
  const line = buildReadingLine(cpu, esr, digits);
  lastReading = { cpu, esr, digits, line };
  return line;
}

function buildReadingLine(cpu: number, esr: number, digits: 8 | 16): string {
  return `SEI: SError Interrupt on CPU${cpu}, code ${code(esr, digits)} -- SError, RAS syndrome (AET ${aetName(esr)}), reading APEI SEI error sources`;
}

export function seiNoRecordLine(cpu: number, esr: number, digits: 8 | 16, rasExtension: boolean): string {
  const verdict = linuxSErrorVerdict(esr, rasExtension) === 'silent' ? 'survivable' : 'fatal';
  return `SEI: SError Interrupt on CPU${cpu}, code ${code(esr, digits)} -- SError, no APEI SEI error record pending (AET ${aetName(esr)}: ${verdict})`;
}
