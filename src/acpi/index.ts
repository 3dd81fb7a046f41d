/**
 * ACPI tables other than the HEST: byte codecs, table sets, acpidump text and iasl-style text.
 *
 * For the boot helper (building what QEMU serves):
 * - `TableHeader` / `makeHeader(sig, length, revision, {oemId, oemTableId, …, padding})`: the
 *   36-byte header (QEMU defaults in `QEMU_HEADER_DEFAULTS`; short OEM names padded with NUL).
 * - `Rsdp` (revision 0 = 20 bytes, 2 = 36 bytes; `writeTo` computes both checksums),
 *   `buildXsdt(entries)` / `buildRsdt(entries)` (→ `RootTable`, checksum computed when written),
 *   `GenericAddress` (`GenericAddress.qword(addr)` = QEMU's `00 40 00 04` register shape).
 *   Every structure has `byteLength` and `writeTo(w, offset)`; use `encodeToBytes` from binary.
 * - `applyTableChecksum(bytes, offset)` / `verifyTableChecksum(bytes, offset)`.
 *
 * For the guest-kernel helper (discovering tables):
 * - `decodeRsdp(bytes)` (signature, both checksums, Length checked before use),
 *   `decodeRootTable(bytes)` (XSDT or RSDT; u64 entries read unaligned), `decodeTableHeader`,
 *   `tableWindow(bytes, 'HEST')` (header + a reader bounded by a checked Length).
 * - `walkFromRsdp(memory, rsdpAddress)`: RSDP → XSDT (or RSDT) → every table (+ DSDT/FACS through
 *   the FADT); `memory` is anything with `read(address: bigint, length): Uint8Array` (GuestMemory).
 * - `formatTableBanner(bytes, address)`: ACPICA's boot line `HEST 0x… 000084 (v01 BOCHS  BXPC …)`
 *   (Linux prints it after `ACPI: `).
 *
 * Table collections: `TableSet` (signature → bytes, several instances per signature),
 * `findTable(tables, 'HEST', instance)`, `listTableHeaders(tables)`, `splitTableBlob(blob)` (QEMU's
 * `etc/acpi/tables`: back-to-back tables, zero tail).
 *
 * Text: `formatAcpidump(tables)` / `parseAcpidump(text)` (ACPICA acpidump format, accepted by
 * acpixtract); `formatTableText(bytes, {layout})` (iasl -d layout, `current` = ACPICA 2022+
 * `[024h 0036 004h]`, `legacy` = `[024h 0036   4]`) and `tableToJson(bytes)`.
 *
 * Errors: decoders throw `DecodeError` (code, absolute byte offset, field path); encoders
 * `EncodeError`. The HEST lives in `src/hest`.
 */
export * from './ascii';
export * from './TableHeader';
export * from './Rsdp';
export * from './RootTable';
export * from './GenericAddress';
export * from './TableSet';
export * from './acpidump';
export * from './banner';
export * from './text/IaslDump';
export * from './text/fieldInfo';
export * from './text/formatTableText';
export * from './text/tableToJson';
