import { VirtualClock } from '../../src/guest-kernel/clock/VirtualClock';
import { KernelLog, printkTime } from '../../src/guest-kernel/printk/KernelLog';
import { Ratelimit } from '../../src/guest-kernel/printk/Ratelimit';
import { EstatusCache } from '../../src/guest-kernel/ghes/EstatusCache';
import { apeiRead, apeiWrite, checkGar, Gas } from '../../src/guest-kernel/apei/GenericAddress';
import { isRasSError, linuxSErrorVerdict, serrorPanicLine } from '../../src/guest-kernel/arch/esr';
import { MemoryMap } from '../../src/guest-kernel/mm/MemoryMap';
import { MemoryFailure } from '../../src/guest-kernel/mm/MemoryFailure';
import { panicTimeoutOf } from '../../src/guest-kernel/GuestKernel';
import { ghesSeverity } from '../../src/guest-kernel/ghes/severity';
import { armTypeNames } from '../../src/guest-kernel/ghes/sections';
import { GuestMemory } from '../../src/guest-memory/GuestMemory';

describe('virtual clock', () => {
  test('timers fire in due order and re-arm; work spends time; stop predicate', () => {
    const c = new VirtualClock();
    const fired: string[] = [];
    c.addTimer(300n, (at) => (fired.push(`a@${at}`), at + 300n));
    c.addTimer(500n, (at) => (fired.push(`b@${at}`), undefined));
    c.advance(1000n);
    expect(fired).toEqual(['a@300', 'b@500', 'a@600', 'a@900']);
    expect(c.now()).toBe(1000n);
    c.spend(5n);
    expect(c.now()).toBe(1005n);
    c.advance(10_000n, () => true);
    expect(c.now()).toBe(11_005n);
    expect(() => c.advance(-1n)).toThrow(RangeError);
  });
});

describe('kernel log ring', () => {
  test('printk timestamps and bounded ring with continuing sequence numbers', () => {
    expect(printkTime(1_270_413_000n)).toBe('[    1.270413]');
    expect(printkTime(123_456_789_012_345n)).toBe('[123456.789012]');
    const log = new KernelLog(3);
    for (let i = 0; i < 5; i++) log.append(BigInt(i) * 1000n, 'info', `line ${i}`);
    expect(log.records().map((r) => `${r.seq}:${r.text}`)).toEqual(['3:line 2', '4:line 3', '5:line 4']);
    expect(log.lines(4)).toEqual(['[    0.000004] line 4']);
    expect(log.lastSeq).toBe(5);
  });
});

describe('ratelimit (2 per 5 s) on the virtual clock', () => {
  test('burst, suppression count reported when the window reopens', () => {
    const rl = new Ratelimit('ghes_print_estatus', 5_000_000_000n, 2);
    expect([0n, 1n, 2n, 3n].map((t) => rl.check(t).ok)).toEqual([true, true, false, false]);
    expect(rl.check(5_000_000_000n)).toEqual({ ok: false, suppressed: 0 }); // not strictly after begin + interval
    expect(rl.check(5_000_000_001n)).toEqual({ ok: true, suppressed: 3 });
  });
});

describe('duplicate cache (4 slots, 10 s)', () => {
  test('identical bytes within 10 s are cached; older ones are not; a fifth record evicts', () => {
    const c = new EstatusCache();
    const r = (n: number) => new Uint8Array([1, 0, 0, 0, n]);
    c.add(r(1), 0n);
    expect(c.cached(r(1), 9_999_999_999n)).toBe(true);
    expect(c.cached(r(1), 10_000_000_000n)).toBe(false);
    expect(c.cached(r(2), 1n)).toBe(false);
    for (const n of [2, 3, 4]) c.add(r(n), 1n);
    c.cached(r(2), 2n);
    c.cached(r(3), 2n);
    c.cached(r(4), 2n);
    c.add(r(5), 3n); // replaces the slot with the largest age / (hits + 1): record 1
    expect(c.cached(r(1), 4n)).toBe(false);
    expect([2, 3, 4, 5].every((n) => c.cached(r(n), 4n))).toBe(true);
  });
});

