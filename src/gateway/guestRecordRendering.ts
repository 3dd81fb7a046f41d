import { safeDecodeStatusBlock } from '../cper';
import type { GuestRecordRendering } from '../store/EventStore';
import type { StoredGuestRecord } from '../store/records';
import { modelJsonText } from '../store/modelJsonText';
import { summariseDecodedRecord } from './recordSummary';

/**
 * The stored columns of a record the guest read, from its bytes: the decoded JSON form (the
 * strict decode with default options — what the VM's guest-record event reports as `decoded` —
 * written as text straight from the decoded model, "null" when the codec refuses the bytes),
 * the block severity name and the section types. A function of the bytes only, so the store
 * computes it once for every record of a batch with the same bytes (the way Linux's GHES
 * estatus cache recognises a repeated record).
 */
/** The decoded JSON form of a stored record: as stored, or decoded again from its bytes when the store kept only those. */
export function decodedOf(r: Pick<StoredGuestRecord, 'decoded' | 'bytes'>): unknown {
  return r.decoded !== undefined ? r.decoded : JSON.parse(renderGuestRecord(r.bytes).decodedText);
}

export function renderGuestRecord(bytes: Uint8Array): GuestRecordRendering {
  const d = safeDecodeStatusBlock(bytes);
  const model = d.success ? d.data : null;
  const summary = summariseDecodedRecord(model);
  const out: GuestRecordRendering = { decodedText: modelJsonText(model), sections: summary.sections };
  if (summary.severity !== undefined) out.severity = summary.severity;
  return out;
}
