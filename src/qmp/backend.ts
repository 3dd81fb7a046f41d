import type { Refusal, VmSpec } from '../vm/contract';

/**
 * What a QMP session needs from the VM it is bound to. The gateway implements it (so QMP
 * injections are stored and counted like REST ones); tests may implement it directly.
 */
export interface QmpBackend {
  /** the VM's configuration (QOM answers: CPU type, MIDR, machine type) */
  spec(): VmSpec;
  /** guest run state, for query-status */
  status(): { running: boolean; panicked: boolean };
  /** the source QMP injections go to (QEMU: 1 on virt-10.2, 0 in legacy mode), for error texts */
  qmpSourceId(): number;
  /** the source's queue bound, for the queue-full text */
  queueDepth(): number;
  /**
   * Injects raw Generic Error Status Block bytes into the QMP source. Returns undefined when the
   * record was accepted (written, or queued under the `queue` policy), else why it was refused.
   */
  injectCper(bytes: Uint8Array): Refusal | undefined;
  /** system_reset: reboot the guest */
  reset(): void;
}