describe('APEI generic address access', () => {
  const mem = () => new GuestMemory().addRam(0x40000000n, 0x100000n);
  const gas = (g: Partial<Gas>): Gas => ({ spaceId: 0, bitWidth: 64, bitOffset: 0, accessWidth: 4, address: 0x40001000n, ...g });

  test('apei_check_gar messages', () => {
    expect(checkGar(gas({ address: 0n }))).toEqual({ ok: false, message: '[Firmware Bug]: APEI: Invalid physical address in GAR [0x0/64/0/4/0]' });
    expect(checkGar(gas({ accessWidth: 0 }))).toEqual({ ok: false, message: '[Firmware Bug]: APEI: Invalid access size code in GAR [0x40001000/64/0/0/0]' });
    expect(checkGar(gas({ bitWidth: 8, bitOffset: 4, accessWidth: 1 }))).toEqual({ ok: false, message: '[Firmware Bug]: APEI: Invalid bit width + offset in GAR [0x40001000/8/4/1/0]' });
    expect(checkGar(gas({ spaceId: 2 }))).toEqual({ ok: false, message: '[Firmware Bug]: APEI: Invalid address space type in GAR [0x40001000/64/0/4/2]' });
    // BIOS fix-up: a 64-bit register declared with byte access is accessed as 64 bits
    expect(checkGar(gas({ accessWidth: 1 }))).toEqual({ ok: true, accessBits: 64 });
  });

  test('read and write use the access width; I/O space does not exist on arm64', () => {
    const m = mem();
    m.writeU64(0x40001000n, 0x1122334455667788n, 'guest');
    expect(apeiRead(m, gas({}))).toEqual({ ok: true, value: 0x1122334455667788n });
    expect(apeiRead(m, gas({ bitWidth: 16, accessWidth: 2 }))).toEqual({ ok: true, value: 0x7788n });
    expect(apeiWrite(m, gas({ bitWidth: 32, accessWidth: 3 }), 0x1_aabbccddn)).toEqual({ ok: true });
    expect(m.readU64(0x40001000n)).toBe(0x11223344aabbccddn);
    expect(apeiRead(m, gas({ spaceId: 1 })).ok).toBe(false);
  });
});

describe('arm64 SError decision (do_serror)', () => {
  test.each([
    [0xbe001811, true, 'silent'],
    [0xbe000811, true, 'silent'],
    [0xbe000c11, true, 'panic'],
    [0xbe000411, true, 'panic'],
    [0xbe000011, true, 'panic'],
    [0xbe001800, true, 'panic'],
    [0xbf000000, true, 'panic'],
    [0xbe001811, false, 'panic'],
  ])('ESR 0x%s (RAS %s) → %s', (esr, ras, verdict) => {
    expect(linuxSErrorVerdict(esr, ras)).toBe(verdict);
  });

  test('panic line and RAS syndrome test', () => {
    expect(serrorPanicLine(0, 0xbf000000, 16)).toBe('SError Interrupt on CPU0, code 0x00000000bf000000 -- SError');
    expect(serrorPanicLine(0, 0xbf000000, 8)).toBe('SError Interrupt on CPU0, code 0xbf000000 -- SError');
    expect(isRasSError(0xbe000c11, true)).toBe(true);
    expect(isRasSError(0xbf000c11, true)).toBe(false);
  });
});

