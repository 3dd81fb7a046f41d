import { DecodeError, RasgwError, RasgwErrorCode, sum8 } from '../binary';
import { FwCfg, FwCfgKey, decodeFwCfgDirectory, FwCfgDirectoryEntry, FwCfgDmaControl, FwCfgFileName } from '../fw-cfg';
import type { GuestMemory, MemoryActor } from '../guest-memory/GuestMemory';
import { PAGE_SIZE } from '../guest-memory/GuestMemory';
import {
  AddChecksumCommand,
  AddPointerCommand,
  AllocateCommand,
  AllocationZone,
  CommandField,
  LOADER_COMMAND_SIZE,
  LoaderCommand,
  WritePointerCommand,
  decodeLoaderScript,
  isPointerSize,
} from '../linker-loader';
import { noteFirmwareCall } from './callGuard';
import { FirmwareError, FirmwareRule } from './FirmwareError';
import { FirmwareAllocation, FirmwareHandoff, FirmwareWritePointer, InstalledTable } from './handoff';
import { TopDownPageAllocator, defaultAllocationCeiling } from './PageAllocator';

/**
 * A strict ArmVirtQemu/OVMF-like firmware (`OvmfPkg/AcpiPlatformDxe/QemuFwCfgAcpi.c`) that runs
 * QEMU's `etc/table-loader` against guest memory:
 *
 * 1. reads the fw_cfg directory (item 0x19) and `etc/table-loader` through the fw_cfg interface;
 * 2. decodes the script (strict: truncated commands and unknown command types are errors; OVMF
 *    skips unknown types — pass `unknownCommands: 'skip'` for that);
 * 3. executes every command in order with OVMF's checks (see FirmwareRule for the list):
 *    - ALLOCATE: alignment a power of two ≤ 4096, file listed and non-empty, one per file; takes
 *      whole pages top-down below the allocation ceiling (zone ignored, as OVMF does), copies the
 *      file in and zero-fills the rest of the last page;
 *    - ADD_POINTER: both files allocated before, size 1/2/4/8, field inside dest, original value
 *      < src size, relocated value fits `size` bytes;
 *    - ADD_CHECKSUM: file allocated, checksum byte and range inside the blob; the byte is SET to
 *      the checksum of the range as it currently is (OVMF's CalculateCheckSum8; equal to QEMU's
 *      "add" semantics because QEMU leaves the byte 0);
 *    - WRITE_POINTER: size 1/2/4/8, dest fw_cfg file exists and the field fits it, src allocated
 *      before, src offset < src size, value fits; written with a fw_cfg DMA select/skip/write (an
 *      error bit is a failure; OVMF would hang in CpuDeadLoop);
 * 4. installs the blobs in guest memory, claims them (by default `etc/hardware_errors` for the
 *    device model, writable by it and the guest; every other blob for the guest), finds the RSDP
 *    (the allocated blob that starts with "RSD PTR ", FSEG zone preferred) and lists the tables the
 *    ADD_POINTERs reach (OVMF's second pass);
 * 5. hands over `FirmwareHandoff` and drops its references: any later call throws `after-hand-off`.
 *
 * Blobs are patched in private copies and written to guest memory once every command has passed,
 * inside `GuestMemory.transaction`; fw_cfg writable files are snapshotted and restored. A failure
 * therefore leaves guest memory and fw_cfg exactly as they were, and throws a FirmwareError naming
 * the command index, the rule and the field (`loader[7].src_offset`).
 *
 * Addresses: QEMU 7.2 virt with 1 GiB at 0x40000000 and EDK2 2022.11 put `etc/hardware_errors` at
 * 0x7c410000. The pages above it were taken by earlier DXE allocations, which cannot be derived,
 * so the profile sets the ceiling to 0x7c412000 (calibrated: the RSDP page is taken first at
 * 0x7c411000, then etc/hardware_errors at 0x7c410000, then the tables at 0x7c3f0000). Real EDK2
 * then copies each table into pool memory through the ACPI table protocol (Linux saw HEST at
 * 0x7C43E898) and builds its own RSDP/XSDT; this mock leaves the tables in place in QEMU's blobs,
 * like SeaBIOS, so HEST's address is tables + HEST's offset instead.
 */
