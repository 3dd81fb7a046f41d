/**
 * The Hardware Error Source Table (HEST).
 *
 * Model: `Hest` (header + `sources`; `writeTo`/`toBytes` check the validity rules, then compute
 * Length, ErrorSourceCount and checksum — `checksum: 'zero'` keeps QEMU's unpatched 0) holding
 * `ErrorSource`s, one class per layout: `Ia32MachineCheck` (type 0, with `MachineCheckBank`s),
 * `Ia32CorrectedMachineCheck` (types 1 and 11), `Ia32Nmi` (2), `PcieAer` (6 root port, 7 device,
 * 8 bridge), `GenericHardwareErrorSource` (9 GHES, 10 GHESv2 with `readAck`), each with the
 * 28-byte `HardwareErrorNotification` where the layout has one (`NotifyType`: 0 polled … 11 SDEI,
 * 12 RISC-V SSE; unknown values kept raw).
 *
 * For the boot helper:
 * - `buildQemuHest({ sources: [{sourceId, notify}], oemId, oemTableId, blockLength,
 *   hardwareErrorsAddress, checksum })` → the bytes QEMU serves (7.2 layout: GHESv2 92 bytes,
 *   related 0xFFFF, enabled, 1 record, 1 section, raw 1024, GAS `00 40 00 04` holding the
 *   pre-stored offsets 8i and 8(N+i), notification Length 28, block 1024, read-ack ~1 / 1,
 *   checksum 0). `QEMU_7_2_SOURCES`, `QEMU_10_2_SOURCES`.
 * - `qemuHestPatchPoints(options)` → where the ADD_POINTERs (offset in HEST, offset in
 *   `etc/hardware_errors`) and the ADD_CHECKSUM go; `qemuHardwareErrorsLayout(n, blockLength)`.
 * - `buildHest(entries, options)` for the extended profile: any structures, or `GhesSpec`
 *   shorthands (`{ kind, sourceId, notify, blockLength, errorStatusAddress, readAckAddress, … }`).
 *
 * For the guest-kernel helper:
 * - `walkHestLinux(bytes, {hestDisable, ghesDisable})` → `{ state, messages, ghes, ghesCount }`:
 *   Linux's hest.c walk with its exact messages and the accepted GHES entries (decoded, with
 *   their offset in the table and device name `GHES.<id>`).
 * - `decodeGenericHardwareErrorSource`, `decodeNotification`, `GHES_OFFSETS`.
 *
 * Checking: `inspectHest(bytes)` (strict structural walk, every violation with its offset),
 * `decodeHest(bytes)` (throws `HestDecodeError` listing all) / `safeDecodeHest`, and
 * `lintHest(bytes)` (the validity rules: notification length, ConfigurationWriteEnable 6–15,
 * records/sections ≥ 1, reserved fields, one type 0/1/2, unique ids, revision 2 sorted).
 * Text: `dumpHestBody` (used by `formatTableText` in src/acpi).
 */
export * from './ErrorSourceType';
export * from './NotificationStructure';
export * from './MachineCheckBank';
export * from './Ia32MachineCheck';
export * from './Ia32CorrectedMachineCheck';
export * from './Ia32Nmi';
export * from './PcieAer';
export * from './GenericHardwareErrorSource';
export * from './ErrorSource';
export * from './Hest';
export * from './lint';
export * from './walkHestLinux';
export * from './build';
export * from './qemu';
export * from './text';
