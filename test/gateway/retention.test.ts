import { FINISHED_KEPT, Gateway, GATEWAY_VM_OPTIONS } from '../../src/gateway/Gateway';
import { vmCreateInput, vmSpecFrom } from '../../src/gateway/schemas';
import { EventStore } from '../../src/store';
import { createVmFactory, defaultVmSpec, Vm } from '../../src/vm';

// Memory retention under load is checked by counting what stays in memory, not by timing or RSS:
// after N injections the gateway's per-VM bookkeeping and the VM's remembered injections must
// stop growing once their caps are reached, while the store keeps every injection and record.

/** A corrected memory error at a page that encodes `n` (each record distinct). */
function memoryError(n: number) {
  return { errorSeverity: 'corrected', entries: [{ section: { type: 'memory', physicalAddress: '0x' + (0x1_0000_0000 + n * 0x1000).toString(16) } }] };
}

function rawMemoryError(n: number): Uint8Array {
  const vm = new Vm(defaultVmSpec(), 'encoder');
  const s = vm.inject({ kind: 'json', error: memoryError(n) });
  return s.bytes;
}

function setup() {
  const store = EventStore.open(':memory:');
  const gateway = new Gateway({ store, factory: createVmFactory({ vm: GATEWAY_VM_OPTIONS }), clock: 'manual' });
  return { store, gateway };
}

