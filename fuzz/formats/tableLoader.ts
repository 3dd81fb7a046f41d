import type { LengthField } from '../fields';

/**
 * QEMU's linker/loader script (`etc/table-loader`): 128-byte commands. Lists, per command, the
 * command type and the offset, length, size and alignment fields of its kind.
 */
export const LOADER_COMMAND_SIZE = 128;

export function tableLoaderFields(script: Uint8Array): LengthField[] {
  const out: LengthField[] = [];
  const view = new DataView(script.buffer, script.byteOffset, script.byteLength);
  for (let i = 0; (i + 1) * LOADER_COMMAND_SIZE <= script.length; i++) {
    const c = i * LOADER_COMMAND_SIZE;
    const name = `commands[${i}]`;
    const type = view.getUint32(c, true);
    out.push({ offset: c, width: 4, name: `${name}.command` });
    out.push({ offset: c + 4 + 55, width: 1, name: `${name}.file[55]` });
    if (type === 1) {
      out.push({ offset: c + 60, width: 4, name: `${name}.align` });
      out.push({ offset: c + 64, width: 1, name: `${name}.zone` });
    } else if (type === 2) {
      out.push({ offset: c + 60 + 55, width: 1, name: `${name}.srcFile[55]` });
      out.push({ offset: c + 116, width: 4, name: `${name}.offset` });
      out.push({ offset: c + 120, width: 1, name: `${name}.size` });
    } else if (type === 3) {
      out.push({ offset: c + 60, width: 4, name: `${name}.resultOffset` });
      out.push({ offset: c + 64, width: 4, name: `${name}.start` });
      out.push({ offset: c + 68, width: 4, name: `${name}.length` });
    } else if (type === 4) {
      out.push({ offset: c + 60 + 55, width: 1, name: `${name}.srcFile[55]` });
      out.push({ offset: c + 116, width: 4, name: `${name}.dstOffset` });
      out.push({ offset: c + 120, width: 4, name: `${name}.srcOffset` });
      out.push({ offset: c + 124, width: 1, name: `${name}.size` });
    }
  }
  return out;
}
