import fs from 'fs';
import path from 'path';
import { Vm, defaultVmSpec, VmEvent, BusyPolicy } from '../../src/vm';

const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest');
const fixture = (n: string) => new Uint8Array(fs.readFileSync(path.join(DIR, `${n}.gesb`)));
const RECOVERABLE = fixture('memory-recoverable');
const strip = (lines: string[]) => lines.map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));

function qemu72(busyPolicy: BusyPolicy = 'queue', queueDepth = 4, personality: 'apei-sei' | 'linux' = 'linux') {
  return new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality, busyPolicy, queueDepth }), `q-${busyPolicy}`);
}

describe('QEMU 7.2 memory-error record at runtime (SEA source, Linux 6.1 guest)', () => {
  test('the record lines equal the Linux lines of the capture; read-ack handshake completes', () => {
    const vm = qemu72();
    const s = vm.inject({ kind: 'raw', bytes: RECOVERABLE });
    const captured = fs
      .readFileSync(path.join(DIR, 'memory-recoverable.linux-6.1.lines'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('{1}[Hardware Error]'))
      .slice(0, 6)
      .map((l) => l.replace(/^\[\s*\d+\.\d{6}\] /, ''));
    expect(strip(s.outcome!.logLines).slice(0, 6)).toEqual(captured);
    expect(s.state).toBe('acknowledged');
    expect(vm.state().sources[0]).toMatchObject({ sourceId: 0, notification: 'sea', blockStatus: 0, readAck: 1n, guestHandler: true });
  });
});

describe('busy sources', () => {
  // The SEI source of a linux guest is never read: its read-ack stays 0 after the first record.
  function stuck(busyPolicy: BusyPolicy, queueDepth = 2) {
    return new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio' }], personality: 'linux', busyPolicy, queueDepth }), 'stuck');
  }

  test.each<'apei-sei' | 'linux'>(['apei-sei', 'linux'])('reject policy (%s): QEMU’s text, nothing written', (personality) => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }], personality, busyPolicy: 'reject' }), 'r');
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 1 }).state).toBe('delivered');
    const before = vm.hardwareErrors();
    const s = vm.inject({ kind: 'raw', bytes: fixture('memory-corrected') }, { sourceId: 1 });
    expect(s).toMatchObject({ state: 'rejected', refusal: { code: 'source_busy', message: 'OSPM does not acknowledge previous error, so can not record CPER for current error anymore' } });
    expect(vm.hardwareErrors()).toEqual(before);
    vm.advance(1_000_000_000n);
    expect(vm.inject({ kind: 'raw', bytes: fixture('memory-corrected') }, { sourceId: 1 }).state).toBe('delivered');
  });

  test.each<'apei-sei' | 'linux'>(['apei-sei', 'linux'])('queue policy (%s): FIFO delivered as soon as the guest acks, queue_full at the bound', (personality) => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 1000 }], personality, busyPolicy: 'queue', queueDepth: 2 }), 'q');
    const seen: string[] = [];
    vm.subscribe((e) => {
      if (e.type === 'guest-record') seen.push(e.injectionId!);
    });
    const a = vm.inject({ kind: 'raw', bytes: RECOVERABLE });
    const b = vm.inject({ kind: 'raw', bytes: fixture('memory-corrected') });
    const c = vm.inject({ kind: 'raw', bytes: fixture('memory-outside-ram') });
    const d = vm.inject({ kind: 'raw', bytes: fixture('arm-cache-recoverable') });
    expect([a.state, b.state, c.state, d.state]).toEqual(['delivered', 'queued', 'queued', 'rejected']);
    expect(d.refusal!.code).toBe('queue_full');
    vm.advance(1_000_000_000n);
    expect([a, b, c].map((s) => vm.injection(s.id)!.state)).toEqual(['acknowledged', 'delivered', 'queued']);
    vm.advance(2_000_000_000n);
    expect([a, b, c].map((s) => vm.injection(s.id)!.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    expect(seen).toEqual([a.id, b.id, c.id]);
    expect(vm.injection(b.id)!.history.map((h) => h.state)).toEqual(['queued', 'delivered', 'acknowledged']);
  });

  test('a source the guest never reads keeps its record; queued ones wait, nothing is lost', () => {
    const vm = stuck('queue', 3);
    const ids = [0, 1, 2, 3].map(() => vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0 }));
    expect(ids.map((s) => s.state)).toEqual(['delivered', 'queued', 'queued', 'queued']);
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 0 }).refusal!.code).toBe('queue_full');
    expect(vm.state().sources[0].queueDepth).toBe(3);
  });
});