describe('gateway memory retention', () => {
  it('keeps per-VM bookkeeping flat after its caps while the store keeps everything', async () => {
    const { store, gateway } = setup();
    gateway.createVm(vmSpecFrom(vmCreateInput.parse({ profile: 'qemu-10.2-virt' })), 'r1');
    const records = [0, 1, 2, 3].map(rawMemoryError);
    const samples: Array<ReturnType<Gateway['retained']>> = [];
    const vmSamples: Array<ReturnType<Vm['retainedInjections']>> = [];
    const rounds = [FINISHED_KEPT * 2, FINISHED_KEPT * 2, FINISHED_KEPT];
    let total = 0;
    for (const n of rounds) {
      for (let i = 0; i < n; i++) {
        const r = gateway.inject('r1', records[total % records.length], { sourceId: 1 }, 'rest');
        expect(r.accepted).toBe(true);
        total++;
      }
      await gateway.committed();
      samples.push(gateway.retained('r1'));
      vmSamples.push((gateway.vm('r1') as Vm).retainedInjections());
    }
    // flat: the same counts after 512, 1024 and 1280 injections
    for (const s of samples) expect(s).toEqual({ ids: FINISHED_KEPT, historyLen: FINISHED_KEPT, open: 0, dirty: 0, finished: FINISHED_KEPT });
    for (const s of vmSamples) expect(s).toEqual({ total: FINISHED_KEPT, finished: FINISHED_KEPT });
    // nothing lost: every injection acknowledged in the store, one guest record each
    expect(total).toBe(1280);
    expect(store.injectionCounts('r1')).toEqual({ acknowledged: 1280 });
    expect(store.guestRecords({ vmId: 'r1', limit: 10000 })).toHaveLength(1280);
    expect(store.pendingGuestRecords).toBe(0);
    // the VM's kernel log ring is the gateway's small one
    expect((gateway.vm('r1') as Vm).guest.log.capacity).toBe(1024);
    gateway.close();
    store.close();
  });

  it('bounds refusals: a guest that never acknowledges keeps one record in flight, refusals are forgotten', async () => {
    const { store, gateway } = setup();
    // Linux refuses SEI sources at probe: nothing ever reads the block
    const spec = vmSpecFrom(vmCreateInput.parse({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'linux', busyPolicy: 'reject' }));
    gateway.createVm(spec, 'deaf');
    const bytes = rawMemoryError(7);
    const first = gateway.inject('deaf', bytes, {}, 'rest');
    expect(first.accepted && first.injection.state).toBe('delivered');
    const counts: Array<ReturnType<Gateway['retained']>> = [];
    for (const n of [FINISHED_KEPT * 2, FINISHED_KEPT * 2]) {
      for (let i = 0; i < n; i++) {
        const r = gateway.inject('deaf', bytes, {}, 'rest');
        expect(r.accepted ? 'accepted' : r.refusal.code).toBe('source_busy');
      }
      await gateway.committed();
      counts.push(gateway.retained('deaf'));
    }
    // the delivered one stays open and mapped; of the refusals only the last FINISHED_KEPT are mapped
    for (const c of counts) expect(c).toEqual({ ids: FINISHED_KEPT + 1, historyLen: FINISHED_KEPT + 1, open: 1, dirty: 0, finished: FINISHED_KEPT });
    expect((gateway.vm('deaf') as Vm).retainedInjections()).toEqual({ total: FINISHED_KEPT + 1, finished: FINISHED_KEPT });
    expect(store.injectionCounts('deaf')).toEqual({ delivered: 1, rejected: FINISHED_KEPT * 4 });
    gateway.close();
    store.close();
  });

  it('queue policy: open injections are bounded by the queue, the rest are refused and forgotten', async () => {
    const { store, gateway } = setup();
    const spec = vmSpecFrom(vmCreateInput.parse({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'linux', busyPolicy: 'queue', queueDepth: 8 }));
    gateway.createVm(spec, 'deafq');
    const bytes = rawMemoryError(9);
    const results: string[] = [];
    for (let i = 0; i < 9 + FINISHED_KEPT * 3; i++) {
      const r = gateway.inject('deafq', bytes, {}, 'rest');
      results.push(r.accepted ? r.injection.state : r.refusal.code);
    }
    await gateway.committed();
    expect(results.slice(0, 9)).toEqual(['delivered', ...Array(8).fill('queued')]);
    expect(new Set(results.slice(9))).toEqual(new Set(['queue_full']));
    expect(gateway.retained('deafq')).toEqual({ ids: 9 + FINISHED_KEPT, historyLen: 9 + FINISHED_KEPT, open: 9, dirty: 0, finished: FINISHED_KEPT });
    gateway.close();
    store.close();
  });

  it('a late report about a finished injection still reaches its row while it is among the kept ones', () => {
    const { store, gateway } = setup();
    gateway.createVm(vmSpecFrom(vmCreateInput.parse({ profile: 'qemu-10.2-virt' })), 'late');
    const a = gateway.inject('late', rawMemoryError(1), { sourceId: 1 }, 'rest');
    expect(a.accepted && a.injection.state).toBe('acknowledged');
    // the gateway still maps the VM's id of `a`: its row is the one a later status updates
    expect(gateway.retained('late').ids).toBe(1);
    expect(store.getInjection('late', a.injection.id)!.vmInjectionId).toBe(a.injection.vmInjectionId);
    gateway.close();
    store.close();
  });
});

describe('VM retention of finished injections', () => {
  it('never forgets an injection in flight, and keeps only the last retainInjections finished ones', () => {
    const spec = defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }], personality: 'linux', busyPolicy: 'queue', queueDepth: 20 });
    const vm = new Vm(spec, 'keep', { retainInjections: 2 });
    const bytes = rawMemoryError(3);
    const inFlight = Array.from({ length: 21 }, () => vm.inject({ kind: 'raw', bytes }));
    expect(inFlight.map((s) => s.state)).toEqual(['delivered', ...Array(20).fill('queued')]);
    const refused = Array.from({ length: 5 }, () => vm.inject({ kind: 'raw', bytes }));
    expect(refused.every((s) => s.state === 'rejected')).toBe(true);
    // all 21 in flight are known; of the 5 refusals only the last 2
    expect(inFlight.every((s) => vm.injection(s.id) === s)).toBe(true);
    expect(refused.map((s) => vm.injection(s.id) !== undefined)).toEqual([false, false, false, true, true]);
    expect(vm.retainedInjections()).toEqual({ total: 23, finished: 2 });
  });
});
