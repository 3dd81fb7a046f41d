/**
 * fw_cfg file names used by QEMU on the RAS boot path and the others a virt machine serves, and the
 * mapping from the names files get when they are saved to disk ('/' replaced by '_', as in
 * shared/fixtures/qemu-7.2-virt-ras).
 */
export const FwCfgFileName = {
  ACPI_TABLES: 'etc/acpi/tables',
  ACPI_RSDP: 'etc/acpi/rsdp',
  TABLE_LOADER: 'etc/table-loader',
  HARDWARE_ERRORS: 'etc/hardware_errors',
  /** 7.2 and legacy (≤ virt-10.1): firmware writes the address of etc/hardware_errors here */
  HARDWARE_ERRORS_ADDR: 'etc/hardware_errors_addr',
  /** virt-10.2+: firmware writes the address of the HEST header here */
  HEST_ADDR: 'etc/acpi_table_hest_addr',
} as const;

/** Files QEMU creates writable (fw_cfg_add_file_callback with read_only = false) on this path. */
export const WRITABLE_FW_CFG_FILES: ReadonlySet<string> = new Set([
  FwCfgFileName.HARDWARE_ERRORS_ADDR,
  FwCfgFileName.HEST_ADDR,
  'etc/vmgenid_addr',
]);

/** Names whose flattened form is ambiguous ('_' inside the name), known so they map back exactly. */
export const KNOWN_FW_CFG_FILES: readonly string[] = [
  FwCfgFileName.ACPI_TABLES,
  FwCfgFileName.ACPI_RSDP,
  FwCfgFileName.TABLE_LOADER,
  FwCfgFileName.HARDWARE_ERRORS,
  FwCfgFileName.HARDWARE_ERRORS_ADDR,
  FwCfgFileName.HEST_ADDR,
  'etc/boot-fail-wait',
  'etc/smbios/smbios-anchor',
  'etc/smbios/smbios-tables',
  'etc/tpm/log',
  'etc/tpm/config',
  'etc/vmgenid_guid',
  'etc/vmgenid_addr',
  'etc/msr_feature_control',
  'etc/system-states',
  'etc/ramfb',
  'bios-geometry',
  'bootorder',
];

/** The on-disk name of a fw_cfg file: every '/' becomes '_'. */
export function flattenFwCfgName(name: string): string {
  return name.replace(/\//g, '_');
}

/**
 * The fw_cfg name of a file saved as `fileName`. Flattening loses information ('etc_hardware_errors'
 * could be 'etc/hardware/errors'), so known names and `extraNames` (for example every name the
 * loader script mentions) are matched first; anything else gets each '_' turned back into '/'.
 */
export function fwCfgNameFromFileName(fileName: string, extraNames: readonly string[] = []): string {
  for (const n of [...extraNames, ...KNOWN_FW_CFG_FILES]) if (flattenFwCfgName(n) === fileName) return n;
  return fileName.replace(/_/g, '/');
}
