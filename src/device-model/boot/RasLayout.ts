import { EncodeError } from '../../binary';
import { FwCfgFileName } from '../../fw-cfg';
import { GHES_LENGTH, GHES_OFFSETS, GHES_V2_LENGTH } from '../../hest/GenericHardwareErrorSource';
import { HEST_HEADER_LENGTH } from '../../hest/Hest';
import { QEMU_READ_ACK_PRESERVE, QEMU_READ_ACK_WRITE } from '../../hest/build';
import type { NotificationKind, ProfileName } from '../../vm/contract';
import { MachineProfile, NOTIFICATION_TYPE, WriteBackMode } from '../profiles';
import { ERST_ENTRY_LENGTH, ERST_HEADER_LENGTH, QEMU_ERST_ENTRY_COUNT } from '../../acpi/Erst';
import { ERST_EXCHANGE_OFFSET, ERST_FILE, ERST_REGISTERS_OFFSET, ErstConfig } from '../erst/ErstConfig';

/** ERST right after HEST in etc/acpi/tables; its device blob holds the register page and the exchange buffer. */
function erstLayout(cfg: ErstConfig, at: number): ErstLayout {
  return {
    tableOffset: at,
    tableLength: ERST_HEADER_LENGTH + ERST_ENTRY_LENGTH * QEMU_ERST_ENTRY_COUNT,
    file: ERST_FILE,
    fileSize: ERST_EXCHANGE_OFFSET + cfg.recordSize,
    registersOffset: ERST_REGISTERS_OFFSET,
    exchangeOffset: ERST_EXCHANGE_OFFSET,
    exchangeSize: cfg.recordSize,
    capacity: cfg.capacity,
    checkSignature: cfg.checkSignature,
  };
}

/**
 * Where everything of the RAS path sits inside the fw_cfg blobs, before any address is known. The
 * runtime (recorder, guest checks) combines it with the firmware hand-off (`resolveRasAddresses`).
 *
 * `etc/hardware_errors` with N sources (QEMU's layout, generalised to per-source block lengths):
 *   8·i          error status address register of source i (holds the block's address)
 *   8·N + 8·i    read-ack register of source i (1 after boot for GHESv2; unused, 0, for GHES)
 *   16·N + Σ     error status block of source i; each block starts at an 8-byte boundary
 * With 1024-byte blocks this is byte for byte QEMU's 16N + 1024N layout.
 *
 * `etc/acpi/tables` holds HEST at offset 0, then the XSDT (the minimum a guest needs to reach HEST
 * from the RSDP; QEMU's other tables — DSDT, FADT, MADT, … — are not modelled), padded with zeros
 * to a multiple of 128 KiB as QEMU pads it.
 */
export interface RasSourceLayout {
  /** position in HEST and in etc/hardware_errors */
  index: number;
  sourceId: number;
  notification: NotificationKind;
  /** HEST notification type number */
  notificationType: number;
  version: 'ghes' | 'ghesv2';
  /** offsets inside etc/hardware_errors */
  errorStatusAddressOffset: number;
  /** GHESv2 only */
  readAckOffset?: number;
  blockOffset: number;
  blockLength: number;
  /** offset of the source's HEST entry inside etc/acpi/tables, and its length (64 or 92) */
  hestEntryOffset: number;
  hestEntryLength: number;
  /** GHESv2 read-ack masks (QEMU: preserve ~1, write 1) */
  readAckPreserve?: bigint;
  readAckWrite?: bigint;
}

export interface RasLayout {
  profile: ProfileName;
  writeBack: { mode: WriteBackMode; file: string; size: 8 };
  hardwareErrorsFile: string;
  hardwareErrorsSize: number;
  tablesFile: string;
  tablesSize: number;
  rsdpFile: string;
  hestOffset: number;
  hestLength: number;
  xsdtOffset: number;
  xsdtLength: number;
  sources: RasSourceLayout[];
  /** the ERST table (after HEST in etc/acpi/tables) and the device's blob, when the machine has one */
  erst?: ErstLayout;
}

