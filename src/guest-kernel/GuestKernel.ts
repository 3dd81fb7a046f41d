import type { SavedValues, SavesState } from '../binary/restore';
import type { GuestMemory } from '../guest-memory/GuestMemory';
import type { LinuxVersion, Personality } from '../vm/contract';
import { CRASH_MAGIC, CRASH_MESSAGE_MAX, CRASH_PAGE_SIZE, CRASH_REASON, CRASH_RECORD_MAX, CRASH_REGISTERS_SIZE, CrashReasonName } from '../device-model/crash/CrashRegisters';
import { VirtualClock } from './clock/VirtualClock';
import { KernelLog, LogLevel, LogRecord, printkLine } from './printk/KernelLog';
import { DEFAULT_RATELIMIT_BURST, GHES_PRINT_INTERVAL_NS, Ratelimit } from './printk/Ratelimit';
import { MemoryFailure } from './mm/MemoryFailure';
import { MemoryMap } from './mm/MemoryMap';
import { GhesDriver, GhesHooks, RecordContext, RenderedLine } from './ghes/GhesDriver';
import type { GhesDescriptor } from './ghes/GhesDescriptor';
import { discoverTables, FoundTable } from './acpi/TableDiscovery';
import { DEFAULT_WORKLOAD, INIT_TASK, SIGBUS, Task } from './tasks';
import { GUEST_LINUX_VERSIONS } from './linux-versions';
import { linuxHestWalk } from './acpi/hest-walk';
import { renderCheckedRecordLinux } from '../cper/text';
import type { EstatusHeader, EstatusSectionRef } from '../cper/text/estatus-check';
import { seiNoRecordLine, seiReadingLine } from './arch/seiLines';
import { bootErst, ErstBoot } from './apei/erst-boot';
import { esrClass, isRasSError, linuxSErrorVerdict, serrorAet, serrorPanicLine, SERROR_PANIC, ESR_EC_SERROR } from './arch/esr';

/**
 * The simulated guest kernel: a deterministic Linux-like arm64 kernel on a virtual clock.
 *
 * Boot (`boot(rsdpAddress)`): ACPI discovery (RSDP → XSDT → tables, ACPICA's banner lines), the
 * command line, Linux's HEST walk, GHES init with one probe per accepted source (pending records
 * are processed right away), "GHES: Failed to enable APEI firmware first mode." (QEMU has no WHEA
 * _OSC), and — when the probe sent SIGBUS to init — init's death when it enters user space.
 *
 * Exceptions and interrupts are taken one at a time from a bounded pending set (one SError slot
 * that coalesces to the most severe syndrome, one SEA slot, one HED flag, one bit per interrupt
 * line and SDEI event): a notification raised while the guest handles another stays pending and
 * is taken afterwards, never re-entering a handler, at any rate.
 *
 * Personalities: `linux` behaves like stock Linux (SEI sources refused at probe, SError decided by
 * the ESR alone); `apei-sei` accepts SEI sources and, for an SError whose syndrome is an
 * architected RAS error (IDS 0, DFSC 0x11, RAS CPU), reads every SEI source on the NMI-like path
 * first; the GHES record decides what happens; with no record the ESR decides as in Linux.
 */
export interface Costs {
  /** virtual time one console line takes */
  printkNs: bigint;
  /** exception entry and return */
  exceptionNs: bigint;
  /** when "HEST: Table parsing has been initialized." is printed */
  hestInitNs: bigint;
  /** from the end of GHES init until init runs in user space (delivers a pending SIGBUS) */
  initUserspaceNs: bigint;
}

export const DEFAULT_COSTS: Costs = {
  printkNs: 400_000n,
  exceptionNs: 2_000n,
  hestInitNs: 1_267_950_000n,
  initUserspaceNs: 5_000_000_000n,
};

/** The command line of the Linux 6.1 captures (shared/fixtures/linux-guest). */
export const DEFAULT_CMDLINE = 'console=ttyAMA0 acpi=force earlycon panic=-1 loglevel=8 initrd=initrd';

