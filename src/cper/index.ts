import { z } from 'zod';
import { ByteReader } from '../binary/ByteReader';
import { EncodeError, RasgwError, SafeResult, safely } from '../binary/errors';
import { findProtoKey, VANISHING_KEY } from './json/protoKeys';
import { formatPath, zodToRasgwError } from './json/zod-error';
import { toJson } from './json/to-json';
import { cperRecordInput, CperRecord, decodeCperRecordFrom, encodeCperRecordTo } from './record';
import { CperOptions, DEFAULT_CPER_OPTIONS } from './sections/SectionCodec';
import { SECTION_CODECS, unknownCodec } from './sections';
import { decodeStatusBlockFrom, encodeStatusBlockTo, GenericErrorStatusBlock, statusBlockInput } from './status-block';

/**
 * Public API of the CPER codec: the two containers (ACPI Generic Error Status Block and UEFI CPER
 * record) in both directions, their JSON form, and the JSON Schema of that form.
 *
 * - `decode*` read bytes strictly and structurally (typed DecodeError with byte offset and field
 *   path on bad input) and keep every byte, so `encode*(decode*(b))` equals `b`.
 * - `parse*Json` validate the JSON form (zod) and fill derived fields; failures are RasgwErrors
 *   with code 'invalid_input' and the JSON path.
 * - `safe*` variants return `{ success, data | error }` instead of throwing.
 */

export type ContainerKind = 'gesb' | 'cper';

/** "CPER" at byte 0 means a CPER record; anything else is taken as a Generic Error Status Block. */
export function detectContainer(bytes: Uint8Array): ContainerKind {
  return bytes.length >= 4 && bytes[0] === 0x43 && bytes[1] === 0x50 && bytes[2] === 0x45 && bytes[3] === 0x52 ? 'cper' : 'gesb';
}

function options(opts?: Partial<CperOptions>): CperOptions {
  return opts === undefined ? DEFAULT_CPER_OPTIONS : { ...DEFAULT_CPER_OPTIONS, ...opts };
}

export function decodeStatusBlock(bytes: Uint8Array, opts?: Partial<CperOptions>): GenericErrorStatusBlock {
  return decodeStatusBlockFrom(new ByteReader(bytes), options(opts));
}

export function encodeStatusBlock(model: GenericErrorStatusBlock, opts?: Partial<CperOptions>): Uint8Array {
  return encodeStatusBlockTo(model, options(opts));
}

export function decodeCperRecord(bytes: Uint8Array, opts?: Partial<CperOptions>): CperRecord {
  return decodeCperRecordFrom(new ByteReader(bytes), options(opts));
}

export function encodeCperRecord(model: CperRecord, opts?: Partial<CperOptions>): Uint8Array {
  return encodeCperRecordTo(model, options(opts));
}

/** Refuses an own `__proto__` key (see json/protoKeys.ts) as the unknown field it is. */
function refuseProtoKey(json: unknown): void {
  const at = findProtoKey(json);
  if (at) throw new EncodeError({ code: 'invalid_input', path: formatPath(at), message: `unknown field "${VANISHING_KEY}"` });
}

export function parseStatusBlockJson(json: unknown): GenericErrorStatusBlock {
  refuseProtoKey(json);
  const r = statusBlockInput().safeParse(json);
  if (!r.success) throw zodToRasgwError(r.error, 'invalid status block JSON');
  return r.data;
}

export function parseCperRecordJson(json: unknown): CperRecord {
  refuseProtoKey(json);
  const r = cperRecordInput().safeParse(json);
  if (!r.success) throw zodToRasgwError(r.error, 'invalid CPER record JSON');
  return r.data;
}

export const safeDecodeStatusBlock = (bytes: Uint8Array, opts?: Partial<CperOptions>): SafeResult<GenericErrorStatusBlock> =>
  safely(() => decodeStatusBlock(bytes, opts));
export const safeEncodeStatusBlock = (model: GenericErrorStatusBlock, opts?: Partial<CperOptions>): SafeResult<Uint8Array> =>
  safely(() => encodeStatusBlock(model, opts));
export const safeDecodeCperRecord = (bytes: Uint8Array, opts?: Partial<CperOptions>): SafeResult<CperRecord> =>
  safely(() => decodeCperRecord(bytes, opts));
export const safeEncodeCperRecord = (model: CperRecord, opts?: Partial<CperOptions>): SafeResult<Uint8Array> =>
  safely(() => encodeCperRecord(model, opts));
export const safeParseStatusBlockJson = (json: unknown): SafeResult<GenericErrorStatusBlock> => safely(() => parseStatusBlockJson(json));
export const safeParseCperRecordJson = (json: unknown): SafeResult<CperRecord> => safely(() => parseCperRecordJson(json));

/** The JSON form of a decoded status block (bigints → "0x…"). */
export function statusBlockToJson(model: GenericErrorStatusBlock): unknown {
  return toJson(model);
}

/** The JSON form of a decoded CPER record. */
export function cperRecordToJson(model: CperRecord): unknown {
  return toJson(model);
}

/** JSON Schema (draft 2020-12) of the JSON input form of a status block or a CPER record. */
export function cperJsonSchema(as: ContainerKind = 'gesb'): Record<string, unknown> {
  const schema = as === 'cper' ? cperRecordInput() : statusBlockInput();
  return withSectionExamples(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>);
}

/**
 * Adds each section's example (from its codec) to its schema in the section union. zod leaves
 * examples out of the input side of a schema that transforms, and every section input does (it
 * fills defaults), so they are put back here: one example per section, valid JSON input.
 */
function withSectionExamples(schema: Record<string, unknown>): Record<string, unknown> {
  const examples = new Map<string, unknown>();
  for (const c of [...SECTION_CODECS, unknownCodec] as Array<{ name: string; example?: unknown }>) if (c.example !== undefined) examples.set(c.name, c.example);
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const o = node as Record<string, unknown>;
    const type = (o.properties as Record<string, { const?: unknown }> | undefined)?.type?.const;
    if (typeof type === 'string' && examples.has(type) && o.examples === undefined) o.examples = [examples.get(type)];
    Object.values(o).forEach(visit);
  };
  visit(schema);
  return schema;
}

export { RasgwError };
export type { CperOptions, GenericErrorStatusBlock, CperRecord };
export type { ArmTypeEncoding } from './sections/SectionCodec';
export type { GenericErrorDataEntry } from './data-entry';
export type { CperSectionEntry } from './section-descriptor';
export type { SectionModel, ArmSection, MemorySection, Memory2Section, UnknownSection } from './sections';
export type { CperTimestamp } from './timestamp';
export type { BlockStatus } from './block-status';
