import fs from 'fs';
import os from 'os';
import path from 'path';
import { CommittedReader, EventStore } from '../../src/store';
import type { VmSpec } from '../../src/vm/contract';

const spec: VmSpec = {
  profile: 'qemu-10.2-virt',
  personality: 'apei-sei',
  linuxVersion: 'mainline',
  busyPolicy: 'queue',
  queueDepth: 8,
  diagnostics: true,
  midr: 0x410f_d0c0n,
  rasExtension: true,
};
const bytes = new Uint8Array([1, 2, 3, 4]);
const target = { sourceId: 0 };

describe('CommittedReader (the store\'s second, read-only connection)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-reader-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens on the first read, reads the rows as committed, answers as the store does, and closes with the store', () => {
    const store = EventStore.open(dir, { groupCommitMs: 600_000, checkpoint: 'inline' });
    try {
      const reads = store.committedReads;
      expect(reads).toBeInstanceOf(CommittedReader);
      const reader = reads as CommittedReader;
      expect(reader.isOpen).toBe(false);
      store.putVm('a', spec);
      const id1 = store.addInjection('a', 'rest', target, bytes);
      expect(reader.isOpen).toBe(false);
      expect(reads.getInjection('a', id1)).toEqual(store.getInjection('a', id1));
      expect(reader.isOpen).toBe(true);
      store.erst.put('a', { id: 0x1234n, slot: 0, bytes: new Uint8Array([9, 9]) });
      store.addGuestRecord({ vmId: 'a', injectionId: id1, sourceId: 0, boot: 1, sections: ['memory'], decoded: { x: 1 }, bytes });
      // a batch writes a new injection, changes the committed one, adds a record and an ERST record
      const id2 = store.batched(() => {
        store.updateInjection(id1, { state: 'acknowledged' });
        store.addGuestRecord({ vmId: 'a', injectionId: id1, sourceId: 0, boot: 1, sections: ['memory'], decoded: { x: 2 }, bytes });
        store.erst.put('a', { id: 0x5678n, slot: 1, bytes: new Uint8Array([7]) });
        return store.addInjection('a', 'rest', target, bytes);
      });
      expect(store.batchOpen).toBe(true);
      // the writer sees the batch; the reader does not
      expect(store.getInjection('a', id2)?.state).toBe('accepted');
      expect(store.getInjection('a', id1)?.state).toBe('acknowledged');
      expect(reads.getInjection('a', id2)).toBeUndefined();
      expect(reads.getInjection('a', id1)?.state).toBe('accepted');
      expect(reads.listInjections('a').map((i) => [i.id, i.state])).toEqual([[id1, 'accepted']]);
      expect(reads.injectionCounts('a')).toEqual({ accepted: 1 });
      expect(store.guestRecords({ vmId: 'a' })).toHaveLength(2);
      expect(reads.guestRecords({ vmId: 'a' }).map((r) => r.decoded)).toEqual([{ x: 1 }]);
      expect(reads.guestRecords().map((r) => r.decoded)).toEqual([{ x: 1 }]);
      expect(reads.guestRecordsOfInjection(id1).map((r) => r.decoded)).toEqual([{ x: 1 }]);
      expect(store.erstRecords('a').map((r) => r.id)).toEqual([0x1234n, 0x5678n]);
      expect(reads.erstRecords('a').map((r) => [r.id, Buffer.from(r.bytes).toString('hex')])).toEqual([[0x1234n, '0909']]);
      store.flush();
      // committed: both connections answer alike, field for field
      for (const id of [id1, id2]) expect(reads.getInjection('a', id)).toEqual(store.getInjection('a', id));
      expect(reads.listInjections('a', { after: 0, limit: 1 })).toEqual(store.listInjections('a', { after: 0, limit: 1 }));
      expect(reads.injectionCounts('a')).toEqual(store.injectionCounts('a'));
      expect(reads.guestRecords({ vmId: 'a' })).toEqual(store.guestRecords({ vmId: 'a' }));
      expect(reads.guestRecordsOfInjection(id1)).toEqual(store.guestRecordsOfInjection(id1));
      expect(reads.erstRecords('a')).toEqual(store.erstRecords('a'));
      expect(reads.getInjection('a', 'x1')).toBeUndefined();
      store.close();
      expect(reader.isOpen).toBe(false);
      // a read after close does not open the connection again
      expect(() => reads.getInjection('a', id1)).toThrow(/committed reader is closed/);
    } finally {
      store.close();
    }
  });

  it('the read-only connection cannot write, and a store closed before any read never opened it', () => {
    const store = EventStore.open(dir);
    const reader = store.committedReads as CommittedReader;
    store.putVm('a', spec);
    expect(reader.injectionCounts('a')).toEqual({});
    const db = (reader as unknown as { db: { exec(sql: string): void } }).db;
    expect(() => db.exec("DELETE FROM vms WHERE id = 'a'")).toThrow(/readonly|query_only/i);
    expect(store.getVm('a')?.id).toBe('a');
    store.close();
    const other = EventStore.open(dir);
    const unopened = other.committedReads as CommittedReader;
    other.close();
    expect(unopened.isOpen).toBe(false);
  });

  it("an in-memory store answers on its own connection (a second one cannot see a private ':memory:' database)", () => {
    const store = EventStore.open(':memory:');
    try {
      expect(store.committedReads).toBe(store);
    } finally {
      store.close();
    }
  });
});
