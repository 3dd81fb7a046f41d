import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { toHex } from '../../binary/hexdump';
import { guid as guidField } from '../json/fields';
import { lazy } from '../json/lazy';
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

// built on first use (see ../json/lazy.ts)
const unknownInput = lazy(() =>
  z
    .strictObject({
      type: z.literal('unknown').describe('section kind "unknown": any section type, its body given as bytes'),
      guid: guidField().describe('section type GUID'),
      data: hexField().optional().describe('the section body as hex'),
    })
    .describe('any section without a codec: a type GUID and the body as bytes')
    .transform((v): UnknownSection => ({ type: 'unknown', guid: v.guid, data: v.data ?? '' })),
);

export const unknownCodec: SectionCodec<UnknownSection> & { example: Record<string, unknown> } = {
  example: { type: 'unknown', guid: '2826cc9f-448c-4c2b-86b6-a95394b7ef33', data: '0100020000000000' },
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
  get input() {
    return unknownInput();
  },
};