export interface HestWalk {
  /** the lines Linux prints while walking, in order (firmware warnings, then the init line) */
  messages: Array<{ level: LogLevel; text: string }>;
  /** false when the walk aborted (HEST disabled) */
  ok: boolean;
  /** accepted GHES/GHESv2 entries in table order */
  ghes: GhesDescriptor[];
}

export type HestWalker = (hest: Uint8Array) => HestWalk;
/**
 * Prints a record GHES read and checked. `header` and `sections` (the record's estatusSections
 * walk) are what the driver already read, for a renderer that can use them.
 */
export type RecordRenderer = (
  bytes: Uint8Array,
  opts: { version: LinuxVersion; sourceId: number; seq: number; fatal: boolean; header?: EstatusHeader; sections?: readonly EstatusSectionRef[] },
) => RenderedLine[];

export interface ExceptionContext {
  kind: 'serror' | 'sea' | 'hed' | 'irq' | 'sdei' | 'nmi' | 'boot' | 'poll';
  esr?: number;
  /** injection ids whose notification this is (coalesced SErrors carry several) */
  causes: string[];
  lines: string[];
  /** log sequence numbers of the first and last of `lines` (0 while there is none) */
  firstSeq?: number;
  lastSeq?: number;
  actions: string[];
  panicked: boolean;
}

export interface GuestHooks extends GhesHooks {
  log(r: LogRecord, line: string): void;
  exceptionDone(ctx: ExceptionContext): void;
  /** called after every top-level entry (the VM delivers queued records here) */
  afterEntry(): void;
  panic(reason: string): void;
}

export interface GuestKernelOptions {
  memory: GuestMemory;
  version: LinuxVersion;
  personality: Personality;
  rasExtension: boolean;
  /** Linux's HEST walk; default `linuxHestWalk` (src/hest walkHestLinux) */
  hestWalker?: HestWalker;
  /** the CPER record printer; default src/cper/text renderCheckedRecordLinux */
  renderer?: RecordRenderer;
  cmdline?: string;
  workload?: Task;
  /** pages the workload owns (memory failure recovers them); default none */
  userPages?: Array<{ base: bigint; size: bigint }>;
  logCapacity?: number;
  costs?: Partial<Costs>;
  /** guest address of the crash registers (the message page follows at +4 KiB); default RAM base + 0x8000 */
  crashRegisters?: bigint;
  hooks?: Partial<GuestHooks>;
  /** the real-time clock at boot, in seconds (ktime_get_real_seconds; pstore stamps records with it); default 1767225600 (2026-01-01) */
  realtimeSeconds?: bigint;
}

interface Pending {
  serror?: { esr: number; causes: string[] };
  sea?: { esr: number; causes: string[] };
  hed?: string[];
  irqs: Map<number, string[]>;
  sdei: Map<number, string[]>;
  nmi?: string[];
}

/** the optional slots of `Pending` (a restore point saves whether each is there, and its contents) */
const PENDING_SLOTS = ['serror', 'sea', 'hed', 'nmi'] as const;

/** Saves a pending SError or SEA that is there: the object (or undefined), its syndrome, its causes array and their contents. */
function pushException(s: SavedValues, v: Pending['serror']): void {
  s.push(true);
  s.push(v);
  if (v === undefined) return;
  s.push(v.esr);
  s.push(v.causes);
  s.pushArray(v.causes);
}

/** Saves a pending string list that is there: the array (or undefined) and its contents. */
function pushStrings(s: SavedValues, v: string[] | undefined): void {
  s.push(true);
  s.push(v);
  if (v !== undefined) s.pushArray(v);
}

/** Saves a Map of string arrays: its entries in order, each array object and its contents. */
function pushMapOfArrays(s: SavedValues, m: Map<number, string[]>): void {
  s.push(m.size);
  for (const [k, v] of m) {
    s.push(k);
    s.push(v);
    s.pushArray(v);
  }
}

