import type { GuestOutcome, InjectionState, InjectionTarget, LossReason, NotificationView, Refusal, VmSpec } from '../vm/contract';
import type { StoredLoss } from './loss';

/**
 * What the event store keeps, as the gateway and the CLI read it back. u64 values are bigint here
 * and "0x…" strings in the JSON the REST API serves.
 */

/**
 * State of an injection in the store: the VM's states plus `accepted` (written to the store, not
 * yet handed to the VM; only seen when the process died in between, and then replayed).
 */
export type StoredInjectionState = InjectionState | 'accepted';

/** Who submitted an injection. */
export type InjectionOrigin = 'rest' | 'qmp';

export interface StoredVm {
  id: string;
  /** creation order, 1-based */
  ordinal: number;
  spec: VmSpec;
  /** ISO wall time */
  createdAt: string;
  /** boots since the VM was defined (each restart or reboot adds one) */
  bootCount: number;
}

export interface StoredStateChange {
  state: StoredInjectionState;
  /** ISO wall time of the change */
  at: string;
  /** the VM's virtual clock (ns since boot), when the VM reported one */
  clockNs?: bigint;
  /** boot during which it happened */
  boot?: number;
  /** state `lost`: why (see Loss in src/vm/contract.ts) and the VM's message */
  reason?: LossReason;
  message?: string;
}

export interface StoredInjection {
  id: string;
  vmId: string;
  origin: InjectionOrigin;
  target: InjectionTarget;
  /** the source that received it (known once the VM routed it) */
  sourceId?: number;
  /** the Generic Error Status Block bytes */
  bytes: Uint8Array;
  state: StoredInjectionState;
  refusal?: Refusal;
  outcome?: GuestOutcome;
  /** what the device model raised when it wrote the record (coalesced SErrors name gateway injection ids) */
  notification?: NotificationView;
  /** state `lost`: why, in which boot, from which state (read from the history, src/store/loss.ts) */
  lost?: StoredLoss;
  /** id of the injection inside the running VM (changes after a restart) */
  vmInjectionId?: string;
  history: StoredStateChange[];
  createdAt: string;
  updatedAt: string;
}

/** One record the guest kernel read from a source. */
export interface StoredGuestRecord {
  id: number;
  vmId: string;
  injectionId?: string;
  sourceId: number;
  boot: number;
  /** the block severity name (recoverable, fatal, corrected, informational) when decodable */
  severity?: string;
  /** section type names in order (arm, memory, pcie, … or the GUID of an unknown one) */
  sections: string[];
  /**
   * the decoded record, JSON form; undefined when it was too large to store next to the bytes
   * (EventStore.decodedColumn): decode `bytes` again (gateway/guestRecordRendering.decodedOf)
   */
  decoded: unknown;
  bytes: Uint8Array;
  at: string;
}

export interface StoredLogLine {
  seq: number;
  boot: number;
  line: string;
  at: string;
}

/**
 * What the events table records: the VM's own life, and each notification the device model raised
 * for an injection (`notification`: `{injectionId, notification}`, again when a coalesced SError
 * names the injections it carried), and each injection lost in flight (`lost`: `{injectionId,
 * reason, previousState, logSeq, message}`). Injection state changes are in each injection's history, guest records in their table. */
export type StoredEventType = 'vm-created' | 'boot' | 'reboot' | 'panic' | 'replayed' | 'notification' | 'lost';

export interface StoredEvent {
  id: number;
  vmId: string;
  type: StoredEventType;
  boot: number;
  data: unknown;
  at: string;
}
