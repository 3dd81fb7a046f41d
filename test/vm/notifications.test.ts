import fs from 'fs';
import path from 'path';
import { Vm, defaultVmSpec, Personality, SourceSpec } from '../../src/vm';
import { assertNoFirmwareCalls } from '../../src/firmware';

/**
 * End to end, one VM per personality with one source of every notification type; each injection
 * is QEMU 7.2's memory-error record (recoverable, PA 0x40001000) or its corrected twin, and the
 * guest's lines for it are asserted exactly (timestamps stripped).
 */
const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest');
const RECOVERABLE = new Uint8Array(fs.readFileSync(path.join(DIR, 'memory-recoverable.gesb')));
const CORRECTED = new Uint8Array(fs.readFileSync(path.join(DIR, 'memory-corrected.gesb')));

const SOURCES: SourceSpec[] = [
  { sourceId: 0, notification: 'sei' },
  { sourceId: 1, notification: 'sea' },
  { sourceId: 2, notification: 'gpio' },
  { sourceId: 3, notification: 'sci' },
  { sourceId: 4, notification: 'gsiv', vector: 50 },
  { sourceId: 5, notification: 'sdei', vector: 7 },
  { sourceId: 6, notification: 'external', vector: 40 },
  { sourceId: 7, notification: 'polled', pollIntervalMs: 500 },
  { sourceId: 8, notification: 'local', vector: 3 },
  { sourceId: 9, notification: 'nmi' },
  { sourceId: 10, notification: 'mce' },
];

function vmFor(personality: Personality, extra: Partial<Parameters<typeof defaultVmSpec>[0]> = {}): Vm {
  return new Vm(defaultVmSpec({ profile: 'extended', sources: SOURCES, personality, linuxVersion: '6.1', ...extra }), `${personality}-vm`);
}

const strip = (lines: string[]) => lines.map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));

const recordLines = (seq: number, id: number, severity = 'recoverable') => [
  `{${seq}}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: ${id}`,
  ...(severity === 'corrected' ? [`{${seq}}[Hardware Error]: It has been corrected by h/w and requires no further action`] : []),
  `{${seq}}[Hardware Error]: event severity: ${severity}`,
  `{${seq}}[Hardware Error]:  Error 0, type: ${severity}`,
  `{${seq}}[Hardware Error]:   section_type: memory error`,
  `{${seq}}[Hardware Error]:   physical_address: 0x0000000040001000`,
  `{${seq}}[Hardware Error]:   error_type: 0, unknown`,
];
const MF_FIRST = ['Memory failure: 0x40001: unhandlable page.', 'Memory failure: 0x40001: recovery action for unknown page: Ignored'];

describe.each<Personality>(['apei-sei', 'linux'])('%s personality', (personality) => {
  test('probe: which sources get a handler and what Linux says about the others', () => {
    const vm = vmFor(personality);
    const boot = strip(vm.log().map((l) => l.line)).filter((l) => /GHES|HEST/.test(l));
    expect(boot).toEqual([
      // 40 + 11 × 92 = 0x41C bytes
      'ACPI: HEST 0x' + vm.booted.addresses.hest.toString(16).toUpperCase().padStart(16, '0') + ' 00041C (v01 BOCHS  BXPC     00000001 BXPC 00000001)',
      'HEST: Table parsing has been initialized.',
      ...(personality === 'linux' ? ['[Firmware Warn]: GHES: Unknown notification type: 9 for generic hardware error source: 0'] : []),
      'GHES: Generic hardware error source: 8 notified via local interrupt is not supported!',
      'GHES: Generic hardware error source: 9 notified via NMI interrupt is not supported!',
      '[Firmware Warn]: GHES: Unknown notification type: 6 for generic hardware error source: 10',
      'GHES: Failed to enable APEI firmware first mode.',
    ]);
    expect(vm.state().sources.map((s) => s.guestHandler)).toEqual([personality === 'apei-sei', true, true, true, true, true, true, true, false, false, false]);
  });

  test('SEA from a user task: NMI-like order, task work memory failure, SIGBUS when it fails', () => {
    const vm = vmFor(personality);
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 1 });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines)).toEqual([...recordLines(1, 1), ...MF_FIRST, '0x40001: Sending SIGBUS to workload:245 due to hardware memory corruption']);
    expect(s.outcome!.actions).toEqual(['logged', 'memory-failure', 'sigbus']);
    // a corrected record queues no memory failure: SIGBUS from GHES, printed before the record
    const c = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    expect(strip(c.outcome!.logLines)).toEqual(['GHES: workload:245: synchronous unrecoverable error (SIGBUS)', ...recordLines(2, 1, 'corrected')]);
    expect(vm.state().sources[1]).toMatchObject({ blockStatus: 0, readAck: 1n });
  });

  test.each([
    [2, 'gpio'],
    [3, 'sci'],
    [4, 'gsiv'],
    [6, 'external'],
  ])('source %i (%s): IRQ-like order (record, then memory failure), acknowledged', (id) => {
    const vm = vmFor(personality);
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: id });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines)).toEqual([...recordLines(1, id), ...MF_FIRST]);
    expect(s.history.map((h) => h.state)).toEqual(['delivered', 'acknowledged']);
  });

  test('SDEI event: NMI-like path, asynchronous memory failure', () => {
    const vm = vmFor(personality);
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 5 });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines)).toEqual([...recordLines(1, 5), ...MF_FIRST]);
  });

  test('polled source: nothing happens until the poll interval elapses on the virtual clock', () => {
    const vm = vmFor(personality);
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 7 });
    expect(s.state).toBe('delivered');
    vm.advance(100_000_000n);
    expect(vm.injection(s.id)!.state).toBe('delivered');
    vm.advance(500_000_000n);
    expect(vm.injection(s.id)!.state).toBe('acknowledged');
    expect(strip(vm.injection(s.id)!.outcome!.logLines)).toEqual([...recordLines(1, 7), ...MF_FIRST]);
  });

  test('refused sources (local, NMI, MCE) are never read: the record stays, the next one queues', () => {
    const vm = vmFor(personality);
    for (const id of [8, 9, 10]) {
      const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: id });
      expect(s.state).toBe('delivered');
      expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: id }).state).toBe('queued');
      expect(vm.state().sources[id]).toMatchObject({ blockStatus: 1, readAck: 0n, queueDepth: 1 });
    }
  });

  test('the runtime never calls firmware code and never writes guest-owned registers', () => {
    const vm = vmFor(personality);
    const crash = vm.guestMemory.ownedRanges.filter((r) => r.owner === 'guest' && r.name.startsWith('crash'));
    expect(crash.map((r) => [r.name, [...r.writers]])).toEqual([
      ['crash registers', ['guest']],
      ['crash message page', ['guest']],
    ]);
    const before = crash.map((r) => vm.guestMemory.read(r.base, 64));
    assertNoFirmwareCalls(() => {
      for (const id of [1, 2, 3, 4, 5, 6, 7]) vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: id });
      vm.advance(1_000_000_000n);
    });
    expect(crash.map((r) => vm.guestMemory.read(r.base, 64))).toEqual(before);
  });
});

