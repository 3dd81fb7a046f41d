import { EncodeError, RasgwErrorCode } from '../binary';
import { AddChecksumCommand, AddPointerCommand, AllocateCommand, LoaderCommand, WritePointerCommand, encodeLoaderScript } from './commands';
import { AllocationZone, LOADER_MAX_FILE_NAME_LENGTH, isPointerSize } from './constants';

/**
 * Builds a linker/loader script the way QEMU's `hw/acpi/bios-linker-loader.c` does, enforcing its
 * invariants at the moment each command is created (QEMU asserts them; we throw an EncodeError
 * with code and path instead):
 *
 * - `allocate`: one per file; name at most 55 bytes; alignment a power of two. ALLOCATEs are
 *   prepended, so in the finished script they all come first, in reverse creation order.
 * - `addPointer`: both files allocated; size 1/2/4/8; the field lies inside the dest blob; the
 *   source offset lies inside the src blob and fits the field; the source offset is pre-stored
 *   into the dest blob's field (little-endian), so after patching it holds base(src) + srcOffset.
 *   A pointer may not land inside a range an earlier ADD_CHECKSUM of the same file already
 *   covers: the firmware runs commands in order, so that checksum would be computed before the
 *   pointer is patched and would come out wrong.
 * - `addChecksum`: file allocated; range inside the blob; checksum byte inside the range; the byte
 *   is set to 0 in the blob (the firmware computes it).
 * - `writePointer`: the dest is a writable fw_cfg file declared with `declareWritableFile` (it is
 *   not allocated); the field fits in it; src allocated and src offset inside the src blob.
 *
 * The builder patches the blobs it is given in place (pre-stored pointer values, zeroed checksum
 * bytes), exactly as QEMU does to its GArrays.
 */
export interface AllocateOptions {
  align: number;
  /** default HIGH */
  zone?: number;
}

export interface PointerSpec {
  destFile: string;
  /** offset of the pointer field inside destFile */
  destOffset: number;
  size: number;
  srcFile: string;
  /** offset inside srcFile the pointer must point to */
  srcOffset: number;
}

export interface ChecksumSpec {
  file: string;
  start: number;
  length: number;
  checksumOffset: number;
}

export class LinkerLoaderBuilder {
  private readonly allocations: AllocateCommand[] = [];
  private readonly others: LoaderCommand[] = [];
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly writable = new Map<string, number>();
  /** checksum ranges already emitted, per file */
  private readonly checksummed = new Map<string, Array<{ start: number; end: number; index: number }>>();

  private fail(code: RasgwErrorCode, path: string, message: string): never {
    throw new EncodeError({ code, path: `loader.${path}`, message });
  }

  private checkName(name: string, path: string): void {
    if (name.length === 0 || name.length > LOADER_MAX_FILE_NAME_LENGTH || !/^[\x01-\xff]+$/.test(name)) {
      this.fail('bad_length', path, `file name ${JSON.stringify(name)} must be 1-${LOADER_MAX_FILE_NAME_LENGTH} non-NUL bytes`);
    }
  }

  private blobOf(file: string, path: string): Uint8Array {
    const b = this.blobs.get(file);
    if (!b) this.fail('bad_reference', path, `file ${JSON.stringify(file)} is used before its ALLOCATE`);
    return b;
  }

