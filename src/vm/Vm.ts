import { randomUUID } from 'crypto';
import { GuestMemory } from '../guest-memory/GuestMemory';
import { RasgwError } from '../binary/errors';
import { RestorePoint, SavedPoints, SavedValues, SavesStateWithRelease, UndoJournal } from '../binary/restore';
import { readU32LE } from '../binary/le';
import { bootMachine, BootedMachine, createMachineMemory } from '../device-model/boot';
import { Recorder, RecordRequest } from '../device-model/recorder/Recorder';
import { LocatorConfig } from '../device-model/recorder/BlockLocator';
import { Notifier, NotificationSink } from '../device-model/notify/Notifier';
import { checkSerrorIss } from '../device-model/notify/syndrome';
import { readCrashReport } from '../device-model/crash/CrashRegisters';
import { notificationView, withCarried } from './notificationView';
import { mergeLogLines } from './mergeLogLines';
import { GuestKernel, Costs, ExceptionContext } from '../guest-kernel/GuestKernel';
import type { RecordContext } from '../guest-kernel/ghes/GhesDriver';
import type { Task } from '../guest-kernel/tasks';
import { formatLogRecord } from '../guest-kernel/printk/KernelLog';
import { encodeStatusBlock, parseStatusBlockJson, safeDecodeStatusBlock, statusBlockToJson } from '../cper';
import { FwCfgFileName } from '../fw-cfg';
import { attachErst, ErstAttachment, erstRtcFloor } from '../device-model/erst/attachErst';
import { ErstStorage, MemoryErstStorage } from '../device-model/erst/ErstStorage';
import type {
  CrashReport,
  GuestOutcome,
  InjectionPayload,
  InjectionState,
  InjectionStatus,
  InjectionTarget,
  Loss,
  Refusal,
  SourceState,
  VirtualMachine,
  VmEvent,
  VmSpec,
  VmStateView,
} from './contract';

/**
 * One virtual machine: guest memory + the booted machine (fw_cfg, firmware hand-off, RAS layout)
 * + the device model (recorder, notifier) + the simulated guest kernel, all on one virtual clock.
 *
 * `inject` is synchronous: the record is encoded, recorded (or queued/refused), the notification
 * raised and the guest runs until it has nothing pending; the returned status already says what
 * the guest did. Queued records are delivered in order as soon as the guest acknowledges (after
 * each guest entry, and during `advance` for polled sources). Every status change and every guest
 * log line is also emitted as a VmEvent, in order.
 */
export interface VmOptions {
  /**
   * records placed into the blocks before the guest kernel probes (found "pending at probe"); a
   * record longer than its error block is cut at the block's end, as the block would hold it
   */
  beforeProbe?: Array<{ sourceId: number; bytes: Uint8Array }>;
  /** guest kernel command line (default: the Linux 6.1 captures' line) */
  cmdline?: string;
  costs?: Partial<Costs>;
  logCapacity?: number;
  workload?: Task;
  /**
   * how many finished (acknowledged or rejected) injections `injection(id)` still remembers
   * (default 4096); injections in flight are always remembered. The gateway uses a small value:
   * its store keeps every injection.
   */
  retainInjections?: number;
  /** where this VM's ERST records live (default: in memory, kept across reboots of this object) */
  erstStorage?: (vmId: string) => ErstStorage;
  /** the wall clock in seconds the guest's real-time clock starts from (default Date.now()) */
  wallSeconds?: () => bigint;
}

const DEFAULT_RETAIN = 4096;

/** the target of an injection given none (shared: the VM only reads targets) */
const NO_TARGET: InjectionTarget = Object.freeze({});

/** `bytes` of an injection before its record is encoded (length 0: nothing can change it) */
const NO_BYTES = new Uint8Array(0);

