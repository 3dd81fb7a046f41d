import { LoaderCommand } from './commands';
import { AllocationZone } from './constants';

/**
 * Prints a script one readable line per command, for `rasgw dump --loader` and for test failures:
 *
 *   #0 ALLOCATE etc/acpi/rsdp align 16 zone FSEG
 *   #3 ADD_CHECKSUM etc/acpi/tables[0x9] = checksum of [0x0, 0x144c) (5196 bytes)
 *   #12 ADD_POINTER etc/hardware_errors[0x0] += &etc/hardware_errors (size 8)
 *   #13 WRITE_POINTER etc/hardware_errors_addr[0x0] = &etc/hardware_errors + 0x0 (size 8)
 *
 * When the blobs are given (name → QEMU's unpatched bytes), ADD_POINTER lines also show the target
 * offset QEMU pre-stored in the field (`→ +0x10`), and ADD_CHECKSUM lines name the ACPI table the
 * range holds when it starts with a table header of that length (`[HEST]`).
 */
export interface FormatLoaderOptions {
  blobs?: ReadonlyMap<string, Uint8Array>;
}

function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}

function zoneName(zone: number): string {
  if (zone === AllocationZone.HIGH) return 'HIGH';
  if (zone === AllocationZone.FSEG) return 'FSEG';
  return `unknown(${zone})`;
}

function readLe(bytes: Uint8Array, offset: number, size: number): bigint | undefined {
  if (offset < 0 || offset + size > bytes.length) return undefined;
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[offset + i]);
  return v;
}

function tableAt(bytes: Uint8Array | undefined, start: number, length: number): string | undefined {
  if (!bytes || start + 8 > bytes.length) return undefined;
  const sig = String.fromCharCode(...bytes.subarray(start, start + 4));
  if (!/^[A-Z0-9_ ]{4}$/.test(sig)) return undefined;
  const len = Number(readLe(bytes, start + 4, 4));
  if (sig === 'RSD ' && length === 20) return 'RSDP v1 part';
  if (sig === 'RSD ' && length === 36) return 'RSDP';
  return len === length ? sig : undefined;
}

/** One line for one command (`index` is its position in the script). */
export function formatLoaderCommand(cmd: LoaderCommand, index: number, options: FormatLoaderOptions = {}): string {
  const head = `#${index} ${cmd.type}`;
  switch (cmd.type) {
    case 'ALLOCATE':
      return `${head} ${cmd.file} align ${cmd.align} zone ${zoneName(cmd.zone)}`;
    case 'ADD_POINTER': {
      const dest = options.blobs?.get(cmd.destFile);
      const stored = dest ? readLe(dest, cmd.offset, cmd.size) : undefined;
      const target = stored === undefined ? '' : ` → +${hex(stored)}`;
      return `${head} ${cmd.destFile}[${hex(cmd.offset)}] += &${cmd.srcFile} (size ${cmd.size})${target}`;
    }
    case 'ADD_CHECKSUM': {
      const table = tableAt(options.blobs?.get(cmd.file), cmd.start, cmd.length);
      return `${head} ${cmd.file}[${hex(cmd.offset)}] = checksum of [${hex(cmd.start)}, ${hex(cmd.start + cmd.length)}) (${cmd.length} bytes)${table ? ` [${table}]` : ''}`;
    }
    case 'WRITE_POINTER':
      return `${head} ${cmd.destFile}[${hex(cmd.destOffset)}] = &${cmd.srcFile} + ${hex(cmd.srcOffset)} (size ${cmd.size})`;
    case 'UNKNOWN':
      return `#${index} UNKNOWN type ${cmd.commandType} (${hex(cmd.commandType)}), ${cmd.body.length}-byte body ignored`;
  }
}

/** The whole script, one line per command, newline-terminated. */
export function formatLoaderScript(commands: readonly LoaderCommand[], options: FormatLoaderOptions = {}): string {
  return commands.map((c, i) => formatLoaderCommand(c, i, options) + '\n').join('');
}
