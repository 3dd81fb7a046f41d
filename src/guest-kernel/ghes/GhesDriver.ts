import type { SavedValues, SavesState } from '../../binary/restore';
import type { LinuxVersion, Personality } from '../../vm/contract';
import type { LogLevel } from '../printk/KernelLog';
import { DEFAULT_RATELIMIT_BURST, GHES_PRINT_BURST, GHES_PRINT_INTERVAL_NS, Ratelimit } from '../printk/Ratelimit';
import type { MemoryFailure } from '../mm/MemoryFailure';
import type { Task } from '../tasks';
import { GUEST_LINUX_VERSIONS, GuestLinuxVersion, aerNoDeviceLine, bdfText } from '../linux-versions';
import { checkCxlEvent, checkCxlProtocolError } from './cxl-checks';
import { armSectionLengthCheck } from './arm-section-length';
import { checkGarForMap } from '../apei/GenericAddress';
import { EstatusCache } from './EstatusCache';
import { EstatusHeader, EstatusSectionRef, estatusSections } from '../../cper/text/estatus-check';
import { GhesDescriptor, NOTIFY } from './GhesDescriptor';
import { GhesRead, GhesSource } from './GhesSource';
import { GHES_SEV, ghesSeverity } from './severity';
import {
  ARM_GUID,
  CXL_EVENT_GUIDS,
  CXL_PROTOCOL_GUID,
  PCIE_GUID,
  PCIE_VALID_AER_INFO,
  PCIE_VALID_DEVICE_ID,
  ARM_INFO_VALID_PA,
  ARM_TYPE_CACHE,
  MEMORY_GUID,
  MEM_VALID_PA,
  SECTION_FLAG_THRESHOLD_EXCEEDED,
  SectionView,
  armTypeNames,
  payloadEnd,
  sectionViews,
  u16At,
  u64At,
} from './sections';

/**
 * Linux's GHES driver (drivers/acpi/apei/ghes.c) for the simulated guest: probe per notification
 * type, the two processing paths, printing with ratelimit and duplicate cache, section handling
 * (memory failure, ARM cache errors, SIGBUS on synchronous sources) and the fatal path.
 *
 * IRQ-like path (ghes_proc: probe, poll timer, external IRQ, HED notify for GPIO/SCI/GSIV):
 *   read → refused: warn, clear + ack → fatal: panic → print unless cached (ratelimited) →
 *   section handling → clear + ack → deferred memory-failure work.
 * NMI-like path (SEA, SDEI, and SEI in the apei-sei personality): for every source: read → refused:
 *   warn, clear + ack → fatal: print what is queued, panic → clear + ack right after the copy →
 *   cached: dropped (claimed, no section handling) → queued. Then, in arrival order: section
 *   handling first, print unless cached; then deferred memory-failure work.
 */
export type MfFlags = 'action-required' | 'async' | 'soft-offline';

export interface RecordContext {
  sourceId: number;
  /** what the VM told us this record is (the injection id), asked at pickup */
  token?: string;
  bytes: Uint8Array;
  lines: string[];
  /** log sequence numbers of the first and last of `lines` (0 while there is none; set by the kernel's printk) */
  firstSeq?: number;
  lastSeq?: number;
  actions: string[];
  panicked: boolean;
}

export interface RenderedLine {
  level: LogLevel;
  text: string;
}

/** What the driver needs from the rest of the kernel. */
export interface GhesKernel {
  readonly version: LinuxVersion;
  readonly personality: Personality;
  printk(level: LogLevel, text: string): void;
  now(): bigint;
  halted(): boolean;
  /** panic_timeout from the command line (panic=N); 0 means "panic disabled" message */
  panicTimeout(): number;
  panic(reason: string, cause: { code: 'ghes-fatal'; record: Uint8Array }): void;
  currentTask(): Task;
  sendSigbus(task: Task, ctx: RecordContext | undefined): void;
  isRamPfn(pfn: bigint): boolean;
  /** pfn_valid: a struct page exists (RAM, or the memory section at physical 0) */
  pfnValid(pfn: bigint): boolean;
  readonly memoryFailure: MemoryFailure;
  /** prints a record this driver read and checked; `header` and `sections` are what it read of it */
  render(bytes: Uint8Array, opts: { sourceId: number; seq: number; fatal: boolean; header?: EstatusHeader; sections?: readonly EstatusSectionRef[] }): RenderedLine[];
  /** sets where printk lines are also collected (the record being handled) */
  attribute(ctx: RecordContext | undefined): void;
  addPollTimer(intervalMs: number, fire: () => void): void;
  hooks: GhesHooks;
}