interface Tracked {
  status: InjectionStatus;
  target: InjectionTarget;
  /** log sequence numbers of the first and last line of its record (0: none), from recordDone */
  recordFirstSeq: number;
  recordLastSeq: number;
  /**
   * the restore point (UndoJournal.current) it was created under, and the one it was last
   * journaled under: its changes need no journal entry under either (see Vm.touch)
   */
  born: number;
  journaled: number;
}

/** A record's actions, then those of the exception that carried it that it does not have yet ('ghes' — the exception found a record — adds nothing). */
// Undo steps of the VM's journal (UndoJournal.recordCall: functions defined once, no closure per change)
function forgetInjection(injections: Map<string, Tracked>, id: string): void {
  injections.delete(id);
}

function setInjection(injections: Map<string, Tracked>, id: string, t: Tracked): void {
  injections.set(id, t);
}

function popFinished(finished: string[]): void {
  finished.pop();
}

function setFinished(finished: string[], at: number, id: string): void {
  finished[at] = id;
}

function withExceptionActions(own: readonly string[], exception: readonly string[]): string[] {
  const out = own.slice();
  for (const a of exception) if (a !== 'ghes' && !own.includes(a)) out.push(a);
  return out;
}

/**
 * The record's lines and the lines of the exception that carried it, in log order: by their log
 * sequence numbers when one run wholly precedes the other (the usual case: the apei-sei SError
 * line, then the record), else merged by their printk stamps.
 */
function recordWithExceptionLines(t: Tracked, ctx: ExceptionContext): string[] {
  const own = t.status.outcome!.logLines;
  const first = ctx.firstSeq ?? 0;
  const last = ctx.lastSeq ?? 0;
  if (own.length > 0 && ctx.lines.length > 0 && t.recordFirstSeq > 0 && first > 0) {
    // the outcome's lines now span both runs
    if (last < t.recordFirstSeq) {
      t.recordFirstSeq = first;
      return ctx.lines.concat(own);
    }
    if (t.recordLastSeq < first) {
      t.recordLastSeq = last;
      return own.concat(ctx.lines);
    }
  }
  t.recordFirstSeq = 0;
  return mergeLogLines(own, ctx.lines);
}

export class Vm implements VirtualMachine {
  readonly id: string;
  readonly spec: VmSpec;
  private readonly opts: VmOptions;
  private memory!: GuestMemory;
  private machine!: BootedMachine;
  private recorder!: Recorder;
  private notifier!: Notifier;
  guest!: GuestKernel;
  private bootCount = 0;
  /** every injection in flight, plus the last `retainInjections` finished ones */
  private readonly injections = new Map<string, Tracked>();
  /** ids of the finished injections still in `injections`, oldest first (a ring) */
  private readonly finished: string[] = [];
  /** next slot of `finished` to overwrite once it is full */
  private finishedAt = 0;
  /**
   * per source: the injection whose record is in the block (delivered, not yet acknowledged);
   * undefined once acknowledged (kept as a key: deleting and re-adding it every injection makes
   * the Map shrink and grow its table each time)
   */
  private readonly outstanding = new Map<number, string | undefined>();
  private readonly listeners = new Set<(e: VmEvent) => void>();
  private cause: string | undefined;
  private sourceInfo = new Map<number, { layout: BootedMachine['layout']['sources'][number]; config: BootedMachine['profile']['sources'][number] }>();
  private nextInjection = 1;
  private erstStorage: ErstStorage | undefined;
  private rtcStart = 0n;
  /** this boot's ERST device (absent when the machine has no ERST) */
  erst: ErstAttachment | undefined;
  /** the guest real-time clock at the end of the last boot (a reboot never goes back in time) */
  private rtcEnd = 0n;
  /** changes of `injections`, `finished` and the tracked injections while a restore point is open */
  private readonly undo = new UndoJournal();
  /** the values this VM's open restore points saved (see restorePoint) */
  private readonly points = new SavedPoints(this as SavesStateWithRelease);

  constructor(spec: VmSpec, id: string = randomUUID(), opts: VmOptions = {}) {
    this.spec = spec;
    this.id = id;
    this.opts = opts;
    this.boot(opts.beforeProbe ?? []);
  }

