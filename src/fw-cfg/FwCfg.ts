import { RasgwError } from '../binary';
import { FW_CFG_VERSION_DMA, FW_CFG_VERSION_TRADITIONAL, FwCfgDmaControl, FwCfgKey } from './constants';
import { FwCfgFileInfo, FwCfgFileSet, FwCfgFileSpec } from './FwCfgFileSet';

/**
 * One VM's fw_cfg device: the shared FileSet plus this VM's writable files and the transfer state
 * (selected item, current offset), with QEMU's `fw_cfg_dma_transfer` rules:
 *
 * - SELECT (control bit 3) selects the key in the upper 16 bits and resets the offset to 0;
 * - READ copies from the current offset and fills with zeros past the end of the item (or for an
 *   unknown key);
 * - SKIP advances the offset;
 * - WRITE is refused — error bit set, NOTHING written — when the item is read-only, unknown, or the
 *   write would start at or run past the end of the item; the offset still advances by the bytes
 *   that were in range, as in QEMU;
 * - only one of READ/WRITE/SKIP is honoured per operation (READ > WRITE > SKIP), as in QEMU.
 *
 * Fixed items: 0x0000 signature "QEMU", 0x0001 id (traditional + DMA), 0x0019 directory.
 */
export class FwCfgError extends RasgwError {}

export interface DmaResult {
  /** control word QEMU writes back: 0 on success, FwCfgDmaControl.ERROR on failure */
  control: number;
  /** bytes read (READ operations) */
  data?: Uint8Array;
}

const SIGNATURE = new Uint8Array([0x51, 0x45, 0x4d, 0x55]);
const ID = new Uint8Array([FW_CFG_VERSION_TRADITIONAL | FW_CFG_VERSION_DMA, 0, 0, 0]);

export class FwCfg {
  readonly fileSet: FwCfgFileSet;
  private readonly writableData = new Map<string, Uint8Array>();
  private currentKey = -1;
  private currentOffset = 0;

  constructor(files: FwCfgFileSet | readonly FwCfgFileSpec[]) {
    this.fileSet = files instanceof FwCfgFileSet ? files : new FwCfgFileSet(files);
    for (const f of this.fileSet.files) {
      if (f.writable) this.writableData.set(f.name, this.fileSet.initialBytes(f.name)!.slice());
    }
  }

  /** A fresh device for another VM: shares every read-only file, copies the writable initial bytes. */
  fork(): FwCfg {
    return new FwCfg(this.fileSet);
  }

  get files(): readonly FwCfgFileInfo[] {
    return this.fileSet.files;
  }

  file(name: string): FwCfgFileInfo | undefined {
    return this.fileSet.file(name);
  }

  /** Current bytes of a named file (a copy). */
  readFile(name: string): Uint8Array {
    const b = this.bytesOfFile(name);
    if (!b) throw new FwCfgError({ code: 'bad_reference', path: `fw_cfg.files[${JSON.stringify(name)}]`, message: `no fw_cfg file ${JSON.stringify(name)}` });
    return b.slice();
  }

  /** Current bytes of a file without copying (read-only files share the FileSet's bytes). */
  private bytesOfFile(name: string): Uint8Array | undefined {
    return this.writableData.get(name) ?? this.fileSet.initialBytes(name);
  }

  /** The bytes behind a selector key, or undefined for an unknown key. */
  private itemBytes(key: number): { bytes: Uint8Array; writable: boolean } | undefined {
    switch (key) {
      case FwCfgKey.SIGNATURE:
        return { bytes: SIGNATURE, writable: false };
      case FwCfgKey.ID:
        return { bytes: ID, writable: false };
      case FwCfgKey.FILE_DIR:
        return { bytes: this.fileSet.directory, writable: false };
    }
    const f = this.fileSet.fileBySelect(key);
    if (!f) return undefined;
    return { bytes: this.bytesOfFile(f.name)!, writable: f.writable };
  }

  /** Selector register write: selects `key` and rewinds to offset 0. */
  select(key: number): void {
    this.currentKey = key & 0xffff;
    this.currentOffset = 0;
  }

  get selection(): { key: number; offset: number } {
    return { key: this.currentKey, offset: this.currentOffset };
  }

  /**
   * One DMA operation. `control` is the descriptor's control word; `data` is what the guest
   * provides for a WRITE (length = data.length); `length` is used for READ and SKIP.
   */
  dma(control: number, length: number, data?: Uint8Array): DmaResult {
    if (control & FwCfgDmaControl.SELECT) this.select(control >>> 16);
    const read = (control & FwCfgDmaControl.READ) !== 0;
    const write = !read && (control & FwCfgDmaControl.WRITE) !== 0;
    const skip = !read && !write && (control & FwCfgDmaControl.SKIP) !== 0;
    if (!read && !write && !skip) return { control: 0 };
    if (write && (!data || data.length !== length)) {
      throw new FwCfgError({ code: 'bad_length', path: 'fw_cfg.dma.length', message: `write of ${length} bytes needs exactly ${length} data bytes` });
    }
    const item = this.itemBytes(this.currentKey);
    const out = read ? new Uint8Array(length) : undefined;
    if (!item || this.currentOffset >= item.bytes.length) {
      // QEMU: past the end or no item, reads give zeros, writes fail, skips do nothing.
      return { control: write && length > 0 ? FwCfgDmaControl.ERROR : 0, data: out };
    }
    const inRange = Math.min(length, item.bytes.length - this.currentOffset);
    let result = 0;
    if (read) out!.set(item.bytes.subarray(this.currentOffset, this.currentOffset + inRange));
    if (write) {
      if (!item.writable || inRange !== length) result = FwCfgDmaControl.ERROR;
      else item.bytes.set(data!, this.currentOffset);
    }
    // A read that runs past the end leaves the rest of `out` zero, as QEMU zero-fills it.
    this.currentOffset += inRange;
    return { control: result, data: out };
  }

  /** Traditional data-register reads: `length` bytes from the current offset (zeros past the end). */
  readData(length: number): Uint8Array {
    return this.dma(FwCfgDmaControl.READ, length).data!;
  }

  /**
   * select + skip `offset` + write `data` in one call: what a firmware does for WRITE_POINTER.
   * Returns the DMA control result (0 = success, ERROR bit = refused, nothing written).
   */
  writeFileBytes(name: string, offset: number, data: Uint8Array): number {
    const f = this.fileSet.file(name);
    this.select(f ? f.select : 0xffff);
    if (offset > 0) this.dma(FwCfgDmaControl.SKIP, offset);
    return this.dma(FwCfgDmaControl.WRITE, data.length, data).control;
  }

  /** A copy of every writable file (for undo). */
  snapshotWritable(): Map<string, Uint8Array> {
    return new Map([...this.writableData].map(([k, v]) => [k, v.slice()]));
  }

  /** Puts the writable files back as `snapshot` had them (the firmware's undo after a failed script). */
  restoreWritable(snapshot: ReadonlyMap<string, Uint8Array>): void {
    for (const [name, bytes] of snapshot) {
      const cur = this.writableData.get(name);
      if (cur && cur.length === bytes.length) cur.set(bytes);
    }
  }
}