describe('record too long and invalid input', () => {
  test('longer than the 1 KiB block: refused with QEMU’s text and the maximum, nothing written', () => {
    const vm = qemu72();
    const big = new Uint8Array(1025);
    big.set(RECOVERABLE);
    const before = vm.hardwareErrors();
    const s = vm.inject({ kind: 'raw', bytes: big });
    expect(s).toMatchObject({ state: 'rejected', refusal: { code: 'record_too_large', message: 'GHES CPER record is too big: 1025', maxLength: 1024 } });
    expect(vm.hardwareErrors()).toEqual(before);
  });

  test('JSON form goes through the CPER encoder; bad JSON and short bytes are invalid_record', () => {
    const vm = qemu72('queue', 4, 'apei-sei');
    const s = vm.inject({ kind: 'json', error: { errorSeverity: 'recoverable', entries: [{ section: { type: 'arm', errorInfo: [{ type: 'cache' }] } }] } });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines)).toContain('{1}[Hardware Error]:   section_type: ARM processor error');
    expect(vm.inject({ kind: 'json', error: { errorSeverity: 'sometimes' } })).toMatchObject({ state: 'rejected', refusal: { code: 'invalid_record' } });
    expect(vm.inject({ kind: 'raw', bytes: new Uint8Array(19) })).toMatchObject({ state: 'rejected', refusal: { code: 'invalid_record' } });
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { sourceId: 3 })).toMatchObject({ state: 'rejected', refusal: { code: 'no_such_source' } });
    // qemu-7.2-virt's only source is SEA: a syndrome for it is refused before its bits are looked at
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { esrIss: 0x4000000 })).toMatchObject({ state: 'rejected', refusal: { code: 'esr_iss_not_sei', notification: 'sea' } });
    const sei = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }] }), 'sei');
    expect(sei.inject({ kind: 'raw', bytes: RECOVERABLE }, { esrIss: 0x4000000 })).toMatchObject({ state: 'rejected', refusal: { code: 'invalid_record' } });
  });
});

/** Builds a status block: header + one 72-byte v3 entry + body. */
function block(opts: { severity?: number; guid: number[]; body: Uint8Array; edl?: number; dataLength?: number; rawOffset?: number; rawLength?: number; secSeverity?: number }): Uint8Array {
  const b = new Uint8Array(20 + 72 + opts.body.length);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 1, true);
  dv.setUint32(4, opts.rawOffset ?? 0, true);
  dv.setUint32(8, opts.rawLength ?? 0, true);
  dv.setUint32(12, opts.dataLength ?? 72 + opts.body.length, true);
  dv.setUint32(16, opts.severity ?? 0, true);
  b.set(opts.guid, 20);
  dv.setUint32(36, opts.secSeverity ?? opts.severity ?? 0, true);
  dv.setUint16(40, 0x300, true);
  dv.setUint32(44, opts.edl ?? opts.body.length, true);
  b.set(opts.body, 92);
  return b;
}
const ARM = [0x16, 0x3d, 0x9e, 0xe1, 0x11, 0xbc, 0xe4, 0x11, 0x9c, 0xaa, 0xc2, 0x05, 0x1d, 0x5d, 0x46, 0xb0];
// 81212a96-09ed-4996-9471-8d729c8e69ed
const FW_REF = [0x96, 0x2a, 0x21, 0x81, 0xed, 0x09, 0x96, 0x49, 0x94, 0x71, 0x8d, 0x72, 0x9c, 0x8e, 0x69, 0xed];

