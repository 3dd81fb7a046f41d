/**
 * Known CPER GUIDs (layouts reference §1.3 and §3.0, cross-checked against libcper and edk2).
 * `name` is the short name used in the JSON form; `title` is Linux's wording where Linux has one.
 */
export interface KnownGuid {
  name: string;
  guid: string;
  title: string;
}

export const SECTION_TYPES = {
  processorGeneric: { name: 'processorGeneric', guid: '9876ccad-47b4-4bdb-b65e-16f193c4f3db', title: 'general processor error' },
  ia32x64: { name: 'ia32x64', guid: 'dc3ea0b0-a144-4797-b95b-53fa242b6e1d', title: 'IA32/X64 processor error' },
  ipf: { name: 'ipf', guid: 'e429faf1-3cb7-11d4-bca7-0080c73c8881', title: 'IPF processor error' },
  arm: { name: 'arm', guid: 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0', title: 'ARM processor error' },
  memory: { name: 'memory', guid: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1', title: 'memory error' },
  memory2: { name: 'memory2', guid: '61ec04fc-48e6-d813-25c9-8daa44750b12', title: 'memory error 2' },
  pcie: { name: 'pcie', guid: 'd995e954-bbc1-430f-ad91-b44dcb3c6f35', title: 'PCIe error' },
  firmwareErrorRecordReference: { name: 'firmwareErrorRecordReference', guid: '81212a96-09ed-4996-9471-8d729c8e69ed', title: 'Firmware Error Record Reference' },
  pciBus: { name: 'pciBus', guid: 'c5753963-3b84-4095-bf78-eddad3f9c9dd', title: 'PCI/PCI-X bus error' },
  pciComponent: { name: 'pciComponent', guid: 'eb5e4685-ca66-4769-b6a2-26068b001326', title: 'PCI/PCI-X component error' },
  dmarGeneric: { name: 'dmarGeneric', guid: '5b51fef7-c79d-4434-8f1b-aa62de3e2c64', title: 'DMAr generic error' },
  vtdDmar: { name: 'vtdDmar', guid: '71761d37-32b2-45cd-a7d0-b0fedd93e8cf', title: 'Intel VT-d DMAr error' },
  iommuDmar: { name: 'iommuDmar', guid: '036f84e1-7f37-428c-a79e-575fdfaa84ec', title: 'IOMMU DMAr error' },
  ccixPer: { name: 'ccixPer', guid: '91335ef6-ebfb-4478-a6a6-88b728cf75d7', title: 'CCIX PER log' },
  cxlProtocol: { name: 'cxlProtocol', guid: '80b9efb4-52b5-4de3-a777-68784b771048', title: 'CXL Protocol Error' },
  cxlGeneralMedia: { name: 'cxlGeneralMedia', guid: 'fbcd0a77-c260-417f-85a9-088b1621eba6', title: 'CXL General Media event' },
  cxlDram: { name: 'cxlDram', guid: '601dcbb3-9c06-4eab-b8af-4e9bfb5c9624', title: 'CXL DRAM event' },
  cxlMemoryModule: { name: 'cxlMemoryModule', guid: 'fe927475-dd59-4339-a586-79bab113b774', title: 'CXL Memory Module event' },
  cxlPhysicalSwitch: { name: 'cxlPhysicalSwitch', guid: '77cf9271-9c02-470b-9fe4-bc7b75f2da97', title: 'CXL Physical Switch event' },
  cxlVirtualSwitch: { name: 'cxlVirtualSwitch', guid: '40d26425-3396-4c4d-a5da-3d47263af425', title: 'CXL Virtual Switch event' },
  cxlMldPort: { name: 'cxlMldPort', guid: '8dc44363-0c96-4710-b7bf-04bb99534c3f', title: 'CXL MLD Port event' },
  cxlMemorySparing: { name: 'cxlMemorySparing', guid: 'e71f3a40-2d29-4092-8a39-4d1c966c7c65', title: 'CXL Memory Sparing event' },
  armRas: { name: 'armRas', guid: 'bf32d4d5-b427-4025-8495-8a9e5d4030e4', title: 'Arm RAS node' },
  fruMemoryPoison: { name: 'fruMemoryPoison', guid: '5e4706c1-5356-48c6-930b-52f2120a4458', title: 'FRU Memory Poison' },
} as const satisfies Record<string, KnownGuid>;

export const NOTIFICATION_TYPES = {
  cmc: { name: 'cmc', guid: '2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890', title: 'Corrected Machine Check' },
  cpe: { name: 'cpe', guid: '4e292f96-d843-4a55-a8c2-d481f27ebeee', title: 'Corrected Platform Error' },
  mce: { name: 'mce', guid: 'e8f56ffe-919c-4cc5-ba88-65abe14913bb', title: 'Machine Check Exception' },
  pcie: { name: 'pcie', guid: 'cf93c01f-1a16-4dfc-b8bc-9c4daf67c104', title: 'PCI Express Error' },
  init: { name: 'init', guid: 'cc5263e8-9308-454a-89d0-340bd39bc98e', title: 'INIT Record' },
  nmi: { name: 'nmi', guid: '5bad89ff-b7e6-42c9-814a-cf2485d6e98a', title: 'NMI' },
  boot: { name: 'boot', guid: '3d61a466-ab40-409a-a698-f362d464b38f', title: 'Boot Error Record' },
  dmar: { name: 'dmar', guid: '667dd791-c6b3-4c27-8a6b-0f8e722deb41', title: 'DMAr Error' },
  sea: { name: 'sea', guid: '9a78788a-bbe8-11e4-809e-67611e5d46b0', title: 'Arm Synchronous External Abort' },
  sei: { name: 'sei', guid: '5c284c81-b0ae-4e87-a322-b04c85624323', title: 'Arm SError Interrupt' },
  pei: { name: 'pei', guid: '09a9d5ac-5204-4214-96e5-94992e752bcd', title: 'Arm Platform Error Interrupt' },
  cxlComponent: { name: 'cxlComponent', guid: '69293bc9-41df-49a3-b4bd-4fb0db3041f6', title: 'CXL Component' },
} as const satisfies Record<string, KnownGuid>;

const sectionByGuid = new Map<string, KnownGuid>(Object.values(SECTION_TYPES).map((k) => [k.guid, k]));
const sectionByName = new Map<string, KnownGuid>(Object.values(SECTION_TYPES).map((k) => [k.name.toLowerCase(), k]));
const notificationByGuid = new Map<string, KnownGuid>(Object.values(NOTIFICATION_TYPES).map((k) => [k.guid, k]));
const notificationByName = new Map<string, KnownGuid>(Object.values(NOTIFICATION_TYPES).map((k) => [k.name.toLowerCase(), k]));

export function sectionTypeByGuid(guid: string): KnownGuid | undefined {
  return sectionByGuid.get(guid.toLowerCase());
}

export function sectionTypeByName(name: string): KnownGuid | undefined {
  return sectionByName.get(name.toLowerCase());
}

export function notificationTypeByGuid(guid: string): KnownGuid | undefined {
  return notificationByGuid.get(guid.toLowerCase());
}

export function notificationTypeByName(name: string): KnownGuid | undefined {
  return notificationByName.get(name.toLowerCase());
}

/** IA32/X64 error-information structure types (check-info GUIDs). */
export const IA32_CHECK_TYPES = {
  cache: 'a55701f5-e3ef-43de-ac72-249b573fad2c',
  tlb: 'fc06b535-5e1f-4562-9f25-0a3b9adb63c3',
  bus: '1cf3f8b3-c5b1-49a2-aa59-5eef92ffa63c',
  microArchitecture: '48ab7f57-dc34-4f6c-a7d3-b0b5b0a74314',
} as const;
