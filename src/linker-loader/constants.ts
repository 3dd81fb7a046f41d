/**
 * Numbers of QEMU's ACPI linker/loader wire format (`include/hw/acpi/bios-linker-loader.h`).
 * Every command is 128 bytes: a u32 command type, then a 124-byte zero-padded union.
 */

/** Bytes per command entry. */
export const LOADER_COMMAND_SIZE = 128;

/** Bytes of a file-name field (FW_CFG_MAX_FILE_PATH). The last byte is always NUL. */
export const LOADER_FILE_NAME_SIZE = 56;

/** Longest file name that fits a name field with its NUL terminator. */
export const LOADER_MAX_FILE_NAME_LENGTH = LOADER_FILE_NAME_SIZE - 1;

/** Command type values (the u32 at byte 0). */
export const LoaderCommandType = {
  /** copy a fw_cfg file into guest memory */
  ALLOCATE: 1,
  /** add the guest address of one file to a pointer field inside another */
  ADD_POINTER: 2,
  /** set an ACPI checksum byte over a range of a file */
  ADD_CHECKSUM: 3,
  /** report a file's guest address back to QEMU through a writable fw_cfg file */
  WRITE_POINTER: 4,
} as const;

export type LoaderCommandTypeValue = (typeof LoaderCommandType)[keyof typeof LoaderCommandType];

/** ALLOCATE zone values: HIGH = anywhere; FSEG = the 0xE0000-0xFFFFF F-segment (QEMU uses it for the RSDP). */
export const AllocationZone = {
  HIGH: 1,
  FSEG: 2,
} as const;

export type AllocationZoneValue = (typeof AllocationZone)[keyof typeof AllocationZone];

/** Widths a pointer field may have in ADD_POINTER and WRITE_POINTER. */
export const POINTER_SIZES: readonly number[] = [1, 2, 4, 8];

export type PointerSize = 1 | 2 | 4 | 8;

export function isPointerSize(n: number): n is PointerSize {
  return n === 1 || n === 2 || n === 4 || n === 8;
}

/** Field offsets inside one 128-byte command (from the start of the entry). */
export const CommandField = {
  type: 0,
  /** ALLOCATE.file, ADD_POINTER.dest_file, ADD_CHECKSUM.file, WRITE_POINTER.dest_file */
  firstName: 4,
  /** ADD_POINTER.src_file, WRITE_POINTER.src_file */
  secondName: 60,
  allocateAlign: 60,
  allocateZone: 64,
  /** ADD_POINTER.offset / WRITE_POINTER.dst_offset */
  pointerOffset: 116,
  /** ADD_POINTER.size */
  addPointerSize: 120,
  writePointerSrcOffset: 120,
  writePointerSize: 124,
  checksumOffset: 60,
  checksumStart: 64,
  checksumLength: 68,
} as const;

/** Number of bytes each command type actually uses (the rest of the 128 bytes is zero padding). */
export const COMMAND_USED_BYTES: Record<LoaderCommandTypeValue, number> = {
  [LoaderCommandType.ALLOCATE]: 65,
  [LoaderCommandType.ADD_POINTER]: 121,
  [LoaderCommandType.ADD_CHECKSUM]: 72,
  [LoaderCommandType.WRITE_POINTER]: 125,
};