  // ------------------------------------------------------------------ boot

  private boot(beforeProbe: Array<{ sourceId: number; bytes: Uint8Array }>): void {
    if (this.guest) this.rtcEnd = this.guestRtcNow();
    this.memory = createMachineMemory();
    this.machine = bootMachine({ profile: this.spec.profile, sources: this.spec.sources, erst: this.spec.erst }, this.memory);
    // ERST: the device model's executor over the register window, its records kept across boots
    if (this.machine.layout.erst) {
      this.erstStorage ??= this.opts.erstStorage?.(this.id) ?? new MemoryErstStorage();
      this.erst = attachErst(this.machine, this.memory, this.erstStorage);
    } else this.erst = undefined;
    const wall = this.opts.wallSeconds?.() ?? BigInt(Math.floor(Date.now() / 1000));
    const floor = this.erst ? erstRtcFloor(this.erst.device.recordIds()) : 0n;
    this.rtcStart = [wall, this.rtcEnd + 1n, floor].reduce((a, b) => (b > a ? b : a));
    const { layout, fwCfg } = this.machine;
    this.sourceInfo = new Map(layout.sources.map((s, i) => [s.sourceId, { layout: s, config: this.machine.profile.sources[i] }]));
    const writeBackFile = layout.writeBack.file;
    let writeBack: bigint | undefined;
    const readWriteBack = () => {
      const b = fwCfg.readFile(writeBackFile);
      return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
    };
    const locator: LocatorConfig = {
      mode: layout.writeBack.mode,
      // The write-back file is written by the firmware's WRITE_POINTER during boot only (the
      // firmware is gone afterwards), so its value is read once per boot.
      writeBack: () => (writeBack ??= readWriteBack()),
      sources: layout.sources.map((s) => ({
        sourceId: s.sourceId,
        version: s.version,
        addressRegisterOffset: s.errorStatusAddressOffset,
        readAckRegisterOffset: s.readAckOffset,
        blockLength: s.blockLength,
      })),
    };
    this.recorder = new Recorder({
      memory: this.memory,
      locator,
      sources: layout.sources.map((s) => ({ sourceId: s.sourceId, blockLength: s.blockLength, busyPolicy: this.spec.busyPolicy, queueDepth: this.spec.queueDepth })),
      onDelivered: (req) => this.delivered(req),
    });
    this.notifier = new Notifier({ sink: this.sink() });
    this.guest = new GuestKernel({
      memory: this.memory,
      version: this.spec.linuxVersion,
      personality: this.spec.personality,
      rasExtension: this.spec.rasExtension,
      cmdline: this.opts.cmdline,
      costs: this.opts.costs,
      logCapacity: this.opts.logCapacity,
      workload: this.opts.workload,
      realtimeSeconds: this.rtcStart,
      hooks: {
        pickup: (sourceId) => this.outstanding.get(sourceId),
        acked: (sourceId) => this.acked(sourceId),
        recordDone: (ctx) => this.recordDone(ctx),
        exceptionDone: (ctx) => this.exceptionDone(ctx),
        afterEntry: () => this.recorder.pump(),
        // events are built only when someone listens (the log line is the hot path)
        log: (r, line) => {
          if (this.listeners.size > 0) this.emit({ type: 'log', vmId: this.id, line, seq: r.seq });
        },
        panic: (reason) => this.emit({ type: 'panic', vmId: this.id, reason }),
      },
    });
    // Records present before the kernel probes: written by the device model exactly as at
    // runtime (read-ack handshake included); nobody is notified, the probe finds them.
    for (const r of beforeProbe) {
      // A block holds what fits in it: bytes beyond the source's error block are not there for
      // the guest to read, so the guest's own length check judges what the header claims.
      const room = this.sourceInfo.get(r.sourceId)?.layout.blockLength;
      const bytes = room !== undefined && r.bytes.length > room ? r.bytes.subarray(0, room) : r.bytes;
      const out = this.recorder.record({ id: `boot-${r.sourceId}`, sourceId: r.sourceId, bytes });
      if (out.state !== 'delivered') throw new RasgwError({ code: 'protocol', path: `beforeProbe[${r.sourceId}]`, message: out.state === 'rejected' ? out.message : 'source busy before boot' });
    }
    this.bootCount++;
    this.emit({ type: 'boot', vmId: this.id, bootCount: this.bootCount });
    this.guest.boot(this.machine.handoff.rsdpAddress);
  }

