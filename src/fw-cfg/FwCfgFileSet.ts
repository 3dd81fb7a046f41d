import { EncodeError } from '../binary';
import { FW_CFG_FILE_NAME_SIZE, FwCfgKey } from './constants';
import { FwCfgDirectoryEntry, encodeFwCfgDirectory } from './directory';

/**
 * The immutable part of a machine's fw_cfg: named files with their select keys and initial bytes,
 * and the directory. One FileSet is shared by every VM of the same profile (read-only file bytes
 * are never copied per VM); each VM's `FwCfg` keeps only its own copy of the writable files.
 *
 * Select keys: QEMU keeps its files sorted by name and gives them consecutive keys from 0x20, so
 * a file's key is 0x20 + its index in name order (the QEMU 7.2 fixture directory shows exactly
 * this: bios-geometry 0x20 ... etc/tpm/log 0x2a). Names are compared bytewise, as QEMU's strcmp.
 */
export interface FwCfgFileSpec {
  name: string;
  data: Uint8Array;
  /** writable by the guest through DMA (QEMU's `read_only = false`), e.g. etc/hardware_errors_addr */
  writable?: boolean;
}

export interface FwCfgFileInfo {
  name: string;
  select: number;
  size: number;
  writable: boolean;
  /** index in name order (select - 0x20) */
  index: number;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FwCfgFileSet {
  readonly files: readonly FwCfgFileInfo[];
  /** the file directory bytes (item 0x19) */
  readonly directory: Uint8Array;
  private readonly byName: Map<string, FwCfgFileInfo>;
  private readonly bySelect: Map<number, FwCfgFileInfo>;
  private readonly data: Map<string, Uint8Array>;

  constructor(specs: readonly FwCfgFileSpec[]) {
    const sorted = [...specs].sort((a, b) => compareBytes(a.name, b.name));
    this.byName = new Map();
    this.bySelect = new Map();
    this.data = new Map();
    const infos: FwCfgFileInfo[] = [];
    sorted.forEach((s, index) => {
      const path = `fw_cfg.files[${JSON.stringify(s.name)}]`;
      if (s.name.length === 0 || s.name.length >= FW_CFG_FILE_NAME_SIZE || !/^[\x01-\x7f]+$/.test(s.name)) {
        throw new EncodeError({ code: 'bad_length', path, message: `fw_cfg file name must be 1-55 ASCII bytes, got ${JSON.stringify(s.name)}` });
      }
      if (this.byName.has(s.name)) throw new EncodeError({ code: 'bad_reference', path, message: `duplicate fw_cfg file ${JSON.stringify(s.name)}` });
      if (FwCfgKey.FILE_FIRST + index > 0x3fff) throw new EncodeError({ code: 'overflow', path, message: 'too many fw_cfg files for the select key space' });
      const info: FwCfgFileInfo = { name: s.name, select: FwCfgKey.FILE_FIRST + index, size: s.data.length, writable: !!s.writable, index };
      infos.push(info);
      this.byName.set(s.name, info);
      this.bySelect.set(info.select, info);
      this.data.set(s.name, s.data);
    });
    this.files = infos;
    const entries: FwCfgDirectoryEntry[] = infos.map((f) => ({ name: f.name, select: f.select, size: f.size }));
    this.directory = encodeFwCfgDirectory(entries);
  }

  file(name: string): FwCfgFileInfo | undefined {
    return this.byName.get(name);
  }

  fileBySelect(select: number): FwCfgFileInfo | undefined {
    return this.bySelect.get(select);
  }

  /** The shared initial bytes of a file. Callers must not modify them. */
  initialBytes(name: string): Uint8Array | undefined {
    return this.data.get(name);
  }
}