function loadMapOfArrays(s: SavedValues, m: Map<number, string[]>): void {
  const n = s.next<number>();
  if (m.size > 0) m.clear();
  for (let i = 0; i < n; i++) {
    const k = s.next<number>();
    const v = s.next<string[]>();
    s.loadArray(v);
    m.set(k, v);
  }
}

const NO_HOOKS: GuestHooks = {
  pickup: () => undefined,
  acked: () => undefined,
  recordDone: () => undefined,
  log: () => undefined,
  exceptionDone: () => undefined,
  afterEntry: () => undefined,
  panic: () => undefined,
};

/** Most severe first: a non-RAS syndrome, then UC, UEU, UER, UEO, CE. */
function serrorRank(esr: number): number {
  if (esr & (1 << 24) || (esr & 0x3f) !== 0x11) return 6;
  return { 0: 5, 1: 4, 3: 3, 2: 2, 6: 1 }[serrorAet(esr)] ?? 5;
}

export class GuestKernel implements SavesState {
  readonly clock = new VirtualClock();
  readonly log: KernelLog;
  readonly memoryFailure: MemoryFailure;
  readonly memoryMap: MemoryMap;
  readonly ghes: GhesDriver;
  readonly version: LinuxVersion;
  readonly personality: Personality;
  readonly rasExtension: boolean;
  readonly cmdline: string;
  readonly crashRegisters: bigint;
  private readonly costs: Costs;
  private readonly memory: GuestMemory;
  private readonly opts: GuestKernelOptions;
  hooks: GuestHooks;
  private tables: FoundTable[] = [];
  private booted = false;
  private halt: { reason: string } | undefined;
  private task: Task;
  private readonly workload: Task;
  private initKillPending = false;
  private attributed: RecordContext | undefined;
  private exception: ExceptionContext | undefined;
  private readonly pending: Pending = { irqs: new Map(), sdei: new Map() };
  private running = false;
  /** the apei-sei SError lines are printk_ratelimited, one state per call site */
  private readonly rlSeiReading = new Ratelimit('sei_serror', GHES_PRINT_INTERVAL_NS, DEFAULT_RATELIMIT_BURST);
  private readonly rlSeiNoRecord = new Ratelimit('sei_serror_no_record', GHES_PRINT_INTERVAL_NS, DEFAULT_RATELIMIT_BURST);
  /** ERST driver, pstore backend and the /sys/fs/pstore listing of this boot (src/guest-kernel/apei) */
  erst: ErstBoot = { files: [] };
  /** SErrors folded into one pending SError (statistics for tests) */
  coalescedSErrors = 0;
  takenSErrors = 0;

  constructor(opts: GuestKernelOptions) {
    this.opts = opts;
    this.memory = opts.memory;
    this.version = opts.version;
    this.personality = opts.personality;
    this.rasExtension = opts.rasExtension;
    this.cmdline = opts.cmdline ?? DEFAULT_CMDLINE;
    this.costs = { ...DEFAULT_COSTS, ...opts.costs };
    this.log = new KernelLog(opts.logCapacity ?? 16384);
    this.hooks = { ...NO_HOOKS, ...opts.hooks };
    this.workload = opts.workload ?? DEFAULT_WORKLOAD;
    this.task = /(^|\s)driver_async_probe=(GHES|\*)(\s|$)/.test(this.cmdline) ? GUEST_LINUX_VERSIONS[this.version].probeKworker : INIT_TASK;
    this.memoryMap = new MemoryMap({ ram: this.memory.ramRegions, userPages: opts.userPages ?? [] });
    this.memoryFailure = new MemoryFailure(this.memoryMap, this.version);
    const ram = this.memory.ramRegions[0];
    this.crashRegisters = opts.crashRegisters ?? (ram ? ram.base + 0x8000n : 0x8000n);
    this.ghes = new GhesDriver(this.kernelServices(), this.memory);
  }

  // ------------------------------------------------------------------ state

