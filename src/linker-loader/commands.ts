import { ByteWriter, EncodeError, joinPath } from '../binary';
import { CommandField, LOADER_COMMAND_SIZE, LOADER_FILE_NAME_SIZE, LOADER_MAX_FILE_NAME_LENGTH, LoaderCommandType } from './constants';

/**
 * The four linker/loader commands as plain data, and their 128-byte wire form.
 *
 * This is the raw codec: it writes whatever values it is given as long as they fit their fields
 * (u32, u8, names of at most 55 bytes), so tests can build broken scripts on purpose. QEMU's
 * invariants (ALLOCATE first, pointer inside its blob, checksum byte zeroed...) are enforced where
 * commands are created, by `LinkerLoaderBuilder`, and checked at run time by the mock firmware.
 */

/** Load the whole fw_cfg file `file` into guest memory at an address aligned to `align`. */
export interface AllocateCommand {
  type: 'ALLOCATE';
  file: string;
  /** power of two (QEMU asserts it; OVMF refuses more than 4096) */
  align: number;
  /** 1 = HIGH, 2 = FSEG (see AllocationZone); OVMF ignores it */
  zone: number;
}

/** dest[offset .. offset+size) += guest address of src_file (little-endian, `size` bytes). */
export interface AddPointerCommand {
  type: 'ADD_POINTER';
  destFile: string;
  srcFile: string;
  /** offset of the pointer field inside destFile */
  offset: number;
  /** 1, 2, 4 or 8 in a valid script */
  size: number;
}

/** file[offset] = ACPI checksum of file[start .. start+length). */
export interface AddChecksumCommand {
  type: 'ADD_CHECKSUM';
  file: string;
  /** offset of the checksum byte */
  offset: number;
  start: number;
  length: number;
}

/** fw_cfg file destFile[destOffset .. +size) = guest address of srcFile + srcOffset. */
export interface WritePointerCommand {
  type: 'WRITE_POINTER';
  /** a writable fw_cfg file, not loaded into guest memory */
  destFile: string;
  srcFile: string;
  destOffset: number;
  srcOffset: number;
  /** 1, 2, 4 or 8 in a valid script */
  size: number;
}

/**
 * A command whose type is not 1-4. Only produced when decoding with `unknownCommands: 'skip'`
 * (what OVMF and SeaBIOS do); `body` is the 124 bytes after the type, kept so it re-encodes exactly.
 */
export interface UnknownCommand {
  type: 'UNKNOWN';
  commandType: number;
  body: Uint8Array;
}

export type KnownLoaderCommand = AllocateCommand | AddPointerCommand | AddChecksumCommand | WritePointerCommand;
export type LoaderCommand = KnownLoaderCommand | UnknownCommand;

/** The u32 type value of a command. */
export function commandTypeValue(cmd: LoaderCommand): number {
  switch (cmd.type) {
    case 'ALLOCATE':
      return LoaderCommandType.ALLOCATE;
    case 'ADD_POINTER':
      return LoaderCommandType.ADD_POINTER;
    case 'ADD_CHECKSUM':
      return LoaderCommandType.ADD_CHECKSUM;
    case 'WRITE_POINTER':
      return LoaderCommandType.WRITE_POINTER;
    case 'UNKNOWN':
      return cmd.commandType;
  }
}

/** Writes a file name into a 56-byte field: the name's bytes, then NUL up to the end of the field. */
function writeName(w: ByteWriter, offset: number, name: string, path: string): void {
  if (name.length > LOADER_MAX_FILE_NAME_LENGTH) {
    throw new EncodeError({
      code: 'bad_length',
      path,
      message: `file name ${JSON.stringify(name)} is ${name.length} bytes; at most ${LOADER_MAX_FILE_NAME_LENGTH} fit a ${LOADER_FILE_NAME_SIZE}-byte field with its NUL`,
    });
  }
  if (name.length === 0 || !/^[\x01-\xff]*$/.test(name)) {
    throw new EncodeError({ code: 'bad_value', path, message: `file name must be 1-55 non-NUL single-byte characters, got ${JSON.stringify(name)}` });
  }
  for (let i = 0; i < LOADER_FILE_NAME_SIZE; i++) w.u8(offset + i, i < name.length ? name.charCodeAt(i) : 0, path);
}

/** Writes one command as its 128-byte entry at `offset` (the entry is zero-filled first). */
export function writeLoaderCommand(w: ByteWriter, offset: number, cmd: LoaderCommand, path = ''): void {
  const f = (name: string) => joinPath(path, name);
  w.fill(offset, LOADER_COMMAND_SIZE, 0, path);
  w.u32(offset + CommandField.type, commandTypeValue(cmd), f('type'));
  switch (cmd.type) {
    case 'ALLOCATE':
      writeName(w, offset + CommandField.firstName, cmd.file, f('file'));
      w.u32(offset + CommandField.allocateAlign, cmd.align, f('align'));
      w.u8(offset + CommandField.allocateZone, cmd.zone, f('zone'));
      return;
    case 'ADD_POINTER':
      writeName(w, offset + CommandField.firstName, cmd.destFile, f('dest_file'));
      writeName(w, offset + CommandField.secondName, cmd.srcFile, f('src_file'));
      w.u32(offset + CommandField.pointerOffset, cmd.offset, f('offset'));
      w.u8(offset + CommandField.addPointerSize, cmd.size, f('size'));
      return;
    case 'ADD_CHECKSUM':
      writeName(w, offset + CommandField.firstName, cmd.file, f('file'));
      w.u32(offset + CommandField.checksumOffset, cmd.offset, f('offset'));
      w.u32(offset + CommandField.checksumStart, cmd.start, f('start'));
      w.u32(offset + CommandField.checksumLength, cmd.length, f('length'));
      return;
    case 'WRITE_POINTER':
      writeName(w, offset + CommandField.firstName, cmd.destFile, f('dest_file'));
      writeName(w, offset + CommandField.secondName, cmd.srcFile, f('src_file'));
      w.u32(offset + CommandField.pointerOffset, cmd.destOffset, f('dst_offset'));
      w.u32(offset + CommandField.writePointerSrcOffset, cmd.srcOffset, f('src_offset'));
      w.u8(offset + CommandField.writePointerSize, cmd.size, f('size'));
      return;
    case 'UNKNOWN':
      if (cmd.body.length !== LOADER_COMMAND_SIZE - 4) {
        throw new EncodeError({ code: 'bad_length', path: f('body'), message: `unknown command body must be ${LOADER_COMMAND_SIZE - 4} bytes, got ${cmd.body.length}` });
      }
      w.bytesAt(offset + 4, cmd.body, f('body'));
      return;
  }
}

/** The wire bytes of a whole script (128 bytes per command, in order). */
export function encodeLoaderScript(commands: readonly LoaderCommand[]): Uint8Array {
  const w = new ByteWriter(commands.length * LOADER_COMMAND_SIZE);
  commands.forEach((cmd, i) => writeLoaderCommand(w, i * LOADER_COMMAND_SIZE, cmd, `loader[${i}]`));
  return w.bytes;
}
