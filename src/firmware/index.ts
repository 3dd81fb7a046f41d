/**
 * Mock firmware (ArmVirtQemu/OVMF-like) that executes QEMU's ACPI linker/loader script.
 *
 * Public API
 * - `runFirmware(fwCfg, memory, options?) → FirmwareHandoff` (or `new MockFirmware(...).boot()`):
 *   strict, transactional execution of `etc/table-loader` (see MockFirmware.ts for every check).
 *   On failure: `FirmwareError { code, rule, commandIndex, offset, path: 'loader[7].src_offset' }`
 *   and guest memory + fw_cfg writable files exactly as before.
 * - `FirmwareHandoff { rsdpAddress, allocations: [{file, address, size, pages, owner…}],
 *   writePointers: [{file, offset, size, value…}], tables: [{signature, address, length,
 *   checksumValid…}] }` — plain data; the firmware keeps no reference after hand-off.
 * - Options: `allocationCeiling` (top-down page allocator below it; default end of RAM below
 *   4 GiB), `ownership(file)` (who owns each blob in guest memory; default
 *   `defaultBlobOwnership`), `unknownCommands: 'reject' | 'skip'`.
 * - Proof that runtime never runs firmware: `firmwareCallCount()`, `assertNoFirmwareCalls(fn)`;
 *   a handed-off MockFirmware throws rule `after-hand-off` on any call.
 */
export * from './FirmwareError';
export * from './handoff';
export * from './callGuard';
export * from './PageAllocator';
export * from './MockFirmware';
