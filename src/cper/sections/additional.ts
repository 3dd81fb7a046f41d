import type { SectionCodec } from './SectionCodec';
import { ccixPerCodec } from './ccix-per';
import { CXL_COMPONENT_CODECS } from './cxl-component';
import { cxlProtocolCodec } from './cxl-protocol';
import { dmarGenericCodec } from './dmar-generic';
import { dmarIommuCodec } from './dmar-iommu';
import { dmarVtdCodec } from './dmar-vtd';
import { firmwareReferenceCodec } from './firmware-reference';
import { fruMemoryPoisonCodec } from './fru-memory-poison';
import { ia32x64Codec } from './ia32x64';
import { pciBusCodec } from './pci-bus';
import { pciComponentCodec } from './pci-component';
import { pcieCodec } from './pcie';
import { processorGenericCodec } from './processor-generic';

/**
 * Section codecs beyond ARM, memory and memory 2 (PCIe, processor generic, IA32/X64, PCI bus and
 * component, firmware record reference, DMAr, CCIX, CXL, FRU memory poison). The registry in
 * ./index.ts combines this list with the core codecs.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ADDITIONAL_SECTION_CODECS: SectionCodec<any>[] = [
  pcieCodec,
  processorGenericCodec,
  ia32x64Codec,
  firmwareReferenceCodec,
  pciBusCodec,
  pciComponentCodec,
  dmarGenericCodec,
  dmarVtdCodec,
  dmarIommuCodec,
  ccixPerCodec,
  cxlProtocolCodec,
  ...CXL_COMPONENT_CODECS,
  fruMemoryPoisonCodec,
];