  reboot(): void {
    // A reset clears guest RAM and the device model lays out its error blocks again (QEMU
    // rebuilds its GHES state): every record the guest never read, queued or in its block, is
    // lost with the boot; each is reported, none silently dropped or carried into the new boot.
    this.loseInFlight('reboot');
    this.outstanding.clear();
    this.boot([]);
  }

  /**
   * Ends every injection in flight — queued in the device model, or delivered without a guest
   * outcome (in its block, notified, never read) — in state `lost`, in injection order. One that
   * has an outcome (the guest read it, or took its notification and acted: a panic, an SError
   * taken silently) is not in flight: it keeps its state and outcome.
   */
  private loseInFlight(reason: Loss['reason']): void {
    // queued requests leave the device model's queues (the guest never acknowledges again)
    this.recorder.drop();
    for (const t of [...this.injections.values()]) {
      const s = t.status;
      if (!(s.state === 'queued' || (s.state === 'delivered' && s.outcome === undefined))) continue;
      const previousState = s.state;
      const where = previousState === 'queued' ? `queued for source ${s.sourceId}, never written` : `in the error block of source ${s.sourceId}, notified but not read by the guest`;
      const message =
        reason === 'reboot'
          ? `lost on reboot: the record was ${where} when the VM was reset (the reset clears guest memory and lays out the error blocks again)`
          : `lost: the record was ${where} when the guest panicked (${this.guest.panicReason}); a halted guest never reads it`;
      this.touch(t);
      s.lost = { reason, previousState, message };
      this.setState(t, 'lost');
    }
  }

  /** After a run of the guest: if it halted during the run, what was in flight is lost. */
  private afterRun(wasHalted: boolean): void {
    if (!wasHalted && this.guest.halted) this.loseInFlight('guest-panic');
  }

  // ------------------------------------------------------------------ restore points

  /**
   * A restore point of the whole simulated machine, on the VM's SavedPoints (src/binary/restore.ts:
   * one stack of saved values, no closure per point). The components of the current boot save
   * theirs (guest memory: a journal mark; device model: queues, ERST registers, ERST slots and
   * records copied at their first change; guest kernel: clock, log mark, GHES, poisoned pages,
   * pending exceptions, panic state); the VM saves its own fields (a reboot replaces the
   * components: restoring puts the old ones back) and journals its injections.
   */
  restorePoint(): RestorePoint {
    return this.points.take();
  }

  /** Saves the VM for a restore point (SavedPoints): the parts with marks of their own first, so a release finds them. */
  saveState(s: SavedValues): void {
    s.push(this.memory);
    s.push(this.guest);
    s.push(this.erst);
    s.push(this.erstStorage);
    s.push(this.machine);
    s.push(this.recorder);
    s.push(this.notifier);
    s.push(this.bootCount);
    s.push(this.cause);
    s.push(this.sourceInfo);
    s.push(this.nextInjection);
    s.push(this.rtcStart);
    s.push(this.rtcEnd);
    s.push(this.finishedAt);
    s.pushMap(this.outstanding);
    this.undo.mark();
    this.memory.saveState(s);
    this.recorder.saveState(s);
    this.guest.saveState(s);
    this.erst?.device.saveState(s);
    this.erstStorage?.saveState?.(s);
  }

