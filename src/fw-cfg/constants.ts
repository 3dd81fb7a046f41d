/**
 * fw_cfg numbers (QEMU `docs/specs/fw_cfg.rst`, `include/standard-headers/linux/qemu_fw_cfg.h`).
 */

/** Selector keys of the fixed items. */
export const FwCfgKey = {
  /** "QEMU" */
  SIGNATURE: 0x0000,
  /** u32 LE feature bitmap: bit 0 traditional interface, bit 1 DMA */
  ID: 0x0001,
  /** the file directory: u32 BE count, then 64-byte entries */
  FILE_DIR: 0x0019,
  /** first key given to a named file; files get consecutive keys in name order */
  FILE_FIRST: 0x0020,
} as const;

/** FW_CFG_ID feature bits. */
export const FW_CFG_VERSION_TRADITIONAL = 0x1;
export const FW_CFG_VERSION_DMA = 0x2;

/** Bytes of a name in a directory entry (FW_CFG_MAX_FILE_PATH); the last is always NUL. */
export const FW_CFG_FILE_NAME_SIZE = 56;

/** Bytes of one directory entry: u32 size BE, u16 select BE, u16 reserved, 56-byte name. */
export const FW_CFG_DIR_ENTRY_SIZE = 64;

/** DMA control bits (the descriptor's big-endian u32 at offset 0). */
export const FwCfgDmaControl = {
  ERROR: 0x01,
  READ: 0x02,
  SKIP: 0x04,
  SELECT: 0x08,
  WRITE: 0x10,
} as const;

/** Bytes of a DMA descriptor: u32 control BE, u32 length BE, u64 address BE. */
export const FW_CFG_DMA_DESCRIPTOR_SIZE = 16;

/** Arm virt MMIO register offsets from the fw_cfg base (0x09020000 on virt). */
export const FwCfgMmio = {
  BASE_VIRT: 0x0902_0000n,
  DATA: 0,
  SELECTOR: 8,
  DMA_ADDRESS: 16,
} as const;