export interface BlobOwnership {
  owner: MemoryActor;
  writers: MemoryActor[];
}

/** etc/hardware_errors → device model (guest also writes: block status, read-ack); others → guest. */
export function defaultBlobOwnership(file: string): BlobOwnership {
  if (file === FwCfgFileName.HARDWARE_ERRORS) return { owner: 'device-model', writers: ['device-model', 'guest'] };
  // the ERST device's register page and exchange buffer (the guest writes records into the buffer)
  if (file === 'etc/erst') return { owner: 'device-model', writers: ['device-model', 'guest'] };
  return { owner: 'guest', writers: ['guest'] };
}

export interface FirmwareOptions {
  /** exclusive top of the page allocator; default: end of the highest RAM below 4 GiB */
  allocationCeiling?: bigint;
  ownership?: (file: string) => BlobOwnership;
  /** 'reject' (default) or 'skip' (OVMF/SeaBIOS behaviour) */
  unknownCommands?: 'reject' | 'skip';
}

const MAX_ALIGN = 4096;
const PAGE = BigInt(PAGE_SIZE);

interface Blob {
  file: string;
  address: bigint;
  bytes: Uint8Array;
  allocation: FirmwareAllocation;
}

const FIELD_OFFSET: Record<string, number> = {
  type: CommandField.type,
  file: CommandField.firstName,
  dest_file: CommandField.firstName,
  src_file: CommandField.secondName,
  align: CommandField.allocateAlign,
  zone: CommandField.allocateZone,
  offset: CommandField.pointerOffset,
  size: CommandField.addPointerSize,
  dst_offset: CommandField.pointerOffset,
  src_offset: CommandField.writePointerSrcOffset,
  wp_size: CommandField.writePointerSize,
  checksum_offset: CommandField.checksumOffset,
  start: CommandField.checksumStart,
  length: CommandField.checksumLength,
};

function hex(v: number | bigint): string {
  return '0x' + v.toString(16);
}

function readLe(bytes: Uint8Array, offset: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]);
  return v;
}

