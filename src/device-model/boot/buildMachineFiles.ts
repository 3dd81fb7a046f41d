import { ByteWriter } from '../../binary';
import { RootTable } from '../../acpi/RootTable';
import { Rsdp } from '../../acpi/Rsdp';
import { QEMU_HEADER_DEFAULTS } from '../../acpi/TableHeader';
import { FwCfgFileName, FwCfgFileSet, FwCfgFileSpec } from '../../fw-cfg';
import { AllocationZone, LinkerLoaderBuilder, LoaderCommand } from '../../linker-loader';
import { MachineProfile } from '../profiles';
import { buildHestBytes } from './buildHestForLayout';
import { HEST_POINTER_FIELDS, RasLayout, computeRasLayout } from './RasLayout';
import { buildErstBytes, erstEntryAddressOffset, qemuErstEntries } from '../../acpi/Erst';

/**
 * Builds the fw_cfg files of a machine the way QEMU's virt_acpi_build + build_ghes_error_table +
 * acpi_build_hest do, in QEMU's order (so the loader script has QEMU's command sequence):
 *
 *   ALLOCATE etc/acpi/rsdp (16, FSEG) · ALLOCATE etc/hardware_errors (8) · ALLOCATE etc/acpi/tables (64)
 *   ADD_POINTER etc/hardware_errors[8i] → etc/hardware_errors + block i      (each source)
 *   WRITE_POINTER etc/hardware_errors_addr = &etc/hardware_errors           (hardware-errors-addr mode)
 *   ADD_POINTER HEST entry i +24 → etc/hardware_errors + 8i                 (each source)
 *   ADD_POINTER HEST entry i +68 → etc/hardware_errors + 8(N+i)             (each GHESv2 source)
 *   ADD_CHECKSUM HEST
 *   WRITE_POINTER etc/acpi_table_hest_addr = &etc/acpi/tables + HEST        (hest-addr mode)
 *   ADD_POINTER ERST entry i +8 → etc/erst + register offset, ADD_CHECKSUM ERST (extended + ERST;
 *   its ALLOCATE etc/erst comes last among the ALLOCATEs, so the other blobs keep their addresses)
 *   ADD_POINTER XSDT entry → HEST (· → ERST) · ADD_CHECKSUM XSDT
 *   ADD_CHECKSUM RSDP[0,20) · ADD_POINTER RSDP.XsdtAddress → XSDT · ADD_CHECKSUM RSDP[0,36)
 *
 * Files: etc/acpi/rsdp (36), etc/acpi/tables (HEST [+ ERST] + XSDT, padded to 128 KiB),
 * etc/hardware_errors, [etc/erst,] the 8-byte write-back file (writable), etc/table-loader. All bytes are QEMU's unpatched form:
 * pointer fields hold offsets, checksums are 0, the write-back file is 0.
 */
export interface MachineFiles {
  profile: MachineProfile;
  layout: RasLayout;
  /** shared by every VM of this machine: never modify these bytes */
  fileSet: FwCfgFileSet;
  loader: readonly LoaderCommand[];
  loaderBytes: Uint8Array;
  tables: Uint8Array;
  rsdp: Uint8Array;
  hardwareErrors: Uint8Array;
  /** the ERST device's blob (etc/erst: register page + exchange buffer), when the machine has ERST */
  erstBlob?: Uint8Array;
}