describe('SEI under each personality', () => {
  test('apei-sei: a RAS SError (UEO for a recoverable block) reads the SEI source, NMI-like', () => {
    const vm = vmFor('apei-sei');
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0 });
    expect(s.state).toBe('acknowledged');
    // our personality's line with the syndrome comes first, then the record Linux-style
    expect(strip(s.outcome!.logLines)).toEqual([
      'SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources',
      ...recordLines(1, 0),
      ...MF_FIRST,
    ]);
    expect(s.outcome!.actions).toEqual(['logged', 'memory-failure']);
  });

  test('apei-sei: an SError with nothing pending says so, then the syndrome decides as in Linux', () => {
    const vm = vmFor('apei-sei');
    const before = vm.log().length;
    vm.guest.raiseSError(0xbe000811);
    expect(strip(vm.log().slice(before).map((l) => l.line))).toEqual([
      'SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources',
      'SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, no APEI SEI error record pending (AET UEO: survivable)',
    ]);
    vm.guest.raiseSError(0xbe000c11);
    expect(strip(vm.log().slice(before + 2).map((l) => l.line))).toEqual([
      'SEI: SError Interrupt on CPU0, code 0x00000000be000c11 -- SError, RAS syndrome (AET UER), reading APEI SEI error sources',
      'SEI: SError Interrupt on CPU0, code 0x00000000be000c11 -- SError, no APEI SEI error record pending (AET UER: fatal)',
      'SError Interrupt on CPU0, code 0x00000000be000c11 -- SError',
      'Kernel panic - not syncing: Asynchronous SError Interrupt',
    ]);
  });

  test('apei-sei: its SError lines are printk_ratelimited (10 per 5 s), the suppressed count follows', () => {
    const vm = vmFor('apei-sei');
    const before = vm.log().length;
    for (let i = 0; i < 12; i++) vm.guest.raiseSError(0xbe001811);
    const lines = strip(vm.log().slice(before).map((l) => l.line));
    expect(lines.filter((l) => l.includes('reading APEI SEI error sources'))).toHaveLength(10);
    expect(lines.filter((l) => l.includes('no APEI SEI error record pending'))).toHaveLength(10);
    vm.advance(5_000_000_001n);
    const next = vm.log().length;
    vm.guest.raiseSError(0xbe001811);
    expect(strip(vm.log().slice(next).map((l) => l.line))).toEqual([
      'sei_serror: 2 callbacks suppressed',
      'SEI: SError Interrupt on CPU0, code 0x00000000be001811 -- SError, RAS syndrome (AET CE), reading APEI SEI error sources',
      'sei_serror_no_record: 2 callbacks suppressed',
      'SEI: SError Interrupt on CPU0, code 0x00000000be001811 -- SError, no APEI SEI error record pending (AET CE: survivable)',
    ]);
  });

  test('linux: prints none of the apei-sei lines for the same SErrors', () => {
    const vm = vmFor('linux');
    const before = vm.log().length;
    vm.guest.raiseSError(0xbe000811);
    expect(vm.log().length).toBe(before);
    vm.guest.raiseSError(0xbe000c11);
    expect(strip(vm.log().slice(before).map((l) => l.line))).toEqual(['SError Interrupt on CPU0, code 0x00000000be000c11 -- SError', 'Kernel panic - not syncing: Asynchronous SError Interrupt']);
  });

  test('apei-sei: a syndrome that is not a RAS error panics without reading GHES', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: SOURCES, personality: 'apei-sei', diagnostics: true }), 'x');
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0, esrIss: 0x1000000 });
    expect(strip(s.outcome!.logLines)).toEqual(['SError Interrupt on CPU0, code 0x00000000bf000000 -- SError', 'Kernel panic - not syncing: Asynchronous SError Interrupt']);
    expect(s.state).toBe('delivered');
    expect(vm.crashReport()).toEqual({ reason: 'serror', message: 'Kernel panic - not syncing: Asynchronous SError Interrupt', esr: 0xbf000000n });
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 2 })).toMatchObject({ state: 'rejected', refusal: { code: 'guest_halted' } });
  });

  test('apei-sei: a fatal block panics through GHES (UC syndrome)', () => {
    const fatal = RECOVERABLE.slice();
    fatal[16] = 1;
    const vm = vmFor('apei-sei');
    const s = vm.inject({ kind: 'raw', bytes: fatal }, { sourceId: 0 });
    expect(s.outcome!.panicked).toBe(true);
    expect(strip(s.outcome!.logLines).slice(-2)).toEqual(['{1}[Hardware Error]:   error_type: 0, unknown', 'Kernel panic - not syncing: GHES: Fatal hardware error']);
    expect(s.state).toBe('acknowledged');
    expect(vm.state().guest).toMatchObject({ panicked: true, panicReason: 'GHES: Fatal hardware error' });
  });

  test('apei-sei: the crash report of a GHES panic during an SError keeps that SError\'s ESR', () => {
    const fatal = RECOVERABLE.slice();
    fatal[16] = 1;
    const vm = vmFor('apei-sei', { diagnostics: true });
    vm.inject({ kind: 'raw', bytes: fatal }, { sourceId: 0 });
    expect(vm.crashReport()).toEqual({ reason: 'ghes-fatal', message: 'Kernel panic - not syncing: GHES: Fatal hardware error', esr: 0xbe000011n, record: fatal });
  });

  test('linux: SError decided by the ESR alone — CE/UEO silent, UER and UC panic, no RAS CPU panics', () => {
    const vm = vmFor('linux');
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0 });
    expect(s.state).toBe('delivered');
    expect(s.outcome).toEqual({ logLines: [], actions: ['serror-silent'], panicked: false });
    const c = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    expect(c.state).toBe('queued');

    const uer = vmFor('linux');
    const u = uer.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0, esrIss: 0x0c11 });
    expect(strip(u.outcome!.logLines)).toEqual(['SError Interrupt on CPU0, code 0x00000000be000c11 -- SError', 'Kernel panic - not syncing: Asynchronous SError Interrupt']);

    const noRas = vmFor('linux', { rasExtension: false });
    const n = noRas.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    expect(strip(n.outcome!.logLines)).toEqual(['SError Interrupt on CPU0, code 0x00000000be001811 -- SError', 'Kernel panic - not syncing: Asynchronous SError Interrupt']);
  });
});

