/**
 * fw_cfg model (QEMU `hw/nvram/fw_cfg.c`, `docs/specs/fw_cfg.rst`).
 *
 * Public API
 * - `FwCfgFileSet(files)`: the immutable, shareable part: files sorted by name with select keys
 *   0x20, 0x21, … (as QEMU lists them), and the directory bytes (item 0x19, big-endian).
 * - `FwCfg(fileSetOrSpecs)`: one VM's device: `select(key)`, `dma(control, length, data?)` with
 *   QEMU's rules (write to a read-only item or past the end → error bit, nothing written; reads
 *   past the end give zeros), `readData`, `writeFileBytes(name, offset, bytes)` (select + skip +
 *   write), `readFile(name)`, `fork()` (new VM sharing read-only bytes), `snapshotWritable` /
 *   `restoreWritable` (firmware undo).
 * - `runDmaDescriptor(fwCfg, memory, address)`: a 16-byte big-endian DMA descriptor in guest memory.
 * - Directory codec: `encodeFwCfgDirectory`, `decodeFwCfgDirectory` (count checked first).
 * - `loadFwCfgFolder(dir)`: QEMU blobs saved as `etc_acpi_tables`… → `FwCfgFileSpec[]`.
 * - Names: `FwCfgFileName`, `WRITABLE_FW_CFG_FILES`, `fwCfgNameFromFileName`, `flattenFwCfgName`.
 */
export * from './constants';
export * from './directory';
export * from './FwCfgFileSet';
export * from './FwCfg';
export * from './dma';
export * from './names';
export * from './loadFolder';
