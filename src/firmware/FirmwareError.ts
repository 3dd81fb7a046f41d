import { ErrorDetail, RasgwError } from '../binary';

/**
 * Why the mock firmware refused a loader script. `rule` names the check that failed (stable ids,
 * listed in `FirmwareRule`), `commandIndex` the script command (when the failure is about one),
 * and `path` points at the field: `loader[7].src_offset`.
 */
export type FirmwareRule =
  /** the script bytes do not decode (truncated command, unknown type, name without NUL...) */
  | 'script-format'
  /** the fw_cfg directory or etc/table-loader is missing or unreadable */
  | 'fw-cfg'
  /** ALLOCATE alignment is 0, not a power of two, or above 4096 */
  | 'alignment'
  /** a second ALLOCATE for the same file */
  | 'duplicate-allocate'
  /** ALLOCATE names a file the fw_cfg directory does not list, or a zero-length file */
  | 'allocate-file'
  /** no free pages below the allocation ceiling */
  | 'out-of-memory'
  /** a command names a file before (or without) its ALLOCATE */
  | 'allocate-before-use'
  /** pointer size not 1, 2, 4 or 8 */
  | 'pointer-size'
  /** ADD_POINTER field not inside the dest blob */
  | 'pointer-field-bounds'
  /** ADD_POINTER's original field value is not < the src blob size */
  | 'pointer-value-bounds'
  /** the relocated pointer does not fit in `size` bytes */
  | 'relocated-value-fits'
  /** ADD_CHECKSUM byte or range outside the blob */
  | 'checksum-range-bounds'
  /** WRITE_POINTER dest is not a fw_cfg file */
  | 'write-pointer-dest'
  /** WRITE_POINTER field not inside the dest fw_cfg file */
  | 'write-pointer-field-bounds'
  /** WRITE_POINTER src_offset is not < the src blob size */
  | 'write-pointer-src-bounds'
  /** the fw_cfg DMA write came back with the error bit (read-only item...) */
  | 'fw-cfg-write-refused'
  /** an installed blob overlaps memory already owned by someone */
  | 'memory-claim'
  /** no allocated blob holds an RSDP */
  | 'rsdp-missing'
  /** firmware code was entered after it handed over to the guest */
  | 'after-hand-off';

export interface FirmwareErrorDetail extends ErrorDetail {
  rule: FirmwareRule;
  commandIndex?: number;
}

export class FirmwareError extends RasgwError {
  readonly rule: FirmwareRule;
  readonly commandIndex?: number;

  constructor(detail: FirmwareErrorDetail) {
    super(detail);
    this.rule = detail.rule;
    this.commandIndex = detail.commandIndex;
  }

  override toJSON(): FirmwareErrorDetail {
    const out: FirmwareErrorDetail = { ...super.toJSON(), rule: this.rule };
    if (this.commandIndex !== undefined) out.commandIndex = this.commandIndex;
    return out;
  }
}
