import {
  firmwareReferenceCodec,
  linuxFirmwareRecordDataOffset,
  FIRMWARE_RECORD_TYPE_TEXT,
} from '../../../src/cper/sections/firmware-reference';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

const RECORD_GUID = '0123abcd-4567-89ef-0011-223344556677';
const RECORD_GUID_WIRE = 'cdab2301 6745 ef89 0011223344556677';

describe('firmware error record reference codec', () => {
  it('decodes a revision 2 body (32 bytes with the GUID)', () => {
    const g = new Golden(32).u8(0, 2).u8(1, 2).u64(8, 0n).raw(16, RECORD_GUID_WIRE);
    const s = decodeBody(firmwareReferenceCodec, g.bytes);
    expect(s.recordType).toEqual({ value: 2, name: 'socType2' });
    expect(FIRMWARE_RECORD_TYPE_TEXT[s.recordType.value]).toBe('SOC Firmware Error Record Type2');
    expect(s.revision).toBe(2);
    expect(s.reserved).toBe('000000000000');
    expect(s.recordIdentifier).toBe(0n);
    expect(s.recordIdentifierGuid).toBe(RECORD_GUID);
    expect(hexOf(encodeBody(firmwareReferenceCodec, s))).toBe(hexOf(g.bytes));
    expect(hexOf(encodeBody(firmwareReferenceCodec, viaJson(firmwareReferenceCodec, s)))).toBe(hexOf(g.bytes));
  });

  it('decodes a revision 0 body of 16 bytes, with no GUID', () => {
    const g = new Golden(16).u8(0, 0).u8(1, 0).u64(8, 0x1122334455667788n);
    const s = decodeBody(firmwareReferenceCodec, g.bytes);
    expect(s.recordType.name).toBe('ipfSal');
    expect(s.recordIdentifier).toBe(0x1122334455667788n);
    expect(s.recordIdentifierGuid).toBeUndefined();
    expect(s.trailing).toBeUndefined();
    expect(firmwareReferenceCodec.byteLength(s, { armTypeEncoding: 'uefi-2.10' })).toBe(16);
    expect(hexOf(encodeBody(firmwareReferenceCodec, viaJson(firmwareReferenceCodec, s)))).toBe(hexOf(g.bytes));
  });

  it('keeps extra data after the revision layout and non-zero reserved bytes', () => {
    const g = new Golden(24).u8(0, 1).u8(1, 0).raw(2, 'a1a2a3a4a5a6').u64(8, 5n).raw(16, '0102030405060708');
    const s = decodeBody(firmwareReferenceCodec, g.bytes);
    expect(s.reserved).toBe('a1a2a3a4a5a6');
    expect(s.trailing).toBe('0102030405060708');
    expect(hexOf(encodeBody(firmwareReferenceCodec, s))).toBe(hexOf(g.bytes));
    expect(hexOf(encodeBody(firmwareReferenceCodec, viaJson(firmwareReferenceCodec, s)))).toBe(hexOf(g.bytes));
  });

  it('a revision ≥ 1 body shorter than 32 bytes is a typed error, not an overrun', () => {
    const g = new Golden(20).u8(0, 2).u8(1, 2);
    const e = caught(() => decodeBody(firmwareReferenceCodec, g.bytes, undefined, 64));
    expect(e.code).toBe('bad_length');
    expect(e.offset).toBe(65);
    expect(e.path).toBe('section.revision');
    expect(e.message).toContain('revision 2 defines 32 bytes');
    expect(linuxFirmwareRecordDataOffset(2)).toBe(32);
    expect(linuxFirmwareRecordDataOffset(1)).toBe(8);
    expect(linuxFirmwareRecordDataOffset(0)).toBe(16);
  });

  it('a body shorter than the revision byte is truncated, and a revision 0 body needs 16 bytes', () => {
    const e = caught(() => decodeBody(firmwareReferenceCodec, Uint8Array.of(2), undefined, 10));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(11);
    const e2 = caught(() => decodeBody(firmwareReferenceCodec, new Uint8Array(12)));
    expect(e2.code).toBe('bad_length');
  });

  it('encodes minimal JSON: revision 2, type 2 and the GUID', () => {
    const b = encodeJson(firmwareReferenceCodec, { recordIdentifierGuid: RECORD_GUID });
    expect(hexOf(b)).toBe('0202000000000000' + '0000000000000000' + RECORD_GUID_WIRE.replace(/ /g, ''));
    const b0 = encodeJson(firmwareReferenceCodec, { revision: 0, recordIdentifier: '0x10' });
    expect(hexOf(b0)).toBe('0000000000000000' + '1000000000000000');
  });

  it('refuses a GUID for revision 0 and unknown fields', () => {
    expect(zodIssuePaths(() => firmwareReferenceCodec.input.parse({ revision: 0, recordIdentifierGuid: RECORD_GUID }))).toEqual(['recordIdentifierGuid']);
    expect(zodIssuePaths(() => firmwareReferenceCodec.input.parse({ recordId: 1 }))).toEqual(['']);
  });
});
