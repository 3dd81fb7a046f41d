import { RasgwError } from '../binary/errors';
import { encodeStatusBlock, parseStatusBlockJson } from '../cper';
import { recordToStatusBlock } from '../cper/convert';
import { dottedPathSegments, invalidRequest, jsonPointer } from './ProblemError';
import { CONVENIENCE_TYPES, ConvenienceInput, InjectionInput } from './schemas';

/**
 * Turns the body of POST /vms/{id}/errors into the status-block bytes to inject:
 * - `raw`: the base64 bytes, as given (the VM checks the length); `rawHex`: the same as hex text;
 * - `cper`: the CPER JSON form, validated and encoded by the CPER codec;
 * - `error`: the convenience shape, expanded to the CPER JSON form (one data entry), then as `cper`;
 * - `cperRecord`: a UEFI CPER record's bytes, wrapped as firmware delivers it (src/cper/convert.ts);
 *   a block too large for the source is refused by the VM like any other (413 with both sizes).
 * A codec failure becomes invalid-request with a JSON pointer into the request body.
 */
export function injectionBytes(v: InjectionInput): Uint8Array {
  if (v.raw !== undefined) return v.raw;
  if (v.rawHex !== undefined) return v.rawHex;
  if (v.cper !== undefined) return encodeJson(v.cper, (segments) => ['cper', ...segments]);
  if (v.cperRecord !== undefined) return wrapRecord(v.cperRecord, ['cperRecord']);
  return encodeJson(convenienceToStatusBlockJson(v.error!), (segments) => ['error', ...convenienceField(v.error!, segments)]);
}

/**
 * The CPER JSON form of a convenience error: severity on the block (and so on the entry), FRU
 * fields on the entry, the remaining fields as the section. An ARM error without `errorInfo`
 * gets one cache entry, as ghes_inject.py does by default.
 */
export function convenienceToStatusBlockJson(e: ConvenienceInput): Record<string, unknown> {
  const { type, severity, blockStatus, fruId, fruText, ...fields } = e;
  let section: Record<string, unknown>;
  if (type === 'vendor') {
    const { sectionType, data, ...rest } = fields;
    section = { type: 'unknown', guid: sectionType, data, ...rest };
  } else {
    section = { type: CONVENIENCE_TYPES[type], ...fields };
    if (section.type === 'arm' && section.errorInfo === undefined) section.errorInfo = [{ type: 'cache' }];
  }
  const entry: Record<string, unknown> = { section };
  if (fruId !== undefined) entry.fruId = fruId;
  if (fruText !== undefined) entry.fruText = fruText;
  const block: Record<string, unknown> = { errorSeverity: severity ?? 'recoverable', entries: [entry] };
  if (blockStatus !== undefined) block.blockStatus = blockStatus;
  return block;
}

/** Maps a field path of the expanded JSON back to the convenience object's own field. */
function convenienceField(e: ConvenienceInput, segments: Array<string | number>): Array<string | number> {
  const [first, index, second, third, ...rest] = segments;
  if (first === 'errorSeverity') return ['severity'];
  if (first === 'blockStatus') return segments;
  if (first !== 'entries' || index !== 0) return [];
  if (second === 'errorSeverity') return ['severity'];
  if (second === 'fruId' || second === 'fruText') return [second];
  if (second !== 'section' || third === undefined) return [];
  if (e.type === 'vendor' && third === 'guid') return ['sectionType', ...rest];
  return [third, ...rest];
}

function encodeJson(json: unknown, where: (segments: Array<string | number>) => Array<string | number>): Uint8Array {
  try {
    return encodeStatusBlock(parseStatusBlockJson(json));
  } catch (e) {
    if (e instanceof RasgwError) {
      throw invalidRequest([{ pointer: jsonPointer(where(dottedPathSegments(e.path))), code: e.code, message: e.message }]);
    }
    throw e;
  }
}

/** A CPER record's bytes as the status block firmware writes; a broken record is invalid-request at `pointer`. */
function wrapRecord(record: Uint8Array, pointer: Array<string | number>): Uint8Array {
  try {
    return recordToStatusBlock(record);
  } catch (e) {
    if (e instanceof RasgwError) {
      // the message names the record byte offset and field (RasgwError.format)
      throw invalidRequest([{ pointer: jsonPointer(pointer), code: e.code, message: e.message }]);
    }
    throw e;
  }
}