export function buildMachineFiles(profile: MachineProfile): MachineFiles {
  const layout = computeRasLayout(profile);

  const tables = new Uint8Array(layout.tablesSize);
  const w = new ByteWriter(tables);
  w.bytesAt(layout.hestOffset, buildHestBytes(profile, layout), 'hest');
  const erst = layout.erst;
  // ERST (extended profile): QEMU's instruction list; each GAS holds its register's offset in
  // etc/erst, which the loader's ADD_POINTER turns into the guest address
  const erstEntries = erst ? qemuErstEntries(0n) : [];
  if (erst) w.bytesAt(erst.tableOffset, buildErstBytes(erstEntries), 'erst');
  new RootTable('XSDT', erst ? [BigInt(layout.hestOffset), BigInt(erst.tableOffset)] : [0n]).writeTo(w, layout.xsdtOffset, 'xsdt');
  const erstBlob = erst ? new Uint8Array(erst.fileSize) : undefined;

  const hardwareErrors = new Uint8Array(layout.hardwareErrorsSize);
  const hw = new ByteWriter(hardwareErrors);
  for (const s of layout.sources) if (s.readAckOffset !== undefined) hw.u64(s.readAckOffset, 1n, `hardware_errors.read_ack[${s.index}]`);

  const rsdp = new Uint8Array(36);
  new Rsdp({ oemId: QEMU_HEADER_DEFAULTS.oemId, revision: 2, rsdtAddress: 0, xsdtAddress: 0n }).writeTo(new ByteWriter(rsdp), 0, 'rsdp');

  const b = new LinkerLoaderBuilder();
  b.declareWritableFile(layout.writeBack.file, layout.writeBack.size);
  // ALLOCATEs end up in reverse creation order: etc/erst, created first, is placed last (below
  // the tables), so adding ERST moves none of the other blobs
  if (erst && erstBlob) b.allocate(erst.file, erstBlob, { align: 4096, zone: AllocationZone.HIGH });
  b.allocate(layout.tablesFile, tables, { align: 64, zone: AllocationZone.HIGH });

  // build_ghes_error_table
  b.allocate(layout.hardwareErrorsFile, hardwareErrors, { align: 8, zone: AllocationZone.HIGH });
  for (const s of layout.sources) {
    b.addPointer({ destFile: layout.hardwareErrorsFile, destOffset: s.errorStatusAddressOffset, size: 8, srcFile: layout.hardwareErrorsFile, srcOffset: s.blockOffset });
  }
  if (layout.writeBack.mode === 'hardware-errors-addr') {
    b.writePointer({ destFile: layout.writeBack.file, destOffset: 0, size: 8, srcFile: layout.hardwareErrorsFile, srcOffset: 0 });
  }

  // acpi_build_hest
  for (const s of layout.sources) {
    const entry = layout.hestOffset + s.hestEntryOffset;
    b.addPointer({ destFile: layout.tablesFile, destOffset: entry + HEST_POINTER_FIELDS.errorStatusAddress, size: 8, srcFile: layout.hardwareErrorsFile, srcOffset: s.errorStatusAddressOffset });
    if (s.readAckOffset !== undefined) {
      b.addPointer({ destFile: layout.tablesFile, destOffset: entry + HEST_POINTER_FIELDS.readAckRegister, size: 8, srcFile: layout.hardwareErrorsFile, srcOffset: s.readAckOffset });
    }
  }
  b.addChecksum({ file: layout.tablesFile, start: layout.hestOffset, length: layout.hestLength, checksumOffset: layout.hestOffset + 9 });
  if (layout.writeBack.mode === 'hest-addr') {
    b.writePointer({ destFile: layout.writeBack.file, destOffset: 0, size: 8, srcFile: layout.tablesFile, srcOffset: layout.hestOffset });
  }

  // build_erst (its blob was allocated above): one ADD_POINTER per instruction entry, then the checksum
  if (erst && erstBlob) {
    erstEntries.forEach((e, i) => {
      b.addPointer({ destFile: layout.tablesFile, destOffset: erst.tableOffset + erstEntryAddressOffset(i), size: 8, srcFile: erst.file, srcOffset: Number(e.register.address) });
    });
    b.addChecksum({ file: layout.tablesFile, start: erst.tableOffset, length: erst.tableLength, checksumOffset: erst.tableOffset + 9 });
  }

  // build_xsdt
  b.addPointer({ destFile: layout.tablesFile, destOffset: layout.xsdtOffset + 36, size: 8, srcFile: layout.tablesFile, srcOffset: layout.hestOffset });
  if (erst) b.addPointer({ destFile: layout.tablesFile, destOffset: layout.xsdtOffset + 44, size: 8, srcFile: layout.tablesFile, srcOffset: erst.tableOffset });
  b.addChecksum({ file: layout.tablesFile, start: layout.xsdtOffset, length: layout.xsdtLength, checksumOffset: layout.xsdtOffset + 9 });

  // build_rsdp
  b.allocate(layout.rsdpFile, rsdp, { align: 16, zone: AllocationZone.FSEG });
  b.addChecksum({ file: layout.rsdpFile, start: 0, length: 20, checksumOffset: 8 });
  b.addPointer({ destFile: layout.rsdpFile, destOffset: 24, size: 8, srcFile: layout.tablesFile, srcOffset: layout.xsdtOffset });
  b.addChecksum({ file: layout.rsdpFile, start: 0, length: 36, checksumOffset: 32 });

  const loaderBytes = b.encode();
  const specs: FwCfgFileSpec[] = [
    { name: layout.rsdpFile, data: rsdp },
    { name: layout.tablesFile, data: tables },
    { name: layout.hardwareErrorsFile, data: hardwareErrors },
    { name: layout.writeBack.file, data: new Uint8Array(layout.writeBack.size), writable: true },
    ...(erst && erstBlob ? [{ name: erst.file, data: erstBlob }] : []),
    { name: FwCfgFileName.TABLE_LOADER, data: loaderBytes },
  ];
  return { profile, layout, fileSet: new FwCfgFileSet(specs), loader: b.commands, loaderBytes, tables, rsdp, hardwareErrors, ...(erstBlob ? { erstBlob } : {}) };
}

/**
 * Machine files are immutable, so VMs of the same machine share them: the cache keeps the most
 * recently used machines (by profile name, sources and write-back mode).
 */
const CACHE_LIMIT = 32;
const cache = new Map<string, MachineFiles>();

function cacheKey(p: MachineProfile): string {
  return JSON.stringify({ n: p.name, w: p.writeBack, s: p.sources, e: p.erst });
}

export function machineFilesFor(profile: MachineProfile): MachineFiles {
  const key = cacheKey(profile);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const files = buildMachineFiles(profile);
  cache.set(key, files);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return files;
}
