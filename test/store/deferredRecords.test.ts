import fs from 'fs';
import os from 'os';
import path from 'path';
import { EventStore, GuestRecordRendering } from '../../src/store';
import type { VmSpec } from '../../src/vm/contract';

const spec: VmSpec = { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: false, midr: 0n, rasExtension: true };

/** A renderer that counts its calls and names the record by its first byte. */
function countingRenderer() {
  const calls: number[] = [];
  const render = (bytes: Uint8Array): GuestRecordRendering => {
    calls.push(bytes[0]);
    return { decodedText: JSON.stringify({ first: bytes[0] }), severity: 'corrected', sections: ['memory'] };
  };
  return { calls, render };
}

function open() {
  const store = EventStore.open(':memory:', { groupCommitMs: 60_000, maxBatch: 1_000_000 });
  store.putVm('v', spec);
  store.putVm('w', spec);
  return store;
}

describe('guest records written at the batch commit', () => {
  it('queues records of a batch and renders each distinct record once, in order', async () => {
    const store = open();
    const { calls, render } = countingRenderer();
    for (const b of [1, 2, 1, 1, 2]) store.batched(() => store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(b, 9) }, render));
    expect(store.pendingGuestRecords).toBe(5);
    store.flush();
    await store.committed();
    expect(store.pendingGuestRecords).toBe(0);
    expect(calls).toEqual([1, 2]);
    const recs = store.guestRecords({ vmId: 'v' });
    expect(recs.map((r) => [r.bytes[0], (r.decoded as { first: number }).first, r.severity, r.sections])).toEqual([
      [1, 1, 'corrected', ['memory']],
      [2, 2, 'corrected', ['memory']],
      [1, 1, 'corrected', ['memory']],
      [1, 1, 'corrected', ['memory']],
      [2, 2, 'corrected', ['memory']],
    ]);
    store.close();
  });

  it('keeps a copy of the bytes: the caller may reuse its buffer', () => {
    const store = open();
    const { render } = countingRenderer();
    const buf = Uint8Array.of(5, 5);
    store.batched(() => store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: buf }, render));
    buf[0] = 6;
    store.flush();
    expect(Array.from(store.guestRecords({ vmId: 'v' })[0].bytes)).toEqual([5, 5]);
    store.close();
  });

  it('reads during the open batch see the queued records', () => {
    const store = open();
    const { render } = countingRenderer();
    const inj = store.batched(() => {
      const id = store.addInjection('v', 'rest', {}, Uint8Array.of(1));
      store.addGuestRecordDeferred({ vmId: 'v', injectionId: id, sourceId: 0, boot: 1, bytes: Uint8Array.of(3) }, render);
      return id;
    });
    expect(store.guestRecordsOfInjection(inj).map((r) => r.bytes[0])).toEqual([3]);
    store.batched(() => store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(4) }, render));
    expect(store.guestRecords({ vmId: 'v' }).map((r) => r.bytes[0])).toEqual([3, 4]);
    store.close();
  });

  it('a rolled-back savepoint takes its queued records with it; the others commit', async () => {
    const store = open();
    const { render } = countingRenderer();
    store.batched(() => store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(1) }, render));
    expect(() =>
      store.batched(() => {
        store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(2) }, render);
        throw new Error('handler failed');
      }),
    ).toThrow('handler failed');
    expect(store.pendingGuestRecords).toBe(1);
    store.flush();
    await store.committed();
    expect(store.guestRecords({ vmId: 'v' }).map((r) => r.bytes[0])).toEqual([1]);
    store.close();
  });

  it('outside a batch a record is written with its transaction', () => {
    const store = open();
    const { render } = countingRenderer();
    store.transaction(() => store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(8) }, render));
    expect(store.pendingGuestRecords).toBe(0);
    store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(9) }, render);
    expect(store.pendingGuestRecords).toBe(0);
    expect(store.guestRecords({ vmId: 'v' }).map((r) => r.bytes[0])).toEqual([8, 9]);
    store.close();
  });

  it('deleting a VM drops its queued records (the batch still commits the others)', async () => {
    const store = open();
    const { render } = countingRenderer();
    store.batched(() => {
      store.addGuestRecordDeferred({ vmId: 'v', sourceId: 0, boot: 1, bytes: Uint8Array.of(1) }, render);
      store.addGuestRecordDeferred({ vmId: 'w', sourceId: 0, boot: 1, bytes: Uint8Array.of(2) }, render);
    });
    store.deleteVm('v');
    store.flush();
    await store.committed();
    expect(store.guestRecords().map((r) => [r.vmId, r.bytes[0]])).toEqual([['w', 2]]);
    store.close();
  });

  it('writes an injection once, in its final state, with an id from the store', () => {
    const store = open();
    const a = store.newInjection('v', 'rest', { sourceId: 1 }, Uint8Array.of(1, 2));
    const b = store.newInjection('v', 'qmp', {}, Uint8Array.of(3));
    expect(Number(b.id)).toBe(Number(a.id) + 1);
    expect(store.getInjection('v', a.id)).toBeUndefined();
    a.state = 'acknowledged';
    a.sourceId = 1;
    a.history.push({ state: 'acknowledged', at: a.createdAt, clockNs: 0x1_0000_0000n, boot: 1 });
    store.saveInjection(a, 1);
    expect(store.getInjection('v', a.id)).toMatchObject({ state: 'acknowledged', sourceId: 1, history: [{ state: 'accepted' }, { state: 'acknowledged', clockNs: 0x1_0000_0000n, boot: 1 }] });
    a.outcome = { logLines: ['x'], actions: ['logged'], panicked: false };
    store.saveInjection(a, 1); // second save updates the same row
    expect(store.listInjections('v').map((i) => [i.id, i.outcome?.actions])).toEqual([[a.id, ['logged']]]);
    store.close();
  });

  it('a reopened store hands out ids after the highest stored one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-ids-'));
    try {
      const a = EventStore.open(dir);
      a.putVm('v', spec);
      const first = a.newInjection('v', 'rest', {}, Uint8Array.of(1));
      a.saveInjection(first);
      a.newInjection('v', 'rest', {}, Uint8Array.of(2)); // never saved (its transaction rolled back): nothing refers to its id, which a restart may hand out again
      a.close();
      const b = EventStore.open(dir);
      expect(b.newInjection('v', 'rest', {}, Uint8Array.of(3)).id).toBe(String(Number(first.id) + 1));
      b.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
