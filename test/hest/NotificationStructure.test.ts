import { ByteReader, encodeToBytes, EncodeError, toHex } from '../../src/binary';
import { formatTableBanner } from '../../src/acpi';
import { buildQemuHest, decodeNotification, HardwareErrorNotification, notifyTypeName, notifyTypeValue, NotifyType } from '../../src/hest';
import { iaslDisassemble } from '../acpi/iasl';

describe('Hardware Error Notification structure', () => {
  it('writes the 28 bytes in field order', () => {
    const n = new HardwareErrorNotification({ type: NotifyType.sdei, configWriteEnable: 0x3f, pollInterval: 1, vector: 0x325, switchToPollingThresholdValue: 2, switchToPollingThresholdWindow: 3, errorThresholdValue: 4, errorThresholdWindow: 5 });
    expect(toHex(encodeToBytes(n))).toBe('0b1c3f00' + '01000000' + '25030000' + '02000000' + '03000000' + '04000000' + '05000000');
  });

  it('names every type 0-12 and keeps others raw', () => {
    expect(Array.from({ length: 14 }, (_, t) => notifyTypeName(t))).toEqual([
      'polled', 'externalInterrupt', 'localInterrupt', 'sci', 'nmi', 'cmci', 'mce', 'gpio', 'sea', 'sei', 'gsiv', 'sdei', 'sse', 'reserved',
    ]);
    const raw = new Uint8Array(28);
    raw[0] = 0xee;
    raw[1] = 12;
    const n = decodeNotification(new ByteReader(raw), 0);
    expect([n.type, n.length, n.toJSON().type]).toEqual([0xee, 12, { value: 0xee, name: 'reserved' }]);
    expect(toHex(encodeToBytes(n)).slice(0, 4)).toBe('ee0c');
  });

  it('accepts names case-insensitively and numbers 0-255', () => {
    expect([notifyTypeValue('SEI'), notifyTypeValue('gpio'), notifyTypeValue(200)]).toEqual([9, 7, 200]);
    expect(() => notifyTypeValue(256)).toThrow(EncodeError);
    expect(() => notifyTypeValue('irq', 'sources[2].notify')).toThrow(/\[sources\[2\]\.notify\]: unknown notification type "irq"/);
  });

  it('fails on truncated input with the field path', () => {
    try {
      decodeNotification(new ByteReader(new Uint8Array(30), 0, 30, 'hest'), 4, 'sources[0].notification');
      throw new Error('expected an error');
    } catch (e) {
      expect((e as { code: string; path: string; offset: number }).code).toBe('truncated');
      expect((e as { path: string }).path).toBe('hest.sources[0].notification');
    }
  });
});

describe('formatTableBanner', () => {
  it("matches the line iasl's ACPICA prints when it loads the table", () => {
    const bytes = buildQemuHest({ hardwareErrorsAddress: 0x7c410000n, checksum: 'compute' });
    const r = iaslDisassemble(bytes, 'hest');
    expect(r.output).toContain(`ACPI: ${formatTableBanner(bytes, 0n)}`);
    expect(formatTableBanner(bytes, 0x7c43e898n)).toBe('HEST 0x000000007C43E898 000084 (v01 BOCHS  BXPC     00000001 BXPC 00000001)');
  });
});
