import type { LossReason } from '../vm/contract';
import type { StoredInjection, StoredInjectionState, StoredStateChange } from './records';

/**
 * An injection's loss as the store keeps it: the history entry of state `lost` carries the
 * reason and the message; the boot is that entry's boot (the boot it was in flight in) and the
 * previous state is the entry before it. Read back as `StoredInjection.lost` and served as
 * `lost` in GET /vms/{id}/errors/{eid}.
 */
export interface StoredLoss {
  reason: LossReason;
  /** the boot the record was in flight in (lost when it ended, or when its guest halted) */
  boot?: number;
  /** queued or delivered (accepted: stored, never handed to the VM) */
  previousState: StoredInjectionState;
  message: string;
}

/** The loss recorded in a history, if the injection was lost. */
export function lossOf(history: readonly StoredStateChange[]): StoredLoss | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (h.state !== 'lost') continue;
    const out: StoredLoss = { reason: h.reason ?? 'reboot', previousState: i > 0 ? history[i - 1].state : 'accepted', message: h.message ?? 'lost' };
    if (h.boot !== undefined) out.boot = h.boot;
    return out;
  }
  return undefined;
}

/** The last boot an injection was seen in (undefined when its history names none). */
export function lastBootOf(inj: StoredInjection): number | undefined {
  let boot: number | undefined;
  for (const h of inj.history) if (h.boot !== undefined && (boot === undefined || h.boot > boot)) boot = h.boot;
  return boot;
}

/** The message of an injection found in flight in a boot that has ended (restored after a restart). */
export function staleLossMessage(previousState: StoredInjectionState, boot: number, sourceId: number | undefined): string {
  const src = sourceId === undefined ? 'its source' : `source ${sourceId}`;
  const where = previousState === 'delivered' ? `in the error block of ${src}, notified but not read by the guest` : `${previousState} for ${src}, never written`;
  return `lost on reboot: the record was ${where} when boot ${boot} ended (the reset clears guest memory and lays out the error blocks again)`;
}