describe('the notification fact in the VM', () => {
  test('set before the guest runs (the delivered event carries it), and a coalesced SError names every injection it carried', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'sei' }, { notification: 'sei' }], personality: 'apei-sei' }), 'co');
    const seen: Array<{ id: string; state: string; esr?: string; carried?: string[] }> = [];
    let nested: string[] = [];
    vm.subscribe((e) => {
      if (e.type === 'injection') seen.push({ id: e.status.id, state: e.status.state, esr: e.status.notification?.esr, carried: e.status.notification?.carried });
      if (e.type === 'guest-record' && nested.length === 0) {
        nested = [vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 }).id, vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 2 }).id];
      }
    });
    const first = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    expect(seen.find((s) => s.id === first.id && s.state === 'delivered')).toEqual({ id: first.id, state: 'delivered', esr: '0xbe001811', carried: undefined });
    expect(first.notification!.carried).toBeUndefined();
    expect(nested).toEqual(['co-2', 'co-3']);
    expect(vm.guest.coalescedSErrors).toBe(1);
    expect(vm.injection('co-2')!.notification).toMatchObject({ esr: '0xbe001811', carried: ['co-2', 'co-3'], takenEsr: '0xbe000811' });
    expect(vm.injection('co-3')!.notification).toMatchObject({ esr: '0xbe000811', carried: ['co-2', 'co-3'], takenEsr: '0xbe000811' });
    // one SError line for the coalesced SError, in the outcome of both injections it carried
    const line = 'SEI: SError Interrupt on CPU0, code 0x00000000be000811 -- SError, RAS syndrome (AET UEO), reading APEI SEI error sources';
    for (const id of nested) expect(strip(vm.injection(id)!.outcome!.logLines)[0]).toBe(line);
    expect(strip(vm.log().map((l) => l.line)).filter((l) => l === line)).toHaveLength(1);
  });
});