export interface GhesHooks {
  /** a record was found in `sourceId`'s block; returns the injection id the VM knows it by */
  pickup(sourceId: number): string | undefined;
  /** the guest acknowledged `sourceId` (read-ack written, or block cleared for GHES) */
  acked(sourceId: number): void;
  /** the guest finished with one record */
  recordDone(ctx: RecordContext): void;
}

/** A record read on the NMI-like path, waiting for its section handling and printing. */
interface Spooled {
  src: GhesSource;
  ctx: RecordContext;
  sev: number;
  header: EstatusHeader;
  /** estatusSections of the record, walked once */
  sections: readonly EstatusSectionRef[];
}

interface Deferred {
  kind: 'queue' | 'task-work';
  pfn: bigint;
  flags: MfFlags;
  ctx: RecordContext;
  task?: Task;
}

/** aer_recover_queue's entry: aer_recover_work_func looks the device up later. */
interface AerRecovery {
  segment: number;
  bus: number;
  device: number;
  fn: number;
  ctx: RecordContext;
}

/** aer_recover_ring's size (AER_RECOVER_RING_SIZE) */
export const AER_RECOVER_RING_SIZE = 16;

/** memory_failure_queue's per-CPU kfifo size */
export const MEMORY_FAILURE_FIFO_SIZE = 16;

export class GhesDriver implements SavesState {
  readonly sources: GhesSource[] = [];
  /** by notification kind, for dispatch */
  private readonly byNotify = new Map<number, GhesSource[]>();
  private readonly cache = new EstatusCache();
  private readonly rlCorrected = new Ratelimit('ghes_print_estatus', GHES_PRINT_INTERVAL_NS, GHES_PRINT_BURST);
  private readonly rlUncorrected = new Ratelimit('ghes_print_estatus', GHES_PRINT_INTERVAL_NS, GHES_PRINT_BURST);
  private readonly warnLimits = new Map<string, Ratelimit>();
  private seq = 0;
  private deferred: Deferred[] = [];
  private aerRecovery: AerRecovery[] = [];
  private ctx: RecordContext | undefined;

  constructor(
    private readonly k: GhesKernel,
    private readonly memory: import('../../guest-memory/GuestMemory').GuestMemory,
  ) {}

  private get v(): GuestLinuxVersion {
    return GUEST_LINUX_VERSIONS[this.k.version];
  }

  /**
   * A restore point of the driver: duplicate cache, ratelimits, the record number, deferred work.
   * The sources and their dispatch lists are set by `probe`, which runs only while the guest
   * boots, before any point can be taken (a reboot is a new driver); GhesSource objects hold no
   * state of their own.
   */
  saveState(s: SavedValues): void {
    s.push(this.sources.length);
    s.push(this.seq);
    s.push(this.deferred);
    s.pushArray(this.deferred);
    s.push(this.aerRecovery);
    s.pushArray(this.aerRecovery);
    s.push(this.ctx);
    this.cache.saveState(s);
    this.rlCorrected.saveState(s);
    this.rlUncorrected.saveState(s);
    s.pushMap(this.warnLimits);
    for (const rl of this.warnLimits.values()) rl.saveState(s);
  }

  loadState(s: SavedValues): void {
    if (this.sources.length !== s.next<number>()) throw new Error('GHES sources changed under a restore point (probe runs only at boot)');
    this.seq = s.next();
    this.deferred = s.next();
    s.loadArray(this.deferred);
    this.aerRecovery = s.next();
    s.loadArray(this.aerRecovery);
    this.ctx = s.next();
    this.cache.loadState(s);
    this.rlCorrected.loadState(s);
    this.rlUncorrected.loadState(s);
    s.loadMap(this.warnLimits);
    for (const rl of this.warnLimits.values()) rl.loadState(s);
  }

  /** The point is released (the duplicate cache counts the points open). */
  releaseState(): void {
    this.cache.releaseState();
  }

