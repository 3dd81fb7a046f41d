import { ByteReader, ByteWriter } from '../../../src/binary';
import { decodeUnknown, unknownCodec } from '../../../src/cper/sections/unknown';
import { DEFAULT_CPER_OPTIONS } from '../../../src/cper/sections/SectionCodec';

describe('unknown section', () => {
  const guid = '2826cc9f-448c-4c2b-86b6-a95394b7ef33';

  it('keeps the GUID and every body byte, and writes them back', () => {
    const body = Uint8Array.from([0, 1, 0xfe, 0xff]);
    const s = decodeUnknown(new ByteReader(body), guid);
    expect(s).toEqual({ type: 'unknown', guid, data: '0001feff' });
    const w = new ByteWriter(unknownCodec.byteLength(s, DEFAULT_CPER_OPTIONS));
    unknownCodec.encode(w, 0, s, DEFAULT_CPER_OPTIONS, 'section');
    expect(Array.from(w.bytes)).toEqual([0, 1, 0xfe, 0xff]);
  });

  it('takes an empty body and upper-case JSON GUIDs; needs a GUID', () => {
    expect(unknownCodec.input.parse({ type: 'unknown', guid: guid.toUpperCase() })).toEqual({ type: 'unknown', guid, data: '' });
    expect(unknownCodec.input.safeParse({ type: 'unknown', data: '00' }).success).toBe(false);
    expect(unknownCodec.input.safeParse({ type: 'unknown', guid, data: '0' }).success).toBe(false);
  });
});
