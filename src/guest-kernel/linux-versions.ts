import { MAINLINE_RELEASE } from '../vm/contract';
import type { LinuxVersion } from '../vm/contract';
import type { Task } from './tasks';

/**
 * What the simulated guest kernel prints and decides differently per Linux version, as data in
 * one place (the CPER record text itself is the linux-text renderer's business,
 * src/cper/text/linux-versions.ts). `mainline` is the newest released kernel (MAINLINE_RELEASE).
 * Each switch names the kernel change it comes from; docs/LINUX-VERSIONS.md has the table.
 *
 * Measured: real Debian arm64 guests on QEMU 7.2 `virt,ras=on` (EDK2, the block pending at GHES
 * probe) running 6.1.192, 6.12.118 and 7.3.4 (shared/fixtures/linux-guest, linux-guest-6.12).
 */
export interface GuestLinuxVersion {
  /** the kernel build this describes */
  readonly release: string;
  /**
   * ghes_do_proc's SIGBUS notice. 6.1: pr_err `GHES: <comm>:<pid>: …` (capture); later kernels print
   * it with dev_err on the GHES platform device, `GHES GHES.<id>: [Hardware Error]: GHES:
   * <comm>:<pid>: …` (6.12 captures, 7.3.4 measured).
   */
  sigbusLine: (sourceId: number, comm: string, pid: number) => string;
  /**
   * The task that runs the GHES probe with `driver_async_probe=GHES`: an unbound kworker whose
   * name and pid follow the boot's workqueue layout (6.1: kworker/u2:0, pid 9; 6.12 and 7.3.4:
   * kworker/u4:0, pid 12, measured).
   */
  probeKworker: Task;
  /**
   * ghes_do_memory_failure refuses a physical address without a struct page ("[Firmware Warn]:
   * GHES: Invalid address in generic error data: 0x…", no work queued, so a synchronous source
   * sends SIGBUS): 6.1 and 6.12 (memory-outside-ram captures). 7.3.4 hands every address to
   * memory_failure ("mm: handle poisoning of pfn without struct pages" moved the decision there).
   */
  ghesChecksPfnValid: boolean;
  /**
   * memory_failure for a pfn with no struct page: `memory outside kernel control` (pr_err, before
   * that change) or the action_result `recovery action for non struct page pfn: Ignored`
   * (MF_MSG_PFN_MAP, 7.3.4 measured: no warning, no SIGBUS).
   */
  nonStructPagePfn: 'memory-outside-kernel-control' | 'non-struct-page-pfn';
  /**
   * memory_failure's verdict when get_hwpoison_page cannot take a kernel page ("unhandlable page."
   * first): MF_MSG_UNKNOWN `unknown page` on 6.1; MF_MSG_GET_HWPOISON `get hwpoison page` since "mm/memory-failure:
   * improve memory failure action_result messages" (6.11; 6.12 captures, 7.3.4 measured).
   */
  kernelPageVerdict: 'unknown page' | 'get hwpoison page';
  /**
   * memory_failure for a page already marked HWPoison: pr_err `already hardware poisoned` (6.1);
   * that line and the action_result `recovery action for already poisoned: Failed` since
   * "mm/memory-failure: improve memory failure action_result messages" (6.11, so 6.12); only
   * `recovery action for already poisoned page: Failed` since "mm/memory-failure: fix redundant
   * updates for already poisoned pages" (2025, so 7.3.4).
   */
  alreadyPoisoned: 'pr_err' | 'pr_err-and-action' | 'action-page';
  /**
   * 7.3.4 refuses a PG_reserved page before trying to take it: `recovery action for reserved kernel
   * page: Ignored` (MF_MSG_KERNEL) and no "unhandlable page." line (measured at 0x40001000, QEMU's
   * RAM below the kernel). 6.1 and 6.12 take such pages down the get_hwpoison_page path.
   */
  reservedPageCheck: boolean;
  /**
   * aer_recover_work_func when the device of a PCIe record does not exist: pr_err `no pci_dev for
   * SSSS:BB:DD.F` (6.1, 6.12) or pr_err_ratelimited `SSSS:BB:DD.F: no pci_dev found` since the PCI/AER
   * series that ratelimits error logging (7.3.4 measured). aer.c's pr_fmt is "AER: ".
   */
  aerNoDevice: 'no-pci_dev-for' | 'no-pci_dev-found';
  /**
   * cxl_cper_post_event's header checks for CXL component-event sections ("[Firmware Warn]: CXL
   * CPER Invalid section length (N)", "[Firmware Warn]: CXL CPER invalid event"): since "acpi/ghes:
   * Process CXL Component Events" (6.8); 6.1 has no CXL handling in GHES.
   */
  cxlEventChecks: boolean;
  /**
   * cxl_cper_post_prot_err's checks for CXL protocol-error sections ("CXL CPER invalid agent type",
   * "CXL CPER invalid protocol error log", "CXL CPER invalid RAS Cap size (N)", "[Firmware Warn]: CXL
   * CPER no device serial number"): they came with "acpi/ghes, cxl/pci: Process CXL CPER Protocol
   * Errors" (after 6.12); 7.3.4 measured, absent from 6.12.
   */
  cxlProtocolChecks: boolean;
  /**
   * log_arm_hw_error's check that an ARM section's section_length covers its error-information
   * and context structures ("[Firmware Bug]: section length: N", "… section length is too small",
   * "… firmware-generated error record is incorrect"): it came with "RAS: Report ARM
   * processor information to userspace" (drivers/ras/ras.c); 7.3.4 measured, absent from 6.12.
   */
  armSectionLengthWarning: boolean;
  /** ESR printed by the SError panic line: 16 hex digits since ~5.19, 8 before */
  esrDigits: 8 | 16;
  /** ACPICA version stamp and location in the "Incorrect checksum" warning [unsure for the line number] */
  acpicaStamp: string;
}