  /** Sequence number of the last printed record ({N}). */
  get lastSeq(): number {
    return this.seq;
  }

  // ---------------------------------------------------------------- probe

  /** ghes_probe for one HEST entry; returns the source when a handler was installed. */
  probe(desc: GhesDescriptor): GhesSource | undefined {
    if (!desc.enabled) return undefined;
    const id = desc.sourceId;
    const t = desc.notify.type;
    switch (t) {
      case NOTIFY.POLLED:
      case NOTIFY.EXTERNAL:
      case NOTIFY.SCI:
      case NOTIFY.GSIV:
      case NOTIFY.GPIO:
      case NOTIFY.SEA:
      case NOTIFY.SDEI:
        break;
      case NOTIFY.NMI:
        this.k.printk('warning', `GHES: Generic hardware error source: ${id} notified via NMI interrupt is not supported!`);
        return undefined;
      case NOTIFY.LOCAL:
        this.k.printk('warning', `GHES: Generic hardware error source: ${id} notified via local interrupt is not supported!`);
        return undefined;
      default:
        // Linux has no GHES-over-SEI; only the apei-sei personality accepts it.
        if (t === NOTIFY.SEI && this.k.personality === 'apei-sei') break;
        this.k.printk('warning', `[Firmware Warn]: GHES: Unknown notification type: ${t} for generic hardware error source: ${id}`);
        return undefined;
    }
    if (desc.errorBlockLength < 20) {
      this.k.printk('warning', `[Firmware Bug]: GHES: Invalid error block length: ${desc.errorBlockLength} for generic hardware error source: ${id}`);
      return undefined;
    }
    if (desc.readAck) {
      const c = checkGarForMap(desc.readAck.register);
      if (!c.ok) {
        if (c.message) this.k.printk('warning', c.message);
        return undefined;
      }
    }
    const c = checkGarForMap(desc.errorStatusAddress);
    if (!c.ok) {
      if (c.message) this.k.printk('warning', c.message);
      return undefined;
    }
    if (desc.errorBlockLength > 65536) {
      this.k.printk('warning', `[Firmware Warn]: GHES: Error status block length is too long: ${desc.errorBlockLength} for generic hardware error source: ${id}.`);
    }
    const src = new GhesSource(desc, this.memory);
    this.sources.push(src);
    const list = this.byNotify.get(t) ?? [];
    list.push(src);
    this.byNotify.set(t, list);
    if (t === NOTIFY.POLLED) {
      if (desc.notify.pollIntervalMs === 0) {
        this.k.printk('warning', `[Firmware Warn]: GHES: Poll interval is 0 for generic hardware error source: ${id}, disabled.`);
      } else {
        this.k.addPollTimer(desc.notify.pollIntervalMs, () => this.proc(src));
      }
    }
    // "Handle any pending errors right away"
    this.proc(src);
    return src;
  }

  sourcesFor(notifyType: number): GhesSource[] {
    return this.byNotify.get(notifyType) ?? [];
  }

  // ---------------------------------------------------------------- notifications

  /** HED notify (GPIO/SCI/GSIV sources, ghes_notify_hed): every such source, IRQ-like. */
  notifyHed(): boolean {
    let handled = false;
    for (const t of [NOTIFY.SCI, NOTIFY.GSIV, NOTIFY.GPIO]) for (const s of this.sourcesFor(t)) if (this.proc(s)) handled = true;
    return handled;
  }

  /** External interrupt on `gsi`: the sources whose vector is that GSI (shared "GHES IRQ"). */
  notifyIrq(gsi: number): boolean {
    let handled = false;
    for (const s of this.sourcesFor(NOTIFY.EXTERNAL)) if (s.desc.notify.vector === gsi && this.proc(s)) handled = true;
    return handled;
  }

  /** ghes_notify_sea: every SEA source, NMI-like, synchronous. */
  notifySea(): boolean {
    return this.spool(this.sourcesFor(NOTIFY.SEA), true);
  }

  /** SDEI event: the SDEI sources registered for it, NMI-like. */
  notifySdei(event: number): boolean {
    return this.spool(
      this.sourcesFor(NOTIFY.SDEI).filter((s) => s.desc.notify.vector === event),
      false,
    );
  }

