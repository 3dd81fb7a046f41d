import { dmarGenericCodec, DmarCperOptions } from '../../../src/cper/sections/dmar-generic';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

const EDK2: DmarCperOptions = { armTypeEncoding: 'uefi-2.10', dmarAccessType: 'edk2' };

function golden(): Golden {
  return new Golden(32)
    .u16(0, 0x00f8) // requester 00:1f.0
    .u16(2, 1)
    .u8(4, 5) // address beyond width
    .u8(5, 1) // access type byte 1
    .u8(6, 0)
    .u8(7, 2) // IOMMU
    .u64(8, 0x1_2345_6000n);
}

describe('DMAr generic section codec', () => {
  it('decodes every field; access type 1 is "read" in the UEFI encoding (default)', () => {
    const s = decodeBody(dmarGenericCodec, golden().bytes);
    expect(s.type).toBe('dmarGeneric');
    expect(s.requesterId).toBe(0xf8);
    expect(s.segmentNumber).toBe(1);
    expect(s.faultReason).toEqual({ value: 5, name: 'addressBeyondWidth' });
    expect(s.accessTypeEncoding).toBe('uefi');
    expect(s.accessType).toEqual({ value: 1, name: 'read' });
    expect(s.addressType).toEqual({ value: 0, name: 'untranslated' });
    expect(s.architectureType).toEqual({ value: 2, name: 'iommu' });
    expect(s.deviceAddress).toBe(0x1_2345_6000n);
    expect(s.reserved).toBe('00'.repeat(16));
  });

  it('the edk2 option names the same byte "write", and the bytes do not change', () => {
    const bytes = golden().bytes;
    const s = decodeBody(dmarGenericCodec, bytes, EDK2);
    expect(s.accessTypeEncoding).toBe('edk2');
    expect(s.accessType).toEqual({ value: 1, name: 'write' });
    expect(hexOf(encodeBody(dmarGenericCodec, s))).toBe(hexOf(bytes));
    const back = viaJson(dmarGenericCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(dmarGenericCodec, back))).toBe(hexOf(bytes));
  });

  it('re-encodes byte for byte with non-zero reserved bytes and trailing data', () => {
    const body = new Uint8Array(34);
    body.set(golden().raw(16, '0102030405060708090a0b0c0d0e0f10').bytes);
    body.set([0xee, 0xff], 32);
    const s = decodeBody(dmarGenericCodec, body);
    expect(s.trailing).toBe('eeff');
    expect(hexOf(encodeBody(dmarGenericCodec, s))).toBe(hexOf(body));
    expect(hexOf(encodeBody(dmarGenericCodec, viaJson(dmarGenericCodec, s)))).toBe(hexOf(body));
  });

  it('reads access-type names in the encoding the JSON states', () => {
    expect(encodeJson(dmarGenericCodec, { accessType: 'write' })[5]).toBe(0);
    expect(encodeJson(dmarGenericCodec, { accessType: 'read' })[5]).toBe(1);
    expect(encodeJson(dmarGenericCodec, { accessTypeEncoding: 'edk2', accessType: 'read' })[5]).toBe(0);
    expect(encodeJson(dmarGenericCodec, { accessTypeEncoding: 'edk2', accessType: 'write' })[5]).toBe(1);
    expect(encodeJson(dmarGenericCodec, { accessTypeEncoding: 'edk2', accessType: { value: 1, name: 'read' } })[5]).toBe(1);
  });

  it('encodes minimal JSON at the documented offsets', () => {
    const b = encodeJson(dmarGenericCodec, { requesterId: 0x100, faultReason: 'invalidEntry', deviceAddress: '0xfee00000' });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(32);
    expect(v.getUint16(0, true)).toBe(0x100);
    expect(b[4]).toBe(2);
    expect(b[7]).toBe(1); // VT-d by default
    expect(v.getBigUint64(8, true)).toBe(0xfee00000n);
  });

  it('rejects unknown fields and unknown access-type names', () => {
    expect(zodIssuePaths(() => dmarGenericCodec.input.parse({ accessType: 'execute' }))).toEqual(['accessType']);
    expect(zodIssuePaths(() => dmarGenericCodec.input.parse({ accessTypeEncoding: 'libcper' }))).toEqual(['accessTypeEncoding']);
    expect(zodIssuePaths(() => dmarGenericCodec.input.parse({ domain: 1 }))).toEqual(['']);
  });

  it('a truncated body is a typed error with the absolute offset', () => {
    const e = caught(() => decodeBody(dmarGenericCodec, golden().bytes.slice(0, 20), undefined, 16));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(16 + 16);
    expect(e.path).toBe('section.reserved');
  });
});