describe('malformed records written raw into the block (Linux CVE/fix list): logged as Linux, acked, guest keeps running', () => {
  function gpioVm() {
    return new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'gpio' }], personality: 'linux', linuxVersion: 'mainline' }), 'm');
  }

  function expectSurvives(vm: Vm, bytes: Uint8Array, lines: string[]) {
    const s = vm.inject({ kind: 'raw', bytes });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines)).toEqual(lines);
    expect(vm.state().guest.panicked).toBe(false);
    expect(vm.state().sources[0]).toMatchObject({ blockStatus: 0, readAck: 1n });
    // and the next, good record still goes through
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }).state).toBe('acknowledged');
  }

  test('error_data_length 0xFFFFFFB8 (wraps the record size to 0; Linux would hang): refused, terminates', () => {
    const b = block({ guid: ARM, body: new Uint8Array(40), edl: 0xffffffb8 });
    new DataView(b.buffer).setUint32(12, 72 + 40, true);
    expectSurvives(gpioVm(), b, ['[Firmware Warn]: GHES: Failed to read error status block!']);
  });

  test('raw data overlapping the entries: "Invalid CPER header!"', () => {
    expectSurvives(gpioVm(), block({ guid: ARM, body: new Uint8Array(40), rawOffset: 24, rawLength: 4 }), ['[Firmware Warn]: GHES: Invalid CPER header!']);
  });

  test('a length beyond the error block: "Invalid error status block length!"', () => {
    expectSurvives(gpioVm(), block({ guid: ARM, body: new Uint8Array(40), dataLength: 5000 }), ['[Firmware Warn]: GHES: Invalid error status block length!']);
  });

  test('raw data shorter than a header: "Truncated error status block!"', () => {
    const b = block({ guid: ARM, body: new Uint8Array(40), rawOffset: 0, rawLength: 5 });
    new DataView(b.buffer).setUint32(12, 0, true);
    expectSurvives(gpioVm(), b, ['[Firmware Warn]: GHES: Truncated error status block!']);
  });

  test('ARM section_length far beyond the section (eae21beecb95): bounded lines, no walk', () => {
    const body = new Uint8Array(67);
    const dv = new DataView(body.buffer);
    dv.setUint16(4, 46198, true);
    dv.setUint32(8, 854918320, true);
    dv.setBigUint64(24, 0xff304b2f8476870an, true);
    const lines = strip(gpioVm().inject({ kind: 'raw', bytes: block({ guid: ARM, body }) }).outcome!.logLines);
    expect(lines.slice(4)).toEqual([
      '{1}[Hardware Error]:   MIDR: 0xff304b2f8476870a',
      '{1}[Hardware Error]:   section length: 854918320, CPER size: 67',
      '{1}[Hardware Error]:   section length is too big',
      '{1}[Hardware Error]:   firmware-generated error record is incorrect',
      '{1}[Hardware Error]:   ERR_INFO_NUM is 46198',
    ]);
  });

  test('ARM section shorter than its 40-byte header (87880af2d24e): three firmware-bug lines', () => {
    const vm = gpioVm();
    const s = vm.inject({ kind: 'raw', bytes: block({ guid: ARM, body: new Uint8Array(16) }) });
    expect(strip(s.outcome!.logLines).slice(-3)).toEqual([
      '[Firmware Bug]: arm error length: 16',
      '[Firmware Bug]: length is too small',
      '[Firmware Bug]: firmware-generated error record is incorrect',
    ]);
    expect(s.state).toBe('acknowledged');
  });

  test('ARM error-info count beyond the section: the GHES walk stops at the bytes present', () => {
    const body = new Uint8Array(40 + 32);
    const dv = new DataView(body.buffer);
    dv.setUint16(4, 60000, true);
    dv.setUint32(8, 72, true);
    body[40 + 1] = 32;
    body[40 + 4] = 0x04; // TLB
    const s = gpioVm().inject({ kind: 'raw', bytes: block({ guid: ARM, body }) });
    expect(s.state).toBe('acknowledged');
    expect(strip(s.outcome!.logLines).filter((l) => l.startsWith('[Firmware Warn]'))).toEqual(['[Firmware Warn]: GHES: Unhandled processor error type 0x04: TLB error']);
  });

  test('Firmware Error Record Reference with a data offset beyond the section (CVE-2026-43171)', () => {
    const body = new Uint8Array(16);
    body[1] = 2; // revision 2 → data at offset 32 > 16
    const s = gpioVm().inject({ kind: 'raw', bytes: block({ guid: FW_REF, body }) });
    expect(strip(s.outcome!.logLines)).toContain('{1}[Hardware Error]:   error section length is too small: offset=32, length=16');
    expect(s.state).toBe('acknowledged');
  });

  test('unknown block severity (≥ 4): "event severity: unknown" and GHES panics', () => {
    const vm = gpioVm();
    const s = vm.inject({ kind: 'raw', bytes: block({ guid: ARM, body: new Uint8Array(40), severity: 7 }) });
    const lines = strip(s.outcome!.logLines);
    expect(lines).toContain('{1}[Hardware Error]: event severity: unknown');
    expect(lines[lines.length - 1]).toBe('Kernel panic - not syncing: GHES: Fatal hardware error');
    expect(vm.state().guest.panicked).toBe(true);
  });
});

