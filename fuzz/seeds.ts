import fs from 'fs';
import path from 'path';
import { guidToBytes } from '../src/binary/guid';
import { NOTIFICATION_TYPES } from '../src/cper/guids';
import { cperRecordFromStatusBlock } from './formats/cperRecord';
import { extractTable } from './formats/acpiTable';

/**
 * Seeds from the shared fixtures (real QEMU 7.2 fw_cfg files and status blocks Linux was shown).
 * The fixtures live beside the repository: `../shared/fixtures` from its root.
 */
export const FIXTURES_DIR = path.join(__dirname, '..', '..', 'shared', 'fixtures');

export function fixture(relative: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES_DIR, relative)));
}

/** Every `.gesb` capture, by name. */
export function statusBlockFixtures(): Array<{ name: string; bytes: Uint8Array }> {
  const dir = path.join(FIXTURES_DIR, 'linux-guest');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.gesb'))
    .sort()
    .map((f) => ({ name: f.replace(/\.gesb$/, ''), bytes: fixture(`linux-guest/${f}`) }));
}

/** The status blocks as CPER records (SEA notification type), one per capture. */
export function cperRecordSeeds(): Uint8Array[] {
  const sea = guidToBytes(NOTIFICATION_TYPES.sea.guid);
  return statusBlockFixtures().map((f) => cperRecordFromStatusBlock(f.bytes, sea));
}

export const QEMU_72 = 'qemu-7.2-virt-ras';

export function qemuTablesBlob(): Uint8Array {
  return fixture(`${QEMU_72}/etc_acpi_tables`);
}

/** The HEST table QEMU 7.2 built (one GHESv2 source, SEA). */
export function qemuHest(): Uint8Array {
  return extractTable(qemuTablesBlob(), 'HEST');
}

export function qemuTableLoader(): Uint8Array {
  return fixture(`${QEMU_72}/etc_table-loader`);
}
