import { EventEmitter } from 'events';
import { RestorePoint } from '../binary/restore';
import { Bookkeeping, BookkeepingPoints, newBookkeeping } from './bookkeepingPoints';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { EventStore } from '../store/EventStore';
import type { InjectionOrigin, StoredInjection, StoredVm } from '../store/records';
import type {
  InjectionStatus,
  InjectionTarget,
  NotificationView,
  Refusal,
  VirtualMachine,
  VmEvent,
  VmFactory,
  VmSpec,
} from '../vm/contract';
import type { VmOptions } from '../vm/Vm';
import { CAPACITY_DEFAULTS, TooManyVmsError } from './capacity';
import { renderGuestRecord } from './guestRecordRendering';
import { lastBootOf, lossOf, staleLossMessage } from '../store/loss';
import { GatewayMetrics } from './metrics';

/**
 * The gateway's core, without HTTP: owns the live VMs, writes everything they report to the
 * event store, and replays what the store says was accepted but not yet consumed when it starts.
 *
 * Durability rule: every call that changes something runs inside one store transaction. Most
 * commit before the call returns; injections join a group commit (store.batched) shared by the
 * requests that arrived together, and callers (REST 202, QMP `{"return": {}}`) answer only after
 * `committed()` resolves — so an answer is never sent before the injection and its consequences
 * are on disk.
 *
 * The in-memory side follows the same transactions: before a VM (or this gateway's bookkeeping
 * of it) first changes inside a transaction level, `guard` gives the store a restore point of
 * both (one per level: the batch, and each injection's savepoint). A level that rolls back puts
 * the VM back as it was when the level opened — guest memory, device model, guest kernel — so a
 * client answered 503 finds the VM exactly as before (docs/ARCHITECTURE.md, "Restore points").
 *
 * What others see of that work follows the commit too: live events (`log:<vm>`,
 * `notification:<vm>`, `vm-created`, `deleted:<vm>`, `vm-deleted`, feeding the SSE log stream,
 * the console and the QMP endpoints), the metrics and the server log's lines about it are held
 * by the store (`afterCommit`) and go out right after the COMMIT that stores them, in commit
 * order; a level that rolls back drops its own (a failed savepoint drops only that injection's).
 * A subscriber therefore never sees a line that is not stored, and sequence numbers never repeat.
 *
 * Injection ids are the gateway's (the store's row id, stable across restarts); the VM's own
 * ids are mapped onto them. While `vm.inject` runs, an injection id the gateway has not seen
 * yet belongs to the injection being submitted.
 */
export interface GatewayOptions {
  store: EventStore;
  factory: VmFactory;
  logger?: Logger;
  /**
   * `wall` (default for servers): a timer advances every VM's virtual clock by the wall time
   * that passed, so polled sources get read. `manual`: only POST /vms/{id}/advance moves it.
   */
  clock?: 'wall' | 'manual';
  /** timer period for the wall clock (default 50 ms) */
  tickMs?: number;
  metrics?: GatewayMetrics;
  /** VMs this gateway holds at most (default 1000; createVm past it throws TooManyVmsError) */
  maxVms?: number;
  /** period of the store's retention run over the VMs written to (default 5 s; 0: never) */
  retentionIntervalMs?: number;
}

export interface LogLineEvent {
  vmId: string;
  seq: number;
  boot: number;
  line: string;
}

/** A notification the device model raised for an injection (the SSE stream forwards it as `event: notification`). */
export interface NotificationEvent {
  vmId: string;
  injectionId: string;
  boot: number;
  /** the last log line stored before it was raised (it belongs between that line and the next) */
  logSeq: number;
  notification: NotificationView;
  /** its row in the store's events (the log stream's keyset: the backlog resumes after it) */
  eventId: number;
}

/** An injection lost in flight (the SSE stream forwards it as `event: lost`). */
export interface LostEvent {
  vmId: string;
  injectionId: string;
  /** the boot it was in flight in */
  boot: number;
  reason: string;
  previousState: string;
  message: string;
  /** the last log line stored before it was lost */
  logSeq: number;
  /** its row in the store's events (the log stream's keyset: the backlog resumes after it) */
  eventId: number;
}

export type InjectResult =
  | { accepted: true; injection: StoredInjection }
  | { accepted: false; injection: StoredInjection; refusal: Refusal };