  /** apei-sei personality: an SError with a RAS syndrome reads every SEI source, NMI-like. */
  notifySei(): boolean {
    return this.spool(this.sourcesFor(NOTIFY.SEI), false);
  }

  // ---------------------------------------------------------------- IRQ-like path

  /** ghes_proc. Returns whether a record was processed. */
  proc(src: GhesSource): boolean {
    if (this.k.halted()) return false;
    const r = src.read();
    const ctx = this.pickup(src, r);
    if (!ctx || r.kind === 'nothing' || r.kind === 'unreadable') return false;
    this.withCtx(ctx, () => {
      if (r.kind === 'refused') {
        this.warnRatelimited(r.message);
        ctx.actions.push('rejected');
        this.clearAndAck(src, r.blockAddress);
        return;
      }
      if (r.kind !== 'record') return;
      const sev = ghesSeverity(r.header.errorSeverity);
      if (sev >= GHES_SEV.PANIC) {
        this.ghesPanic(src, ctx, r.blockAddress);
        return;
      }
      // the section walk, once for the printer and the section handling
      const sections = estatusSections(r.bytes, r.header);
      if (!this.cache.cached(r.bytes, this.k.now())) {
        if (this.printEstatus(src, r.bytes, sev, false, r.header, sections)) this.cache.add(r.bytes, this.k.now());
      } else ctx.actions.push('duplicate');
      this.doProc(src, ctx, sev, src.desc.notify.type === NOTIFY.SEA, sections);
      this.clearAndAck(src, r.blockAddress);
    });
    this.runDeferred();
    this.finish(ctx);
    return r.kind === 'record';
  }

  // ---------------------------------------------------------------- NMI-like path

  private spool(sources: GhesSource[], sync: boolean): boolean {
    if (this.k.halted()) return false;
    const queued: Spooled[] = [];
    const done: RecordContext[] = [];
    let claimed = false;
    for (const src of sources) {
      const r = src.read();
      const ctx = this.pickup(src, r);
      if (!ctx || r.kind === 'nothing' || r.kind === 'unreadable') continue;
      if (r.kind === 'refused') {
        this.withCtx(ctx, () => {
          this.warnRatelimited(r.message);
          ctx.actions.push('rejected');
          this.clearAndAck(src, r.blockAddress);
        });
        done.push(ctx);
        continue;
      }
      if (r.kind !== 'record') continue;
      const sev = ghesSeverity(r.header.errorSeverity);
      if (sev >= GHES_SEV.PANIC) {
        // ghes_print_queued_estatus: what is already spooled is printed before the panic
        for (const q of queued) this.withCtx(q.ctx, () => this.printEstatus(q.src, q.ctx.bytes, q.sev, true, q.header, q.sections));
        this.withCtx(ctx, () => this.ghesPanic(src, ctx, r.blockAddress));
        for (const q of queued) this.finish(q.ctx);
        for (const d of done) this.finish(d);
        this.finish(ctx);
        return true;
      }
      const prev = this.enter(ctx);
      try {
        this.clearAndAck(src, r.blockAddress);
      } finally {
        this.leave(prev);
      }
      claimed = true;
      if (this.cache.cached(r.bytes, this.k.now())) {
        ctx.actions.push('duplicate');
        done.push(ctx);
        continue;
      }
      // the section walk, once for the section handling and the printer
      queued.push({ src, ctx, sev, header: r.header, sections: estatusSections(r.bytes, r.header) });
    }
    // ghes_proc_in_irq, in arrival order
    for (const q of queued) {
      if (this.k.halted()) break;
      const prev = this.enter(q.ctx);
      try {
        this.doProc(q.src, q.ctx, q.sev, sync, q.sections);
        if (!this.cache.cached(q.ctx.bytes, this.k.now())) {
          if (this.printEstatus(q.src, q.ctx.bytes, q.sev, false, q.header, q.sections)) this.cache.add(q.ctx.bytes, this.k.now());
        }
      } finally {
        this.leave(prev);
      }
    }
    this.runDeferred();
    for (const d of done) this.finish(d);
    for (const q of queued) this.finish(q.ctx);
    return claimed;
  }

  // ---------------------------------------------------------------- pieces

