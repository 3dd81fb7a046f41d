import { FwCfg } from '../../fw-cfg';
import { FirmwareHandoff, FirmwareOptions, runFirmware } from '../../firmware';
import { GuestMemory } from '../../guest-memory/GuestMemory';
import { MachineOptions, MachineProfile, VIRT_RAM_BASE, VIRT_RAM_SIZE, resolveProfile } from '../profiles';
import { MachineFiles, machineFilesFor } from './buildMachineFiles';
import { RasLayout } from './RasLayout';

/**
 * Boot = build (or reuse) the machine's fw_cfg files, give this VM its own fw_cfg device (sharing
 * every read-only byte), run the mock firmware against the VM's memory, and resolve the RAS layout
 * to guest addresses. The firmware object is gone once this returns.
 */
export interface RasSourceAddresses {
  index: number;
  sourceId: number;
  /** the 8-byte register HEST's Error Status Address points to */
  errorStatusAddressRegister: bigint;
  /** GHESv2: the read-ack register */
  readAckRegister?: bigint;
  /** the error status block (the register's value after boot) */
  blockAddress: bigint;
  /** the source's HEST entry in guest memory */
  hestEntryAddress: bigint;
}

export interface RasAddresses {
  rsdp: bigint;
  tables: bigint;
  hest: bigint;
  xsdt: bigint;
  hardwareErrors: bigint;
  sources: RasSourceAddresses[];
}

export interface BootedMachine {
  profile: MachineProfile;
  /** this VM's fw_cfg (the write-back file holds what the firmware wrote) */
  fwCfg: FwCfg;
  handoff: FirmwareHandoff;
  layout: RasLayout;
  addresses: RasAddresses;
  /** the shared, immutable machine files (loader script, unpatched blobs) */
  files: MachineFiles;
}

/** Guest memory of a QEMU virt machine with `-m 1G`: RAM at 0x40000000. */
export function createMachineMemory(): GuestMemory {
  return new GuestMemory().addRam(VIRT_RAM_BASE, VIRT_RAM_SIZE);
}

/** Guest addresses of the RAS structures, from the layout and where the firmware put the blobs. */
export function resolveRasAddresses(layout: RasLayout, handoff: FirmwareHandoff): RasAddresses {
  const at = (file: string): bigint => {
    const a = handoff.allocations.find((x) => x.file === file);
    if (!a) throw new Error(`firmware hand-off has no allocation for ${file}`);
    return a.address;
  };
  const tables = at(layout.tablesFile);
  const hw = at(layout.hardwareErrorsFile);
  const hest = tables + BigInt(layout.hestOffset);
  return {
    rsdp: handoff.rsdpAddress,
    tables,
    hest,
    xsdt: tables + BigInt(layout.xsdtOffset),
    hardwareErrors: hw,
    sources: layout.sources.map((s) => {
      const out: RasSourceAddresses = {
        index: s.index,
        sourceId: s.sourceId,
        errorStatusAddressRegister: hw + BigInt(s.errorStatusAddressOffset),
        blockAddress: hw + BigInt(s.blockOffset),
        hestEntryAddress: hest + BigInt(s.hestEntryOffset),
      };
      if (s.readAckOffset !== undefined) out.readAckRegister = hw + BigInt(s.readAckOffset);
      return out;
    }),
  };
}

export function bootMachine(options: MachineOptions, memory: GuestMemory = createMachineMemory(), firmware: Omit<FirmwareOptions, 'allocationCeiling'> = {}): BootedMachine {
  const profile = resolveProfile(options);
  const files = machineFilesFor(profile);
  const fwCfg = new FwCfg(files.fileSet);
  const handoff = runFirmware(fwCfg, memory, { ...firmware, allocationCeiling: profile.allocationCeiling });
  return { profile, fwCfg, handoff, layout: files.layout, addresses: resolveRasAddresses(files.layout, handoff), files };
}
