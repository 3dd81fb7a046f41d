/**
 * Boot of a machine: fw_cfg files per profile + mock firmware run → what the runtime needs.
 *
 * Public API
 * - `bootMachine(options, memory = createMachineMemory(), firmwareOptions?) → BootedMachine`
 *   `{ profile, fwCfg, handoff, layout, addresses, files }`:
 *   - `fwCfg`: this VM's fw_cfg; the write-back file (`layout.writeBack.file`:
 *     `etc/hardware_errors_addr` or `etc/acpi_table_hest_addr`) holds what the firmware wrote —
 *     the recorder finds blocks through it, as QEMU does;
 *   - `handoff`: `{ rsdpAddress, allocations, writePointers, tables }` (plain data; the firmware
 *     is released);
 *   - `layout: RasLayout`: per source `{ index, sourceId, notification, notificationType, version,
 *     errorStatusAddressOffset, readAckOffset?, blockOffset, blockLength, hestEntryOffset,
 *     hestEntryLength, readAckPreserve?, readAckWrite? }` (offsets inside etc/hardware_errors and
 *     etc/acpi/tables), plus hestOffset/Length, xsdtOffset, file names, sizes;
 *   - `addresses: RasAddresses`: the same resolved to guest addresses (`resolveRasAddresses`).
 * - `createMachineMemory()`: 1 GiB RAM at 0x40000000 (QEMU virt `-m 1G`).
 * - `buildMachineFiles(profile)` / `machineFilesFor(profile)` (cached, shared between VMs):
 *   `{ fileSet, loader, loaderBytes, tables, rsdp, hardwareErrors, layout }`.
 * - `computeRasLayout(profile)`, `discoverHest(memory, rsdpAddress)` (RSDP → XSDT → HEST).
 * - `reportSourceStates(memory, hestBytes)` / `formatSourceStates`: every GHES source's registers,
 *   read-ack and block status as the guest sees them (`rasgw dump --hardware-errors`).
 * Profiles and `MachineOptions` come from `src/device-model/profiles`.
 */
export * from './RasLayout';
export * from './buildHestForLayout';
export * from './buildMachineFiles';
export * from './bootMachine';
export * from './discoverHest';
export * from './hardwareErrorsReport';
