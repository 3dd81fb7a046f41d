/**
 * Machine profiles (which RAS sources a machine has). Consumed by `src/device-model/boot`.
 *
 * Public API
 * - `resolveProfile({ profile, sources?, writeBack?, allocationCeiling? }) → MachineProfile`
 *   `{ name, sources: RasSourceConfig[], writeBack: 'hardware-errors-addr' | 'hest-addr',
 *   allocationCeiling? }`. Profiles: `qemu-7.2-virt`, `qemu-10.2-virt`, `extended`.
 * - `RasSourceConfig`: one resolved source (id, notification, ghes|ghesv2, block length, records,
 *   sections, poll interval, vector); `ExtendedSourceSpec` (input form; VM contract SourceSpec +
 *   HEST counts); `resolveExtendedSources`, `qemuSource`, `NOTIFICATION_TYPE` (name → HEST number).
 * - `parseSourcesSpec('sei,sea,gpio:ghes:4096')` and `SOURCES_SPEC_HELP` (the `--sources` syntax).
 * - Constants: `VIRT_RAM_BASE`/`VIRT_RAM_SIZE` (1 GiB at 0x40000000), `QEMU_VIRT_ALLOCATION_CEILING`.
 */
export * from './RasSourceConfig';
export * from './MachineProfile';
export * from './sourcesSpec';