describe('memory failure', () => {
  // 1 GiB of RAM at 0x40000000 (QEMU virt); the workload owns the page at 0x50000000
  const map = () => new MemoryMap({ ram: [{ base: 0x40000000n, size: 0x40000000n }], userPages: [{ base: 0x50000000n, size: 0x1000n }] });

  test('the memory map: RAM, pfn_valid (section at 0), reserved base of RAM, user pages', () => {
    const m = map();
    expect([m.isRam(0x40001n), m.isRam(0x80000n), m.isRam(0n)]).toEqual([true, false, false]);
    expect([m.pfnValid(0n), m.pfnValid(0x7fffn), m.pfnValid(0x8000n), m.pfnValid(0x1234567n), m.pfnValid(0x7ffffn)]).toEqual([true, true, false, false, true]);
    expect([m.isReserved(0x40000n), m.isReserved(0x401ffn), m.isReserved(0x40200n)]).toEqual([true, true, false]);
    expect([m.isUser(0x50000n), m.isUser(0x50001n)]).toEqual([true, false]);
  });

  test('6.1: outside RAM, first failure, already poisoned, user page', () => {
    const mf = new MemoryFailure(map(), '6.1');
    expect(mf.run(0x1234567n)).toEqual({ result: 'invalid', lines: ['Memory failure: 0x1234567: memory outside kernel control'] });
    expect(mf.run(0n)).toEqual({ result: 'invalid', lines: ['Memory failure: 0x0: memory outside kernel control'] });
    expect(mf.run(0x40001n).lines).toEqual(['Memory failure: 0x40001: unhandlable page.', 'Memory failure: 0x40001: recovery action for unknown page: Ignored']);
    expect(mf.run(0x40001n)).toEqual({ result: 'already-poisoned', lines: ['Memory failure: 0x40001: already hardware poisoned'] });
    expect(mf.run(0x50000n)).toEqual({ result: 'recovered', lines: ['Memory failure: 0x50000: recovery action for dirty LRU page: Recovered'] });
    expect([...mf.poisoned]).toEqual([0x40001n, 0x50000n]);
  });

  test('a user page hit by an action-required error: kill_procs signals the current task first', () => {
    const mf = new MemoryFailure(map(), '6.12');
    const workload = { comm: 'workload', pid: 245, kind: 'user' as const, hasMm: true };
    expect(mf.run(0x50000n, workload)).toEqual({
      result: 'recovered',
      killed: workload,
      lines: ['Memory failure: 0x50000: Sending SIGBUS to workload:245 due to hardware memory corruption', 'Memory failure: 0x50000: recovery action for dirty LRU page: Recovered'],
    });
  });

  test('6.12: a kernel page fails get_hwpoison_page (reserved or not)', () => {
    const mf = new MemoryFailure(map(), '6.12');
    expect(mf.run(0x40001n)).toEqual({ result: 'ignored', lines: ['Memory failure: 0x40001: unhandlable page.', 'Memory failure: 0x40001: recovery action for get hwpoison page: Ignored'] });
    expect(mf.run(0x60000n).lines).toEqual(['Memory failure: 0x60000: unhandlable page.', 'Memory failure: 0x60000: recovery action for get hwpoison page: Ignored']);
    expect(mf.run(0x60000n)).toEqual({ result: 'already-poisoned', lines: ['Memory failure: 0x60000: already hardware poisoned', 'Memory failure: 0x60000: recovery action for already poisoned: Failed'] });
    expect(mf.run(0x1234567n).lines).toEqual(['Memory failure: 0x1234567: memory outside kernel control']);
  });

  test('mainline (7.3.4): reserved kernel page, non struct page pfn, outside kernel control for pfn_valid', () => {
    const mf = new MemoryFailure(map(), 'mainline');
    expect(mf.run(0x40001n)).toEqual({ result: 'ignored', lines: ['Memory failure: 0x40001: recovery action for reserved kernel page: Ignored'] });
    expect(mf.run(0x40001n).lines).toEqual(['Memory failure: 0x40001: recovery action for already poisoned page: Failed']);
    expect(mf.run(0x60000n).lines).toEqual(['Memory failure: 0x60000: unhandlable page.', 'Memory failure: 0x60000: recovery action for get hwpoison page: Ignored']);
    expect(mf.run(0x1234567n)).toEqual({ result: 'invalid', lines: ['Memory failure: 0x1234567: recovery action for non struct page pfn: Ignored'] });
    expect(mf.run(0n).lines).toEqual(['Memory failure: 0x0: memory outside kernel control']);
  });
});

describe('small rules', () => {
  test('ghes_severity, panic= parsing, ARM type names', () => {
    expect([3, 2, 0, 1, 4, 0xffffffff].map(ghesSeverity)).toEqual([0, 1, 2, 3, 3, 3]);
    expect(panicTimeoutOf('console=ttyAMA0 panic=-1 loglevel=8')).toBe(-1);
    expect(panicTimeoutOf('quiet')).toBe(0);
    expect(armTypeNames(0x18)).toBe('bus error|micro-architectural error');
    expect(armTypeNames(0x03)).toBe('cache error with reserved bit(s)');
  });
});
