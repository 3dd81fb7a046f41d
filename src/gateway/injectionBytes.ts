import { RasgwError } from '../binary/errors';
import { encodeStatusBlock, parseStatusBlockJson } from '../cper';
import { recordToStatusBlock } from '../cper/convert';
import { libcperToCperRecord, LibcperValue, parseLibcperJson } from '../cper/libcper';
import { dottedPathSegments, invalidRequest, jsonPointer } from './ProblemError';
import { CONVENIENCE_TYPES, ConvenienceInput, InjectionInput } from './schemas';

/**
 * Turns the body of POST /vms/{id}/errors into the status-block bytes to inject:
 * - `raw`: the base64 bytes, as given (the VM checks the length); `rawHex`: the same as hex text;
 * - `cper`: the CPER JSON form, validated and encoded by the CPER codec;
 * - `error`: the convenience shape, expanded to the CPER JSON form (one data entry), then as `cper`;
 * - `cperRecord`: a UEFI CPER record's bytes, wrapped as firmware delivers it (src/cper/convert.ts);
 *   a block too large for the source is refused by the VM like any other (413 with both sizes);
 * - `libcper`: libcper's JSON of a CPER record (object, or its text), encoded by src/cper/libcper,
 *   then wrapped as `cperRecord`.
 * A codec failure becomes invalid-request with a JSON pointer into the request body.
 */
export function injectionBytes(v: InjectionInput): Uint8Array {
  if (v.raw !== undefined) return v.raw;
  if (v.rawHex !== undefined) return v.rawHex;
  if (v.cper !== undefined) return encodeJson(v.cper, (segments) => ['cper', ...segments]);
  if (v.cperRecord !== undefined) return wrapRecord(v.cperRecord, ['cperRecord']);
  if (v.libcper !== undefined) return wrapRecord(libcperRecord(v.libcper), ['libcper']);
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

/** JSON pointer of the first integer JSON.parse could not hold exactly (beyond 2^53), if any. */
function roundedInteger(v: unknown, at: string): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v) ? at : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = roundedInteger(v[i], `${at}/${i}`);
      if (p !== undefined) return p;
    }
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const p = roundedInteger(x, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/**
 * The record bytes of a `libcper` body field. As an object it went through JSON.parse, which
 * rounds integers above 2^53: such a value is refused (not read as a different number), and the
 * document can be sent as text instead, which is read exactly.
 */
function libcperRecord(v: string | Record<string, unknown>): Uint8Array {
  try {
    let doc: LibcperValue;
    if (typeof v === 'string') doc = parseLibcperJson(v);
    else {
      const rounded = roundedInteger(v, '/libcper');
      if (rounded !== undefined) {
        throw invalidRequest([
          { pointer: rounded, code: 'out_of_range', message: 'this integer is larger than 2^53 and JSON parsing has rounded it; send the libcper document as a JSON string in "libcper" to keep u64 values exact' },
        ]);
      }
      doc = v as LibcperValue;
    }
    return libcperToCperRecord(doc);
  } catch (e) {
    if (e instanceof RasgwError) {
      const inner = e.path.startsWith('/') ? e.path : '';
      throw invalidRequest([{ pointer: `/libcper${inner}`, code: e.code, message: e.message }]);
    }
    throw e;
  }
}

/**
 * The body with the VM's MIDR filled in when it is an ARM error of the convenience shape that
 * gives no `midr` (the record then says which CPU the VM has, as `rasgw inject` and
 * ghes_inject.py make it); undefined when nothing is to be filled in. The CPER JSON form, raw
 * bytes and CPER records are injected as given.
 */
export function withVmMidr(v: InjectionInput, midr: bigint): InjectionInput | undefined {
  const e = v.error;
  if (e === undefined || CONVENIENCE_TYPES[e.type] !== 'arm' || (e as Record<string, unknown>).midr !== undefined) return undefined;
  return { ...v, error: { ...e, midr: '0x' + midr.toString(16) } as ConvenienceInput };
}