/** Thrown for an unknown VM id (the HTTP layer turns it into not-found). */
export class UnknownVmError extends Error {
  constructor(readonly vmId: string) {
    super(`no VM with id ${JSON.stringify(vmId)}`);
  }
}

/** Thrown when a VM id is taken. */
export class VmExistsError extends Error {
  constructor(readonly vmId: string) {
    super(`a VM with id ${JSON.stringify(vmId)} already exists`);
  }
}

/** A VM the gateway runs, with its bookkeeping (the fields a restore point keeps: bookkeepingPoints.ts). */
interface LiveVm extends Bookkeeping {
  id: string;
  vm: VirtualMachine;
  /** the gateway's logger with `{ vm: id }`: this VM's boots, reboots, refusals and panics */
  logger: Logger;
  /** gateway id of the injection being submitted right now */
  binding?: string;
  /** restore points of this bookkeeping (src/gateway/bookkeepingPoints.ts; `ids` and `historyLen` journal into it) */
  points: BookkeepingPoints;
  /** while the VM reboots: the boot that is ending (what was in flight in it is lost in it) */
  resetBoot?: number;
  /** a store failure while the VM reported an event during vmCall (thrown once the call returns) */
  eventError?: unknown;
  unsubscribe: () => void;
  /** the VM has a polled source: its clock runs timers, so the tick must move it */
  polled: boolean;
}

const TERMINAL = new Set(['acknowledged', 'rejected', 'lost']);
/**
 * How many finished injections of a live VM keep their id mapping, so that a late report about
 * one (an outcome completed by a later exception) still reaches its row. Open injections are
 * always mapped; they are bounded by the VM's queues. Memory per VM is therefore bounded by
 * (open injections + FINISHED_KEPT) mappings, whatever the number of injections handled.
 */
export const FINISHED_KEPT = 256;

/**
 * Options of the VMs a server's gateway creates. The store keeps every injection and log line,
 * so each VM keeps only what it still needs: the last FINISHED_KEPT finished injections (a late
 * outcome update finds them) and a 1024-line kernel log ring (the gateway reads it once, for the
 * lines logged while the VM booted: 6 on every profile; later lines reach it as events).
 */
export const GATEWAY_VM_OPTIONS: VmOptions = { retainInjections: FINISHED_KEPT, logCapacity: 1024 };

export class Gateway extends EventEmitter {
  readonly store: EventStore;
  readonly metrics: GatewayMetrics;
  private readonly factory: VmFactory;
  private readonly logger: Logger;
  private readonly live = new Map<string, LiveVm>();
  /** notification objects of the VMs already taken into their injection (weak: no growth) */
  private readonly seenNotifications = new WeakSet<NotificationView>();
  /** injections of the open group commit (forgotten if it fails, see trackUncommitted) */
  private uncommitted?: { promise: Promise<void>; injections: Array<{ live: LiveVm; id: string }> };
  private timer?: NodeJS.Timeout;
  private readonly wallClock: boolean;
  /**
   * VMs whose clock the tick moves: those with work on the clock (a polled source, or an
   * injection still open). Every other VM's clock is brought up to date when it is used
   * (liveVm), so the tick's cost follows the VMs with work, not the VM count.
   */
  private readonly due = new Set<LiveVm>();
  /** VMs written to since the last retention run */
  private readonly written = new Set<string>();
  private retentionTimer?: NodeJS.Timeout;
  /** the retention run in progress */
  private pruning?: Promise<void>;
  readonly maxVms: number;

  constructor(opts: GatewayOptions) {
    super();
    this.setMaxListeners(0);
    this.store = opts.store;
    this.factory = opts.factory;
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? new GatewayMetrics();
    this.maxVms = opts.maxVms ?? CAPACITY_DEFAULTS.maxVms;
    this.wallClock = (opts.clock ?? 'manual') === 'wall';
    if (this.wallClock) {
      this.timer = setInterval(() => this.tick(), opts.tickMs ?? 50);
      this.timer.unref();
    }
    const retentionMs = opts.retentionIntervalMs ?? CAPACITY_DEFAULTS.retentionIntervalMs;
    if (retentionMs > 0) {
      this.retentionTimer = setInterval(() => void this.applyRetention(), retentionMs);
      this.retentionTimer.unref();
    }
  }