describe('a storm of 10,000 SErrors', () => {
  test('re-entrant injections arrive while the guest handles SErrors: none lost, none doubled, per-source order kept', () => {
    const sources = [0, 1, 2, 3].map((i) => ({ sourceId: i, notification: 'sei' as const }));
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources, personality: 'apei-sei', busyPolicy: 'queue', queueDepth: 10_000 }), 'storm', { logCapacity: 1024, retainInjections: 10_000 });
    const corrected = fixture('memory-corrected');
    const make = (n: number) => {
      const b = corrected.slice();
      new DataView(b.buffer).setUint32(108, n, true); // the physical address differs: no duplicate-cache hits
      return b;
    };
    const processed = new Map<string, number>();
    const order = new Map<number, string[]>();
    let injected = 0;
    const ids: string[] = [];
    const injectOne = () => {
      const n = injected++;
      // the order is noted before inject: a nested injection from the listener returns first
      (order.get(n % 4) ?? order.set(n % 4, []).get(n % 4)!).push(`storm-${n + 1}`);
      const s = vm.inject({ kind: 'raw', bytes: make(n) }, { sourceId: n % 4 });
      expect(s.id).toBe(`storm-${n + 1}`);
      ids.push(s.id);
    };
    vm.subscribe((e: VmEvent) => {
      if (e.type === 'guest-record') {
        processed.set(e.injectionId!, (processed.get(e.injectionId!) ?? 0) + 1);
        // inject more while the guest is still inside its SError handler
        if (injected < 10_000) injectOne();
        if (injected < 10_000) injectOne();
      }
    });
    injectOne();
    while (injected < 10_000) injectOne();
    expect(ids.length).toBe(10_000);
    expect(processed.size).toBe(10_000);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect(ids.every((id) => vm.injection(id)!.state === 'acknowledged')).toBe(true);
    expect(vm.guest.coalescedSErrors + vm.guest.takenSErrors).toBeGreaterThanOrEqual(10_000);
    for (const [sourceId, list] of order) {
      const delivered = list.map((id) => vm.injection(id)!.history.find((h) => h.state === 'delivered')!.at);
      for (let i = 1; i < delivered.length; i++) expect(delivered[i] >= delivered[i - 1]).toBe(true);
      expect(vm.state().sources[sourceId]).toMatchObject({ blockStatus: 0, readAck: 1n, queueDepth: 0 });
    }
    expect(vm.state().guest.panicked).toBe(false);
  });

  test('10,000 raw SErrors raised from inside a handler stay one pending SError (bounded) and are taken afterwards', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'apei-sei' }), 'raw-storm');
    let raised = 0;
    vm.subscribe((e) => {
      if (e.type === 'guest-record' && raised === 0) {
        for (; raised < 10_000; raised++) vm.guest.raiseSError(0xbe001811);
      }
    });
    const taken = vm.guest.takenSErrors;
    vm.inject({ kind: 'raw', bytes: fixture('memory-corrected') });
    expect(raised).toBe(10_000);
    expect(vm.guest.takenSErrors - taken).toBe(2);
    expect(vm.guest.coalescedSErrors).toBe(9_999);
    expect(vm.state().guest.panicked).toBe(false);
  });
});

describe('reboot', () => {
  test('a new handshake, a fresh guest; queued records are reported, not lost', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality: 'linux', diagnostics: true }), 'rb', {
      beforeProbe: [{ sourceId: 0, bytes: fixture('arm-cache-fatal') }],
    });
    expect(vm.state().guest.panicked).toBe(true);
    const refused = vm.inject({ kind: 'raw', bytes: RECOVERABLE });
    expect(refused.refusal!.code).toBe('guest_halted');
    const events: string[] = [];
    vm.subscribe((e) => events.push(e.type));
    vm.reboot();
    expect(events[0]).toBe('boot');
    expect(vm.state()).toMatchObject({ bootCount: 2, guest: { panicked: false, poisonedPages: [] } });
    expect(vm.crashReport()).toBeNull();
    expect(vm.state().sources[0]).toMatchObject({ readAck: 1n, blockStatus: 0 });
    expect(vm.inject({ kind: 'raw', bytes: RECOVERABLE }).state).toBe('acknowledged');
  });
});

describe('qemu-10.2-virt (HEST-address write-back: the recorder walks the guest’s HEST)', () => {
  test('SEA source 0 and GPIO source 1 (GED → HED notify), both acknowledged', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'qemu-10.2-virt', personality: 'linux', linuxVersion: 'mainline' }), 'v102');
    expect(vm.state().sources.map((s) => [s.sourceId, s.notification, s.guestHandler])).toEqual([
      [0, 'sea', true],
      [1, 'gpio', true],
    ]);
    const gpio = vm.inject({ kind: 'raw', bytes: RECOVERABLE }, { notification: 'gpio' });
    expect(gpio).toMatchObject({ sourceId: 1, state: 'acknowledged' });
    expect(strip(gpio.outcome!.logLines)[0]).toBe('{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 1');
    const sea = vm.inject({ kind: 'raw', bytes: fixture('memory-corrected') });
    expect(sea).toMatchObject({ sourceId: 0, state: 'acknowledged' });
    expect(strip(sea.outcome!.logLines)[0]).toBe('GHES GHES.0: [Hardware Error]: GHES: workload:245: synchronous unrecoverable error (SIGBUS)');
  });
});
