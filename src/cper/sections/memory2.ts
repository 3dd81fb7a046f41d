import { SECTION_TYPES } from '../guids';
import type { FlagTable } from '../json/fields';
import { enumOf, flagsOf, u16, u32, u64, u8, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';
import { bankInput, MEMORY_ADDRESS_ROWS, MEMORY_ERROR_TYPES, resolveBank } from './memory';

/**
 * Platform Memory Error 2 section (UEFI N.2.6), 96 bytes. Its validation bits are numbered
 * differently from the memory section's (bit 10 is Rank here). Bytes after the 96 are kept as
 * `trailing`. Input rule beyond the table: `bank`, or `bankGroup`/`bankAddress` (resolveBank).
 */

export const MEMORY2_STATUS_BITS: FlagTable = { 0: 'uncorrected' };

export const MEMORY2_LENGTH = 96;

export const MEMORY2_LAYOUT = layout('memory 2', MEMORY2_LENGTH, [
  validationBits('validationBits', 0, 8, { 20: 'bankGroup', 21: 'bankAddress' }),
  ...MEMORY_ADDRESS_ROWS,
  u16('module', 36, { vbit: 5, doc: 'module (DIMM) number', libcper: 'module' }),
  u16('bank', 38, { vbit: 6, doc: 'bank number, or bank group (bits 15:8, validation bit 20) and bank address (bits 7:0, bit 21)', libcper: 'bank' }),
  u32('device', 40, { vbit: 7, doc: 'device number', libcper: 'device' }),
  u32('row', 44, { vbit: 8, doc: 'row number', libcper: 'row' }),
  u32('column', 48, { vbit: 9, doc: 'column number', libcper: 'column' }),
  u32('rank', 52, { vbit: 10, doc: 'rank number', libcper: 'rank' }),
  u32('bitPosition', 56, { vbit: 11, doc: 'bit position of the error', libcper: 'bitPosition' }),
  u8('chipId', 60, { vbit: 12, doc: '3DS chip (die) identifier', libcper: 'chipID' }),
  view('memoryErrorType', 61, 1, enumOf(MEMORY_ERROR_TYPES), { vbit: 13, doc: 'memory error type', libcper: 'memoryErrorType' }),
  view('status', 62, 1, flagsOf(MEMORY2_STATUS_BITS, 1), { vbit: 14, doc: 'bit 0: 1 = uncorrected, 0 = corrected; bits 7:1 reserved', libcper: 'status' }),
  u8('reserved', 63, { doc: 'reserved' }),
  u64('requestorId', 64, { vbit: 15, doc: 'hardware address of the requestor', libcper: 'requestorID' }),
  u64('responderId', 72, { vbit: 16, doc: 'hardware address of the responder', libcper: 'responderID' }),
  u64('targetId', 80, { vbit: 17, doc: 'hardware address of the intended target', libcper: 'targetID' }),
  u32('cardHandle', 88, { vbit: 18, doc: 'SMBIOS type 16 handle of the memory array', libcper: 'cardSmbiosHandle' }),
  u32('moduleHandle', 92, { vbit: 19, doc: 'SMBIOS type 17 handle of the memory device', libcper: 'moduleSmbiosHandle' }),
], { truncated: 'at-start' });

export const memory2Codec = tableSection({
  info: SECTION_TYPES.memory2,
  head: MEMORY2_LAYOUT,
  typeRequired: true,
  doc: 'Platform Memory Error 2 (UEFI N.2.6), 96 bytes',
  validation: { field: 'validationBits', extra: { bankGroup: 20, bankAddress: 21 } },
  extraInput: () => bankInput(20, 21),
  resolve: resolveBank,
  example: { type: 'memory2', physicalAddress: '0x40001000', memoryErrorType: 'multiBitEcc', node: 0, rank: 1, bankGroup: 2, bankAddress: 3 },
});

export type Memory2Section = TableModel<'memory2', LayoutModel<typeof MEMORY2_LAYOUT>>;
