import type { ContainerKind } from '../../cper';
import { statusBlockToRecord } from '../../cper/convert';
import { cperRecordToLibcperText } from '../../cper/libcper';

/**
 * What `decode --format libcper` prints: the JSON libcper's `cper-convert to-json` prints for the
 * record (u64 values as exact integers, json-c's layout). A status block is first unwrapped into
 * the record firmware would have made of it (src/cper/convert.ts), with a note for stderr.
 */
export function libcperJsonTextOfBytes(bytes: Uint8Array, kind: ContainerKind): { text: string; notes: string[] } {
  const notes: string[] = [];
  let record = bytes;
  if (kind === 'gesb') {
    record = statusBlockToRecord(bytes);
    notes.push(`status block unwrapped into a ${record.length}-byte CPER record (rasgw convert --to cper gives those bytes)`);
  }
  return { text: cperRecordToLibcperText(record) + '\n', notes };
}
