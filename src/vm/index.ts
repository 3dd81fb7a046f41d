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
 * - `defaultMachine()` (./defaultMachine.ts): the machine serve, simulate and dump show by default
 *   (extended, sources sei,sea,gpio, apei-sei).
 * - `notificationView` (./notificationView.ts): the `notification` fact of an injection.
 */
export * from './contract';
export * from './Vm';
export * from './VmFactory';
export * from './defaultMachine';