  loadState(s: SavedValues): void {
    this.memory = s.next();
    this.guest = s.next();
    this.erst = s.next();
    this.erstStorage = s.next();
    this.machine = s.next();
    this.recorder = s.next();
    this.notifier = s.next();
    this.bootCount = s.next();
    this.cause = s.next();
    this.sourceInfo = s.next();
    this.nextInjection = s.next();
    this.rtcStart = s.next();
    this.rtcEnd = s.next();
    this.finishedAt = s.next();
    s.loadMap(this.outstanding);
    this.undo.undoToMark();
    this.memory.loadState(s);
    this.recorder.loadState(s);
    this.guest.loadState(s);
    this.erst?.device.loadState(s);
    this.erstStorage?.loadState?.(s);
  }

  releaseState(s: SavedValues): void {
    // the parts saved at the point (a reboot since may have replaced them) close their marks
    s.next<GuestMemory>().releaseState();
    s.next<GuestKernel>().releaseState();
    s.next<ErstAttachment | undefined>()?.device.releaseState();
    s.next<ErstStorage | undefined>()?.releaseState?.();
    this.undo.unmark();
  }

  /**
   * Journals a tracked injection's fields before they change, once per restore point: not at all
   * under the point it was created under (restoring that point forgets it).
   */
  private touch(t: Tracked): void {
    const current = this.undo.current;
    if (current === 0 || t.born === current || t.journaled === current) return;
    const status = t.status;
    const saved = { ...status };
    const history = status.history.length;
    const { recordFirstSeq, recordLastSeq, journaled } = t;
    t.journaled = current;
    this.undo.record(() => {
      t.journaled = journaled;
      const s = status as unknown as Record<string, unknown>;
      for (const k of Object.keys(s)) if (!(k in saved)) delete s[k];
      Object.assign(status, saved);
      status.history.length = history;
      t.recordFirstSeq = recordFirstSeq;
      t.recordLastSeq = recordLastSeq;
    });
  }

  // ------------------------------------------------------------------ injection

  inject(payload: InjectionPayload, target: InjectionTarget = NO_TARGET): InjectionStatus {
    const id = `${this.id}-${this.nextInjection++}`;
    const sourceId = this.resolveSource(target);
    const status: InjectionStatus = { id, vmId: this.id, sourceId: sourceId ?? -1, state: 'queued', bytes: NO_BYTES, history: [] };
    const t: Tracked = { status, target, recordFirstSeq: 0, recordLastSeq: 0, born: this.undo.current, journaled: 0 };
    this.remember(t);
    const bytes = this.encode(payload);
    if (bytes instanceof Object && 'code' in bytes) return this.refuse(t, bytes);
    this.touch(t);
    status.bytes = bytes;
    if (sourceId === undefined) {
      return this.refuse(t, { code: 'no_such_source', message: this.noSourceMessage(target) });
    }
    if (target.esrIss !== undefined) {
      const notification = this.sourceInfo.get(sourceId)!.layout.notification;
      if (notification !== 'sei') {
        return this.refuse(t, {
          code: 'esr_iss_not_sei',
          notification,
          message: `esrIss sets the syndrome of a virtual SError, but source ${sourceId} is notified via ${notification}${notification === 'sea' ? ' (its ESR is the synchronous external abort QEMU builds)' : ''}; drop esrIss or target an SEI source`,
        });
      }
      try {
        checkSerrorIss(target.esrIss);
      } catch (e) {
        if (e instanceof RasgwError) return this.refuse(t, { code: 'invalid_record', message: e.message });
        throw e;
      }
    }
    if (this.guest.halted) return this.refuse(t, { code: 'guest_halted', message: `the guest panicked (${this.guest.panicReason}); reboot first` });
    const out = this.recorder.record({ id, sourceId, bytes });
    if (out.state === 'rejected') return this.refuse(t, { code: out.code, message: out.message, ...(out.maxLength !== undefined ? { maxLength: out.maxLength } : {}) });
    if (out.state === 'queued') this.setState(t, 'queued');
    // the guest was running (checked above): did this record halt it?
    this.afterRun(false);
    return status;
  }