  private pickup(src: GhesSource, r: GhesRead): RecordContext | undefined {
    if (r.kind === 'unreadable') {
      this.warnRatelimited(r.message);
      return undefined;
    }
    if (r.kind === 'nothing') return undefined;
    const bytes = r.kind === 'record' ? r.bytes : new Uint8Array(0);
    return { sourceId: src.sourceId, token: this.k.hooks.pickup(src.sourceId), bytes, lines: [], firstSeq: 0, lastSeq: 0, actions: [], panicked: false };
  }

  private withCtx(ctx: RecordContext, fn: () => void): void {
    const prev = this.enter(ctx);
    try {
      fn();
    } finally {
      this.leave(prev);
    }
  }

  /** Attributes printk lines to `ctx` (the record being handled); returns the previous one for `leave`. */
  private enter(ctx: RecordContext): RecordContext | undefined {
    const prev = this.ctx;
    this.ctx = ctx;
    this.k.attribute(ctx);
    return prev;
  }

  private leave(prev: RecordContext | undefined): void {
    this.ctx = prev;
    this.k.attribute(prev);
  }

  private finish(ctx: RecordContext): void {
    this.k.hooks.recordDone(ctx);
  }

  private clearAndAck(src: GhesSource, blockAddress: bigint): void {
    src.clearAndAck(blockAddress);
    this.k.hooks.acked(src.sourceId);
  }

  /** A ratelimited firmware warning (printk_ratelimited: 10 per 5 s per message site). */
  private warnRatelimited(text: string, site = text.replace(/[0-9a-fx]+/g, '#'), level: LogLevel = 'warning'): void {
    let rl = this.warnLimits.get(site);
    if (!rl) {
      rl = new Ratelimit(site, GHES_PRINT_INTERVAL_NS, DEFAULT_RATELIMIT_BURST);
      this.warnLimits.set(site, rl);
    }
    if (rl.check(this.k.now()).ok) this.k.printk(level, text);
  }

  /** ghes_print_estatus: ratelimited per class (corrected / uncorrected); numbered when printed. */
  private printEstatus(src: GhesSource, bytes: Uint8Array, sev: number, unlimited: boolean, header: EstatusHeader, sections: readonly EstatusSectionRef[]): boolean {
    if (!unlimited) {
      const rl = sev <= GHES_SEV.CORRECTED ? this.rlCorrected : this.rlUncorrected;
      const c = rl.check(this.k.now());
      if (c.suppressed) this.k.printk('warning', `ghes_print_estatus: ${c.suppressed} callbacks suppressed`);
      if (!c.ok) {
        this.ctx?.actions.push('ratelimited');
        return false;
      }
    }
    this.seq++;
    const lines = this.k.render(bytes, { sourceId: src.sourceId, seq: this.seq, fatal: false, header, sections });
    for (let i = 0; i < lines.length; i++) this.k.printk(lines[i].level, lines[i].text);
    this.ctx?.actions.push('logged');
    return true;
  }

  /** __ghes_panic: print at EMERG (no ratelimit, no cache), clear + ack, panic. */
  private ghesPanic(src: GhesSource, ctx: RecordContext, blockAddress: bigint): void {
    this.seq++;
    for (const l of this.k.render(ctx.bytes, { sourceId: src.sourceId, seq: this.seq, fatal: true })) this.k.printk(l.level, l.text);
    ctx.actions.push('logged');
    this.clearAndAck(src, blockAddress);
    if (this.k.panicTimeout() === 0) this.k.printk('emerg', 'GHES: Fatal hardware error but panic disabled');
    ctx.actions.push('panic');
    ctx.panicked = true;
    this.k.panic('GHES: Fatal hardware error', { code: 'ghes-fatal', record: ctx.bytes });
  }