function writeLe(bytes: Uint8Array, offset: number, size: number, value: bigint): void {
  let v = value;
  for (let i = 0; i < size; i++) {
    bytes[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export class MockFirmware {
  private fwCfg: FwCfg | null;
  private memory: GuestMemory | null;
  private readonly options: FirmwareOptions;
  private handedOff = false;

  constructor(fwCfg: FwCfg, memory: GuestMemory, options: FirmwareOptions = {}) {
    this.fwCfg = fwCfg;
    this.memory = memory;
    this.options = options;
  }

  /** True once boot() has handed over; the object then holds no reference to fw_cfg or memory. */
  get released(): boolean {
    return this.handedOff;
  }

  private enter(): { fwCfg: FwCfg; memory: GuestMemory } {
    noteFirmwareCall();
    if (this.handedOff || !this.fwCfg || !this.memory) {
      throw new FirmwareError({ code: 'protocol', rule: 'after-hand-off', path: 'firmware', message: 'firmware code called after it handed over to the guest' });
    }
    return { fwCfg: this.fwCfg, memory: this.memory };
  }

  /** Runs the loader script and hands over; throws FirmwareError with nothing changed on failure. */
  boot(): FirmwareHandoff {
    const { fwCfg, memory } = this.enter();
    const directory = readDirectory(fwCfg);
    const commands = readScript(fwCfg, directory, this.options.unknownCommands ?? 'reject');
    const snapshot = fwCfg.snapshotWritable();
    try {
      const handoff = memory.transaction(() => new ScriptRun(fwCfg, memory, directory, this.options).run(commands));
      this.handedOff = true;
      this.fwCfg = null;
      this.memory = null;
      return handoff;
    } catch (e) {
      fwCfg.restoreWritable(snapshot);
      throw e;
    }
  }
}

/** Boots once and returns the hand-off; the firmware object is not kept anywhere. */
export function runFirmware(fwCfg: FwCfg, memory: GuestMemory, options: FirmwareOptions = {}): FirmwareHandoff {
  return new MockFirmware(fwCfg, memory, options).boot();
}

function fwCfgFail(message: string, path = 'fw_cfg'): never {
  throw new FirmwareError({ code: 'protocol', rule: 'fw-cfg', path, message });
}

function readDirectory(fwCfg: FwCfg): Map<string, FwCfgDirectoryEntry> {
  fwCfg.select(FwCfgKey.FILE_DIR);
  const head = fwCfg.readData(4);
  const count = new DataView(head.buffer).getUint32(0, false);
  fwCfg.select(FwCfgKey.FILE_DIR);
  let entries: FwCfgDirectoryEntry[];
  try {
    entries = decodeFwCfgDirectory(fwCfg.readData(4 + count * 64));
  } catch (e) {
    if (e instanceof RasgwError) fwCfgFail(`fw_cfg directory: ${e.message}`, 'fw_cfg_dir');
    throw e;
  }
  return new Map(entries.map((e) => [e.name, e]));
}

/** The message of a RasgwError without the `code at byte … [path]: ` prefix its constructor added. */
function withoutPrefix(e: RasgwError): string {
  const prefix = RasgwError.format({ code: e.code, offset: e.offset, path: e.path, message: '' });
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

function readFile(fwCfg: FwCfg, entry: FwCfgDirectoryEntry): Uint8Array {
  fwCfg.select(entry.select);
  return fwCfg.readData(entry.size);
}

function readScript(fwCfg: FwCfg, directory: Map<string, FwCfgDirectoryEntry>, unknownCommands: 'reject' | 'skip'): LoaderCommand[] {
  const entry = directory.get(FwCfgFileName.TABLE_LOADER);
  if (!entry) fwCfgFail(`fw_cfg has no ${FwCfgFileName.TABLE_LOADER}`, `fw_cfg.files["${FwCfgFileName.TABLE_LOADER}"]`);
  try {
    return decodeLoaderScript(readFile(fwCfg, entry), { unknownCommands, padding: 'ignore' });
  } catch (e) {
    if (e instanceof DecodeError) {
      const m = /^loader\[(\d+)\]/.exec(e.path);
      throw new FirmwareError({
        code: e.code,
        rule: 'script-format',
        commandIndex: m ? Number(m[1]) : undefined,
        offset: e.offset,
        path: e.path,
        message: withoutPrefix(e),
      });
    }
    throw e;
  }
}

/** One execution of a script: private blob copies, allocator, results. */
class ScriptRun {
  private readonly blobs = new Map<string, Blob>();
  private readonly writePointers: FirmwareWritePointer[] = [];
  private readonly allocator: TopDownPageAllocator | undefined;

  constructor(
    private readonly fwCfg: FwCfg,
    private readonly memory: GuestMemory,
    private readonly directory: Map<string, FwCfgDirectoryEntry>,
    private readonly options: FirmwareOptions,
  ) {
    const ceiling = options.allocationCeiling ?? defaultAllocationCeiling(memory);
    this.allocator = ceiling === undefined ? undefined : new TopDownPageAllocator(memory, ceiling);
  }

  private fail(rule: FirmwareRule, code: RasgwErrorCode, index: number, field: string, message: string): never {
    const off = FIELD_OFFSET[field];
    throw new FirmwareError({
      code,
      rule,
      commandIndex: index,
      offset: index * LOADER_COMMAND_SIZE + (off ?? 0),
      path: `loader[${index}].${field === 'wp_size' ? 'size' : field === 'checksum_offset' ? 'offset' : field}`,
      message,
    });
  }

  private allocated(file: string, index: number, field: string): Blob {
    const b = this.blobs.get(file);
    if (!b) this.fail('allocate-before-use', 'bad_reference', index, field, `${JSON.stringify(file)} is used before (or without) its ALLOCATE`);
    return b;
  }

  run(commands: readonly LoaderCommand[]): FirmwareHandoff {
    commands.forEach((cmd, i) => {
      noteFirmwareCall();
      switch (cmd.type) {
        case 'ALLOCATE':
          return this.allocate(cmd, i);
        case 'ADD_POINTER':
          return this.addPointer(cmd, i);
        case 'ADD_CHECKSUM':
          return this.addChecksum(cmd, i);
        case 'WRITE_POINTER':
          return this.writePointer(cmd, i);
        case 'UNKNOWN':
          return; // only present with unknownCommands: 'skip' (OVMF ignores them)
      }
    });
    return this.install(commands);
  }

  private allocate(cmd: AllocateCommand, i: number): void {
    if (cmd.align === 0 || (cmd.align & (cmd.align - 1)) !== 0 || cmd.align > MAX_ALIGN) {
      this.fail('alignment', 'bad_alignment', i, 'align', `alignment ${cmd.align} must be a power of two no larger than ${MAX_ALIGN}`);
    }
    if (this.blobs.has(cmd.file)) this.fail('duplicate-allocate', 'bad_reference', i, 'file', `second ALLOCATE for ${JSON.stringify(cmd.file)}`);
    const entry = this.directory.get(cmd.file);
    if (!entry) this.fail('allocate-file', 'bad_reference', i, 'file', `fw_cfg has no file ${JSON.stringify(cmd.file)}`);
    if (entry.size === 0) this.fail('allocate-file', 'bad_length', i, 'file', `fw_cfg file ${JSON.stringify(cmd.file)} is empty`);
    const pages = TopDownPageAllocator.pagesFor(entry.size);
    const address = this.allocator?.allocate(pages);
    if (address === undefined) this.fail('out-of-memory', 'out_of_range', i, 'file', `no ${pages} free page(s) for ${JSON.stringify(cmd.file)} below the allocation ceiling`);
    const bytes = new Uint8Array(pages * PAGE_SIZE);
    bytes.set(readFile(this.fwCfg, entry));
    const own = (this.options.ownership ?? defaultBlobOwnership)(cmd.file);
    const allocation: FirmwareAllocation = {
      file: cmd.file,
      address,
      size: entry.size,
      pages,
      align: cmd.align,
      zone: cmd.zone,
      commandIndex: i,
      owner: own.owner,
      writers: [...own.writers],
    };
    this.blobs.set(cmd.file, { file: cmd.file, address, bytes, allocation });
  }

  private addPointer(cmd: AddPointerCommand, i: number): void {
    const dest = this.allocated(cmd.destFile, i, 'dest_file');
    const src = this.allocated(cmd.srcFile, i, 'src_file');
    if (!isPointerSize(cmd.size)) this.fail('pointer-size', 'bad_value', i, 'size', `pointer size ${cmd.size} is not 1, 2, 4 or 8`);
    const destSize = dest.allocation.size;
    if (cmd.offset > destSize || cmd.size > destSize - cmd.offset) {
      this.fail('pointer-field-bounds', 'bad_offset', i, 'offset', `${cmd.size}-byte field at ${hex(cmd.offset)} is outside ${cmd.destFile} (${destSize} bytes)`);
    }
    const original = readLe(dest.bytes, cmd.offset, cmd.size);
    if (original >= BigInt(src.allocation.size)) {
      this.fail('pointer-value-bounds', 'bad_offset', i, 'offset', `field value ${hex(original)} is not inside ${cmd.srcFile} (${src.allocation.size} bytes)`);
    }
    const relocated = original + src.address;
    if (relocated >= 1n << BigInt(8 * cmd.size)) {
      this.fail('relocated-value-fits', 'out_of_range', i, 'size', `relocated pointer ${hex(relocated)} does not fit in ${cmd.size} byte(s)`);
    }
    writeLe(dest.bytes, cmd.offset, cmd.size, relocated);
  }

  private addChecksum(cmd: AddChecksumCommand, i: number): void {
    const blob = this.allocated(cmd.file, i, 'file');
    const size = blob.allocation.size;
    if (cmd.offset >= size) this.fail('checksum-range-bounds', 'bad_offset', i, 'checksum_offset', `checksum byte ${hex(cmd.offset)} is outside ${cmd.file} (${size} bytes)`);
    if (cmd.length > size || cmd.start > size - cmd.length) {
      this.fail('checksum-range-bounds', 'bad_offset', i, 'length', `range [${hex(cmd.start)}, ${hex(cmd.start + cmd.length)}) is outside ${cmd.file} (${size} bytes)`);
    }
    blob.bytes[cmd.offset] = (0x100 - sum8(blob.bytes, cmd.start, cmd.length)) & 0xff;
  }

  private writePointer(cmd: WritePointerCommand, i: number): void {
    if (!isPointerSize(cmd.size)) this.fail('pointer-size', 'bad_value', i, 'wp_size', `pointer size ${cmd.size} is not 1, 2, 4 or 8`);
    const dest = this.directory.get(cmd.destFile);
    if (!dest) this.fail('write-pointer-dest', 'bad_reference', i, 'dest_file', `fw_cfg has no file ${JSON.stringify(cmd.destFile)}`);
    if (cmd.destOffset > dest.size || cmd.size > dest.size - cmd.destOffset) {
      this.fail('write-pointer-field-bounds', 'bad_offset', i, 'dst_offset', `${cmd.size}-byte field at ${hex(cmd.destOffset)} is outside fw_cfg file ${cmd.destFile} (${dest.size} bytes)`);
    }
    const src = this.allocated(cmd.srcFile, i, 'src_file');
    if (cmd.srcOffset >= src.allocation.size) {
      this.fail('write-pointer-src-bounds', 'bad_offset', i, 'src_offset', `source offset ${hex(cmd.srcOffset)} is outside ${cmd.srcFile} (${src.allocation.size} bytes)`);
    }
    const value = src.address + BigInt(cmd.srcOffset);
    if (value >= 1n << BigInt(8 * cmd.size)) this.fail('relocated-value-fits', 'out_of_range', i, 'wp_size', `address ${hex(value)} does not fit in ${cmd.size} byte(s)`);
    const bytes = new Uint8Array(cmd.size);
    writeLe(bytes, 0, cmd.size, value);
    const control = this.fwCfg.writeFileBytes(cmd.destFile, cmd.destOffset, bytes);
    if (control & FwCfgDmaControl.ERROR) {
      this.fail('fw-cfg-write-refused', 'protocol', i, 'dest_file', `fw_cfg refused the DMA write to ${cmd.destFile} (read-only item or out of bounds)`);
    }
    this.writePointers.push({ commandIndex: i, file: cmd.destFile, offset: cmd.destOffset, size: cmd.size, value, srcFile: cmd.srcFile, srcOffset: cmd.srcOffset });
  }

  /** Writes every blob to guest memory, claims it, finds the RSDP and the tables. */
  private install(commands: readonly LoaderCommand[]): FirmwareHandoff {
    const blobs = [...this.blobs.values()];
    for (const b of blobs) this.writeBlob(b);
    for (const b of blobs) {
      try {
        this.memory.claim({ base: b.address, size: BigInt(b.allocation.pages) * PAGE, owner: b.allocation.owner, name: b.file, writers: b.allocation.writers });
      } catch (e) {
        if (!(e instanceof RasgwError)) throw e;
        throw new FirmwareError({ code: 'protocol', rule: 'memory-claim', commandIndex: b.allocation.commandIndex, path: `loader[${b.allocation.commandIndex}].file`, message: e.message });
      }
    }
    const rsdpBlob =
      blobs.find((b) => b.allocation.zone === AllocationZone.FSEG && isRsdp(b.bytes)) ?? blobs.find((b) => isRsdp(b.bytes));
    if (!rsdpBlob) throw new FirmwareError({ code: 'protocol', rule: 'rsdp-missing', path: 'loader', message: 'no allocated blob starts with an RSDP ("RSD PTR ")' });
    return {
      rsdpAddress: rsdpBlob.address,
      allocations: blobs.map((b) => b.allocation).sort((a, b) => a.commandIndex - b.commandIndex),
      writePointers: this.writePointers,
      tables: this.findTables(commands, rsdpBlob),
    };
  }

  /**
   * Copies a blob (whole pages, zero-filled tail) into guest memory. All-zero pages are written
   * only when the memory there is not already zero, so a mostly empty 128 KiB tables blob or a
   * 1 MiB error-block area costs only its non-zero pages (the result is the same bytes).
   */
  private writeBlob(b: Blob): void {
    for (let off = 0; off < b.bytes.length; off += PAGE_SIZE) {
      const page = b.bytes.subarray(off, off + PAGE_SIZE);
      const addr = b.address + BigInt(off);
      if (isZeroPage(page) && isZeroPage(this.memory.read(addr, PAGE_SIZE))) continue;
      this.memory.write(addr, page, 'firmware');
    }
  }

  /** OVMF's second pass: every ADD_POINTER target that holds a whole ACPI table, plus the RSDP. */
  private findTables(commands: readonly LoaderCommand[], rsdpBlob: Blob): InstalledTable[] {
    const rsdpLength = rsdpBlob.bytes[15] >= 2 ? 36 : 20;
    const rsdpValid = sum8(rsdpBlob.bytes, 0, 20) === 0 && (rsdpLength === 20 || sum8(rsdpBlob.bytes, 0, 36) === 0);
    const out: InstalledTable[] = [
      { signature: 'RSDP', address: rsdpBlob.address, length: rsdpLength, file: rsdpBlob.file, offset: 0, checksumValid: rsdpValid },
    ];
    const seen = new Set<string>([`${rsdpBlob.file}@0`]);
    for (const cmd of commands) {
      if (cmd.type !== 'ADD_POINTER') continue;
      const dest = this.blobs.get(cmd.destFile)!;
      const src = this.blobs.get(cmd.srcFile)!;
      const offset = Number(readLe(dest.bytes, cmd.offset, cmd.size) - src.address);
      if (offset < 0 || offset + 36 > src.allocation.size || !isUpperAscii(src.bytes[offset])) continue;
      const key = `${src.file}@${offset}`;
      if (seen.has(key)) continue;
      const sig = String.fromCharCode(src.bytes[offset], src.bytes[offset + 1], src.bytes[offset + 2], src.bytes[offset + 3]);
      if (!/^[A-Z][A-Z0-9_]{3}$/.test(sig)) continue;
      const length = Number(readLe(src.bytes, offset + 4, 4));
      if (length < 36 || offset + length > src.allocation.size) continue;
      seen.add(key);
      out.push({ signature: sig, address: src.address + BigInt(offset), length, file: src.file, offset, checksumValid: sum8(src.bytes, offset, length) === 0 });
    }
    return out;
  }
}

const ZERO_PAGE = Buffer.alloc(PAGE_SIZE);

function isUpperAscii(b: number): boolean {
  return b >= 0x41 && b <= 0x5a;
}

function isZeroPage(page: Uint8Array): boolean {
  return Buffer.from(page.buffer, page.byteOffset, page.byteLength).equals(ZERO_PAGE);
}

function isRsdp(bytes: Uint8Array): boolean {
  return bytes.length >= 20 && String.fromCharCode(...bytes.subarray(0, 8)) === 'RSD PTR ';
}
