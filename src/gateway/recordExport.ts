/**
 * The file forms of a stored guest record for `GET /vms/{id}/records/{rid}?format=`:
 * - `gesb`: the Generic Error Status Block bytes exactly as the guest read them;
 * - `json`: the record resource (answered by the route itself).
 */
export const RECORD_EXPORT_FORMATS = ['json', 'gesb'] as const;
export type RecordExportFormat = (typeof RECORD_EXPORT_FORMATS)[number];

/** The bytes of a binary export format. */
export function exportRecordBytes(block: Uint8Array, format: Exclude<RecordExportFormat, 'json'>): Uint8Array {
  switch (format) {
    case 'gesb':
      return block;
  }
}