  /**
   * ghes_do_proc: per-section handling in section order (memory failure, AER recovery, ARM
   * processor errors, the CXL checks of the versions that have them); `queued` is the last
   * memory/ARM section's answer, as in Linux. SIGBUS for a synchronous source when nothing was
   * queued.
   */
  private doProc(src: GhesSource, ctx: RecordContext, sev: number, sync: boolean, sections: readonly EstatusSectionRef[]): void {
    let queued = false;
    for (const s of sectionViews(ctx.bytes, sections)) {
      const secSev = ghesSeverity(s.severity);
      if (s.guid === MEMORY_GUID) queued = this.handleMemory(ctx, s, sev, secSev, sync);
      else if (s.guid === PCIE_GUID) this.handleAer(ctx, s);
      else if (s.guid === ARM_GUID) queued = this.handleArm(ctx, s, sev, secSev, sync);
      else if (s.guid === CXL_PROTOCOL_GUID) {
        if (this.v.cxlProtocolChecks) for (const l of checkCxlProtocolError(ctx.bytes, s)) this.warnRatelimited(l.text, l.site, l.level);
      } else if (CXL_EVENT_GUIDS.has(s.guid)) {
        if (this.v.cxlEventChecks) for (const l of checkCxlEvent(ctx.bytes, s)) this.k.printk(l.level, l.text);
      }
    }
    if (sync && !queued) {
      const task = this.k.currentTask();
      this.k.printk('err', this.v.sigbusLine(src.sourceId, task.comm, task.pid));
      ctx.actions.push('sigbus');
      this.k.sendSigbus(task, ctx);
    }
  }

  /**
   * ghes_handle_aer: a PCIe section with a valid device id and AER information is queued for
   * aer_recover_work_func (any severity). The simulated guest has no PCI devices, so the work
   * finds none and says so (text per version).
   */
  private handleAer(ctx: RecordContext, s: SectionView): void {
    const b = ctx.bytes;
    const p = s.payloadOffset;
    if (p + 40 > b.length) return;
    const valid = u64At(b, p);
    if ((valid & PCIE_VALID_DEVICE_ID) === 0n || (valid & PCIE_VALID_AER_INFO) === 0n) return;
    // struct cper_sec_pcie device_id: function @31, device @32, segment u16 @33, bus @35
    const entry = { segment: u16At(b, p + 33), bus: b[p + 35], device: b[p + 32], fn: b[p + 31], ctx };
    if (this.aerRecovery.length >= AER_RECOVER_RING_SIZE) {
      // aer_recover_queue: the kfifo is full, the entry is dropped with this line
      this.k.printk('err', `AER: buffer overflow in recovery for ${bdfText(entry.segment, entry.bus, entry.device, entry.fn)}`);
      return;
    }
    this.aerRecovery.push(entry);
  }

  /** ghes_handle_memory_failure */
  private handleMemory(ctx: RecordContext, s: SectionView, sev: number, secSev: number, sync: boolean): boolean {
    const b = ctx.bytes;
    if (payloadEnd(b, s) < s.payloadOffset + 24) return false;
    if ((u64At(b, s.payloadOffset) & MEM_VALID_PA) === 0n) return false;
    const pa = u64At(b, s.payloadOffset + 16);
    let flags: MfFlags | undefined;
    if (secSev === GHES_SEV.CORRECTED && s.flags & SECTION_FLAG_THRESHOLD_EXCEEDED) flags = 'soft-offline';
    if (sev === GHES_SEV.RECOVERABLE && secSev === GHES_SEV.RECOVERABLE) flags = sync ? 'action-required' : 'async';
    if (!flags) return false;
    return this.doMemoryFailure(ctx, pa, flags);
  }

