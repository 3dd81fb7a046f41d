import type { RestorePoint } from '../binary/restore';
import type { EsrFields } from '../device-model/notify/esrFields';

/**
 * The contract between the VM layer (src/vm, built with the runtime) and its users (the REST
 * gateway, the QMP endpoint, the CLI). Types only: the VM layer implements `VirtualMachine` and
 * `VmFactory`; the gateway codes against these names. Values that can exceed 2^53 are bigint here
 * and "0x…" strings in JSON.
 */

/** Machine profiles (see the boot issue). */
export type ProfileName = 'qemu-7.2-virt' | 'qemu-10.2-virt' | 'extended';

/** How a source tells the guest about a new record (HEST notification types we model). */
export type NotificationKind =
  | 'polled'
  | 'external'
  | 'local'
  | 'sci'
  | 'nmi'
  | 'cmci'
  | 'mce'
  | 'gpio'
  | 'sea'
  | 'sei'
  | 'gsiv'
  | 'sdei';

/** What the guest kernel is: our design (SEI sources read on SError) or faithful current Linux. */
export type Personality = 'apei-sei' | 'linux';

/**
 * Linux versions whose messages the guest and the text renderer reproduce: the 6.1 and 6.12
 * long-term kernels, and `mainline` = the newest released kernel (see MAINLINE_RELEASE). What
 * differs between them is data: src/cper/text/linux-versions.ts (record text) and
 * src/guest-kernel/linux-versions.ts (the guest's own lines); docs/LINUX-VERSIONS.md has the table.
 */
export const LINUX_VERSIONS = ['6.1', '6.12', 'mainline'] as const;

/** Linux version whose messages the guest and the text renderer reproduce. */
export type LinuxVersion = (typeof LINUX_VERSIONS)[number];

/** The released kernel `mainline` reproduces (the newest one; Debian's arm64 build). */
export const MAINLINE_RELEASE = '7.3.4';

/** One line for --help and docs: what the version names mean. */
export const LINUX_VERSION_HELP = `6.1 and 6.12 (long-term kernels) or mainline (the newest released kernel, ${MAINLINE_RELEASE})`;

/** What happens when a source's previous record is not yet acknowledged by the guest. */
export type BusyPolicy = 'queue' | 'reject';

export interface SourceSpec {
  /** HEST source id; defaults to the index in the list */
  sourceId?: number;
  notification: NotificationKind;
  /** GHESv2 (with read-ack register, default) or GHES (type 9) */
  version?: 'ghes' | 'ghesv2';
  /** bytes of the error status block (default 1024, as QEMU) */
  errorBlockLength?: number;
  /** poll interval in ms for polled sources (default 1000) */
  pollIntervalMs?: number;
  /** interrupt / GSIV / SDEI event number */
  vector?: number;
}

export interface VmSpec {
  profile: ProfileName;
  /** only for `extended`; the QEMU profiles have fixed sources */
  sources?: SourceSpec[];
  personality: Personality;
  linuxVersion: LinuxVersion;
  busyPolicy: BusyPolicy;
  /** bound of the per-source FIFO under the `queue` policy */
  queueDepth: number;
  /** the crash report is exposed only when true */
  diagnostics: boolean;
  /** MIDR_EL1 of the first CPU (QMP qom-get answers with it) */
  midr: bigint;
  /** whether the CPU advertises the RAS extension (decides Linux's SError handling) */
  rasExtension: boolean;
  /**
   * the source the VM's QMP endpoint writes `inject-ghes-v2-error` records into (default: QEMU's
   * choice for the qemu profiles, the first SEI source for `extended`); the VM layer ignores it
   */
  qmpSourceId?: number;
  /**
   * ERST (extended profile only; on there unless false): `{ recordSize, capacity }` choose the
   * exchange buffer (the largest record, default 8192) and how many records the store holds
   * (default 16); `checkSignature: false` accepts records without "CPER" as QEMU does. See docs/ERST.md.
   */
  erst?: boolean | { recordSize?: number; capacity?: number; checkSignature?: boolean };
}

/** An error to inject: the CPER JSON form (a Generic Error Status Block) or raw status-block bytes. */
export type InjectionPayload = { kind: 'json'; error: unknown } | { kind: 'raw'; bytes: Uint8Array };

