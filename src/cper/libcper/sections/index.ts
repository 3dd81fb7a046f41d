import type { SectionMapping } from '../section-mapping';
import { armMapping } from './arm';
import { armRasMapping } from './arm-ras';
import { ccixPerMapping, dmarGenericMapping, iommuDmarMapping, vtdDmarMapping } from './dmar-ccix';
import { CXL_COMPONENT_MAPPINGS, cxlProtocolMapping } from './cxl';
import { ia32x64Mapping } from './ia32x64';
import { memory2Mapping, memoryMapping } from './memory';
import { pcieMapping } from './pcie';
import { firmwareReferenceMapping, pciBusMapping, pciComponentMapping, processorGenericMapping } from './simple';

/** Every mapped section (our type ⇄ libcper's short name). */
export const SECTION_MAPPINGS: readonly SectionMapping[] = [armMapping, memoryMapping, memory2Mapping, processorGenericMapping, firmwareReferenceMapping, pciBusMapping, pciComponentMapping, dmarGenericMapping, vtdDmarMapping, iommuDmarMapping, ccixPerMapping, cxlProtocolMapping, ...CXL_COMPONENT_MAPPINGS, ia32x64Mapping, pcieMapping, armRasMapping];

export { LIBCPER_KNOWN_SECTIONS } from '../known-sections';