  injection(id: string): InjectionStatus | undefined {
    return this.injections.get(id)?.status;
  }

  private resolveSource(target: InjectionTarget): number | undefined {
    const sources = this.machine.layout.sources;
    if (target.sourceId !== undefined) {
      const info = this.sourceInfo.get(target.sourceId);
      // sourceId and notification together must name the same source: one is never silently dropped
      if (info === undefined || (target.notification !== undefined && info.layout.notification !== target.notification)) return undefined;
      return target.sourceId;
    }
    if (target.notification !== undefined) return sources.find((s) => s.notification === target.notification)?.sourceId;
    return sources[0]?.sourceId;
  }

  /** Why a target names no source: an unknown id (QEMU's text), no source of that kind, or both given and disagreeing. */
  private noSourceMessage(target: InjectionTarget): string {
    const info = target.sourceId !== undefined ? this.sourceInfo.get(target.sourceId) : undefined;
    if (info !== undefined) return `source ${target.sourceId} is notified via ${info.layout.notification}, not ${target.notification}: give the source id or the notification, or both of one source`;
    return target.sourceId !== undefined ? `HEST: Source ${target.sourceId} not found.` : `no source is notified via ${target.notification}`;
  }

  private encode(payload: InjectionPayload): Uint8Array | Refusal {
    if (payload.kind === 'raw') {
      if (payload.bytes.length < 20) return { code: 'invalid_record', message: `a status block needs at least its 20-byte header; got ${payload.bytes.length} byte(s)` };
      return payload.bytes.slice();
    }
    try {
      return encodeStatusBlock(parseStatusBlockJson(payload.error));
    } catch (e) {
      if (e instanceof RasgwError) return { code: 'invalid_record', message: e.message };
      throw e;
    }
  }

  /** Recorder callback: the record is in the block; raise the source's notification. */
  private delivered(req: RecordRequest): void {
    const t = this.injections.get(req.id);
    const { layout: src, config: cfg } = this.sourceInfo.get(req.sourceId)!;
    const b = req.bytes;
    // block severity: the u32 at 16
    const severity = b.length >= 20 ? readU32LE(b, 16) : 0;
    const n = this.notifier.plan({ sourceId: req.sourceId, notification: src.notification, vector: cfg.vector, blockSeverity: severity, esrIss: t?.target.esrIss });
    // the notification is part of the injection before the guest runs: the 'delivered' event
    // carries it, and every guest line of this record comes after it
    if (t) {
      this.touch(t);
      t.status.notification = notificationView(n, cfg, t.target.esrIss !== undefined, severity);
    }
    if (t) this.setState(t, 'delivered');
    this.outstanding.set(req.sourceId, req.id);
    const prev = this.cause;
    this.cause = req.id;
    try {
      this.notifier.raise(n);
    } finally {
      this.cause = prev;
    }
  }

  private sink(): NotificationSink {
    return {
      serror: (_cpu, esr) => this.guest.raiseSError(esr, this.cause),
      sea: (_cpu, esr) => this.guest.raiseSea(esr, this.cause),
      hedNotify: () => this.guest.hedNotify(this.cause),
      sdei: (event) => this.guest.sdeiEvent(event, this.cause),
      interrupt: (gsi) => this.guest.interrupt(gsi, this.cause),
      nmi: () => this.guest.nmi(this.cause),
      polled: () => undefined,
    };
  }

  private acked(sourceId: number): void {
    const id = this.outstanding.get(sourceId);
    if (id === undefined) return;
    this.outstanding.set(sourceId, undefined);
    const t = this.injections.get(id);
    if (t && t.status.state === 'delivered') this.setState(t, 'acknowledged');
  }

