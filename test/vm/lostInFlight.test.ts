import fs from 'fs';
import path from 'path';
import { Vm, defaultVmSpec, VmEvent } from '../../src/vm';
import type { InjectionStatus } from '../../src/vm/contract';

const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest');
const fixture = (n: string) => new Uint8Array(fs.readFileSync(path.join(DIR, `${n}.gesb`)));
const CORRECTED = fixture('memory-corrected');
const FATAL = fixture('arm-cache-fatal');

/** SEI source 0, polled source 1 (read every 1000 ms of virtual time), apei-sei guest. */
function seiAndPolled(personality: 'apei-sei' | 'linux' = 'apei-sei') {
  return new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'polled' }], personality, queueDepth: 4 }), 'lost');
}
const states = (s: InjectionStatus) => s.history.map((h) => h.state);

/**
 * A system reset clears guest RAM and the device model lays out its error blocks again: a record
 * the guest never read is lost with the boot, and says so (it stayed `delivered` forever).
 */
describe('injections in flight when the VM reboots', () => {
  test('a delivered record the guest has not read yet (polled) ends lost on reboot', () => {
    const vm = seiAndPolled();
    const s = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    expect(s.state).toBe('delivered');
    expect(s.outcome).toBeUndefined();
    const seen: VmEvent[] = [];
    vm.subscribe((e) => seen.push(e));
    vm.reboot();
    expect(s.state).toBe('lost');
    expect(states(s)).toEqual(['delivered', 'lost']);
    expect(s.lost).toEqual({
      reason: 'reboot',
      previousState: 'delivered',
      message: 'lost on reboot: the record was in the error block of source 1, notified but not read by the guest when the VM was reset (the reset clears guest memory and lays out the error blocks again)',
    });
    // reported before the new boot, never carried into it
    expect(seen.map((e) => e.type).slice(0, 2)).toEqual(['injection', 'boot']);
    expect(vm.injection(s.id)!.state).toBe('lost');
    vm.advance(5_000_000_000n);
    expect(s.state).toBe('lost');
    expect(vm.state().sources[1]).toMatchObject({ readAck: 1n, blockStatus: 0, queueDepth: 0 });
  });

  test('a queued record ends lost on reboot (queued, never written); one the guest took is left alone', () => {
    // the linux guest does not read SEI sources: the first record's SError is taken silently
    // (an outcome), the source stays busy, the second waits in the queue
    const vm = seiAndPolled('linux');
    const first = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    expect(first.state).toBe('delivered');
    expect(first.outcome!.actions).toEqual(['serror-silent']);
    const second = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    expect(second.state).toBe('queued');
    vm.reboot();
    expect(second.state).toBe('lost');
    expect(second.lost).toMatchObject({ reason: 'reboot', previousState: 'queued' });
    expect(second.lost!.message).toContain('queued for source 0, never written');
    expect(second.refusal).toBeUndefined();
    expect(first.state).toBe('delivered');
    expect(first.lost).toBeUndefined();
  });

  test('acknowledged and refused injections are not touched by a reboot', () => {
    const vm = seiAndPolled();
    const ok = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 0 });
    const refused = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 9 });
    vm.reboot();
    expect([ok.state, refused.state]).toEqual(['acknowledged', 'rejected']);
  });
});

/** A halted guest never reads another record: what is in flight when it panics is lost then. */
describe('injections in flight when the guest panics', () => {
  test('a polled record not yet read and a queued one end lost (guest-panic); the fatal one keeps its panic outcome', () => {
    const vm = seiAndPolled();
    const polled = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    const queued = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    expect([polled.state, queued.state]).toEqual(['delivered', 'queued']);
    const fatal = vm.inject({ kind: 'raw', bytes: FATAL }, { sourceId: 0 });
    expect(vm.state().guest.panicked).toBe(true);
    // GHES clears and acknowledges the fatal record before it panics (__ghes_panic)
    expect(fatal.state).toBe('acknowledged');
    expect(fatal.outcome!.panicked).toBe(true);
    expect(fatal.lost).toBeUndefined();
    expect([polled.state, queued.state]).toEqual(['lost', 'lost']);
    expect(polled.lost).toMatchObject({ reason: 'guest-panic', previousState: 'delivered' });
    expect(queued.lost).toMatchObject({ reason: 'guest-panic', previousState: 'queued' });
    expect(polled.lost!.message).toMatch(/^lost: the record was in the error block of source 1, notified but not read by the guest when the guest panicked \(.+\); a halted guest never reads it$/);
    expect(vm.state().sources[1].queueDepth).toBe(0);
    // the reboot after it finds nothing in flight
    vm.reboot();
    expect(polled.history.filter((h) => h.state === 'lost')).toHaveLength(1);
    expect(fatal.state).toBe('acknowledged');
  });

  test('a panic while the clock moves (a polled fatal record) loses the other source\'s pending record', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'polled' }, { notification: 'polled', pollIntervalMs: 60_000 }], personality: 'apei-sei' }), 'p2');
    const fatal = vm.inject({ kind: 'raw', bytes: FATAL }, { sourceId: 0 });
    const slow = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    vm.advance(2_000_000_000n);
    expect(vm.state().guest.panicked).toBe(true);
    expect(fatal.outcome!.panicked).toBe(true);
    expect(slow.state).toBe('lost');
    expect(slow.lost!.reason).toBe('guest-panic');
  });

  test('a restore point taken before the panic puts the lost injections back in flight', () => {
    const vm = seiAndPolled();
    const polled = vm.inject({ kind: 'raw', bytes: CORRECTED }, { sourceId: 1 });
    const p = vm.restorePoint();
    vm.inject({ kind: 'raw', bytes: FATAL }, { sourceId: 0 });
    expect(polled.state).toBe('lost');
    p.restore();
    expect(polled.state).toBe('delivered');
    expect(polled.lost).toBeUndefined();
    expect(states(polled)).toEqual(['delivered']);
    vm.advance(2_000_000_000n);
    expect(polled.state).toBe('acknowledged');
  });
});
