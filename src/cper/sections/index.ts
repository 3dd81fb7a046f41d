import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError, joinPath } from '../../binary/errors';
import { guidFromBytes, guidToBytes } from '../../binary/guid';
import { ADDITIONAL_SECTION_CODECS } from './additional';
import { armCodec, ArmSection } from './arm';
import { armRasCodec } from './arm-ras';
import { memoryCodec, MemorySection } from './memory';
import { memory2Codec, Memory2Section } from './memory2';
import type { CperOptions, SectionCodec } from './SectionCodec';
import { decodeUnknown, unknownCodec, UnknownSection } from './unknown';
import { lazy } from '../json/lazy';

/**
 * Section registry: the core codecs (ARM, memory, memory 2), the additional ones, the vendor ones
 * (Arm RAS node), and the unknown-section fallback. Decoding dispatches by section-type GUID after checking the body
 * against the codec's minimum length; a GUID without a codec decodes as opaque bytes.
 * Encoding dispatches by the model's GUID, then by its `type` name.
 */

/** A decoded section: one of the core models, an additional codec's model, or an unknown section. */
export type SectionModel = ArmSection | MemorySection | Memory2Section | UnknownSection | { type: string; guid: string };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCodec = SectionCodec<any>;

const CORE_SECTION_CODECS: AnyCodec[] = [armCodec, memoryCodec, memory2Codec];

/** Sections defined outside the UEFI specification (Arm DEN0085's RAS node, which libcper decodes). */
const VENDOR_SECTION_CODECS: AnyCodec[] = [armRasCodec];

/** Every section codec, core first; a later codec with an already registered GUID is ignored. */
export const SECTION_CODECS: readonly AnyCodec[] = (() => {
  const seen = new Set<string>();
  const out: AnyCodec[] = [];
  for (const c of [...CORE_SECTION_CODECS, ...ADDITIONAL_SECTION_CODECS, ...VENDOR_SECTION_CODECS]) {
    if (seen.has(c.guid)) continue;
    seen.add(c.guid);
    out.push(c);
  }
  return out;
})();

const byGuid = new Map<string, AnyCodec>(SECTION_CODECS.map((c) => [c.guid, c]));
const byName = new Map<string, AnyCodec>();
for (const c of SECTION_CODECS) if (!byName.has(c.name)) byName.set(c.name, c);

/**
 * Lookup by wire bytes, so a decoder need not build the GUID string of a known section type:
 * Data1 (the first u32) selects the candidates, the other 12 bytes must match.
 */
const byData1 = new Map<number, Array<{ wire: Uint8Array; codec: AnyCodec }>>();
for (const c of SECTION_CODECS) {
  const wire = guidToBytes(c.guid);
  const d1 = wire[0] | (wire[1] << 8) | (wire[2] << 16) | (wire[3] << 24);
  const list = byData1.get(d1) ?? [];
  list.push({ wire, codec: c });
  byData1.set(d1, list);
}

/** The codec whose section-type GUID is stored at `bytes[at..at+16)` (bounds checked by the caller). */
export function sectionCodecAt(bytes: Uint8Array, at: number): AnyCodec | undefined {
  // a signed 32-bit key stays a small integer, which Map hashes fastest
  const d1 = bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  const list = byData1.get(d1);
  if (list === undefined) return undefined;
  for (let k = 0; k < list.length; k++) {
    const wire = list[k].wire;
    let i = 4;
    while (i < 16 && bytes[at + i] === wire[i]) i++;
    if (i === 16) return list[k].codec;
  }
  return undefined;
}

/**
 * Decodes a section body whose type GUID is stored at `bytes[typeAt..typeAt+16)`; the same
 * dispatch as decodeSection, without building the GUID string of a registered type.
 */
export function decodeSectionOfType(r: ByteReader, bytes: Uint8Array, typeAt: number, opts: CperOptions): SectionModel {
  const codec = sectionCodecAt(bytes, typeAt);
  if (codec === undefined) return decodeUnknown(r, guidFromBytes(bytes, typeAt));
  return decodeWith(codec, r, opts);
}

function decodeWith(codec: AnyCodec, r: ByteReader, opts: CperOptions): SectionModel {
  if (r.length < codec.minLength) {
    throw r.error('bad_length', 0, '', `${codec.title} section needs at least ${codec.minLength} bytes, the body has ${r.length}`);
  }
  return codec.decode(r, opts);
}

/** The codec registered for a section-type GUID, if any. */
export function sectionCodecByGuid(guid: string): AnyCodec | undefined {
  return byGuid.get(guid);
}

/** Decodes a section body (the reader is bounded to exactly the body). */
export function decodeSection(r: ByteReader, guid: string, opts: CperOptions): SectionModel {
  const codec = byGuid.get(guid);
  if (codec === undefined) return decodeUnknown(r, guid);
  return decodeWith(codec, r, opts);
}

/** The codec of a section model; the error path (parent joined with field) is built only on failure. */
function codecFor(s: SectionModel, parent: string, field: string): AnyCodec {
  if (s.type === 'unknown') return unknownCodec;
  const c = byGuid.get(s.guid);
  if (c !== undefined && c.name === s.type) return c;
  const n = byName.get(s.type);
  if (n !== undefined) return n;
  throw new EncodeError({ code: 'bad_value', path: `${joinPath(parent, field)}.type`, message: `no codec for section type ${JSON.stringify(s.type)}` });
}

export function sectionByteLength(s: SectionModel, opts: CperOptions, path = 'section'): number {
  return codecFor(s, path, '').byteLength(s, opts);
}

/** `sectionByteLength` of the section at `${parent}.section` (that path is built only for an error). */
export function sectionByteLengthIn(s: SectionModel, opts: CperOptions, parent: string): number {
  return codecFor(s, parent, 'section').byteLength(s, opts);
}

export function encodeSection(w: ByteWriter, offset: number, s: SectionModel, opts: CperOptions, path: string): void {
  codecFor(s, path, '').encode(w, offset, s, opts, path);
}

/** Title of a section (Linux's wording where it has one). */
export function sectionTitle(s: SectionModel): string {
  return s.type === 'unknown' ? unknownCodec.title : byGuid.get(s.guid)?.title ?? unknownCodec.title;
}

/** JSON input of any section, chosen by its `type` (one schema per codec name). */
export const sectionInput = lazy(() => {
  const inputs = [...byName.values(), unknownCodec].map((c) => c.input);
  // Every codec input is an object schema with a literal `type`; zod dispatches on it.
  return z.discriminatedUnion('type', inputs as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<SectionModel>;
});

export { armCodec, memoryCodec, memory2Codec, unknownCodec };
export type { ArmSection, MemorySection, Memory2Section, UnknownSection };
