import type { GuestMemory } from '../../guest-memory/GuestMemory';
import type { LogLevel, LogRecord } from '../printk/KernelLog';
import { erstInit, ErstDriver } from './ErstDriver';
import { PstoreErst, PstoreFile } from './pstore-erst';

/**
 * The guest's ERST bring-up at boot (device_initcall erst_init, then pstore_register, then the
 * pstore filesystem being mounted, which reads the records left by earlier boots):
 *   "ERST: Error Record Serialization Table (ERST) support is initialized."
 *   "pstore: Using crash dump compression: deflate"   (unless pstore.compress=none)
 *   "pstore: Registered erst as persistent store backend"
 * `erst_disable` on the command line: "ERST: Error Record Serialization Table (ERST) support is
 * disabled." and nothing else. No ERST table: nothing is printed (Linux returns silently).
 */
export interface ErstBootServices {
  memory: GuestMemory;
  version: '6.1' | '6.12' | 'mainline';
  cmdline: string;
  printk(level: LogLevel, text: string): void;
  delayNs(ns: bigint): void;
  records(): LogRecord[];
  realSeconds(): bigint;
}

export interface ErstBoot {
  driver?: ErstDriver;
  pstore?: PstoreErst;
  /** what /sys/fs/pstore lists after the boot */
  files: PstoreFile[];
}

export function bootErst(erstTable: Uint8Array | undefined, s: ErstBootServices): ErstBoot {
  if (/(^|\s)erst_disable(\s|=|$)/.test(s.cmdline)) {
    s.printk('info', 'ERST: Error Record Serialization Table (ERST) support is disabled.');
    return { files: [] };
  }
  if (!erstTable) return { files: [] };
  const init = erstInit(erstTable, {
    memory: s.memory,
    timings: s.version !== '6.1',
    printk: (level, text) => s.printk(level, text),
    printkInfo: (text) => s.printk('info', text),
    delayNs: s.delayNs,
  });
  if (!init.ok) return { files: [] };
  const driver = init.driver;
  if (driver.erange.size <= 200n) {
    // kmalloc of the range minus the pstore header would leave no room: pstore is not registered
    s.printk('info', 'ERST: Could not register with persistent store.');
    return { driver, files: [] };
  }
  // pstore.compress=none: no compression backend is chosen (an unknown name has the same effect)
  const compress = !/(^|\s)pstore\.compress=none(\s|$)/.test(s.cmdline);
  const pstore = new PstoreErst({ erst: driver, records: s.records, realSeconds: s.realSeconds, printk: s.printk, version: s.version, compress });
  if (compress) s.printk('info', 'pstore: Using crash dump compression: deflate');
  s.printk('info', 'pstore: Registered erst as persistent store backend');
  const files = pstore.readAll();
  return { driver, pstore, files };
}
