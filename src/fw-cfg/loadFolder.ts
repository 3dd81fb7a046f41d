import fs from 'fs';
import path from 'path';
import { RasgwError } from '../binary';
import { LoaderCommand, decodeLoaderScript } from '../linker-loader';
import { FwCfgFileSpec } from './FwCfgFileSet';
import { FwCfgFileName, WRITABLE_FW_CFG_FILES, flattenFwCfgName, fwCfgNameFromFileName } from './names';

/**
 * Loads a folder of fw_cfg blobs saved the way shared/fixtures/qemu-7.2-virt-ras is: one file per
 * fw_cfg file, named after it with '/' replaced by '_'. Documentation files (`*.md`, `*.txt`) and
 * dot files are skipped. Names are mapped back with `fwCfgNameFromFileName`, using the known names
 * and every file name the loader script (`etc_table-loader`) mentions. The write-back files
 * (`etc/hardware_errors_addr`, `etc/acpi_table_hest_addr`) are writable; `writable` adds more.
 */
export interface LoadFolderOptions {
  writable?: readonly string[];
}

function namesInScript(commands: readonly LoaderCommand[]): string[] {
  const out = new Set<string>();
  for (const c of commands) {
    if (c.type === 'ALLOCATE' || c.type === 'ADD_CHECKSUM') out.add(c.file);
    else if (c.type === 'ADD_POINTER' || c.type === 'WRITE_POINTER') {
      out.add(c.destFile);
      out.add(c.srcFile);
    }
  }
  return [...out];
}

export function loadFwCfgFolder(dir: string, options: LoadFolderOptions = {}): FwCfgFileSpec[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir).sort();
  } catch (e) {
    throw new RasgwError({ code: 'bad_reference', path: dir, message: `cannot read fw_cfg folder: ${(e as Error).message}` });
  }
  const files = entries
    .filter((f) => !f.startsWith('.') && !/\.(md|txt)$/i.test(f))
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => ({ fileName: f, data: new Uint8Array(fs.readFileSync(path.join(dir, f))) }));
  const loader = files.find((f) => f.fileName === flattenFwCfgName(FwCfgFileName.TABLE_LOADER));
  let extra: string[] = [];
  if (loader) {
    try {
      extra = namesInScript(decodeLoaderScript(loader.data, { unknownCommands: 'skip', padding: 'ignore' }));
    } catch (e) {
      // A broken script is still loaded as a file (the firmware reports it); only the name hints are lost.
      if (!(e instanceof RasgwError)) throw e;
    }
  }
  const writable = new Set([...WRITABLE_FW_CFG_FILES, ...(options.writable ?? [])]);
  return files.map((f) => {
    const name = fwCfgNameFromFileName(f.fileName, extra);
    return { name, data: f.data, writable: writable.has(name) };
  });
}