  /**
   * Brings back every VM the store knows (booted afresh, same id) and re-delivers, in their
   * original order, the injections that the guest had not consumed in the boot that was current
   * when the gateway stopped: accepted or queued ones, and delivered ones the guest never read
   * (no outcome). One still open from an earlier boot (stored before reboots ended injections in
   * flight as `lost`) was lost when that boot ended: it is stored as lost, never replayed.
   */
  restore(): { vms: number; replayed: number } {
    let replayed = 0;
    const vms = this.store.listVms();
    for (const stored of vms) {
      this.store.transaction(() => {
        // the boot that was current when the gateway stopped
        const lastBoot = stored.bootCount;
        const live = this.bootLive(stored.id, stored.spec);
        this.vmCall(live, () => {
          for (const inj of this.store.openInjections(stored.id)) {
            if (inj.state === 'delivered' && inj.outcome) continue;
            const boot = lastBootOf(inj);
            if (boot !== undefined && boot < lastBoot) {
              this.loseStale(live, inj, boot);
              continue;
            }
            this.store.addEvent(stored.id, 'replayed', live.boot, { injectionId: inj.id, previousState: inj.state });
            live.open.set(inj.id, inj);
            this.deliver(live, inj, inj.target);
            replayed++;
          }
        });
        this.flushDirty(live);
      }, { immediate: true });
    }
    return { vms: vms.length, replayed };
  }

  /** Stores an injection found open in a boot that has ended as lost in that boot (restore). */
  private loseStale(live: LiveVm, inj: StoredInjection, boot: number): void {
    const previousState = inj.state;
    const message = staleLossMessage(previousState, boot, inj.sourceId);
    const at = this.store.stampNow();
    inj.history.push({ state: 'lost', at, boot, reason: 'reboot', message });
    inj.state = 'lost';
    inj.lost = lossOf(inj.history);
    inj.updatedAt = at;
    this.store.saveInjection(inj, boot);
    this.recordLoss(live, inj.id, { boot, reason: 'reboot', previousState, message });
  }

  /** The `lost` event of an injection, stored and (after the commit) announced to the log streams. */
  private recordLoss(live: LiveVm, injectionId: string, loss: { boot: number; reason: string; previousState: string; message: string }): void {
    const logSeq = live.lastLogSeq;
    const eventId = this.store.addEvent(live.id, 'lost', loss.boot, { injectionId, reason: loss.reason, previousState: loss.previousState, logSeq, message: loss.message });
    const event: LostEvent = { vmId: live.id, injectionId, ...loss, logSeq, eventId };
    this.afterCommit(() => {
      live.logger.info('injection lost in flight', { injection: injectionId, boot: loss.boot, reason: loss.reason, previousState: loss.previousState });
      this.emit(`lost:${event.vmId}`, event);
    });
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
    this.due.clear();
    for (const live of this.live.values()) live.unsubscribe();
    this.live.clear();
  }

  // ---- VMs -------------------------------------------------------------------------------

  createVm(spec: VmSpec, id: string): StoredVm {
    if (this.live.has(id) || this.store.getVm(id)) throw new VmExistsError(id);
    if (this.live.size >= this.maxVms) throw new TooManyVmsError(this.maxVms);
    let stored: StoredVm;
    try {
      stored = this.store.transaction(() => {
        // rolled back (also later, with a batch this transaction joined): the VM must not stay
        // live without its row
        this.store.onRollback(() => this.dropLive(id));
        this.store.putVm(id, spec);
        this.store.addEvent(id, 'vm-created', 0, { spec });
        this.bootLive(id, spec);
        // listeners (the per-VM QMP endpoints) learn about VMs created after the start, once
        // the VM is stored for good
        this.afterCommit(() => this.emit('vm-created', id));
        return this.store.getVm(id)!;
      }, { immediate: true });
    } catch (e) {
      this.dropLive(id);
      throw e;
    }
    return stored;
  }

