/**
 * Device-model notifications: how a source tells the guest about a new record.
 *
 * - `Notifier.plan/notify(req)` → SEI (virtual SError, syndrome from the block severity or an explicit
 *   ISS checked like KVM), SEA (QEMU's 0x92000410 / 0x96000410), HED notify for GPIO/SCI/GSIV,
 *   SDEI event, external/local interrupt, NMI, polled (no delivery) or none (CMCI/MCE on arm64).
 * - `syndrome.ts`: ESR encoding helpers (`serrorEsr`, `serrorIss`, `aetForBlockSeverity`, `seaEsr`).
 * - `VcpuEvents.ts`: the 64-byte `struct kvm_vcpu_events` with KVM's validation.
 */
export * from './syndrome';
export * from './Notifier';
export * from './VcpuEvents';