export interface InjectionTarget {
  /** which source receives it; default: the profile's default source for the notification */
  sourceId?: number;
  /** pick the first source with this notification type */
  notification?: NotificationKind;
  /**
   * SEI only: ISS bits of the virtual SError syndrome; default chosen from the block severity.
   * Given for a source with another notification, the injection is refused (`esr_iss_not_sei`).
   */
  esrIss?: number;
}

/**
 * The notification the device model raised for one injection, as a visible fact (JSON-ready:
 * register values are "0x…" strings). Set when the record is written into the block and the
 * source's notification is raised; absent before (queued, refused).
 */
export interface NotificationView {
  /** the source's HEST notification type */
  kind: NotificationKind;
  /**
   * what reached the guest: a virtual SError (SEI), a synchronous external abort (SEA), the GED
   * error event → HED notify (GPIO, SCI, GSIV), an SDEI event, an interrupt line, an NMI, nothing
   * until the next poll (polled), or nothing at all (`none`: CMCI/MCE have no arm64 delivery)
   */
  raised: 'virtual-serror' | 'synchronous-external-abort' | 'hed-notify' | 'sdei-event' | 'interrupt' | 'nmi' | 'poll' | 'none';
  /** the vCPU it was raised on (interrupts and events are routed to vCPU 0) */
  vcpu: number;
  /** SEI and SEA: ESR_EL1 the guest reads, "0x" + 8 hex digits */
  esr?: string;
  esrFields?: EsrFields;
  /** SEI: why this syndrome: from the record's block severity, or given as `esrIss` */
  esrReason?: 'block-severity' | 'given';
  /** SEI from the block severity: the severity name it was chosen from */
  blockSeverity?: string;
  /** SEA: FAR_EL1 as raised (QEMU sets FnV: the guest must not use it) */
  far?: string;
  farValid?: boolean;
  /** SDEI: the event number (HEST notification vector) */
  sdeiEvent?: number;
  /** GPIO/SCI/GSIV (the GED event's line) and interrupts (the GSI): the HEST notification vector */
  line?: number;
  /** polled sources: the guest reads the block every this many ms */
  pollIntervalMs?: number;
  /** none: why nothing was raised */
  reason?: string;
  /**
   * a coalesced SError: the injections whose SErrors the guest took as this one exception, in the
   * order they were raised (this one included); `takenEsr` is the syndrome the guest took (the most
   * severe of them)
   */
  carried?: string[];
  takenEsr?: string;
}

/**
 * `lost` is final: the record was in flight (queued in the device model, or written into its
 * block and notified but not read by the guest) when the machine was reset or the guest halted,
 * so the guest never reads it (see `Loss`).
 */
export type InjectionState = 'queued' | 'delivered' | 'acknowledged' | 'rejected' | 'lost';

/**
 * Why an injection in flight was lost: `reboot` (a system reset clears guest RAM and the device
 * model lays out its error blocks again, as QEMU rebuilds its GHES state: a record the guest never
 * read goes with the boot), `guest-panic` (the guest halted before reading it; only a reset
 * follows, which loses it anyway).
 */
export type LossReason = 'reboot' | 'guest-panic';

export interface Loss {
  reason: LossReason;
  /** the state it was in: queued (never written) or delivered (in its block, not read) */
  previousState: 'queued' | 'delivered';
  message: string;
}

/** Why an injection was refused (stable codes; the gateway maps them to problem types and QMP texts). */
export type RefusalCode =
  | 'source_busy' // reject policy and the guest has not acknowledged the previous record
  | 'queue_full' // queue policy and the FIFO is at its bound
  | 'record_too_large' // longer than the source's error block
  | 'guest_halted' // the guest panicked; reboot first
  | 'no_such_source'
  | 'invalid_record' // JSON that does not encode, or bytes shorter than a status block header
  | 'esr_iss_not_sei' // esrIss given for a source that is not notified by SError
  | 'not_booted'; // firmware has not written the block addresses back

export interface Refusal {
  code: RefusalCode;
  message: string;
  /** record_too_large: the maximum length in bytes */
  maxLength?: number;
  /** esr_iss_not_sei: the target source's notification */
  notification?: NotificationKind;
}

