import { EventStore } from '../../src/store';
import type { RestorePoint } from '../../src/binary/restore';
import { failCommits } from '../support/storeFailures';

/**
 * EventStore.guard / onRollback: in-memory state follows the transaction levels (batch, top-level
 * transaction, savepoint). A counter stands for a VM: its restore points record what happened.
 */
function counter() {
  const c = { value: 0, taken: 0, restored: 0, released: 0 };
  const point = (): RestorePoint => {
    const at = c.value;
    c.taken++;
    return {
      restore: () => {
        c.value = at;
        c.restored++;
      },
      release: () => void c.released++,
    };
  };
  return { c, point };
}


describe('EventStore restore points', () => {
  let store: EventStore;
  beforeEach(() => {
    store = EventStore.open(':memory:', { groupCommitMs: 1000 });
    store.putVm('v', { profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: '6.1', busyPolicy: 'queue', queueDepth: 4, diagnostics: false, midr: 0n, rasExtension: true });
  });
  afterEach(() => store.close());

  it('outside a transaction guard takes no point', () => {
    const { c, point } = counter();
    store.guard(c, point);
    expect(c.taken).toBe(0);
  });

  it('a savepoint that fails restores its point; the batch around it keeps its own, released at commit', async () => {
    const { c, point } = counter();
    store.batched(() => {
      store.guard(c, point);
      c.value = 1;
    });
    // batch point + first savepoint's point; the savepoint's released at its end
    expect(c).toMatchObject({ taken: 2, released: 1 });
    expect(() =>
      store.batched(() => {
        store.guard(c, point);
        c.value = 2;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(c).toMatchObject({ value: 1, taken: 3, restored: 1 });
    store.flush();
    await store.committed();
    expect(c).toMatchObject({ value: 1, restored: 1, released: 2 });
  });

  it('a failed COMMIT restores every point of the batch, runs its undo steps newest first, and hands its injection ids out again', async () => {
    const a = counter();
    const b = counter();
    const order: string[] = [];
    const first = store.batched(() => {
      store.guard(a.c, a.point);
      a.c.value = 5;
      store.onRollback(() => order.push('first'));
      return store.createInjection('v', 'rest', {}, Uint8Array.of(1)).id;
    });
    store.batched(() => {
      store.guard(b.c, b.point);
      store.guard(a.c, a.point);
      b.c.value = 7;
      a.c.value = 6;
      store.onRollback(() => order.push('second'));
      store.appendLog('v', 1, ['a line']);
    });
    expect(store.lastLogSeq('v')).toBe(1);
    failCommits(store);
    const committed = store.committed();
    store.flush();
    await expect(committed).rejects.toThrow('disk I/O error');
    expect(a.c.value).toBe(0);
    expect(b.c.value).toBe(0);
    expect(order).toEqual(['second', 'first']);
    expect(store.lastLogSeq('v')).toBe(0);
    // the id is given again, and the next line gets sequence number 1 again
    expect(store.batched(() => store.createInjection('v', 'rest', {}, Uint8Array.of(2)).id)).toBe(first);
    expect(store.batched(() => store.appendLog('v', 1, ['again']))).toEqual([1]);
    store.flush();
    expect(store.log('v').map((l) => [l.seq, l.line])).toEqual([[1, 'again']]);
  });

  it('a top-level transaction that commits releases its points; one that throws restores them', () => {
    const { c, point } = counter();
    store.transaction(() => {
      store.guard(c, point);
      c.value = 3;
    });
    expect(c).toMatchObject({ value: 3, released: 1, restored: 0 });
    expect(() =>
      store.transaction(() => {
        store.guard(c, point);
        store.guard(c, point);
        c.value = 4;
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(c).toMatchObject({ value: 3, taken: 2, restored: 1 });
  });
});
