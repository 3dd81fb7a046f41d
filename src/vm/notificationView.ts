import type { Notification } from '../device-model/notify/Notifier';
import { decodeEsr, esrHex } from '../device-model/notify/esrFields';
import type { NotificationKind, NotificationView } from './contract';

/**
 * Turns what the Notifier raised for one record into the injection's `notification` fact
 * (NotificationView): kind, vCPU, for SEI the ESR with its decoded fields and the reason it was
 * chosen, for SEA the ESR and FAR, for SDEI the event, for interrupt-driven sources the line.
 */
export interface NotificationSource {
  notification: NotificationKind;
  vector: number;
  pollIntervalMs: number;
}

const SEVERITY_NAMES = ['recoverable', 'fatal', 'corrected', 'informational'];

export function blockSeverityName(severity: number): string {
  return SEVERITY_NAMES[severity] ?? `unknown (${severity})`;
}

export function notificationView(n: Notification, src: NotificationSource, esrGiven: boolean, blockSeverity: number): NotificationView {
  const kind = src.notification;
  switch (n.kind) {
    case 'sei': {
      const v: NotificationView = { kind, raised: 'virtual-serror', vcpu: n.cpu, esr: esrHex(n.esr), esrFields: decodeEsr(n.esr), esrReason: esrGiven ? 'given' : 'block-severity' };
      if (!esrGiven) v.blockSeverity = blockSeverityName(blockSeverity);
      return v;
    }
    case 'sea':
      // QEMU's kvm_inject_arm_sea sets FnV: FAR_EL1 is UNKNOWN to the guest; the device model writes 0
      return { kind, raised: 'synchronous-external-abort', vcpu: n.cpu, esr: esrHex(n.esr), esrFields: decodeEsr(n.esr), far: '0x0', farValid: false };
    case 'hed':
      return { kind, raised: 'hed-notify', vcpu: 0, line: n.vector };
    case 'sdei':
      return { kind, raised: 'sdei-event', vcpu: 0, sdeiEvent: n.event };
    case 'interrupt':
      return { kind, raised: 'interrupt', vcpu: 0, line: n.gsi };
    case 'nmi':
      return { kind, raised: 'nmi', vcpu: 0 };
    case 'polled':
      return { kind, raised: 'poll', vcpu: 0, pollIntervalMs: src.pollIntervalMs };
    case 'none':
      return { kind, raised: 'none', vcpu: 0, reason: n.reason };
  }
}

/** The same notification after the guest took it as one SError with others (coalesced). */
export function withCarried(v: NotificationView, carried: string[], takenEsr: number | undefined): NotificationView {
  const out: NotificationView = { ...v, carried };
  if (takenEsr !== undefined) out.takenEsr = esrHex(takenEsr);
  return out;
}