const DEVICE_SIGBUS = (id: number, comm: string, pid: number) => `GHES GHES.${id}: [Hardware Error]: GHES: ${comm}:${pid}: synchronous unrecoverable error (SIGBUS)`;

export const GUEST_LINUX_VERSIONS: Readonly<Record<LinuxVersion, GuestLinuxVersion>> = {
  '6.1': {
    release: 'Debian 6.1.192 (linux-image-6.1.0-56-arm64)',
    sigbusLine: (_id, comm, pid) => `GHES: ${comm}:${pid}: synchronous unrecoverable error (SIGBUS)`,
    probeKworker: { comm: 'kworker/u2:0', pid: 9, kind: 'kthread', hasMm: false },
    ghesChecksPfnValid: true,
    nonStructPagePfn: 'memory-outside-kernel-control',
    kernelPageVerdict: 'unknown page',
    alreadyPoisoned: 'pr_err',
    reservedPageCheck: false,
    aerNoDevice: 'no-pci_dev-for',
    cxlEventChecks: false,
    cxlProtocolChecks: false,
    armSectionLengthWarning: false,
    esrDigits: 16,
    acpicaStamp: '20220331/tbprint-173',
  },
  '6.12': {
    release: 'Debian 6.12.118 (linux-image-6.12.118+deb12-arm64)',
    sigbusLine: DEVICE_SIGBUS,
    probeKworker: { comm: 'kworker/u4:0', pid: 12, kind: 'kthread', hasMm: false },
    ghesChecksPfnValid: true,
    nonStructPagePfn: 'memory-outside-kernel-control',
    kernelPageVerdict: 'get hwpoison page',
    alreadyPoisoned: 'pr_err-and-action',
    reservedPageCheck: false,
    aerNoDevice: 'no-pci_dev-for',
    cxlEventChecks: true,
    cxlProtocolChecks: false,
    armSectionLengthWarning: false,
    esrDigits: 16,
    acpicaStamp: '20240827/tbprint-173',
  },
  mainline: {
    release: `Linux ${MAINLINE_RELEASE} (Debian arm64), the newest released kernel`,
    sigbusLine: DEVICE_SIGBUS,
    probeKworker: { comm: 'kworker/u4:0', pid: 12, kind: 'kthread', hasMm: false },
    ghesChecksPfnValid: false,
    nonStructPagePfn: 'non-struct-page-pfn',
    kernelPageVerdict: 'get hwpoison page',
    alreadyPoisoned: 'action-page',
    reservedPageCheck: true,
    aerNoDevice: 'no-pci_dev-found',
    cxlEventChecks: true,
    cxlProtocolChecks: true,
    armSectionLengthWarning: true,
    esrDigits: 16,
    acpicaStamp: '20250807/utcksum-58',
  },
};

/** aer_recover_work_func's line for a PCIe record whose device does not exist. */
export function aerNoDeviceLine(v: GuestLinuxVersion, segment: number, bus: number, device: number, fn: number): string {
  const bdf = bdfText(segment, bus, device, fn);
  return v.aerNoDevice === 'no-pci_dev-found' ? `AER: ${bdf}: no pci_dev found` : `AER: no pci_dev for ${bdf}`;
}

/** `%04x:%02x:%02x.%x` of segment, bus, device, function (PCI_SLOT / PCI_FUNC of the devfn). */
export function bdfText(segment: number, bus: number, device: number, fn: number): string {
  return `${segment.toString(16).padStart(4, '0')}:${bus.toString(16).padStart(2, '0')}:${device.toString(16).padStart(2, '0')}.${fn.toString(16)}`;
}
