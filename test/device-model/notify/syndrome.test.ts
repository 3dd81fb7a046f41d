import { aetForBlockSeverity, checkSerrorIss, seaEsr, serrorEsr, serrorIss, SERROR_ISS_DEFAULT } from '../../../src/device-model/notify/syndrome';
import { Notifier, NotificationSink } from '../../../src/device-model/notify/Notifier';
import { decodeVcpuEvents, encodeVcpuEvents } from '../../../src/device-model/notify/VcpuEvents';
import { RasgwError } from '../../../src/binary/errors';

describe('SError syndromes', () => {
  test('AET follows the block severity (corrected → CE, recoverable → UEO, fatal/unknown → UC)', () => {
    expect(aetForBlockSeverity(2)).toBe('CE');
    expect(aetForBlockSeverity(3)).toBe('CE');
    expect(aetForBlockSeverity(0)).toBe('UEO');
    expect(aetForBlockSeverity(1)).toBe('UC');
    expect(aetForBlockSeverity(7)).toBe('UC');
  });

  test('ISS and ESR values match the worked examples (0x1811 → 0xBE001811)', () => {
    expect(serrorIss('CE')).toBe(0x1811);
    expect(serrorIss('UEO')).toBe(0x0811);
    expect(serrorIss('UER')).toBe(0x0c11);
    expect(serrorIss('UEU')).toBe(0x0411);
    expect(serrorIss('UC')).toBe(0x0011);
    expect(serrorEsr(0x1811)).toBe(0xbe001811);
    expect(serrorEsr(SERROR_ISS_DEFAULT)).toBe(0xbf000000);
  });

  test('only ISS bits may be set (KVM 25-bit mask by default, 24-bit option)', () => {
    expect(checkSerrorIss(0x1ffffff)).toBe(0x1ffffff);
    expect(() => checkSerrorIss(0x2000000)).toThrow(RasgwError);
    expect(() => checkSerrorIss(0x1000000, 'doc-24')).toThrow(/outside 0xffffff/);
    expect(checkSerrorIss(0xffffff, 'doc-24')).toBe(0xffffff);
  });

  test('SEA ESR is QEMU’s 0x92000410 from EL0 and 0x96000410 from EL1', () => {
    expect(seaEsr(0)).toBe(0x92000410);
    expect(seaEsr(1)).toBe(0x96000410);
  });
});

describe('Notifier', () => {
  function recordingSink() {
    const calls: string[] = [];
    const sink: NotificationSink = {
      serror: (cpu, esr) => calls.push(`serror ${cpu} 0x${esr.toString(16)}`),
      sea: (cpu, esr) => calls.push(`sea ${cpu} 0x${esr.toString(16)}`),
      hedNotify: () => calls.push('hed'),
      sdei: (e) => calls.push(`sdei ${e}`),
      interrupt: (g) => calls.push(`irq ${g}`),
      nmi: () => calls.push('nmi'),
      polled: (id) => calls.push(`polled ${id}`),
    };
    return { calls, sink };
  }

  test('each notification type reaches the guest the way QEMU/KVM would', () => {
    const { calls, sink } = recordingSink();
    const n = new Notifier({ sink });
    const base = { sourceId: 3, vector: 41, blockSeverity: 0 };
    n.notify({ ...base, notification: 'sei' });
    n.notify({ ...base, notification: 'sei', esrIss: 0x0c11 });
    n.notify({ ...base, notification: 'sea' });
    n.notify({ ...base, notification: 'gpio' });
    n.notify({ ...base, notification: 'gsiv' });
    n.notify({ ...base, notification: 'sci' });
    n.notify({ ...base, notification: 'sdei' });
    n.notify({ ...base, notification: 'external' });
    n.notify({ ...base, notification: 'polled' });
    expect(n.notify({ ...base, notification: 'mce' })).toEqual({ kind: 'none', reason: expect.stringMatching(/x86/) });
    expect(calls).toEqual(['serror 0 0xbe000811', 'serror 0 0xbe000c11', 'sea 0 0x92000410', 'hed', 'hed', 'hed', 'sdei 41', 'irq 41', 'polled 3']);
  });

  test('an explicit ISS outside bits 24..0 is refused before anything is raised', () => {
    const { calls, sink } = recordingSink();
    expect(() => new Notifier({ sink }).notify({ sourceId: 0, vector: 0, blockSeverity: 0, notification: 'sei', esrIss: 0x4000000 })).toThrow(/EINVAL/);
    expect(calls).toEqual([]);
  });
});

describe('kvm_vcpu_events', () => {
  test('round trip of a pending SError with ESR', () => {
    const b = encodeVcpuEvents({ serrorPending: true, serrorHasEsr: true, extDabtPending: false, serrorEsr: 0x1811n });
    expect(b.length).toBe(64);
    expect(Array.from(b.subarray(0, 16))).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0x11, 0x18, 0, 0, 0, 0, 0, 0]);
    expect(decodeVcpuEvents(b, true)).toEqual({ serrorPending: true, serrorHasEsr: true, extDabtPending: false, serrorEsr: 0x1811n });
  });

  test('KVM rules: ESR needs host RAS, ISS bits only, zero padding and reserved', () => {
    const b = encodeVcpuEvents({ serrorPending: true, serrorHasEsr: true, extDabtPending: false, serrorEsr: 0x1811n });
    expect(() => decodeVcpuEvents(b, false)).toThrow(expect.objectContaining({ code: 'protocol', offset: 1 }));
    const wide = encodeVcpuEvents({ serrorPending: true, serrorHasEsr: true, extDabtPending: false, serrorEsr: 0x2000000n });
    expect(() => decodeVcpuEvents(wide, true)).toThrow(expect.objectContaining({ code: 'out_of_range', offset: 8 }));
    const pad = b.slice();
    pad[5] = 1;
    expect(() => decodeVcpuEvents(pad, true)).toThrow(expect.objectContaining({ code: 'bad_value', offset: 5 }));
    const res = b.slice();
    res[40] = 1;
    expect(() => decodeVcpuEvents(res, true)).toThrow(expect.objectContaining({ code: 'bad_value', offset: 40 }));
    expect(() => decodeVcpuEvents(b.subarray(0, 63), true)).toThrow(expect.objectContaining({ code: 'truncated' }));
  });
});
