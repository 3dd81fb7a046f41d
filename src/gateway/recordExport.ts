import { statusBlockToRecord } from '../cper/convert';

/**
 * The file forms of a stored guest record for `GET /vms/{id}/records/{rid}?format=`:
 * - `gesb`: the Generic Error Status Block bytes exactly as the guest read them;
 * - `cper`: the same error as a UEFI CPER record (src/cper/convert.ts: one section descriptor
 *   per data entry, section bodies copied as they are);
 * - `json`: the record resource (answered by the route itself).
 */
export const RECORD_EXPORT_FORMATS = ['json', 'gesb', 'cper'] as const;
export type RecordExportFormat = (typeof RECORD_EXPORT_FORMATS)[number];

/** The bytes of a binary export format. */
export function exportRecordBytes(block: Uint8Array, format: Exclude<RecordExportFormat, 'json'>): Uint8Array {
  switch (format) {
    case 'gesb':
      return block;
    case 'cper':
      return statusBlockToRecord(block);
  }
}