  private checkUint(value: number, path: string): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) this.fail('out_of_range', path, `${value} is not a u32`);
  }

  /** ALLOCATE `file` (its bytes are `blob`); prepended to the script. */
  allocate(file: string, blob: Uint8Array, options: AllocateOptions): this {
    const path = `ALLOCATE(${file})`;
    this.checkName(file, `${path}.file`);
    if (this.blobs.has(file) || this.writable.has(file)) this.fail('bad_reference', `${path}.file`, `file ${JSON.stringify(file)} is already allocated or declared writable`);
    const { align } = options;
    if (!Number.isInteger(align) || align <= 0 || align > 0xffff_ffff || (align & (align - 1)) !== 0) {
      this.fail('bad_alignment', `${path}.align`, `alignment ${align} is not a power of two`);
    }
    const zone = options.zone ?? AllocationZone.HIGH;
    if (zone !== AllocationZone.HIGH && zone !== AllocationZone.FSEG) this.fail('bad_value', `${path}.zone`, `zone ${zone} is neither HIGH (1) nor FSEG (2)`);
    this.blobs.set(file, blob);
    this.allocations.unshift({ type: 'ALLOCATE', file, align, zone });
    return this;
  }

  /** Declares a writable fw_cfg file of `size` bytes that WRITE_POINTER may target. */
  declareWritableFile(file: string, size: number): this {
    this.checkName(file, `WRITE_POINTER(${file}).dest_file`);
    if (this.blobs.has(file)) this.fail('bad_reference', `WRITE_POINTER(${file}).dest_file`, `file ${JSON.stringify(file)} is allocated in guest memory, not a writable fw_cfg file`);
    this.writable.set(file, size);
    return this;
  }

  private checkPointerCommon(spec: PointerSpec, path: string): { src: Uint8Array } {
    this.checkName(spec.destFile, `${path}.dest_file`);
    this.checkName(spec.srcFile, `${path}.src_file`);
    if (!isPointerSize(spec.size)) this.fail('bad_value', `${path}.size`, `pointer size ${spec.size} is not 1, 2, 4 or 8`);
    this.checkUint(spec.destOffset, `${path}.offset`);
    this.checkUint(spec.srcOffset, `${path}.src_offset`);
    const src = this.blobOf(spec.srcFile, `${path}.src_file`);
    if (spec.srcOffset >= src.length) {
      this.fail('bad_offset', `${path}.src_offset`, `source offset 0x${spec.srcOffset.toString(16)} is outside ${spec.srcFile} (${src.length} bytes)`);
    }
    return { src };
  }

  /** ADD_POINTER: pre-stores `srcOffset` into the dest field and emits the command. */
  addPointer(spec: PointerSpec): this {
    const path = `ADD_POINTER(${spec.destFile}[0x${spec.destOffset.toString(16)}])`;
    this.checkPointerCommon(spec, path);
    const dest = this.blobOf(spec.destFile, `${path}.dest_file`);
    if (spec.destOffset + spec.size > dest.length) {
      this.fail('bad_offset', `${path}.offset`, `${spec.size}-byte field at 0x${spec.destOffset.toString(16)} is outside ${spec.destFile} (${dest.length} bytes)`);
    }
    if (spec.size < 8 && spec.srcOffset >= 2 ** (8 * spec.size)) {
      this.fail('out_of_range', `${path}.src_offset`, `source offset 0x${spec.srcOffset.toString(16)} does not fit a ${spec.size}-byte field`);
    }
    for (const c of this.checksummed.get(spec.destFile) ?? []) {
      if (spec.destOffset < c.end && c.start < spec.destOffset + spec.size) {
        this.fail(
          'protocol',
          `${path}.offset`,
          `pointer field inside [0x${c.start.toString(16)}, 0x${c.end.toString(16)}) already covered by checksum command ${c.index}; checksums must follow the pointers they cover`,
        );
      }
    }
    let v = spec.srcOffset;
    for (let i = 0; i < spec.size; i++) {
      dest[spec.destOffset + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    const cmd: AddPointerCommand = { type: 'ADD_POINTER', destFile: spec.destFile, srcFile: spec.srcFile, offset: spec.destOffset, size: spec.size };
    this.others.push(cmd);
    return this;
  }

  /** ADD_CHECKSUM: zeroes the checksum byte and emits the command. */
  addChecksum(spec: ChecksumSpec): this {
    const path = `ADD_CHECKSUM(${spec.file}[0x${spec.checksumOffset.toString(16)}])`;
    this.checkName(spec.file, `${path}.file`);
    this.checkUint(spec.start, `${path}.start`);
    this.checkUint(spec.length, `${path}.length`);
    this.checkUint(spec.checksumOffset, `${path}.offset`);
    const blob = this.blobOf(spec.file, `${path}.file`);
    const end = spec.start + spec.length;
    if (end > blob.length) this.fail('bad_offset', `${path}.length`, `range [0x${spec.start.toString(16)}, 0x${end.toString(16)}) is outside ${spec.file} (${blob.length} bytes)`);
    if (spec.checksumOffset < spec.start || spec.checksumOffset >= end) {
      this.fail('bad_offset', `${path}.offset`, `checksum byte 0x${spec.checksumOffset.toString(16)} is outside its range [0x${spec.start.toString(16)}, 0x${end.toString(16)})`);
    }
    blob[spec.checksumOffset] = 0;
    const index = this.allocations.length + this.others.length;
    const list = this.checksummed.get(spec.file) ?? [];
    list.push({ start: spec.start, end, index });
    this.checksummed.set(spec.file, list);
    const cmd: AddChecksumCommand = { type: 'ADD_CHECKSUM', file: spec.file, offset: spec.checksumOffset, start: spec.start, length: spec.length };
    this.others.push(cmd);
    return this;
  }

  /** WRITE_POINTER into a declared writable fw_cfg file. */
  writePointer(spec: PointerSpec): this {
    const path = `WRITE_POINTER(${spec.destFile}[0x${spec.destOffset.toString(16)}])`;
    this.checkPointerCommon(spec, path);
    const destSize = this.writable.get(spec.destFile);
    if (destSize === undefined) this.fail('bad_reference', `${path}.dest_file`, `${JSON.stringify(spec.destFile)} is not a declared writable fw_cfg file`);
    if (spec.destOffset + spec.size > destSize) {
      this.fail('bad_offset', `${path}.dst_offset`, `${spec.size}-byte field at 0x${spec.destOffset.toString(16)} is outside ${spec.destFile} (${destSize} bytes)`);
    }
    const cmd: WritePointerCommand = {
      type: 'WRITE_POINTER',
      destFile: spec.destFile,
      srcFile: spec.srcFile,
      destOffset: spec.destOffset,
      srcOffset: spec.srcOffset,
      size: spec.size,
    };
    this.others.push(cmd);
    return this;
  }

  /** The blob registered for an allocated file. */
  blob(file: string): Uint8Array | undefined {
    return this.blobs.get(file);
  }

  /** The script so far: every ALLOCATE (reverse creation order), then the other commands in order. */
  get commands(): LoaderCommand[] {
    return [...this.allocations, ...this.others];
  }

  /** The script's wire bytes (the `etc/table-loader` file). */
  encode(): Uint8Array {
    return encodeLoaderScript(this.commands);
  }
}
