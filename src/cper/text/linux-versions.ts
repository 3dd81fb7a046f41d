import { RasgwError } from '../../binary';
import { LINUX_VERSIONS, MAINLINE_RELEASE } from '../../vm/contract';
import type { LinuxVersion } from '../../vm/contract';

/**
 * Everything that makes one kernel's CPER text differ from another's, as data. The printers read
 * these switches; nothing else in src/cper/text looks at the version. `mainline` is the newest
 * released kernel (MAINLINE_RELEASE, 7.3.4): where an older model of mainline and that release
 * differ, the release wins. docs/LINUX-VERSIONS.md has the whole table.
 *
 * Evidence for each value (shared/fixtures/linux-guest/README.md, linux-guest-6.12/README.md):
 * - armContextStep: the `arm-two-contexts` fixture. Linux 6.1.192 and 6.12.118 read the second
 *   register context at 8 + 32 = 40 bytes after the first ("AArch32 EL1 context registers" + a
 *   16-byte dump); mainline rounds that up to 48 ("AArch32 general purpose registers", no dump).
 *   The rounding came with "efi/cper: Fix cper_arm_ctx_info alignment" (6.14) and was backported
 *   to neither 6.1.y nor 6.12.y.
 * - armSectionLengthCheck / firmwareReferenceBoundsCheck: the Jan 2026 fixes "EFI/CPER: don't go
 *   past the ARM processor CPER record buffer" and "EFI/CPER: don't dump the entire memory region"
 *   (CVE-2026-43171) were queued for every stable branch from 5.10 to 6.19 on 2026-02-28, so
 *   Debian's 6.1.192 and 6.12.118 (Nov 2026) have them. The older behaviour stays available for
 *   custom profiles.
 * - pcieAerLines: until 6.9 cper_print_pcie printed the AER registers only when the section
 *   severity had bit 0 set (fatal or informational) and without the correctable pair; 6.12 and
 *   mainline print all of them whenever the AER-info bit is valid (`pcie-root-port` fixture, 6.12
 *   and mainline lines).
 * - cxlProtocolErrors: cper_cxl.c ("efi/cper, cxl: Decode CXL Protocol Error Section", 6.7)
 *   decodes CXL protocol-error sections; 6.1 prints them as "section type: unknown" with a hex dump.
 * - cxlHeaderLogBoundsCheck: cxl_cper_print_prot_err dumps the 64-byte header log of the CXL RAS
 *   capability with print_hex_dump and no bounds check in 6.12 and in 7.3.4 alike: a header log
 *   running past the section is dumped whole (zero rows included) and no "error section length is
 *   too small" line follows (measured on both releases). `true` stops at the end of the record
 *   with that line instead (a model of a check no released kernel has; custom profiles only).
 * - cxlEventSectionsNamed: since 6.8 (with GHES's CXL component-event support) the General
 *   Media / DRAM / Memory Module event sections get a one-line "section_type: CXL … Event" and
 *   nothing else; 6.1 prints them as unknown sections.
 * - memoryErrorStatus: the decoded form "<pfx> error_status: <text> (0x…)" arrived in 5.18 with one
 *   stray space after the prefix; the 2024 patch removing that space was not merged, so every
 *   version prints the same.
 * - The ARM error-information type is decoded as a bit mask ("error_type: 0x02: cache error") in
 *   all three: the 2025 "align ARM CPER type with UEFI 2.9A/2.10" change reached 6.1.y and 6.12.y
 *   (fixtures).
 * - The GHES length cap (min of the HEST error block length and the 64 KiB buffer) is in all three
 *   (same stable batch); `ghesCheckBlock` takes the cap as a parameter.
 */
export interface LinuxTextProfile {
  /** which kernel this describes */
  readonly version: LinuxVersion | 'custom';
  readonly description: string;
  /** ARM context-information stride: `8 + size` (before 6.14) or that rounded up to 16 */
  readonly armContextStep: 'header-plus-size' | 'aligned-16';
  /** ARM header check: only `len < 0` (old), or also section_length > error_data_length (2026) */
  readonly armSectionLengthCheck: 'negative-only' | 'negative-or-beyond-section';
  /** PCIe AER block: three lines when severity bit 0 is set (old) or four whenever valid (6.9+) */
  readonly pcieAerLines: 'uncorrectable-when-severity-bit0' | 'all-when-valid';
  /** decode CXL protocol-error sections (6.7+) instead of printing them as unknown */
  readonly cxlProtocolErrors: boolean;
  /** CXL protocol error: stop the header-log dump at the record's end (no released kernel does) */
  readonly cxlHeaderLogBoundsCheck: boolean;
  /** name CXL component-event sections (6.8+) instead of printing them as unknown */
  readonly cxlEventSectionsNamed: boolean;
  /** memory error_status line: plain hex (before 5.18), decoded with or without the stray space */
  readonly memoryErrorStatus: 'hex-only' | 'described-extra-space' | 'described';
  /** Firmware Error Record Reference: refuse a data offset beyond the section (CVE-2026-43171 fix) */
  readonly firmwareReferenceBoundsCheck: boolean;
}

/** 6.12 lists every switch; mainline is stated as its differences from 6.12. */
const LINUX_6_12: LinuxTextProfile = {
  version: '6.12',
  description: 'Debian linux-image-6.12.118+deb12-arm64 (6.12.118, the long-term kernel of Debian 13), with the 2025/2026 stable CPER backports',
  armContextStep: 'header-plus-size',
  armSectionLengthCheck: 'negative-or-beyond-section',
  pcieAerLines: 'all-when-valid',
  cxlProtocolErrors: true,
  cxlHeaderLogBoundsCheck: false,
  cxlEventSectionsNamed: true,
  memoryErrorStatus: 'described-extra-space',
  firmwareReferenceBoundsCheck: true,
};

export const LINUX_TEXT_PROFILES: Readonly<Record<LinuxVersion, LinuxTextProfile>> = {
  '6.1': {
    version: '6.1',
    description: 'Debian linux-image-6.1.0-56-arm64 (6.1.192), with the 2025/2026 stable CPER backports',
    armContextStep: 'header-plus-size',
    armSectionLengthCheck: 'negative-or-beyond-section',
    pcieAerLines: 'uncorrectable-when-severity-bit0',
    cxlProtocolErrors: false,
    cxlHeaderLogBoundsCheck: false,
    cxlEventSectionsNamed: false,
    memoryErrorStatus: 'described-extra-space',
    firmwareReferenceBoundsCheck: true,
  },
  '6.12': LINUX_6_12,
  mainline: {
    ...LINUX_6_12,
    version: 'mainline',
    description: `the newest released kernel, Linux ${MAINLINE_RELEASE} (Debian arm64)`,
    armContextStep: 'aligned-16',
  },
};

/** The profile of a version (a RasgwError `invalid_input` for a name that is not a LinuxVersion). */
export function linuxTextProfile(version: LinuxVersion): LinuxTextProfile {
  const p = Object.prototype.hasOwnProperty.call(LINUX_TEXT_PROFILES, version) ? LINUX_TEXT_PROFILES[version] : undefined;
  if (!p) {
    throw new RasgwError({
      code: 'invalid_input',
      path: 'opts.version',
      message: `unknown Linux version ${JSON.stringify(version)} (expected ${LINUX_VERSIONS.join(', ')})`,
    });
  }
  return p;
}