/** What the guest did with one record. */
export interface GuestOutcome {
  /** the guest log lines this record produced, in order, with their printk timestamps */
  logLines: string[];
  /** e.g. 'logged', 'memory-failure', 'sigbus', 'panic', 'ignored', 'serror-silent' */
  actions: string[];
  panicked: boolean;
}

export interface InjectionStatus {
  id: string;
  vmId: string;
  sourceId: number;
  state: InjectionState;
  refusal?: Refusal;
  /** the status-block bytes written (or to be written) */
  bytes: Uint8Array;
  /** state changes on the VM's virtual clock (ns) */
  history: Array<{ state: InjectionState; at: bigint }>;
  outcome?: GuestOutcome;
  /** what the device model raised when it wrote the record (absent until then) */
  notification?: NotificationView;
  /** state `lost`: why, and what it was before */
  lost?: Loss;
}

export interface SourceState {
  sourceId: number;
  notification: NotificationKind;
  version: 'ghes' | 'ghesv2';
  errorBlockLength: number;
  /** guest physical address of the error status address register */
  errorStatusAddressRegister: bigint;
  /** guest physical address of the block (the register's value) */
  blockAddress: bigint;
  /** guest physical address of the read-ack register (GHESv2) */
  readAckRegister?: bigint;
  /** current read-ack value (1 = the guest acknowledged) */
  readAck?: bigint;
  /** current block_status word */
  blockStatus: number;
  queueDepth: number;
  /** accepted by the guest kernel at probe (false: refused, e.g. SEI under the linux personality) */
  guestHandler: boolean;
}

export interface GuestState {
  running: boolean;
  panicked: boolean;
  panicReason?: string;
  /** poisoned page frame numbers */
  poisonedPages: bigint[];
  /** virtual clock, ns since boot */
  clockNs: bigint;
}

export interface VmStateView {
  id: string;
  spec: VmSpec;
  booted: boolean;
  bootCount: number;
  sources: SourceState[];
  guest: GuestState;
}

export interface CrashReport {
  reason: string;
  message: string;
  /** ESR_EL1 of the exception that ended the guest (SError panic, or the SError/SEA during which GHES panicked) */
  esr?: bigint;
  /** the status-block bytes that caused it, if any */
  record?: Uint8Array;
}

/** Events the VM emits, in order; the store persists them and the SSE log stream forwards log lines. */
export type VmEvent =
  | { type: 'log'; vmId: string; line: string; seq: number }
  | { type: 'injection'; vmId: string; status: InjectionStatus }
  | { type: 'guest-record'; vmId: string; injectionId?: string; sourceId: number; decoded: unknown; bytes: Uint8Array }
  | { type: 'boot'; vmId: string; bootCount: number }
  | { type: 'panic'; vmId: string; reason: string };

export interface VirtualMachine {
  readonly id: string;
  readonly spec: VmSpec;
  /** synchronous: the guest runs on a virtual clock inside this process */
  inject(payload: InjectionPayload, target?: InjectionTarget): InjectionStatus;
  injection(id: string): InjectionStatus | undefined;
  reboot(): void;
  state(): VmStateView;
  /** guest log lines (printk format) with sequence numbers greater than `sinceSeq` */
  log(sinceSeq?: number): Array<{ seq: number; line: string }>;
  /** null unless spec.diagnostics is true and the guest panicked */
  crashReport(): CrashReport | null;
  /** boot artifacts, for the tables/loader/hardware-errors reads */
  tables(): Array<{ signature: string; address: bigint; bytes: Uint8Array }>;
  loaderScript(): Uint8Array;
  hardwareErrors(): Uint8Array;
  subscribe(listener: (e: VmEvent) => void): () => void;
  /** advance the virtual clock (polled sources are read when their interval elapses) */
  advance(ns: bigint): void;
  /**
   * A restore point of the whole simulated machine (guest memory, device model, guest kernel,
   * the VM's injections and counters): `restore` puts it back as it was, `release` keeps it.
   * Points nest and are used innermost first (src/binary/restore.ts).
   */
  restorePoint(): RestorePoint;
}

export interface VmFactory {
  create(spec: VmSpec, id?: string): VirtualMachine;
}