  /**
   * ghes_handle_arm_hw_error (with the 2026 bounds fix): sections shorter than the 40-byte header
   * are refused with three firmware-bug lines; only a recoverable block with a recoverable section
   * is acted on; error-information entries are walked by their own length byte while at least 32
   * bytes remain (remaining starts at error_data_length − 8, Linux's pointer-size slip, so the walk
   * may reach into the next bytes of the record, never past them here).
   */
  private handleArm(ctx: RecordContext, s: SectionView, sev: number, secSev: number, sync: boolean): boolean {
    const b = ctx.bytes;
    if (s.errorDataLength < 40) {
      this.k.printk('warning', `[Firmware Bug]: arm error length: ${s.errorDataLength}`);
      this.k.printk('warning', '[Firmware Bug]: length is too small');
      this.k.printk('warning', '[Firmware Bug]: firmware-generated error record is incorrect');
      return false;
    }
    // log_arm_hw_error (7.3.4): section_length against the structures it claims to hold
    if (this.v.armSectionLengthWarning) for (const l of armSectionLengthCheck(b, s)) this.k.printk('warning', l);
    if (sev !== GHES_SEV.RECOVERABLE || secSev !== GHES_SEV.RECOVERABLE) return false;
    if (s.payloadOffset + 40 > b.length) return false;
    const count = u16At(b, s.payloadOffset + 4);
    const flags: MfFlags = sync ? 'action-required' : 'async';
    let p = s.payloadOffset + 40;
    let remaining = s.errorDataLength - 8;
    let queued = false;
    for (let i = 0; i < count; i++) {
      if (remaining < 32 || p + 32 > b.length) break;
      const length = b[p + 1];
      if (length > remaining) break;
      const type = b[p + 4];
      const valid = u16At(b, p + 2);
      if (type & ARM_TYPE_CACHE && valid & ARM_INFO_VALID_PA) {
        queued = this.doMemoryFailure(ctx, u64At(b, p + 24), flags);
      } else {
        this.warnRatelimited(`[Firmware Warn]: GHES: Unhandled processor error type 0x${type.toString(16).padStart(2, '0')}: ${armTypeNames(type)}`, `arm-unhandled`);
      }
      p += length;
      remaining -= length;
    }
    return queued;
  }

  /** ghes_do_memory_failure: pfn check (6.1), task work for a user task, else memory_failure_queue. */
  private doMemoryFailure(ctx: RecordContext, pa: bigint, flags: MfFlags): boolean {
    const pfn = pa >> 12n;
    if (this.v.ghesChecksPfnValid && !this.k.pfnValid(pfn)) {
      this.warnRatelimited(`[Firmware Warn]: GHES: Invalid address in generic error data: 0x${pa.toString(16)}`, 'invalid-address');
      return false;
    }
    const task = this.k.currentTask();
    if (flags === 'action-required' && task.hasMm) {
      this.deferred.push({ kind: 'task-work', pfn, flags, ctx, task });
      return true;
    }
    if (this.deferred.filter((d) => d.kind === 'queue').length >= MEMORY_FAILURE_FIFO_SIZE) {
      this.k.printk('err', `Memory failure: buffer overflow when queuing memory failure at 0x${pfn.toString(16)}`);
      return true;
    }
    this.deferred.push({ kind: 'queue', pfn, flags, ctx });
    return true;
  }

  /** memory_failure_work_func, the task work run on return to user space, aer_recover_work_func. */
  private runDeferred(): void {
    while ((this.deferred.length || this.aerRecovery.length) && !this.k.halted()) {
      const aer = this.aerRecovery;
      this.aerRecovery = [];
      for (const a of aer) {
        this.withCtx(a.ctx, () => {
          const line = aerNoDeviceLine(this.v, a.segment, a.bus, a.device, a.fn);
          // pr_err before the ratelimiting series, pr_err_ratelimited after it
          if (this.v.aerNoDevice === 'no-pci_dev-found') this.warnRatelimited(line, 'aer-no-pci-dev', 'err');
          else this.k.printk('err', line);
          a.ctx.actions.push('aer-no-device');
        });
      }
      const work = this.deferred;
      this.deferred = [];
      for (const d of work) {
        if (this.k.halted()) break;
        this.withCtx(d.ctx, () => {
          if (d.flags === 'soft-offline') {
            this.k.memoryFailure.poisoned.add(d.pfn);
            d.ctx.actions.push('soft-offline');
            return;
          }
          const out = this.k.memoryFailure.run(d.pfn, d.kind === 'task-work' ? d.task : undefined);
          for (const l of out.lines) this.k.printk('err', l);
          d.ctx.actions.push('memory-failure');
          if (out.killed) {
            d.ctx.actions.push('sigbus');
            this.k.sendSigbus(out.killed, d.ctx);
          }
          if (d.kind === 'task-work' && d.task && (out.result === 'ignored' || out.result === 'invalid')) {
            this.k.printk('err', `0x${d.pfn.toString(16)}: Sending SIGBUS to ${d.task.comm}:${d.task.pid} due to hardware memory corruption`);
            d.ctx.actions.push('sigbus');
            this.k.sendSigbus(d.task, d.ctx);
          }
        });
      }
    }
  }
}
