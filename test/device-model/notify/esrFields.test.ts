import { decodeEsr, esrHex } from '../../../src/device-model/notify/esrFields';
import { seaEsr, serrorEsr, serrorIss, SERROR_ISS_DEFAULT } from '../../../src/device-model/notify/syndrome';

describe('decodeEsr', () => {
  test.each([
    ['CE', 0xbe001811, 6],
    ['UEO', 0xbe000811, 2],
    ['UER', 0xbe000c11, 3],
    ['UEU', 0xbe000411, 1],
    ['UC', 0xbe000011, 0],
  ] as const)('SError %s: EC, IL, IDS, AET, EA, DFSC by name', (aet, esr, value) => {
    expect(serrorEsr(serrorIss(aet))).toBe(esr);
    expect(decodeEsr(esr)).toMatchObject({ ec: 0x2f, ecName: 'SError', il: 1, ids: 0, aet: value, aetName: aet, ea: 0, dfsc: 0x11, dfscName: 'asynchronous SError interrupt', iss: '0x' + (esr & 0x1ffffff).toString(16) });
  });

  test('IDS set: an implementation-defined syndrome, no AET', () => {
    expect(decodeEsr(serrorEsr(SERROR_ISS_DEFAULT))).toEqual({ ec: 0x2f, ecName: 'SError', il: 1, iss: '0x1000000', ids: 1 });
  });

  test('reserved AET and a DFSC other than 0x11 say so', () => {
    expect(decodeEsr(0xbe001011)).toMatchObject({ aet: 4, aetName: 'reserved' });
    expect(decodeEsr(0xbe000800)).toMatchObject({ dfsc: 0, dfscName: 'uncategorized' });
    expect(decodeEsr(0xbe000810).dfscName).toMatch(/^reserved/);
  });

  test('SEA: QEMU\'s data aborts from EL0 and EL1', () => {
    expect(decodeEsr(seaEsr(0))).toEqual({ ec: 0x24, ecName: 'DABT (lower EL)', il: 1, iss: '0x410', fnv: 1, ea: 0, wnr: 0, dfsc: 0x10, dfscName: 'synchronous external abort, not on a translation table walk' });
    expect(decodeEsr(seaEsr(1))).toMatchObject({ ec: 0x25, ecName: 'DABT (current EL)' });
  });

  test('esrHex pads to 8 digits', () => {
    expect(esrHex(0x92000410)).toBe('0x92000410');
    expect(esrHex(0x410)).toBe('0x00000410');
  });
});
