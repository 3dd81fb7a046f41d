import { guidFromBytes } from '../../src/binary/guid';
import { SECTION_TYPES } from '../../src/cper/guids';
import type { LengthField } from '../fields';

/**
 * Length and count fields inside one CPER section body at `[at, end)`, chosen by the section-type
 * GUID: the ARM section's counts and lengths (and those of its error-info and context structures),
 * the PCI component's pair counts, the CCIX/CXL length words and the FRU poison entry count.
 */
export function sectionBodyFields(bytes: Uint8Array, guid: string, at: number, end: number, path: string): LengthField[] {
  const out: LengthField[] = [];
  const add = (off: number, width: 1 | 2 | 4 | 8, name: string, base = at) => {
    if (at + off + width <= end) out.push({ offset: at + off, width, name: `${path}.${name}`, base });
  };
  const cxlEvents: string[] = [
    SECTION_TYPES.cxlGeneralMedia.guid,
    SECTION_TYPES.cxlDram.guid,
    SECTION_TYPES.cxlMemoryModule.guid,
    SECTION_TYPES.cxlPhysicalSwitch.guid,
    SECTION_TYPES.cxlVirtualSwitch.guid,
    SECTION_TYPES.cxlMldPort.guid,
    SECTION_TYPES.cxlMemorySparing.guid,
  ];
  switch (guid) {
    case SECTION_TYPES.arm.guid:
      out.push(...armSectionFields(bytes, at, end, path));
      break;
    case SECTION_TYPES.pciComponent.guid:
      add(32, 4, 'memoryNumber');
      add(36, 4, 'ioNumber');
      break;
    case SECTION_TYPES.ccixPer.guid:
      add(0, 4, 'length');
      break;
    case SECTION_TYPES.cxlProtocol.guid:
      add(108, 2, 'dvsecLength', at + 116);
      add(110, 2, 'errorLogLength', at + 116);
      break;
    case SECTION_TYPES.fruMemoryPoison.guid:
      add(36, 4, 'entryCount');
      break;
    case SECTION_TYPES.firmwareErrorRecordReference.guid:
      add(1, 1, 'revision');
      break;
    default:
      if (cxlEvents.includes(guid)) add(0, 4, 'length');
  }
  return out;
}

/** The ARM processor section: ERR_INFO_NUM, CONTEXT_INFO_NUM, SectionLength, each error-info Length, each context's type and RegisterArraySize. */
export function armSectionFields(bytes: Uint8Array, at: number, end: number, path: string): LengthField[] {
  const out: LengthField[] = [];
  if (at + 40 > end) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  out.push({ offset: at + 4, width: 2, name: `${path}.errInfoNum`, base: at + 40 });
  out.push({ offset: at + 6, width: 2, name: `${path}.contextInfoNum`, base: at + 40 });
  out.push({ offset: at + 8, width: 4, name: `${path}.sectionLength`, base: at });
  const errInfoNum = view.getUint16(at + 4, true);
  const contextNum = view.getUint16(at + 6, true);
  let p = at + 40;
  for (let i = 0; i < errInfoNum && p + 32 <= end; i++, p += 32) {
    out.push({ offset: p + 1, width: 1, name: `${path}.errorInfo[${i}].length`, base: p });
    out.push({ offset: p + 4, width: 1, name: `${path}.errorInfo[${i}].type` });
  }
  for (let i = 0; i < contextNum && p + 8 <= end; i++) {
    out.push({ offset: p + 2, width: 2, name: `${path}.context[${i}].registerContextType` });
    out.push({ offset: p + 4, width: 4, name: `${path}.context[${i}].registerArraySize`, base: p + 8 });
    p += 8 + view.getUint32(p + 4, true);
  }
  return out;
}

export function guidAt(bytes: Uint8Array, at: number): string {
  return guidFromBytes(bytes, at);
}