  /**
   * A restore point of the whole guest (not of its memory, which the VM's point covers): clock
   * and timers, log ring, GHES driver (duplicate cache, ratelimits, record numbers, deferred
   * work), poisoned pages, ERST driver and pstore, pending exceptions, panic/halt state, the
   * current task, the apei-sei ratelimits and the counters.
   */
  saveState(s: SavedValues): void {
    s.push(this.tables);
    s.push(this.booted);
    s.push(this.halt);
    s.push(this.task);
    s.push(this.initKillPending);
    s.push(this.attributed);
    s.push(this.exception);
    s.push(this.running);
    s.push(this.erst);
    s.push(this.coalescedSErrors);
    s.push(this.takenSErrors);
    s.push(this.hooks);
    // the pending slots as they are (a slot taken is set to undefined, one never used is absent);
    // one by one with constant names: a keyed access by a variable name is a slow lookup
    const p = this.pending;
    if ('serror' in p) pushException(s, p.serror);
    else s.push(false);
    if ('sea' in p) pushException(s, p.sea);
    else s.push(false);
    if ('hed' in p) pushStrings(s, p.hed);
    else s.push(false);
    if ('nmi' in p) pushStrings(s, p.nmi);
    else s.push(false);
    pushMapOfArrays(s, p.irqs);
    pushMapOfArrays(s, p.sdei);
    this.clock.saveState(s);
    this.log.saveState(s);
    this.ghes.saveState(s);
    this.memoryFailure.saveState(s);
    this.rlSeiReading.saveState(s);
    this.rlSeiNoRecord.saveState(s);
    this.erst.driver?.saveState(s);
    this.erst.pstore?.saveState(s);
  }

  loadState(s: SavedValues): void {
    this.tables = s.next();
    this.booted = s.next();
    this.halt = s.next();
    this.task = s.next();
    this.initKillPending = s.next();
    this.attributed = s.next();
    this.exception = s.next();
    this.running = s.next();
    this.erst = s.next();
    this.coalescedSErrors = s.next();
    this.takenSErrors = s.next();
    this.hooks = s.next();
    const p = this.pending as unknown as Record<string, unknown>;
    for (const k of PENDING_SLOTS) {
      if (!s.next<boolean>()) {
        delete p[k];
        continue;
      }
      const v = s.next<string[] | { esr: number; causes: string[] } | undefined>();
      p[k] = v;
      if (v === undefined) continue;
      if (Array.isArray(v)) s.loadArray(v);
      else {
        v.esr = s.next();
        v.causes = s.next();
        s.loadArray(v.causes);
      }
    }
    loadMapOfArrays(s, this.pending.irqs);
    loadMapOfArrays(s, this.pending.sdei);
    this.clock.loadState(s);
    this.log.loadState(s);
    this.ghes.loadState(s);
    this.memoryFailure.loadState(s);
    this.rlSeiReading.loadState(s);
    this.rlSeiNoRecord.loadState(s);
    this.erst.driver?.loadState(s);
    this.erst.pstore?.loadState(s);
  }

  /** The point is released: the log ring and the duplicate cache close their marks. */
  releaseState(): void {
    this.log.releaseState();
    this.ghes.releaseState();
  }

  get halted(): boolean {
    return this.halt !== undefined;
  }

  get panicReason(): string | undefined {
    return this.halt?.reason;
  }

  get isBooted(): boolean {
    return this.booted;
  }

  get currentTask(): Task {
    return this.task;
  }

