import { ccixPerCodec } from '../../../src/cper/sections/ccix-per';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

/** Header + a 3-dword PER log. */
function golden(): Golden {
  return new Golden(28).u32(0, 28).u64(4, 0x7n).u8(12, 0x05).u8(13, 0x02).u16(14, 0).u32(16, 0x0300_0001).u32(20, 0xdead_beef).u32(24, 0x1234_5678);
}

describe('CCIX PER log section codec', () => {
  it('decodes the header and the log bounded by the length field', () => {
    const s = decodeBody(ccixPerCodec, golden().bytes);
    expect(s.type).toBe('ccixPer');
    expect(s.validationBits).toMatchObject({ raw: 7n, sourceId: true, portId: true, perLog: true });
    expect([s.sourceId, s.portId, s.reserved]).toEqual([5, 2, 0]);
    expect(s.perLog).toBe('01000003efbeadde78563412');
    expect(s.trailing).toBeUndefined();
  });

  it('keeps bytes after the length as trailing and re-encodes byte for byte', () => {
    const body = new Uint8Array(32);
    body.set(golden().u32(0, 24).u16(14, 0xabcd).bytes);
    body.set([1, 2, 3, 4], 28);
    const s = decodeBody(ccixPerCodec, body);
    expect(s.perLog).toBe('01000003efbeadde');
    expect(s.trailing).toBe('7856341201020304');
    expect(s.reserved).toBe(0xabcd);
    expect(hexOf(encodeBody(ccixPerCodec, s))).toBe(hexOf(body));
    const back = viaJson(ccixPerCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(ccixPerCodec, back))).toBe(hexOf(body));
  });

  it('encodes minimal JSON: length from the log, validation bits from the fields', () => {
    const b = encodeJson(ccixPerCodec, { sourceId: 3, perLog: '11223344 55667788' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(24);
    expect(v.getUint32(0, true)).toBe(24);
    expect(v.getBigUint64(4, true)).toBe(0x1n | 0x4n);
    expect(b[12]).toBe(3);
    expect(hexOf(b.slice(16))).toBe('1122334455667788');
  });

  it('a length beyond the body or below the header is a typed error', () => {
    const e = caught(() => decodeBody(ccixPerCodec, golden().u32(0, 29).bytes, undefined, 40));
    expect(e.code).toBe('bad_length');
    expect(e.offset).toBe(40);
    expect(e.path).toBe('section.length');
    const e2 = caught(() => decodeBody(ccixPerCodec, golden().u32(0, 0xffff_ffff).bytes));
    expect(e2.code).toBe('bad_length');
    const e3 = caught(() => decodeBody(ccixPerCodec, golden().u32(0, 15).bytes));
    expect(e3.code).toBe('bad_length');
    expect(e3.message).toContain('smaller than the 16-byte header');
  });

  it('a truncated header is a typed error', () => {
    const e = caught(() => decodeBody(ccixPerCodec, golden().bytes.slice(0, 3), undefined, 8));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(8);
  });

  it('rejects unknown fields and odd hex', () => {
    expect(zodIssuePaths(() => ccixPerCodec.input.parse({ length: 16 }))).toEqual(['']);
    expect(zodIssuePaths(() => ccixPerCodec.input.parse({ perLog: 'abc' }))).toEqual(['perLog']);
  });
});
