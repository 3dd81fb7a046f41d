import fs from 'fs';
import path from 'path';

/** QEMU 7.2 `virt,ras=on` fw_cfg blobs (shared/fixtures/qemu-7.2-virt-ras), read once. */
export const QEMU72_DIR = path.join(__dirname, '../../../shared/fixtures/qemu-7.2-virt-ras');

export function qemu72Blob(fixtureName: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(QEMU72_DIR, fixtureName)));
}
