import type { NotificationKind } from '../../vm/contract';
import { IssWidth, aetForBlockSeverity, checkSerrorIss, seaEsr, serrorEsr, serrorIss } from './syndrome';

/**
 * What the device model can do to the guest's CPUs and interrupt lines. The VM connects it to the
 * guest kernel; the device model never looks inside the guest.
 */
export interface NotificationSink {
  /** virtual SError made pending on a vCPU (KVM_SET_VCPU_EVENTS serror_pending + serror_esr) */
  serror(cpu: number, esr: number): void;
  /** synchronous external abort injected on a vCPU (QEMU's kvm_inject_arm_sea) */
  sea(cpu: number, esr: number): void;
  /** GED error event: the guest's Hardware Error Device (PNP0C33) gets Notify(0x80) */
  hedNotify(): void;
  /** SDEI event signalled to the guest (event number = HEST notification vector) */
  sdei(event: number): void;
  /** a wired interrupt (GSI) asserted */
  interrupt(gsi: number): void;
  /** non-maskable interrupt (x86 only in Linux; arm64 guests refuse NMI sources) */
  nmi(): void;
  /** polled source: nothing reaches the guest; tells the VM's timer wheel the block changed */
  polled(sourceId: number): void;
}

/** How one record's notification was raised: kept in the injection history and tests. */
export type Notification =
  | { kind: 'sei'; cpu: number; esr: number }
  | { kind: 'sea'; cpu: number; esr: number }
  | { kind: 'hed'; via: 'gpio' | 'sci' | 'gsiv'; vector: number }
  | { kind: 'sdei'; event: number }
  | { kind: 'interrupt'; via: 'external' | 'local'; gsi: number }
  | { kind: 'nmi' }
  | { kind: 'polled'; sourceId: number }
  | { kind: 'none'; reason: string };

export interface NotifyRequest {
  sourceId: number;
  notification: NotificationKind;
  /** HEST notification vector: GSI, GPIO/GSIV line or SDEI event number */
  vector: number;
  /** block severity of the record (decides the SError AET) */
  blockSeverity: number;
  /** explicit SError ISS (checked like KVM does) */
  esrIss?: number;
  /** exception level the vCPU was at when the SEA is injected (QEMU: EL0 user task → 0x92000410) */
  seaFromEl?: 0 | 1;
  cpu?: number;
}

export interface NotifierOptions {
  sink: NotificationSink;
  issWidth?: IssWidth;
}

/** Raises the notification a HEST source declares, the way QEMU/KVM would. */
export class Notifier {
  private readonly sink: NotificationSink;
  private readonly issWidth: IssWidth;

  constructor(opts: NotifierOptions) {
    this.sink = opts.sink;
    this.issWidth = opts.issWidth ?? 'kvm-25';
  }

  /** The notification that `notify` would raise (checks an explicit ISS; throws EncodeError). */
  plan(req: NotifyRequest): Notification {
    const cpu = req.cpu ?? 0;
    switch (req.notification) {
      case 'sei': {
        const iss = req.esrIss !== undefined ? checkSerrorIss(req.esrIss, this.issWidth) : serrorIss(aetForBlockSeverity(req.blockSeverity));
        return { kind: 'sei', cpu, esr: serrorEsr(iss) };
      }
      case 'sea':
        return { kind: 'sea', cpu, esr: seaEsr(req.seaFromEl ?? 0) };
      case 'gpio':
      case 'sci':
      case 'gsiv':
        // Linux drives SCI, GSIV and GPIO sources from the HED notifier chain: QEMU raises the GED
        // error event and the guest's PNP0C33 device gets Notify(0x80).
        return { kind: 'hed', via: req.notification, vector: req.vector };
      case 'sdei':
        return { kind: 'sdei', event: req.vector };
      case 'external':
      case 'local':
        return { kind: 'interrupt', via: req.notification, gsi: req.vector };
      case 'nmi':
        return { kind: 'nmi' };
      case 'polled':
        return { kind: 'polled', sourceId: req.sourceId };
      case 'cmci':
      case 'mce':
        return { kind: 'none', reason: `${req.notification.toUpperCase()} is an x86 machine-check notification; an arm64 vCPU has no way to receive it` };
    }
  }

  notify(req: NotifyRequest): Notification {
    const n = this.plan(req);
    this.raise(n);
    return n;
  }

  raise(n: Notification): void {
    switch (n.kind) {
      case 'sei':
        return this.sink.serror(n.cpu, n.esr);
      case 'sea':
        return this.sink.sea(n.cpu, n.esr);
      case 'hed':
        return this.sink.hedNotify();
      case 'sdei':
        return this.sink.sdei(n.event);
      case 'interrupt':
        return this.sink.interrupt(n.gsi);
      case 'nmi':
        return this.sink.nmi();
      case 'polled':
        return this.sink.polled(n.sourceId);
      case 'none':
        return;
    }
  }
}
