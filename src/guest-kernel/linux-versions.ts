import type { LinuxVersion } from '../vm/contract';

/**
 * What the simulated guest kernel prints and decides differently per Linux version, as data in
 * one place (the CPER record text itself is the linux-text renderer's business).
 */
export interface GuestLinuxVersion {
  /** 6.1 (fixture) prints `GHES: <comm>:<pid>: …`; mainline prints it with dev_err's device prefix */
  sigbusLine: (sourceId: number, comm: string, pid: number) => string;
  /**
   * Before ~6.18 GHES itself refused a physical address without a struct page
   * ("[Firmware Warn]: GHES: Invalid address in generic error data: 0x…"); later the check moved
   * into memory_failure. [likely]
   */
  ghesChecksPfnValid: boolean;
  /** memory_failure's text for a page outside the kernel's memory map (mainline path) */
  outsideKernelControl: (pfn: bigint) => string;
  /**
   * Error status block length limit: before the 2026 fix only error_block_length was compared;
   * since then max = min(error_block_length, the 64 KiB buffer) and len 0 is refused too.
   */
  lengthCheckUsesBuffer: boolean;
  /** ESR printed by the SError panic line: 16 hex digits since ~5.19, 8 before */
  esrDigits: 8 | 16;
  /** ACPICA version stamp and location in the "Incorrect checksum" warning [unsure for the line number] */
  acpicaStamp: string;
}

export const GUEST_LINUX_VERSIONS: Record<LinuxVersion, GuestLinuxVersion> = {
  '6.1': {
    sigbusLine: (_id, comm, pid) => `GHES: ${comm}:${pid}: synchronous unrecoverable error (SIGBUS)`,
    ghesChecksPfnValid: true,
    outsideKernelControl: (pfn) => `Memory failure: 0x${pfn.toString(16)}: memory outside kernel control`,
    lengthCheckUsesBuffer: false,
    esrDigits: 16,
    acpicaStamp: '20220331/tbprint-173',
  },
  mainline: {
    sigbusLine: (id, comm, pid) => `GHES GHES.${id}: [Hardware Error]: GHES: ${comm}:${pid}: synchronous unrecoverable error (SIGBUS)`,
    ghesChecksPfnValid: false,
    outsideKernelControl: (pfn) => `Memory failure: 0x${pfn.toString(16)}: memory outside kernel control`,
    lengthCheckUsesBuffer: true,
    esrDigits: 16,
    acpicaStamp: '20250807/utcksum-58',
  },
};
