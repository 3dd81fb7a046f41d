import { ByteReader, ByteWriter, DecodeError, EncodeError } from '../binary';
import { FW_CFG_DIR_ENTRY_SIZE, FW_CFG_FILE_NAME_SIZE } from './constants';

/**
 * The fw_cfg file directory (item 0x19): a big-endian u32 count, then one 64-byte entry per file:
 * u32 size (BE), u16 select (BE), u16 reserved, 56-byte NUL-terminated name.
 */
export interface FwCfgDirectoryEntry {
  name: string;
  select: number;
  size: number;
}

export function encodeFwCfgDirectory(entries: readonly FwCfgDirectoryEntry[]): Uint8Array {
  const w = new ByteWriter(4 + entries.length * FW_CFG_DIR_ENTRY_SIZE);
  w.u32be(0, entries.length, 'count');
  entries.forEach((e, i) => {
    const off = 4 + i * FW_CFG_DIR_ENTRY_SIZE;
    const path = `files[${i}]`;
    if (e.name.length === 0 || e.name.length >= FW_CFG_FILE_NAME_SIZE) {
      throw new EncodeError({ code: 'bad_length', path: `${path}.name`, message: `fw_cfg file name must be 1-55 bytes, got ${e.name.length}` });
    }
    w.u32be(off, e.size, `${path}.size`);
    w.u16be(off + 4, e.select, `${path}.select`);
    w.ascii(off + 8, e.name, FW_CFG_FILE_NAME_SIZE, `${path}.name`);
  });
  return w.bytes;
}

/**
 * Decodes a directory. The count is checked against the bytes present before any entry is read;
 * names must be NUL-terminated within their 56 bytes.
 */
export function decodeFwCfgDirectory(bytes: Uint8Array): FwCfgDirectoryEntry[] {
  const r = new ByteReader(bytes, 0, bytes.length, 'fw_cfg_dir');
  const count = r.u32be(0, 'count');
  const room = Math.floor((bytes.length - 4) / FW_CFG_DIR_ENTRY_SIZE);
  if (count > room) {
    throw new DecodeError({
      code: 'bad_count',
      offset: 0,
      path: 'fw_cfg_dir.count',
      message: `directory claims ${count} files but ${bytes.length} bytes hold at most ${room}`,
    });
  }
  const out: FwCfgDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = r.sub(4 + i * FW_CFG_DIR_ENTRY_SIZE, FW_CFG_DIR_ENTRY_SIZE, `files[${i}]`);
    if (e.u8(8 + FW_CFG_FILE_NAME_SIZE - 1, 'name') !== 0) throw e.error('bad_value', 8 + FW_CFG_FILE_NAME_SIZE - 1, 'name', 'file name is not NUL-terminated');
    out.push({ size: e.u32be(0, 'size'), select: e.u16be(4, 'select'), name: e.ascii(8, FW_CFG_FILE_NAME_SIZE, 'name') });
  }
  return out;
}
