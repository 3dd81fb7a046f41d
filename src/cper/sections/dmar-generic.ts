import { z } from 'zod';
import { SECTION_TYPES } from '../guids';
import { enumField, enumValue, EnumTable } from '../json/fields';
import { enumOf, hex, modelOnly, u16, u64, view } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';
import type { CperOptions } from './SectionCodec';
import { lazy } from '../json/lazy';

/**
 * DMAr generic error section (UEFI N.2.11.1), 32 bytes, no validation bits.
 *
 * Two enumerations are disputed between sources:
 * - AccessType: the UEFI specification (and libcper) say 0 = DMA write, 1 = DMA read; edk2's
 *   Cper.h defines READ = 0, WRITE = 1. The byte is kept as is; which name it gets is the explicit
 *   `accessTypeEncoding` of the model ('uefi', the default, or 'edk2'), chosen on decode by the
 *   `dmarAccessType` option and on input by the field of that name (the hand-written rule below).
 * - ArchitectureType: UEFI and edk2 agree on 1 = VT-d, 2 = IOMMU; libcper decodes 0 as VT-d and
 *   1 as IOMMU, which is off by one. The UEFI values are used.
 * JSON form: every field optional (zero when absent; architectureType defaults to 1, VT-d).
 * `accessType` names are read in `accessTypeEncoding`; a number or `{ value }` is the byte itself.
 */

const INFO = SECTION_TYPES.dmarGeneric;
export const DMAR_GENERIC_BODY_LENGTH = 32;

export type DmarAccessTypeEncoding = 'uefi' | 'edk2';

/** The option this codec reads besides the common ones (absent = 'uefi'). */
export interface DmarCperOptions extends CperOptions {
  dmarAccessType?: DmarAccessTypeEncoding;
}

export const DMAR_FAULT_REASONS: EnumTable = {
  1: 'entryNotPresent',
  2: 'invalidEntry',
  3: 'mappingTableAccessError',
  4: 'mappingTableReservedBit',
  5: 'addressBeyondWidth',
  6: 'invalidReadWrite',
  7: 'invalidDeviceRequest',
  8: 'translationTableAccessError',
  9: 'translationTableReservedBit',
  10: 'illegalCommand',
  11: 'commandBufferAccessError',
};

export const DMAR_ACCESS_TYPES: Readonly<Record<DmarAccessTypeEncoding, EnumTable>> = {
  uefi: { 0: 'write', 1: 'read' },
  edk2: { 0: 'read', 1: 'write' },
};

export const DMAR_ADDRESS_TYPES: EnumTable = { 0: 'untranslated', 1: 'translationRequest' };
export const DMAR_ARCHITECTURE_TYPES: EnumTable = { 1: 'vtd', 2: 'iommu' };

export function dmarAccessTypeEncoding(opts: CperOptions): DmarAccessTypeEncoding {
  return (opts as DmarCperOptions).dmarAccessType ?? 'uefi';
}

export const DMAR_GENERIC_LAYOUT = layout('DMAr generic', DMAR_GENERIC_BODY_LENGTH, [
  u16('requesterId', 0, { doc: 'requester ID (bus/device/function)', libcper: 'requesterID' }),
  u16('segmentNumber', 2, { doc: 'PCI segment', libcper: 'segmentNumber' }),
  view('faultReason', 4, 1, enumOf(DMAR_FAULT_REASONS), { doc: 'fault reason', libcper: 'faultReason' }),
  modelOnly('accessTypeEncoding', (opts) => dmarAccessTypeEncoding(opts as CperOptions), () => z.enum(['uefi', 'edk2']), () => 'uefi' as DmarAccessTypeEncoding,
    "which table names accessType: 'uefi' (0 write, 1 read; default) or 'edk2' (0 read, 1 write)"),
  view('accessType', 5, 1, enumOf(DMAR_ACCESS_TYPES.uefi), { doc: 'DMA access type, named in accessTypeEncoding', libcper: 'accessType', input: () => z.unknown() }),
  view('addressType', 6, 1, enumOf(DMAR_ADDRESS_TYPES), { doc: 'address type', libcper: 'addressType' }),
  view('architectureType', 7, 1, enumOf(DMAR_ARCHITECTURE_TYPES, 1, 1), { doc: 'architecture type (default 1, VT-d)', libcper: 'architectureType' }),
  u64('deviceAddress', 8, { doc: 'device address of the faulting request', libcper: 'deviceAddress' }),
  hex('reserved', 16, 16, { doc: 'reserved' }),
]);

const ACCESS_INPUT = lazy(() => ({ uefi: enumField(DMAR_ACCESS_TYPES.uefi), edk2: enumField(DMAR_ACCESS_TYPES.edk2) }));

export const dmarGenericCodec = tableSection({
  info: INFO,
  head: DMAR_GENERIC_LAYOUT,
  doc: 'DMAr generic error (UEFI N.2.11.1), 32 bytes',
  // the accessType byte is named in the model's own encoding
  afterDecode: (s) => {
    if (s.accessTypeEncoding !== 'uefi') s.accessType = enumValue(DMAR_ACCESS_TYPES[s.accessTypeEncoding], s.accessType.value);
  },
  resolve: (v, out, ctx) => {
    const encoding = (v.accessTypeEncoding as DmarAccessTypeEncoding | undefined) ?? 'uefi';
    out.accessTypeEncoding = encoding;
    out.accessType = enumValue(DMAR_ACCESS_TYPES[encoding], 0);
    if (v.accessType !== undefined) {
      const parsed = ACCESS_INPUT()[encoding].safeParse(v.accessType);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: ['accessType', ...issue.path.map(String)], message: issue.message });
        return false;
      }
      out.accessType = parsed.data;
    }
    return true;
  },
  example: { type: 'dmarGeneric', requesterId: 0x0100, faultReason: 'entryNotPresent', accessType: 'read', architectureType: 'vtd', deviceAddress: '0x7f000000' },
});

export type DmarGenericSection = TableModel<'dmarGeneric', LayoutModel<typeof DMAR_GENERIC_LAYOUT>>;
