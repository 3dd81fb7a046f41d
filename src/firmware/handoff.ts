import type { MemoryActor } from '../guest-memory/GuestMemory';

/**
 * What the firmware hands to the guest when it is done: plain data only (no reference to the
 * firmware, to fw_cfg or to guest memory), so nothing at run time can reach firmware code.
 */
export interface FirmwareAllocation {
  file: string;
  /** guest physical address of the blob's first byte (page aligned) */
  address: bigint;
  /** bytes of the fw_cfg file */
  size: number;
  /** whole pages reserved (the rest of the last page is zero) */
  pages: number;
  align: number;
  zone: number;
  /** index of the ALLOCATE command */
  commandIndex: number;
  /** who owns the blob in guest memory after hand-off */
  owner: MemoryActor;
  writers: MemoryActor[];
}

export interface FirmwareWritePointer {
  commandIndex: number;
  /** the writable fw_cfg file written */
  file: string;
  offset: number;
  size: number;
  /** value written: base(srcFile) + srcOffset */
  value: bigint;
  srcFile: string;
  srcOffset: number;
}

/** An ACPI table the firmware's second pass found (target of an ADD_POINTER with a table header). */
export interface InstalledTable {
  signature: string;
  address: bigint;
  length: number;
  /** blob holding it and its offset there */
  file: string;
  offset: number;
  /** bytes sum to 0 (for the RSDP: both checksums) */
  checksumValid: boolean;
}

export interface FirmwareHandoff {
  /** where the guest starts its ACPI discovery */
  rsdpAddress: bigint;
  allocations: FirmwareAllocation[];
  writePointers: FirmwareWritePointer[];
  tables: InstalledTable[];
}
