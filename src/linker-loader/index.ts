/**
 * ACPI linker/loader (QEMU `hw/acpi/bios-linker-loader.c`): the `etc/table-loader` script.
 *
 * Public API
 * - Data: `LoaderCommand` = `AllocateCommand | AddPointerCommand | AddChecksumCommand |
 *   WritePointerCommand | UnknownCommand` (plain objects, `type` is the command name).
 * - Wire codec (128 bytes per command): `encodeLoaderScript(commands)`,
 *   `writeLoaderCommand(w, offset, cmd)`, `decodeLoaderScript(bytes, { unknownCommands:
 *   'reject'|'skip', padding: 'reject'|'ignore' })`, `safeDecodeLoaderScript`. Decode errors are
 *   DecodeErrors with code, absolute offset and path `loader[i].field`.
 * - `LinkerLoaderBuilder`: creates scripts with QEMU's invariants asserted at creation time
 *   (EncodeError otherwise); pre-stores pointer targets and zeroes checksum bytes in the blobs.
 * - `formatLoaderScript(commands, { blobs })`: one readable line per command.
 * - Constants: `LoaderCommandType`, `AllocationZone`, `LOADER_COMMAND_SIZE` (128),
 *   `LOADER_FILE_NAME_SIZE` (56), `isPointerSize`.
 *
 * Semantics (what the firmware does with each command) live in `src/firmware`.
 */
export * from './constants';
export * from './commands';
export * from './decodeScript';
export * from './formatScript';
export * from './LinkerLoaderBuilder';
