import { SECTION_TYPES } from '../guids';
import { count, u16, u8, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { bytesPart, tableSection, TableModel } from '../layout/section';

/**
 * CCIX protocol error record (PER) log section (UEFI N.2.12), 16 + log bytes. The length field
 * (the whole structure, this header included) is checked against the body before the log is
 * read; bytes after `length` are kept as `trailing`. The model has no length field: it is 16 +
 * the log's size. `perLog` is hex (the CCIX log is made of dwords, but its size is not forced
 * here so that any decoded body re-encodes).
 */

const INFO = SECTION_TYPES.ccixPer;
export const CCIX_PER_HEADER_LENGTH = 16;

export const CCIX_PER_LAYOUT = layout('CCIX PER', CCIX_PER_HEADER_LENGTH, [
  count('length', 0, 4, 'perLog', { doc: 'length of the whole structure, this header included' }),
  validationBits('validationBits', 4, 8, { 2: 'perLog' }),
  u8('sourceId', 12, { vbit: 0, doc: 'the CCIX agent that logged the error', libcper: 'ccixSourceID' }),
  u8('portId', 13, { vbit: 1, doc: 'CCIX port ID (bits 7:5 reserved)', libcper: 'ccixPortID' }),
  u16('reserved', 14, { doc: 'reserved' }),
]);

export const ccixPerCodec = tableSection({
  info: INFO,
  head: CCIX_PER_LAYOUT,
  parts: [bytesPart('perLog', 'length', 'the CCIX PER log as hex, in dwords (its own header holds its dword count)', { total: true, vbits: [2] })],
  doc: 'CCIX PER log (UEFI N.2.12), 16 bytes + the log',
  validation: { field: 'validationBits' },
  example: { type: 'ccixPer', sourceId: 1, portId: 2, perLog: '0300000001000000000000000000000000000000' },
});

export type CcixPerSection = TableModel<'ccixPer', LayoutModel<typeof CCIX_PER_LAYOUT>, [ReturnType<typeof bytesPart<'perLog'>>]>;
