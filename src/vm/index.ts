/**
 * The VM layer: one VM = guest memory + booted machine (fw_cfg, firmware hand-off) + device model
 * (recorder with read-ack and queues, notifier) + simulated guest kernel, on one virtual clock.
 *
 * - `createVmFactory(opts?) → VmFactory` (`create(spec, id?)` boots a `Vm`), `defaultVmSpec(partial)`.
 * - `class Vm implements VirtualMachine` (see ./contract.ts): `inject`, `injection`, `reboot`,
 *   `state`, `log`, `crashReport`, `tables`, `loaderScript`, `hardwareErrors`, `subscribe`,
 *   `advance`; plus `guest` (the GuestKernel), `booted` (BootedMachine) and `guestMemory` for tests
 *   and tools. `new Vm(spec, id?, { beforeProbe, cmdline, costs, logCapacity, workload })` places
 *   records in the error blocks before the guest probes them.
 */
export * from './contract';
export * from './Vm';
export * from './VmFactory';