  get poisonedPages(): bigint[] {
    return [...this.memoryFailure.poisoned].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get foundTables(): FoundTable[] {
    return this.tables;
  }

  /** Sources that got a handler at probe, by id. */
  handledSources(): Set<number> {
    return new Set(this.ghes.sources.map((s) => s.sourceId));
  }

  // ------------------------------------------------------------------ printk

  printk(level: LogLevel, text: string): void {
    const r = this.log.append(this.clock.now(), level, text);
    const line = printkLine(r.ns, text);
    const ctx = this.attributed ?? this.exception;
    if (ctx) {
      ctx.lines.push(line);
      if (!ctx.firstSeq) ctx.firstSeq = r.seq;
      ctx.lastSeq = r.seq;
    }
    this.hooks.log(r, line);
    this.clock.spend(this.costs.printkNs);
  }

  /**
   * printk_ratelimited: at most 10 lines per 5 s of virtual time per call site, and
   * "<site>: N callbacks suppressed" when a window with misses closed (lib/ratelimit.c).
   */
  private printkRatelimited(rl: Ratelimit, level: LogLevel, text: string): void {
    const c = rl.check(this.clock.now());
    if (c.suppressed) this.printk('warning', `${rl.name}: ${c.suppressed} callbacks suppressed`);
    if (c.ok) this.printk(level, text);
  }

  // ------------------------------------------------------------------ boot

  /** Boots from the firmware hand-off. Call once; a reboot is a new GuestKernel on fresh memory. */
  boot(rsdpAddress: bigint): void {
    if (this.booted) throw new Error('the guest kernel is already booted');
    this.booted = true;
    this.claimCrashArea();
    const stamp = GUEST_LINUX_VERSIONS[this.version].acpicaStamp;
    const found = discoverTables(this.memory, rsdpAddress, stamp);
    this.tables = found.tables;
    const ctx: ExceptionContext = { kind: 'boot', causes: [], lines: [], firstSeq: 0, lastSeq: 0, actions: [], panicked: false };
    this.exception = ctx;
    this.running = true;
    try {
      for (const l of found.lines) this.printk(l.startsWith('ACPI BIOS Warning') || l.includes('Failed') ? 'warning' : 'info', l);
      this.printk('notice', `Kernel command line: ${this.cmdline}`);
      if (this.clock.now() < this.costs.hestInitNs) this.clock.spend(this.costs.hestInitNs - this.clock.now());
      const hest = found.tables.find((t) => t.signature === 'HEST');
      if (hest) {
        const walk = (this.opts.hestWalker ?? linuxHestWalk)(hest.bytes);
        for (const m of walk.messages) this.printk(m.level, m.text);
        if (walk.ok) {
          for (const d of walk.ghes) {
            if (this.halted) break;
            this.ghes.probe(d);
          }
        } else {
          this.printk('info', 'GHES: HEST is not enabled!');
        }
        if (walk.ok && !this.halted) this.printk('info', 'GHES: Failed to enable APEI firmware first mode.');
      }
      if (!this.halted) this.erst = this.bootErst(found.tables.find((t) => t.signature === 'ERST')?.bytes);
      if (!this.halted && this.initKillPending) {
        this.clock.spend(this.costs.initUserspaceNs);
        this.panic(`Attempted to kill init! exitcode=0x${SIGBUS.toString(16).padStart(8, '0')}`, 'init-killed', {});
      }
      this.task = this.workload;
    } finally {
      this.exception = undefined;
      this.running = false;
    }
    this.hooks.exceptionDone(ctx);
    this.hooks.afterEntry();
    this.run();
  }

  // ------------------------------------------------------------------ notifications

  /** A virtual SError with ESR_EL1 `esr` becomes pending (coalesced with one already pending). */
  raiseSError(esr: number, cause?: string): void {
    if (this.halted) return;
    const p = this.pending.serror;
    if (p) {
      this.coalescedSErrors++;
      if (serrorRank(esr) > serrorRank(p.esr)) p.esr = esr;
      if (cause) p.causes.push(cause);
    } else this.pending.serror = { esr, causes: cause ? [cause] : [] };
    this.run();
  }

  raiseSea(esr: number, cause?: string): void {
    if (this.halted) return;
    if (this.pending.sea) {
      if (cause) this.pending.sea.causes.push(cause);
    } else this.pending.sea = { esr, causes: cause ? [cause] : [] };
    this.run();
  }

  hedNotify(cause?: string): void {
    if (this.halted) return;
    (this.pending.hed ??= []).push(...(cause ? [cause] : []));
    this.run();
  }

  interrupt(gsi: number, cause?: string): void {
    if (this.halted) return;
    const l = this.pending.irqs.get(gsi) ?? [];
    if (cause) l.push(cause);
    this.pending.irqs.set(gsi, l);
    this.run();
  }

  sdeiEvent(event: number, cause?: string): void {
    if (this.halted) return;
    const l = this.pending.sdei.get(event) ?? [];
    if (cause) l.push(cause);
    this.pending.sdei.set(event, l);
    this.run();
  }

  nmi(cause?: string): void {
    if (this.halted) return;
    (this.pending.nmi ??= []).push(...(cause ? [cause] : []));
    this.run();
  }

  /** Advances the virtual clock; poll timers fire on the way. */
  advance(ns: bigint): void {
    this.clock.advance(ns, () => this.halted);
  }

  /** Takes pending exceptions and interrupts until none is left (never re-entered). */
  run(): void {
    if (this.running || !this.booted) return;
    this.running = true;
    try {
      for (;;) {
        if (this.halted) break;
        const took = this.takeOne();
        if (!took) break;
        this.hooks.afterEntry();
      }
    } finally {
      this.running = false;
    }
  }

  private takeOne(): boolean {
    const p = this.pending;
    if (p.sea) {
      const { esr, causes } = p.sea;
      p.sea = undefined;
      this.entry('sea', esr, causes, 0);
      return true;
    }
    if (p.serror) {
      const { esr, causes } = p.serror;
      p.serror = undefined;
      this.takenSErrors++;
      this.entry('serror', esr, causes, 0);
      return true;
    }
    for (const [event, causes] of p.sdei) {
      p.sdei.delete(event);
      this.entry('sdei', undefined, causes, event);
      return true;
    }
    if (p.hed) {
      const causes = p.hed;
      p.hed = undefined;
      this.entry('hed', undefined, causes, 0);
      return true;
    }
    for (const [gsi, causes] of p.irqs) {
      p.irqs.delete(gsi);
      this.entry('irq', undefined, causes, gsi);
      return true;
    }
    if (p.nmi) {
      const causes = p.nmi;
      p.nmi = undefined;
      this.entry('nmi', undefined, causes, 0);
      return true;
    }
    return false;
  }

  /**
   * One exception or interrupt taken: its context collects the lines and actions, then the VM
   * hears how it ended. `arg` is the SDEI event or the interrupt line. (A switch rather than a
   * handler closure: this runs once per notification.)
   */
  private entry(kind: 'sea' | 'serror' | 'sdei' | 'hed' | 'irq' | 'nmi', esr: number | undefined, causes: string[], arg: number): void {
    const ctx: ExceptionContext =
      esr === undefined
        ? { kind, causes, lines: [], firstSeq: 0, lastSeq: 0, actions: [], panicked: false }
        : { kind, esr, causes, lines: [], firstSeq: 0, lastSeq: 0, actions: [], panicked: false };
    const prev = this.exception;
    this.exception = ctx;
    this.clock.spend(this.costs.exceptionNs);
    try {
      switch (kind) {
        case 'sea':
          this.doSea(esr!);
          break;
        case 'serror':
          this.doSError(esr!);
          break;
        case 'sdei':
          if (!this.ghes.notifySdei(arg)) ctx.actions.push('ignored');
          break;
        case 'hed':
          if (!this.ghes.notifyHed()) ctx.actions.push('ignored');
          break;
        case 'irq':
          if (!this.ghes.notifyIrq(arg)) ctx.actions.push('ignored');
          break;
        case 'nmi':
          // arm64 has no APEI NMI: NMI sources were refused at probe, nothing handles it.
          ctx.actions.push('ignored');
          break;
      }
    } finally {
      this.exception = prev;
    }
    if (this.halted) ctx.panicked = true;
    this.hooks.exceptionDone(ctx);
  }

  /** A poll timer of a polled source fired. */
  private pollEntry(fire: () => void): void {
    if (this.halted) return;
    const wasRunning = this.running;
    this.running = true;
    try {
      const ctx: ExceptionContext = { kind: 'poll', causes: [], lines: [], firstSeq: 0, lastSeq: 0, actions: [], panicked: false };
      const prev = this.exception;
      this.exception = ctx;
      try {
        fire();
      } finally {
        this.exception = prev;
      }
      if (ctx.lines.length || this.halted) {
        ctx.panicked = this.halted;
        this.hooks.exceptionDone(ctx);
      }
      this.hooks.afterEntry();
    } finally {
      this.running = wasRunning;
    }
    this.run();
  }

  // ------------------------------------------------------------------ arm64 exceptions

  private doSError(esr: number): void {
    const ctx = this.exception!;
    if (esrClass(esr) !== ESR_EC_SERROR) {
      ctx.actions.push('ignored');
      return;
    }
    const digits = GUEST_LINUX_VERSIONS[this.version].esrDigits;
    if (this.personality === 'apei-sei' && isRasSError(esr, this.rasExtension)) {
      // our design's own lines (seiLines.ts): the syndrome before the SEI sources are read, and
      // a note when none of them held a record
      this.printkRatelimited(this.rlSeiReading, 'info', seiReadingLine(0, esr, digits));
      const claimed = this.ghes.notifySei();
      if (this.halted) return;
      if (claimed) {
        ctx.actions.push('ghes');
        return;
      }
      this.printkRatelimited(this.rlSeiNoRecord, 'warning', seiNoRecordLine(0, esr, digits, this.rasExtension));
    }
    if (linuxSErrorVerdict(esr, this.rasExtension) === 'silent') {
      ctx.actions.push('serror-silent');
      return;
    }
    this.printk('crit', serrorPanicLine(0, esr, digits));
    ctx.actions.push('panic');
    this.panic(SERROR_PANIC, 'serror', { esr });
  }

  /** do_sea: a user-mode abort asks APEI first; otherwise SIGBUS (user) or an oops (kernel). */
  private doSea(esr: number): void {
    const ctx = this.exception!;
    const fromUser = esrClass(esr) === 0x24 || esrClass(esr) === 0x20;
    if (fromUser) {
      const saved = this.task;
      if (this.ghes.notifySea()) {
        ctx.actions.push('ghes');
        return;
      }
      if (this.halted) return;
      ctx.actions.push('sigbus');
      this.sendSigbus(saved);
      return;
    }
    this.printk('emerg', `Internal error: synchronous external abort: ${(esr >>> 0).toString(16).padStart(16, '0')} [#1] SMP`);
    ctx.actions.push('oops');
    // oops_exit → kmsg_dump(KMSG_DUMP_OOPS): pstore keeps the log of an oops too
    this.erst.pstore?.dump('Oops');
  }

  // ------------------------------------------------------------------ panic and crash report

  panic(reason: string, code: CrashReasonName, extra: { esr?: number; record?: Uint8Array }): void {
    if (this.halted) return;
    this.printk('emerg', `Kernel panic - not syncing: ${reason}`);
    this.halt = { reason };
    this.pending.serror = undefined;
    this.pending.sea = undefined;
    this.pending.hed = undefined;
    this.pending.irqs.clear();
    this.pending.sdei.clear();
    this.pending.nmi = undefined;
    this.writeCrashRegisters(code, `Kernel panic - not syncing: ${reason}`, extra.esr, extra.record);
    // kmsg_dump(KMSG_DUMP_PANIC): the log so far, panic line included, goes to pstore (ERST)
    this.erst.pstore?.dump('Panic');
    this.hooks.panic(reason);
  }

  private claimCrashArea(): void {
    const base = this.crashRegisters;
    this.memory.claim({ base, size: BigInt(CRASH_REGISTERS_SIZE), owner: 'guest', name: 'crash registers', writers: ['guest'] });
    this.memory.claim({ base: base + 0x1000n, size: BigInt(CRASH_PAGE_SIZE), owner: 'guest', name: 'crash message page', writers: ['guest'] });
  }

  private writeCrashRegisters(code: CrashReasonName, message: string, esr?: number, record?: Uint8Array): void {
    const base = this.crashRegisters;
    const page = base + 0x1000n;
    const text = new TextEncoder().encode(message).subarray(0, CRASH_MESSAGE_MAX);
    this.memory.write(page, text, 'guest');
    const rec = record && record.length <= CRASH_RECORD_MAX ? record : undefined;
    if (rec) this.memory.write(page + BigInt(CRASH_MESSAGE_MAX), rec, 'guest');
    const regs = new Uint8Array(CRASH_REGISTERS_SIZE);
    const dv = new DataView(regs.buffer);
    dv.setUint32(0, CRASH_MAGIC, true);
    dv.setUint32(4, CRASH_REASON[code], true);
    dv.setBigUint64(8, BigInt(esr ?? 0), true);
    dv.setBigUint64(16, page, true);
    dv.setUint32(24, text.length, true);
    dv.setUint32(28, rec ? rec.length : 0, true);
    this.memory.write(base, regs, 'guest');
  }

  // ------------------------------------------------------------------ signals

  private sendSigbus(task: Task): void {
    if (task.kind === 'init') this.initKillPending = true;
    // kernel threads ignore SIGBUS; a user task without a handler dies (the workload is restarted)
  }

  private bootErst(table: Uint8Array | undefined): ErstBoot {
    const base = this.opts.realtimeSeconds ?? 1_767_225_600n;
    return bootErst(table, {
      memory: this.memory,
      version: this.version,
      cmdline: this.cmdline,
      printk: (level, text) => this.printk(level, text),
      delayNs: (ns) => this.clock.spend(ns),
      records: () => this.log.records(),
      realSeconds: () => base + this.clock.now() / 1_000_000_000n,
    });
  }

  private kernelServices() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get version() {
        return self.version;
      },
      get personality() {
        return self.personality;
      },
      printk: (level: LogLevel, text: string) => self.printk(level, text),
      now: () => self.clock.now(),
      halted: () => self.halted,
      panicTimeout: () => panicTimeoutOf(self.cmdline),
      // a fatal record read during an SError or SEA: the crash report keeps that exception's ESR
      panic: (reason: string, cause: { code: 'ghes-fatal'; record: Uint8Array }) => self.panic(reason, cause.code, { record: cause.record, esr: self.exception?.esr }),
      currentTask: () => self.task,
      sendSigbus: (task: Task) => self.sendSigbus(task),
      isRamPfn: (pfn: bigint) => self.memoryMap.isRam(pfn),
      pfnValid: (pfn: bigint) => self.memoryMap.pfnValid(pfn),
      get memoryFailure() {
        return self.memoryFailure;
      },
      render: (bytes: Uint8Array, o: { sourceId: number; seq: number; fatal: boolean; header?: EstatusHeader; sections?: readonly EstatusSectionRef[] }) =>
        (self.opts.renderer ?? defaultRenderer)(bytes, { version: self.version, sourceId: o.sourceId, seq: o.seq, fatal: o.fatal, header: o.header, sections: o.sections }),
      attribute: (ctx: RecordContext | undefined) => {
        self.attributed = ctx;
      },
      addPollTimer: (intervalMs: number, fire: () => void) => {
        const period = BigInt(intervalMs) * 1_000_000n;
        self.clock.addTimer(self.clock.now() + period, (at) => {
          self.pollEntry(fire);
          return at + period;
        });
      },
      get hooks() {
        return self.hooks;
      },
    };
  }
}

/**
 * src/cper/text's renderer. GHES hands it only records it read and checked (gate and
 * cper_estatus_check), exactly the bytes it copied, so renderStatusBlockLinux's own gate would
 * pass: the record is printed without that second check.
 */
export const defaultRenderer: RecordRenderer = (bytes, o) => renderCheckedRecordLinux(bytes, o);

/** `panic=N` on the command line; Linux's default panic_timeout is 0. */
export function panicTimeoutOf(cmdline: string): number {
  const m = /(?:^|\s)panic=(-?\d+)(?:\s|$)/.exec(cmdline);
  return m ? Number(m[1]) : 0;
}