export interface ErstLayout {
  tableOffset: number;
  tableLength: number;
  file: string;
  fileSize: number;
  registersOffset: number;
  exchangeOffset: number;
  exchangeSize: number;
  capacity: number;
  checkSignature: boolean;
}

/** QEMU's read-ack masks (preserve ~1, write 1), as `src/hest` defines them. */
export const READ_ACK_PRESERVE = QEMU_READ_ACK_PRESERVE;
export const READ_ACK_WRITE = QEMU_READ_ACK_WRITE;

/** QEMU pads etc/acpi/tables to a multiple of this (ACPI_BUILD_TABLE_SIZE). */
export const ACPI_BUILD_TABLE_SIZE = 0x20000;

/** Largest etc/hardware_errors the boot code builds (64 MiB). */
export const MAX_HARDWARE_ERRORS_SIZE = 64 * 1024 * 1024;

const XSDT_LENGTH_ONE_ENTRY = 36 + 8;

export function computeRasLayout(profile: MachineProfile): RasLayout {
  const n = profile.sources.length;
  let blockAt = 16 * n;
  let entryAt = HEST_HEADER_LENGTH;
  const sources = profile.sources.map((s, i): RasSourceLayout => {
    const v2 = s.version === 'ghesv2';
    const out: RasSourceLayout = {
      index: i,
      sourceId: s.sourceId,
      notification: s.notification,
      notificationType: NOTIFICATION_TYPE[s.notification],
      version: s.version,
      errorStatusAddressOffset: 8 * i,
      blockOffset: blockAt,
      blockLength: s.errorBlockLength,
      hestEntryOffset: entryAt,
      hestEntryLength: v2 ? GHES_V2_LENGTH : GHES_LENGTH,
    };
    if (v2) {
      out.readAckOffset = 8 * n + 8 * i;
      out.readAckPreserve = READ_ACK_PRESERVE;
      out.readAckWrite = READ_ACK_WRITE;
    }
    blockAt += Math.ceil(s.errorBlockLength / 8) * 8;
    entryAt += out.hestEntryLength;
    return out;
  });
  if (blockAt > MAX_HARDWARE_ERRORS_SIZE) {
    throw new EncodeError({ code: 'out_of_range', path: 'sources', message: `etc/hardware_errors would be ${blockAt} bytes; at most ${MAX_HARDWARE_ERRORS_SIZE}` });
  }
  const hestLength = entryAt;
  const erst = profile.erst ? erstLayout(profile.erst, hestLength) : undefined;
  const xsdtOffset = erst ? erst.tableOffset + erst.tableLength : hestLength;
  const xsdtLength = XSDT_LENGTH_ONE_ENTRY + (erst ? 8 : 0);
  const used = xsdtOffset + xsdtLength;
  return {
    profile: profile.name,
    writeBack:
      profile.writeBack === 'hest-addr'
        ? { mode: 'hest-addr', file: FwCfgFileName.HEST_ADDR, size: 8 }
        : { mode: 'hardware-errors-addr', file: FwCfgFileName.HARDWARE_ERRORS_ADDR, size: 8 },
    hardwareErrorsFile: FwCfgFileName.HARDWARE_ERRORS,
    hardwareErrorsSize: blockAt,
    tablesFile: FwCfgFileName.ACPI_TABLES,
    tablesSize: Math.ceil(used / ACPI_BUILD_TABLE_SIZE) * ACPI_BUILD_TABLE_SIZE,
    rsdpFile: FwCfgFileName.ACPI_RSDP,
    hestOffset: 0,
    hestLength,
    xsdtOffset,
    xsdtLength,
    sources,
    ...(erst ? { erst } : {}),
  };
}

/** Offsets of the two GAS address fields QEMU patches inside a GHES/GHESv2 entry. */
export const HEST_POINTER_FIELDS = {
  errorStatusAddress: GHES_OFFSETS.errorStatusAddressValue,
  readAckRegister: GHES_OFFSETS.readAckRegisterValue,
} as const;
