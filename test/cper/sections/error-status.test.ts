import { decodeErrorStatus, errorStatusField, errorStatusReservedBits, errorStatusText } from '../../../src/cper/sections/error-status';

describe('Error Status word', () => {
  it('decodes the type byte (15:8) and flag bits 16..22', () => {
    const raw = (22n << 8n) | (1n << 16n) | (1n << 18n) | (1n << 20n) | (1n << 22n);
    const s = decodeErrorStatus(raw);
    expect(s.errorType).toEqual({ value: 22, name: 'parity' });
    expect([s.address, s.control, s.data, s.responder, s.requester, s.firstError, s.overflow]).toEqual([
      true, false, true, false, true, false, true,
    ]);
    expect(errorStatusText(raw)).toBe('Bus parity error - must also set the A, C, or D Bits');
    expect(errorStatusText(4n << 8n)).toBe('Storage error in DRAM memory');
    expect(errorStatusText(2n << 8n)).toBe('Reserved');
  });

  it('reports bits outside the defined fields as reserved', () => {
    expect(errorStatusReservedBits(0x1234n)).toBe(0x34n);
    expect(errorStatusReservedBits((1n << 23n) | (1n << 63n) | (26n << 8n))).toBe((1n << 23n) | (1n << 63n));
  });

  it('parses a raw word, a decoded object (raw wins) and named fields', () => {
    expect(errorStatusField().parse('0x41a00').raw).toBe(0x41a00n);
    expect(errorStatusField().parse({ raw: '0x400', errorType: 'bus', overflow: true }).raw).toBe(0x400n);
    expect(errorStatusField().parse({ errorType: 'poisoned', requester: true, firstError: true }).raw).toBe((26n << 8n) | (1n << 20n) | (1n << 21n));
    expect(errorStatusField().parse({ errorType: 'parity', data: true }).raw).toBe((22n << 8n) | (1n << 18n));
  });

  it('refuses a parity error built without address, control or data, and junk', () => {
    expect(errorStatusField().safeParse({ errorType: 'parity' }).success).toBe(false);
    expect(errorStatusField().safeParse({ errorType: 'bogus' }).success).toBe(false);
    expect(errorStatusField().safeParse('-1').success).toBe(false);
    expect(errorStatusField().safeParse({ adress: true }).success).toBe(false);
  });
});
