import { ByteReader, DecodeError, SafeResult, safely } from '../binary';
import { LoaderCommand } from './commands';
import { COMMAND_USED_BYTES, CommandField, LOADER_COMMAND_SIZE, LOADER_FILE_NAME_SIZE, LoaderCommandType, LoaderCommandTypeValue } from './constants';

/**
 * Decoder of a whole `etc/table-loader` script.
 *
 * Structural checks only (the mock firmware checks the meaning: alignment, sizes, bounds, order):
 * - the script length must be a multiple of 128 (OVMF refuses anything else); the first partial
 *   command is reported as `truncated` with its index;
 * - every name field must end with NUL at byte 55 (OVMF refuses the command otherwise) and name
 *   at least one character;
 * - unknown command types: OVMF (`QemuFwCfgAcpi.c`) and SeaBIOS skip them silently. We are strict
 *   by default (`unknownCommands: 'reject'` → `bad_value` naming the index and byte offset) and
 *   offer `'skip'`, which keeps them as `UNKNOWN` commands so they re-encode byte for byte;
 * - padding: QEMU zero-fills every command and every name field after its NUL. By default
 *   (`padding: 'reject'`) a non-zero padding byte is an error, so every accepted script re-encodes
 *   to exactly the same bytes; `'ignore'` accepts it as firmware does.
 *
 * Errors carry the absolute byte offset and a path like `loader[7].src_file`.
 */
export interface DecodeLoaderOptions {
  unknownCommands?: 'reject' | 'skip';
  padding?: 'reject' | 'ignore';
}

/**
 * The name bytes up to the first NUL, as one flat string (Buffer's latin1 decoder): names are Map
 * keys in the firmware, and a string built byte by byte would be re-hashed on every lookup.
 */
function flatName(r: ByteReader, offset: number): string {
  const start = r.abs(offset);
  const field = r.bytes.subarray(start, start + LOADER_FILE_NAME_SIZE);
  const nul = field.indexOf(0);
  return Buffer.from(field.buffer, field.byteOffset, nul < 0 ? field.length : nul).toString('latin1');
}

function readName(r: ByteReader, offset: number, field: string, strictPadding: boolean): string {
  const last = offset + LOADER_FILE_NAME_SIZE - 1;
  if (r.u8(last, field) !== 0) {
    throw r.error('bad_value', last, field, `file name is not NUL-terminated: byte 55 of the ${LOADER_FILE_NAME_SIZE}-byte field is 0x${r.u8(last).toString(16)}`);
  }
  const name = flatName(r, offset);
  if (name.length === 0) throw r.error('bad_value', offset, field, 'file name is empty');
  if (strictPadding) {
    for (let i = offset + name.length + 1; i < last; i++) {
      if (r.u8(i) !== 0) throw r.error('bad_value', i, field, `non-zero byte 0x${r.u8(i).toString(16)} after the name's NUL terminator`);
    }
  }
  return name;
}

function checkPadding(r: ByteReader, from: number, field: string): void {
  for (let i = from; i < LOADER_COMMAND_SIZE; i++) {
    if (r.u8(i) !== 0) throw r.error('bad_value', i, field, `non-zero padding byte 0x${r.u8(i).toString(16)} at command byte ${i}`);
  }
}

/** Decodes one 128-byte command from window `r` (exactly 128 bytes). */
export function decodeLoaderCommand(r: ByteReader, options: DecodeLoaderOptions = {}): LoaderCommand {
  const strict = (options.padding ?? 'reject') === 'reject';
  const type = r.u32(CommandField.type, 'type');
  const name1 = () => readName(r, CommandField.firstName, type === LoaderCommandType.ALLOCATE || type === LoaderCommandType.ADD_CHECKSUM ? 'file' : 'dest_file', strict);
  const name2 = () => readName(r, CommandField.secondName, 'src_file', strict);
  let cmd: LoaderCommand;
  switch (type) {
    case LoaderCommandType.ALLOCATE:
      cmd = { type: 'ALLOCATE', file: name1(), align: r.u32(CommandField.allocateAlign, 'align'), zone: r.u8(CommandField.allocateZone, 'zone') };
      break;
    case LoaderCommandType.ADD_POINTER:
      cmd = { type: 'ADD_POINTER', destFile: name1(), srcFile: name2(), offset: r.u32(CommandField.pointerOffset, 'offset'), size: r.u8(CommandField.addPointerSize, 'size') };
      break;
    case LoaderCommandType.ADD_CHECKSUM:
      cmd = {
        type: 'ADD_CHECKSUM',
        file: name1(),
        offset: r.u32(CommandField.checksumOffset, 'offset'),
        start: r.u32(CommandField.checksumStart, 'start'),
        length: r.u32(CommandField.checksumLength, 'length'),
      };
      break;
    case LoaderCommandType.WRITE_POINTER:
      cmd = {
        type: 'WRITE_POINTER',
        destFile: name1(),
        srcFile: name2(),
        destOffset: r.u32(CommandField.pointerOffset, 'dst_offset'),
        srcOffset: r.u32(CommandField.writePointerSrcOffset, 'src_offset'),
        size: r.u8(CommandField.writePointerSize, 'size'),
      };
      break;
    default:
      if ((options.unknownCommands ?? 'reject') === 'skip') {
        return { type: 'UNKNOWN', commandType: type, body: r.bytesAt(4, LOADER_COMMAND_SIZE - 4) };
      }
      throw r.error('bad_value', CommandField.type, 'type', `unknown loader command type ${type} (known: 1 ALLOCATE, 2 ADD_POINTER, 3 ADD_CHECKSUM, 4 WRITE_POINTER)`);
  }
  if (strict) checkPadding(r, COMMAND_USED_BYTES[type as LoaderCommandTypeValue], 'padding');
  return cmd;
}

/** Decodes a whole script; throws a DecodeError naming the command index (`loader[i]`). */
export function decodeLoaderScript(bytes: Uint8Array, options: DecodeLoaderOptions = {}): LoaderCommand[] {
  const r = new ByteReader(bytes, 0, bytes.length, 'loader');
  const whole = Math.floor(bytes.length / LOADER_COMMAND_SIZE);
  if (bytes.length % LOADER_COMMAND_SIZE !== 0) {
    const at = whole * LOADER_COMMAND_SIZE;
    throw new DecodeError({
      code: 'truncated',
      offset: at,
      path: `loader[${whole}]`,
      message: `command ${whole} is truncated: ${bytes.length - at} of ${LOADER_COMMAND_SIZE} bytes present (script length ${bytes.length} is not a multiple of ${LOADER_COMMAND_SIZE})`,
    });
  }
  const out: LoaderCommand[] = new Array(whole);
  for (let i = 0; i < whole; i++) out[i] = decodeLoaderCommand(r.sub(i * LOADER_COMMAND_SIZE, LOADER_COMMAND_SIZE, i), options);
  return out;
}

/** zod-style: `{ success: true, data }` or `{ success: false, error }`. */
export function safeDecodeLoaderScript(bytes: Uint8Array, options: DecodeLoaderOptions = {}): SafeResult<LoaderCommand[]> {
  return safely(() => decodeLoaderScript(bytes, options));
}
