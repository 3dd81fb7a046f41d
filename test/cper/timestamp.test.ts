import { decodeTimestamp, timestampFromRaw, timestampInput, timestampRawFromIso } from '../../src/cper/timestamp';

describe('CPER timestamp (BCD)', () => {
  // layouts reference §1.2: 2025-03-14 15:09:26, precise = 26 09 15 01 14 03 25 20
  const wire = Uint8Array.from([0x26, 0x09, 0x15, 0x01, 0x14, 0x03, 0x25, 0x20]);

  it('decodes the reference example', () => {
    const t = decodeTimestamp(wire, 0);
    expect(t.raw).toBe(0x2025031401150926n);
    expect(t.iso).toBe('2025-03-14T15:09:26');
    expect(t.precise).toBe(true);
    expect(t.reservedFlags).toBe(0);
    expect(t.validBcd).toBe(true);
  });

  it('encodes an ISO time back to the same raw value', () => {
    expect(timestampRawFromIso('2025-03-14 15:09:26', true)).toBe(0x2025031401150926n);
    expect(timestampInput().parse({ iso: '2025-03-14T15:09:26', precise: true }).raw).toBe(0x2025031401150926n);
    expect(timestampInput().parse('1999-12-31T23:59:59').raw).toBe(0x1999123100235959n);
  });

  it('keeps reserved flag bits (bits 7:1 of byte 3) and reads precise from bit 0 only', () => {
    const t = timestampFromRaw(0x2025031486150926n);
    expect(t.precise).toBe(false);
    expect(t.reservedFlags).toBe(0x43);
    expect(t.iso).toBe('2025-03-14T15:09:26');
    expect(timestampInput().parse({ iso: t.iso, precise: false, reservedFlags: 0x43 }).raw).toBe(0x2025031486150926n);
  });

  it('keeps invalid BCD raw and flags it', () => {
    // binary instead of BCD: year byte 0x7e, seconds 0x3b
    const t = timestampFromRaw(0x207e031400150a3bn);
    expect(t.validBcd).toBe(false);
    expect(t.iso).toBeNull();
    expect(timestampInput().parse({ raw: '0x207e031400150a3b', iso: null }).raw).toBe(0x207e031400150a3bn);
  });

  it('flags out-of-range BCD values (month 13, hour 24)', () => {
    expect(timestampFromRaw(0x2025131400150926n).validBcd).toBe(false);
    expect(timestampFromRaw(0x2025031400240926n).validBcd).toBe(false);
    expect(timestampFromRaw(0n).iso).toBeNull();
  });

  it('rejects malformed ISO input with the field path', () => {
    const r = timestampInput().safeParse({ iso: '2025-13-01T00:00:00' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['iso']);
    expect(timestampInput().safeParse({ precise: true }).success).toBe(false);
  });
});
