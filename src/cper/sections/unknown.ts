import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { toHex } from '../../binary/hexdump';
import { guid as guidField } from '../json/fields';
import { HexString, hexField, writeHex } from './section-body-fields';
import type { SectionCodec } from './SectionCodec';

/**
 * Any section whose GUID has no codec (vendor sections, IPF, or a standard section without a
 * codec): the body is opaque, so the model is the GUID and the raw bytes.
 */
export interface UnknownSection {
  type: 'unknown';
  guid: string;
  data: HexString;
}

/** Decodes any body as opaque bytes; `guid` is the section type the container named. */
export function decodeUnknown(r: ByteReader, guid: string): UnknownSection {
  return { type: 'unknown', guid, data: toHex(r.bytesAt(0, r.length, 'data')) };
}

export const unknownCodec: SectionCodec<UnknownSection> = {
  name: 'unknown',
  // The registry never dispatches by this GUID; the container passes the real one to decodeUnknown.
  guid: '00000000-0000-0000-0000-000000000000',
  title: 'unknown section type',
  minLength: 0,
  decode: (r) => decodeUnknown(r, '00000000-0000-0000-0000-000000000000'),
  byteLength: (s) => s.data.length >>> 1,
  encode: (w: ByteWriter, offset: number, s: UnknownSection, _opts, path: string) => {
    writeHex(w, offset, s.data, `${path}.data`);
  },
  input: z
    .strictObject({ type: z.literal('unknown'), guid: guidField, data: hexField().optional() })
    .transform((v): UnknownSection => ({ type: 'unknown', guid: v.guid, data: v.data ?? '' })),
};
