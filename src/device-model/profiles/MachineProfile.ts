import { EncodeError } from '../../binary';
import type { ProfileName } from '../../vm/contract';
import { ExtendedSourceSpec, RasSourceConfig, qemuSource, resolveExtendedSources } from './RasSourceConfig';
import { ErstConfig, ErstSpec, resolveErstConfig } from '../erst/ErstConfig';

/**
 * Machine profiles: which error sources a machine has, how the firmware reports addresses back,
 * and where the firmware's allocator starts.
 *
 * - `qemu-7.2-virt`: QEMU 7.2 `-machine virt,ras=on`: one GHESv2 source, id 0, SEA; the firmware
 *   writes the address of `etc/hardware_errors` into `etc/hardware_errors_addr`.
 * - `qemu-10.2-virt`: QEMU ≥ 10.2 virt: sources {0, SEA} and {1, GPIO}; the firmware writes the
 *   address of the HEST header into `etc/acpi_table_hest_addr`; `etc/hardware_errors` is 2080 bytes.
 * - `extended`: any number of GHES/GHESv2 sources (default notification SEI), any notification,
 *   configurable block length, records to pre-allocate and max sections, either write-back mode
 *   (default `hest-addr`).
 */

/** How the firmware tells the device model where things landed. */
export type WriteBackMode =
  /** WRITE_POINTER etc/hardware_errors_addr = address of etc/hardware_errors (7.2, ≤ virt-10.1) */
  | 'hardware-errors-addr'
  /** WRITE_POINTER etc/acpi_table_hest_addr = address of the HEST header (virt-10.2+) */
  | 'hest-addr';

export interface MachineProfile {
  name: ProfileName;
  sources: RasSourceConfig[];
  writeBack: WriteBackMode;
  /** allocator ceiling the firmware uses for this profile (undefined: top of RAM below 4 GiB) */
  allocationCeiling?: bigint;
  /** the ERST device (extended only; see src/device-model/erst/ErstConfig.ts) */
  erst?: ErstConfig;
}

export interface MachineOptions {
  profile: ProfileName;
  /** extended only */
  sources?: ExtendedSourceSpec[];
  /** extended only (default 'hest-addr') */
  writeBack?: WriteBackMode;
  /** overrides the profile's allocator ceiling */
  allocationCeiling?: bigint;
  /** ERST: extended only, on by default there */
  erst?: ErstSpec;
}

/** QEMU 7.2 virt RAM base and size used by both QEMU profiles (`-m 1G`). */
export const VIRT_RAM_BASE = 0x4000_0000n;
export const VIRT_RAM_SIZE = 0x4000_0000n;

/**
 * Calibrated from a real QEMU 7.2 + EDK2 2022.11 boot (1 GiB): Linux found etc/hardware_errors at
 * 0x7c410000. With the RSDP page allocated first, the top-down allocator reproduces that address
 * from this ceiling; the pages above were used by earlier firmware allocations.
 */
export const QEMU_VIRT_ALLOCATION_CEILING = 0x7c41_2000n;

function invalid(path: string, message: string): never {
  throw new EncodeError({ code: 'invalid_input', path, message });
}

/** The profile for a set of options (validates them). */
export function resolveProfile(options: MachineOptions): MachineProfile {
  const fixed = (name: ProfileName): void => {
    if (options.sources !== undefined) invalid('sources', `profile ${name} has fixed sources; use the extended profile to choose them`);
    if (options.writeBack !== undefined) invalid('writeBack', `profile ${name} has a fixed write-back mode`);
  };
  const ceiling = (dflt?: bigint) => options.allocationCeiling ?? dflt;
  const erst = resolveErstConfig(options.profile, options.erst);
  switch (options.profile) {
    case 'qemu-7.2-virt':
      fixed(options.profile);
      return { name: options.profile, sources: [qemuSource(0, 'sea')], writeBack: 'hardware-errors-addr', allocationCeiling: ceiling(QEMU_VIRT_ALLOCATION_CEILING) };
    case 'qemu-10.2-virt':
      fixed(options.profile);
      return { name: options.profile, sources: [qemuSource(0, 'sea'), qemuSource(1, 'gpio')], writeBack: 'hest-addr', allocationCeiling: ceiling(QEMU_VIRT_ALLOCATION_CEILING) };
    case 'extended': {
      const writeBack = options.writeBack ?? 'hest-addr';
      if (writeBack !== 'hest-addr' && writeBack !== 'hardware-errors-addr') invalid('writeBack', `must be "hest-addr" or "hardware-errors-addr", got ${JSON.stringify(writeBack)}`);
      return { name: 'extended', sources: resolveExtendedSources(options.sources ?? [{}]), writeBack, allocationCeiling: ceiling(), ...(erst ? { erst } : {}) };
    }
    default:
      return invalid('profile', `unknown profile ${JSON.stringify((options as { profile: unknown }).profile)} (qemu-7.2-virt, qemu-10.2-virt, extended)`);
  }
}