  private recordDone(ctx: RecordContext): void {
    const t = ctx.token !== undefined ? this.injections.get(ctx.token) : undefined;
    const outcome: GuestOutcome = { logLines: ctx.lines, actions: ctx.actions, panicked: ctx.panicked };
    if (t) {
      this.touch(t);
      t.status.outcome = outcome;
      t.recordFirstSeq = ctx.firstSeq ?? 0;
      t.recordLastSeq = ctx.lastSeq ?? 0;
      if (this.listeners.size > 0) this.emit({ type: 'injection', vmId: this.id, status: t.status });
    }
    if (ctx.bytes.length > 0 && this.listeners.size > 0) {
      // The decoded JSON form is computed when a listener reads it (the store does; the log
      // stream does not), and then kept; null when the strict codec refuses the bytes.
      const bytes = ctx.bytes;
      let decoded: unknown;
      const event = { type: 'guest-record', vmId: this.id, injectionId: ctx.token, sourceId: ctx.sourceId, bytes } as VmEvent & { type: 'guest-record' };
      Object.defineProperty(event, 'decoded', {
        enumerable: true,
        get: () => {
          if (decoded === undefined) {
            const d = safeDecodeStatusBlock(bytes);
            decoded = d.success ? statusBlockToJson(d.data) : null;
          }
          return decoded;
        },
      });
      this.emit(event);
    }
  }

  /** Outcome of a notification that produced no record of its own (silent SError, SError panic…). */
  private exceptionDone(ctx: ExceptionContext): void {
    // one SError taken for several raised ones: each of them names every injection it carried
    const carried = ctx.kind === 'serror' && ctx.causes.length > 1 ? ctx.causes : undefined;
    for (const id of ctx.causes) {
      const t = this.injections.get(id);
      if (!t) continue;
      this.touch(t);
      if (carried && t.status.notification) {
        t.status.notification = withCarried(t.status.notification, [...carried], ctx.esr);
        if (!ctx.lines.length && !ctx.panicked && t.status.outcome) {
          this.emit({ type: 'injection', vmId: this.id, status: t.status });
          continue;
        }
      }
      if (!t.status.outcome) t.status.outcome = { logLines: [...ctx.lines], actions: [...ctx.actions], panicked: ctx.panicked };
      else if (ctx.lines.length || ctx.panicked) {
        t.status.outcome = {
          logLines: recordWithExceptionLines(t, ctx),
          // 'ghes' (the exception found a record) adds nothing to the record's own actions
          actions: withExceptionActions(t.status.outcome.actions, ctx.actions),
          panicked: t.status.outcome.panicked || ctx.panicked,
        };
      } else continue;
      this.emit({ type: 'injection', vmId: this.id, status: t.status });
    }
  }

  private setState(t: Tracked, state: InjectionState): void {
    this.touch(t);
    t.status.state = state;
    t.status.history.push({ state, at: this.guest.clock.now() });
    if (this.listeners.size > 0) this.emit({ type: 'injection', vmId: this.id, status: t.status });
    if (state === 'acknowledged' || state === 'rejected' || state === 'lost') this.finish(t.status.id);
  }

  private refuse(t: Tracked, refusal: Refusal): InjectionStatus {
    this.touch(t);
    t.status.refusal = refusal;
    this.setState(t, 'rejected');
    return t.status;
  }

  private remember(t: Tracked): void {
    const id = t.status.id;
    this.undo.recordCall(forgetInjection, this.injections, id, undefined);
    this.injections.set(id, t);
  }

  /**
   * An injection reached a final state: it stays known while it is among the last
   * `retainInjections` finished ones; the oldest finished one is forgotten. Injections in flight
   * (queued or delivered) are never forgotten, and are bounded by the sources' queues. The cost
   * is constant per injection, whatever the number in flight.
   */
  private finish(id: string): void {
    // at least the newest: its outcome arrives after its acknowledgement (recordDone)
    const limit = Math.max(1, Math.floor(this.opts.retainInjections ?? DEFAULT_RETAIN));
    if (this.finished.length < limit) {
      this.undo.recordCall(popFinished, this.finished, undefined, undefined);
      this.finished.push(id);
      return;
    }
    const old = this.finished[this.finishedAt];
    // (finishedAt itself is a field the VM's point saves)
    if (this.undo.recording) {
      this.undo.recordCall(setFinished, this.finished, this.finishedAt, old);
      const tracked = this.injections.get(old);
      if (tracked) this.undo.recordCall(setInjection, this.injections, old, tracked);
    }
    this.finished[this.finishedAt] = id;
    this.finishedAt = (this.finishedAt + 1) % limit;
    this.injections.delete(old);
  }