  /** Removes a VM whose creation was rolled back (nothing when it is not live). */
  private dropLive(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    live.unsubscribe();
    this.due.delete(live);
    this.live.delete(id);
    this.written.delete(id);
    this.metrics.forgetVm(id);
    // a stream opened on it while its batch was open ends; `vm-created` was never announced
    // (it waits for the commit), so there is no `vm-deleted` either
    this.emit(`deleted:${id}`);
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  vmIds(): string[] {
    return [...this.live.keys()];
  }

  /** The running VM (throws UnknownVmError). */
  vm(id: string): VirtualMachine {
    return this.liveVm(id).vm;
  }

  storedVm(id: string): StoredVm {
    const s = this.store.getVm(id);
    if (!s || !this.live.has(id)) throw new UnknownVmError(id);
    return s;
  }

  /**
   * Reboots the VM. The write lock is taken and the new boot counted before the VM is touched,
   * so a store that cannot be written refuses the reboot with the VM as it was, and the first
   * lines the rebooted guest prints carry the new boot number.
   */
  rebootVm(id: string): void {
    const live = this.liveVm(id);
    const previous = live.boot;
    try {
      this.store.transaction(() => {
        this.guard(live);
        live.boot = this.store.recordBoot(id);
        this.store.addEvent(id, 'reboot', live.boot, { bootCount: live.boot });
        // what was in flight is lost in the boot that ends (Vm.reboot reports it first)
        live.resetBoot = previous;
        try {
          this.vmCall(live, () => live.vm.reboot());
        } finally {
          live.resetBoot = undefined;
        }
        this.flushDirty(live);
        const boot = live.boot;
        this.afterCommit(() => live.logger.info('VM rebooted', { boot, bootCount: boot }));
      }, { immediate: true });
    } catch (e) {
      live.boot = previous;
      throw e;
    }
  }

  deleteVm(id: string): void {
    const live = this.liveVm(id);
    // the row goes first: a store that cannot be written leaves the VM running; if the delete
    // joined a batch that then fails, the VM comes back as it was
    this.store.transaction(() => {
      this.store.onRollback(() => this.revive(live));
      this.store.deleteVm(id);
      // streams end, the QMP endpoint closes and the VM's counters go once the deletion is
      // committed (a batch it joined may still roll it back)
      this.afterCommit(() => {
        this.metrics.forgetVm(id);
        live.logger.info('VM deleted');
        this.emit(`deleted:${id}`);
        this.emit('vm-deleted', id);
      });
      live.unsubscribe();
      this.live.delete(id);
      this.due.delete(live);
      this.written.delete(id);
    }, { immediate: true });
  }

  /** Brings back a VM whose deletion was rolled back (its row is back). */
  private revive(live: LiveVm): void {
    if (this.live.has(live.id)) return;
    this.live.set(live.id, live);
    live.unsubscribe = live.vm.subscribe((e) => this.onVmEvent(live, e));
    this.written.add(live.id);
    this.updateDue(live);
    // nobody was told of the deletion (it waits for the commit): nothing to announce again
    live.logger.warn('the deletion of this VM was rolled back: it is live again');
  }

  /**
   * Runs `fn` (a change of the VM that is not an injection, reboot or advance: an ERST record
   * cleared by the administrator) in one store transaction, with the VM under a restore point:
   * if the transaction rolls back, the VM is as it was.
   */
  changeVm<T>(id: string, fn: (vm: VirtualMachine) => T): T {
    const live = this.liveVm(id);
    return this.store.transaction(() => {
      const out = this.vmCall(live, () => fn(live.vm));
      this.flushDirty(live);
      return out;
    }, { immediate: true });
  }

  /** Advances the VM's virtual clock (polled sources are read when their interval elapses). */
  advance(id: string, ns: bigint): bigint {
    const live = this.liveVm(id);
    this.store.transaction(() => {
      this.vmCall(live, () => live.vm.advance(ns));
      this.flushDirty(live);
    }, { immediate: true });
    return live.vm.state().guest.clockNs;
  }

  // ---- injections ------------------------------------------------------------------------

  /**
   * Stores the injection, hands it to the VM and stores what happened, in one transaction.
   * A refused injection is stored too (state `rejected`, with the refusal).
   */
  inject(vmId: string, bytes: Uint8Array, target: InjectionTarget, origin: InjectionOrigin): InjectResult {
    const live = this.liveVm(vmId);
    this.written.add(vmId);
    let id: string | undefined;
    let result: InjectResult;
    try {
      result = this.store.batched((): InjectResult => {
        this.guard(live);
        // the row is written once, by flushDirty, in the state the VM left it in
        const injection = this.store.newInjection(vmId, origin, target, bytes);
        id = injection.id;
        live.open.set(injection.id, injection);
        const status = this.vmCall(live, () => this.deliver(live, injection, target));
        this.flushDirty(live);
        if (status.state === 'rejected') {
          const refusal = status.refusal ?? { code: 'invalid_record', message: 'refused without a reason' };
          return { accepted: false, injection, refusal };
        }
        return { accepted: true, injection };
      });
    } catch (e) {
      // the savepoint is rolled back, and with it the VM and this gateway's bookkeeping of it
      // (restored to the savepoint's restore point: nothing of this injection stays in memory);
      // its id is handed out again
      if (id !== undefined) this.store.releaseInjectionId(id);
      throw e;
    }
    this.trackUncommitted(live, result.injection.id);
    // counted and logged with the batch's commit (the savepoint is committed into the batch now,
    // so these wait for the batch: a batch that fails counts nothing)
    const done = result;
    this.afterCommit(() => {
      this.metrics.injection(done.accepted ? done.injection.state : done.refusal.code);
      if (!done.accepted) {
        // a refusal is the client's or the guest's situation, not the gateway's fault: info,
        // except a halted guest (it needs a reboot): warn
        const level = done.refusal.code === 'guest_halted' ? 'warn' : 'info';
        live.logger.log(level, 'injection refused', { injection: done.injection.id, code: done.refusal.code, reason: done.refusal.message });
      }
    });
    return result;
  }

  /** Resolves once every write made so far is committed: answer clients only after it. */
  committed(): Promise<void> {
    return this.store.committed();
  }

  /** An injection as committed (the store's committed reads: never a row of the open batch). */
  injection(vmId: string, id: string): StoredInjection | undefined {
    this.liveVm(vmId);
    return this.store.committedReads.getInjection(vmId, id);
  }

  // ---- internals -------------------------------------------------------------------------

  private liveVm(id: string): LiveVm {
    const live = this.live.get(id);
    if (!live) throw new UnknownVmError(id);
    if (this.wallClock && !this.due.has(live)) this.catchUp(live);
    return live;
  }

  /**
   * Wall-clock mode, a VM the tick does not visit: moves its clock by the time that passed since
   * it was last moved. Such a VM has no timer and no open injection, so moving its clock fires
   * nothing; its clock reads the same as if the tick had moved it all along.
   */
  private catchUp(live: LiveVm): void {
    // inside an open batch the catch-up belongs to it (and goes back with it)
    this.guard(live);
    const now = process.hrtime.bigint();
    const ns = now - live.clockAt;
    live.clockAt = now;
    if (ns <= 0n) return;
    this.vmCall(live, () => live.vm.advance(ns));
    if (live.dirty.size > 0)
      this.store.transaction(() => {
        this.guard(live);
        this.flushDirty(live);
      });
  }

  /** Puts the VM in the tick's set when its clock has work (a polled source, an open injection), out of it otherwise. */
  private updateDue(live: LiveVm): void {
    if (!this.wallClock || !this.live.has(live.id)) return;
    if (live.polled || live.open.size > 0) this.due.add(live);
    else this.due.delete(live);
  }

  /**
   * Applies the store's retention bounds to the VMs written to since the last run: one bounded
   * step (one VM, at most PRUNE_BUDGET_ROWS = 2,000 rows per kind) per turn of the event loop, so a VM
   * with a large backlog does not hold requests up. Resolves when every VM is within its bounds.
   */
  applyRetention(): Promise<void> {
    if (this.pruning) return this.pruning;
    const queue = [...this.written];
    this.written.clear();
    this.pruning = new Promise<void>((resolve) => {
      const step = () => {
        const id = queue.shift();
        if (id === undefined || !this.store.isOpen) {
          this.pruning = undefined;
          resolve();
          return;
        }
        if (this.live.has(id)) {
          try {
            const d = this.store.prune(id);
            // a prune that joined an open batch is logged with its commit
            if (d.log + d.records + d.injections + d.events > 0) this.afterCommit(() => this.logger.debug('retention dropped the oldest rows', { vm: id, ...d }));
            if (!d.done) queue.push(id);
          } catch (e) {
            this.logger.error('applying the retention bounds failed', { vm: id, error: e instanceof Error ? e.message : String(e) });
          }
        }
        setImmediate(step);
      };
      setImmediate(step);
    });
    return this.pruning;
  }

  /** Number of VMs the wall-clock tick visits (for tests and diagnostics). */
  get tickedVms(): number {
    return this.due.size;
  }

  /** Creates and boots the VM, stores its boot log and starts listening to it. */
  private bootLive(id: string, spec: VmSpec): LiveVm {
    const vm = this.factory.create(spec, id);
    const boot = this.store.recordBoot(id);
    const { bookkeeping, journal } = newBookkeeping(boot, this.store.lastLogSeq(id), process.hrtime.bigint());
    const live: LiveVm = {
      ...bookkeeping,
      id,
      vm,
      logger: this.logger.child({ vm: id }),
      unsubscribe: () => undefined,
      polled: vm.state().sources.some((s) => s.notification === 'polled'),
      points: undefined as unknown as BookkeepingPoints,
    };
    live.points = new BookkeepingPoints(live, journal);
    const booted = vm.state().booted;
    this.store.addEvent(id, 'boot', boot, { bootCount: boot, booted });
    this.afterCommit(() => live.logger.info('VM booted', { boot, bootCount: boot, booted }));
    // lines logged while the VM booted, before we could subscribe
    for (const l of vm.log()) this.logLine(live, l.line);
    live.unsubscribe = vm.subscribe((e) => this.onVmEvent(live, e));
    this.live.set(id, live);
    this.written.add(id);
    this.updateDue(live);
    return live;
  }

  /** Hands a stored injection's bytes to the VM and records the resulting status. */
  private deliver(live: LiveVm, inj: StoredInjection, target: InjectionTarget): InjectionStatus {
    const id = inj.id;
    live.binding = id;
    live.historyLen.set(id, 0);
    let status: InjectionStatus;
    try {
      status = live.vm.inject({ kind: 'raw', bytes: inj.bytes }, target);
    } finally {
      live.binding = undefined;
    }
    if (!live.ids.has(status.id)) live.ids.set(status.id, id);
    this.syncStatus(live, id, status);
    return status;
  }

  /** Writes back every injection changed since the last flush; finished ones leave memory. */
  private flushDirty(live: LiveVm): void {
    for (const id of live.dirty) {
      const inj = live.open.get(id);
      if (!inj) continue;
      this.store.saveInjection(inj, live.boot);
      if (TERMINAL.has(inj.state)) {
        live.open.delete(id);
        this.finish(live, inj);
      }
    }
    live.dirty.clear();
    this.updateDue(live);
  }

  /**
   * A finished injection keeps its id mapping while it is among the last FINISHED_KEPT finished
   * ones of its VM; the one it displaces is forgotten, unless it is open again (a replay).
   */
  private finish(live: LiveVm, inj: StoredInjection): void {
    const vmInjectionId = inj.vmInjectionId;
    if (vmInjectionId === undefined) return;
    if (live.finished.length < FINISHED_KEPT) {
      live.points.journalFinishedPush();
      live.finished.push(vmInjectionId);
      return;
    }
    const old = live.finished[live.finishedAt];
    live.points.journalFinishedSet(live.finishedAt);
    live.finished[live.finishedAt] = vmInjectionId;
    live.finishedAt = (live.finishedAt + 1) % FINISHED_KEPT;
    const gid = live.ids.get(old);
    if (gid === undefined || live.open.has(gid)) return;
    live.ids.delete(old);
    live.historyLen.delete(gid);
  }

  /**
   * Remembers an injection until its group commit is on disk. If the commit fails (disk full,
   * I/O error: the write lock was held, so nothing else can make it fail), the clients of the
   * whole batch get 503 and its rows are rolled back; the store has already restored every VM
   * the batch touched (and this gateway's bookkeeping of it) to its restore point, so those
   * injections are gone from memory too and a later change can never write a row for an
   * injection the client was told was not made. Here the failure is only logged.
   */
  private trackUncommitted(live: LiveVm, id: string): void {
    const promise = this.store.committed();
    let batch = this.uncommitted;
    if (batch?.promise !== promise) {
      const b: NonNullable<Gateway['uncommitted']> = { promise, injections: [] };
      batch = b;
      this.uncommitted = b;
      promise.then(
        () => {
          if (this.uncommitted === b) this.uncommitted = undefined;
        },
        (e: unknown) => {
          if (this.uncommitted === b) this.uncommitted = undefined;
          this.logger.error('a group commit failed: its injections are not stored, and the VMs it touched are back where it found them', {
            injections: b.injections.map((x) => x.id),
            error: e instanceof Error ? e.message : String(e),
          });
        },
      );
    }
    batch.injections.push({ live, id });
  }

  /**
   * Gives the store a restore point of the VM and of this gateway's bookkeeping of it, for every
   * open transaction level that has none yet (EventStore.guard). Called before either changes.
   */
  private guard(live: LiveVm): void {
    this.store.guard(live, () => this.restorePointOf(live));
  }

  /**
   * The VM's own restore point (the whole simulated machine) plus the bookkeeping's
   * (bookkeepingPoints.ts): id mappings, history lengths, the open injections (their fields and
   * history), dirty set, finished ring, boot, last log sequence and the wall-clock position.
   */
  private restorePointOf(live: LiveVm): RestorePoint {
    const vm = live.vm.restorePoint();
    const bookkeeping = live.points.take();
    // each point is closed even if the other one throws (points nest: one left open would stop the next ones)
    return {
      restore: () => {
        try {
          vm.restore();
        } finally {
          bookkeeping.restore();
        }
        this.updateDue(live);
      },
      release: () => {
        try {
          vm.release();
        } finally {
          bookkeeping.release();
        }
      },
    };
  }

  /** Sizes of the per-VM bookkeeping (for tests and diagnostics): mappings, open and finished injections kept. */
  retained(vmId: string): { ids: number; historyLen: number; open: number; dirty: number; finished: number } {
    const live = this.liveVm(vmId);
    return { ids: live.ids.size, historyLen: live.historyLen.size, open: live.open.size, dirty: live.dirty.size, finished: live.finished.length };
  }

  private gatewayId(live: LiveVm, vmInjectionId: string): string | undefined {
    const known = live.ids.get(vmInjectionId);
    if (known) return known;
    if (live.binding !== undefined) {
      // the first id the gateway does not know, while an injection is submitted, is that
      // injection's own; binding only once keeps a late report about a forgotten one out
      const id = live.binding;
      live.binding = undefined;
      live.ids.set(vmInjectionId, id);
      return id;
    }
    return undefined;
  }

  /**
   * Takes the VM's view of an injection into its in-memory copy: new history entries (every state
   * the VM went through, also one the store already shows after a replay) and the current fields.
   * flushDirty writes the row (fields + history) once at the end of the operation.
   */
  private syncStatus(live: LiveVm, id: string, status: InjectionStatus): void {
    let inj = live.open.get(id);
    if (!inj) {
      inj = this.store.getInjection(live.id, id);
      if (!inj) return;
      live.open.set(id, inj);
    }
    const at = this.store.stampNow();
    const seen = live.historyLen.get(id) ?? 0;
    for (let i = seen; i < status.history.length; i++) {
      const h = status.history[i];
      if (h.state === 'lost' && status.lost) {
        // lost in the boot it was in flight in: the one a reboot ends, else the current one
        const boot = live.resetBoot ?? live.boot;
        const previousState = i > 0 ? status.history[i - 1].state : status.lost.previousState;
        inj.history.push({ state: h.state, at, clockNs: h.at, boot, reason: status.lost.reason, message: status.lost.message });
        this.recordLoss(live, id, { boot, reason: status.lost.reason, previousState, message: status.lost.message });
        continue;
      }
      const change = { state: h.state, at, clockNs: h.at, boot: live.boot };
      inj.history.push(change);
    }
    live.historyLen.set(id, status.history.length);
    inj.state = status.state;
    if (status.state === 'lost') inj.lost = lossOf(inj.history);
    if (status.sourceId >= 0) inj.sourceId = status.sourceId;
    if (status.refusal) inj.refusal = status.refusal;
    if (status.outcome) inj.outcome = status.outcome;
    if (status.notification && !this.seenNotifications.has(status.notification)) {
      // the VM sets a new object each time the notification changes (raised, then coalesced)
      this.seenNotifications.add(status.notification);
      inj.notification = this.gatewayNotification(live, status.notification);
      const eventId = this.store.addEvent(live.id, 'notification', live.boot, { injectionId: id, logSeq: live.lastLogSeq, notification: inj.notification });
      const event: NotificationEvent = { vmId: live.id, injectionId: id, boot: live.boot, logSeq: live.lastLogSeq, notification: inj.notification, eventId };
      this.afterCommit(() => this.emit(`notification:${event.vmId}`, event));
    }
    inj.vmInjectionId = status.id;
    inj.updatedAt = at;
    live.dirty.add(id);
  }

  /** The VM's notification with the injections a coalesced SError carried named by their gateway ids. */
  private gatewayNotification(live: LiveVm, n: NotificationView): NotificationView {
    if (!n.carried) return n;
    const carried: string[] = [];
    for (const vmInjectionId of n.carried) {
      // every injection a coalesced SError carried was raised before it: already mapped
      const id = live.ids.get(vmInjectionId);
      if (id !== undefined) carried.push(id);
    }
    return { ...n, carried };
  }

  private logLine(live: LiveVm, line: string): void {
    this.written.add(live.id);
    const [seq] = this.store.appendLog(live.id, live.boot, [line]);
    live.lastLogSeq = seq;
    const event: LogLineEvent = { vmId: live.id, seq, boot: live.boot, line };
    this.afterCommit(() => this.emit(`log:${event.vmId}`, event));
  }

  /**
   * Runs `fn` when what the current transaction level did is committed for good, dropped if it
   * rolls back (EventStore.afterCommit); at once outside a transaction. What `fn` throws (a
   * listener's error) is logged: the work is stored whatever a listener does.
   */
  private afterCommit(fn: () => void): void {
    this.store.afterCommit(() => {
      try {
        fn();
      } catch (e) {
        this.logger.error('a listener failed on a committed event', { error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  /**
   * Runs a call into the VM. A store write that fails while the VM reports what it does (a log
   * line, a record) is not thrown into the VM — that would leave it half way through — but
   * kept and thrown once the call returned, so the caller's transaction rolls back.
   */
  private vmCall<T>(live: LiveVm, fn: () => T): T {
    this.guard(live);
    const outer = live.eventError;
    live.eventError = undefined;
    try {
      const out = fn();
      if (live.eventError !== undefined) throw live.eventError;
      return out;
    } finally {
      live.eventError = outer;
    }
  }

  private onVmEvent(live: LiveVm, e: VmEvent): void {
    try {
      this.handleVmEvent(live, e);
    } catch (err) {
      if (live.eventError === undefined) live.eventError = err;
      live.logger.error('storing what the VM reported failed', { event: e.type, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private handleVmEvent(live: LiveVm, e: VmEvent): void {
    switch (e.type) {
      case 'log':
        this.logLine(live, e.line);
        return;
      case 'injection': {
        const id = this.gatewayId(live, e.status.id);
        if (id === undefined) {
          live.logger.warn('VM reported an injection the gateway does not know', { vmInjectionId: e.status.id });
          return;
        }
        this.syncStatus(live, id, e.status);
        return;
      }
      case 'guest-record': {
        const injectionId = e.injectionId === undefined ? undefined : this.gatewayId(live, e.injectionId);
        // queued in the store: decoded and written just before the batch commits (records
        // with the same bytes in one batch are decoded once)
        this.store.addGuestRecordDeferred({ vmId: live.id, injectionId, sourceId: e.sourceId, boot: live.boot, bytes: e.bytes }, renderGuestRecord);
        return;
      }
      case 'panic': {
        const boot = live.boot;
        this.store.addEvent(live.id, 'panic', boot, { reason: e.reason });
        // counted and logged once the panic is stored for good
        this.afterCommit(() => {
          this.metrics.panic(live.id);
          live.logger.warn('guest panicked', { boot, reason: e.reason });
        });
        return;
      }
      case 'boot':
        // boots are counted by the gateway itself (creation, reboot), which also sees the
        // first boot that happens before it can subscribe
        return;
    }
  }

  /** Wall-clock mode: moves the virtual clock of every VM with work on it by the real time that passed. */
  private tick(): void {
    if (this.due.size === 0) return;
    const now = process.hrtime.bigint();
    // while the store cannot be written the clocks wait (time is not lost: clockAt stays)
    if (this.store.writeBlocked) return;
    for (const live of [...this.due]) {
      const ns = now - live.clockAt;
      live.clockAt = now;
      if (ns <= 0n) continue;
      try {
        this.store.transaction(() => {
          this.vmCall(live, () => live.vm.advance(ns));
          this.flushDirty(live);
        }, { immediate: true });
      } catch (e) {
        live.logger.error('advancing the VM clock failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
}
