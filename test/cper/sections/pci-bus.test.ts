import { pciBusCodec } from '../../../src/cper/sections/pci-bus';
import { caught, decodeBody, encodeBody, encodeJson, Golden, hexOf, viaJson, zodIssuePaths } from './section-test-kit';

function golden(): Golden {
  return new Golden(72)
    .u64(0, 0x1ffn)
    .u64(8, (16n << 8n) | (1n << 20n)) // bus error, requester
    .u16(16, 3) // master abort
    .u8(18, 0x42).u8(19, 0x01) // bus 0x42, segment 1
    .u32(20, 0)
    .u64(24, 0xfee0_0000n)
    .u64(32, 0xdead_beefn)
    .u64(40, (1n << 56n) | 0x6n) // PCI-X command 6
    .u64(48, 0x0100n)
    .u64(56, 0x0200n)
    .u64(64, 0x0300n);
}

describe('PCI/PCI-X bus section codec', () => {
  it('decodes every field at its documented offset', () => {
    const s = decodeBody(pciBusCodec, golden().bytes);
    expect(s.type).toBe('pciBus');
    expect(s.validationBits.targetId).toBe(true);
    expect(s.errorStatus.errorType.name).toBe('bus');
    expect(s.errorStatus.requester).toBe(true);
    expect(s.errorType).toEqual({ value: 3, name: 'masterAbort' });
    expect(s.busId).toEqual({ bus: 0x42, segment: 1 });
    expect(s.busAddress).toBe(0xfee0_0000n);
    expect(s.busData).toBe(0xdead_beefn);
    expect(s.command).toEqual({ raw: (1n << 56n) | 6n, pciX: true });
    expect([s.requestorId, s.completerId, s.targetId]).toEqual([0x100n, 0x200n, 0x300n]);
  });

  it('re-encodes byte for byte, directly and through JSON, with reserved and trailing bytes', () => {
    const g = golden().u32(20, 0xcafef00d).u16(16, 0x0107);
    const body = new Uint8Array(76);
    body.set(g.bytes);
    body.set([0xa, 0xb, 0xc, 0xd], 72);
    const s = decodeBody(pciBusCodec, body);
    expect(s.reserved).toBe(0xcafef00d);
    expect(s.errorType).toEqual({ value: 0x107, name: 'unknown' });
    expect(s.trailing).toBe('0a0b0c0d');
    expect(hexOf(encodeBody(pciBusCodec, s))).toBe(hexOf(body));
    const back = viaJson(pciBusCodec, s);
    expect(back).toEqual(s);
    expect(hexOf(encodeBody(pciBusCodec, back))).toBe(hexOf(body));
  });

  it('encodes minimal JSON with derived validation bits', () => {
    const b = encodeJson(pciBusCodec, {
      errorStatus: { errorType: 'timeout', responder: true },
      errorType: 'busTimeout',
      command: { value: 0xa, pciX: false },
      busAddress: '0x80000000',
    });
    const v = new DataView(b.buffer, b.byteOffset);
    expect(b.length).toBe(72);
    expect(v.getBigUint64(0, true)).toBe(0x1n | 0x2n | 0x8n | 0x20n);
    expect(v.getBigUint64(8, true)).toBe((25n << 8n) | (1n << 19n));
    expect(v.getUint16(16, true)).toBe(4);
    expect(v.getBigUint64(24, true)).toBe(0x80000000n);
    expect(v.getBigUint64(40, true)).toBe(0xan);
  });

  it('rejects unknown fields and an oversized command value', () => {
    expect(zodIssuePaths(() => pciBusCodec.input.parse({ busNumber: 1 }))).toEqual(['']);
    expect(zodIssuePaths(() => pciBusCodec.input.parse({ command: { value: '0x' + (1n << 56n).toString(16) } }))).toEqual(['command.value']);
  });

  it('a truncated body is a typed error with the absolute offset', () => {
    const e = caught(() => decodeBody(pciBusCodec, golden().bytes.slice(0, 70), undefined, 3));
    expect(e.code).toBe('truncated');
    expect(e.offset).toBe(3 + 64);
    expect(e.path).toBe('section.targetId');
  });
});