  /** How many injections this VM keeps in memory: in flight, and finished ones it still remembers. */
  retainedInjections(): { total: number; finished: number } {
    return { total: this.injections.size, finished: this.finished.length };
  }

  // ------------------------------------------------------------------ views

  state(): VmStateView {
    const hw = this.machine.addresses;
    const handled = this.guest.handledSources();
    const sources: SourceState[] = this.machine.layout.sources.map((s, i) => {
      const a = hw.sources[i];
      const out: SourceState = {
        sourceId: s.sourceId,
        notification: s.notification,
        version: s.version,
        errorBlockLength: s.blockLength,
        errorStatusAddressRegister: a.errorStatusAddressRegister,
        blockAddress: this.memory.readU64(a.errorStatusAddressRegister),
        blockStatus: 0,
        queueDepth: this.recorder.queueLength(s.sourceId),
        guestHandler: handled.has(s.sourceId),
      };
      out.blockStatus = this.memory.isRam(out.blockAddress, 4) ? this.memory.readU32(out.blockAddress) : 0;
      if (a.readAckRegister !== undefined) {
        out.readAckRegister = a.readAckRegister;
        out.readAck = this.memory.readU64(a.readAckRegister);
      }
      return out;
    });
    return {
      id: this.id,
      spec: this.spec,
      booted: this.guest.isBooted,
      bootCount: this.bootCount,
      sources,
      guest: {
        running: !this.guest.halted,
        panicked: this.guest.halted,
        ...(this.guest.panicReason !== undefined ? { panicReason: this.guest.panicReason } : {}),
        poisonedPages: this.guest.poisonedPages,
        clockNs: this.guest.clock.now(),
      },
    };
  }

  log(sinceSeq = 0): Array<{ seq: number; line: string }> {
    return this.guest.log.records(sinceSeq).map((r) => ({ seq: r.seq, line: formatLogRecord(r) }));
  }

  crashReport(): CrashReport | null {
    if (!this.spec.diagnostics) return null;
    const r = readCrashReport(this.memory, this.guest.crashRegisters);
    if (!r) return null;
    const out: CrashReport = { reason: r.reason, message: r.message };
    if (r.esr !== undefined) out.esr = r.esr;
    if (r.record) out.record = r.record;
    return out;
  }

  tables(): Array<{ signature: string; address: bigint; bytes: Uint8Array }> {
    return this.machine.handoff.tables.map((t) => ({ signature: t.signature, address: t.address, bytes: this.memory.read(t.address, t.length) }));
  }

  loaderScript(): Uint8Array {
    return this.machine.fwCfg.readFile(FwCfgFileName.TABLE_LOADER).slice();
  }

  hardwareErrors(): Uint8Array {
    return this.memory.read(this.machine.addresses.hardwareErrors, this.machine.layout.hardwareErrorsSize);
  }

  private guestRtcNow(): bigint {
    return this.rtcStart + this.guest.clock.now() / 1_000_000_000n;
  }

  /** The booted machine (fw_cfg, hand-off, layout, addresses), for tests and tools. */
  get booted(): BootedMachine {
    return this.machine;
  }

  get guestMemory(): GuestMemory {
    return this.memory;
  }

  subscribe(listener: (e: VmEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  advance(ns: bigint): void {
    if (ns < 0n) throw new RangeError('advance takes a non-negative number of nanoseconds');
    const wasHalted = this.guest.halted;
    this.guest.advance(ns);
    this.recorder.pump();
    this.afterRun(wasHalted);
  }

  private emit(e: VmEvent): void {
    for (const l of this.listeners) l(e);
  }
}
