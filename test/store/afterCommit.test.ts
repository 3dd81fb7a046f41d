import { EventStore } from '../../src/store';
import { defaultVmSpec } from '../../src/vm';
import { failCommits, ioError } from '../support/storeFailures';

/**
 * EventStore.afterCommit and the committed reads: what a transaction level did is announced only
 * once the outermost level commits (in commit order), never when its level rolls back; readers
 * that show work to clients (committedLog, committedEvents, notificationEvents) stop at the last
 * commit.
 */

/** Commits the open batch now (instead of waiting for its window); resolves or rejects as its callers would. */
function commitNow(store: EventStore): Promise<void> {
  const done = store.committed();
  store.flush();
  return done;
}

const boom = () => {
  throw ioError();
};

describe('EventStore.afterCommit', () => {
  let store: EventStore;
  const stepErrors: unknown[] = [];
  beforeEach(() => {
    stepErrors.length = 0;
    store = EventStore.open(':memory:', { groupCommitMs: 1000, onAfterCommitError: (e) => stepErrors.push(e) });
    store.putVm('v', defaultVmSpec());
  });
  afterEach(() => store.close());

  it('outside a transaction a step runs at once', () => {
    const seen: string[] = [];
    store.afterCommit(() => seen.push('now'));
    expect(seen).toEqual(['now']);
  });

  it("a batch's steps run right after its COMMIT, in the order the work was done, across savepoints; a failed savepoint's are dropped", async () => {
    const seen: string[] = [];
    store.batched(() => store.afterCommit(() => seen.push('1')));
    expect(() =>
      store.batched(() => {
        store.afterCommit(() => seen.push('failed'));
        boom();
      }),
    ).toThrow('disk I/O error');
    store.batched(() => {
      store.afterCommit(() => seen.push('2'));
      store.transaction(() => store.afterCommit(() => seen.push('3')));
      expect(() =>
        store.transaction(() => {
          store.afterCommit(() => seen.push('inner failed'));
          boom();
        }),
      ).toThrow();
      store.afterCommit(() => seen.push('4'));
    });
    // a step added between the batch's savepoints belongs to the batch itself
    store.afterCommit(() => seen.push('5'));
    expect(seen).toEqual([]);
    await commitNow(store);
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
  });

  it('a batch whose COMMIT fails runs none of its steps; the next batch runs its own', async () => {
    const seen: string[] = [];
    failCommits(store);
    store.batched(() => store.afterCommit(() => seen.push('lost')));
    await expect(commitNow(store)).rejects.toThrow('disk I/O error');
    expect(seen).toEqual([]);
    store.batched(() => store.afterCommit(() => seen.push('kept')));
    await commitNow(store);
    expect(seen).toEqual(['kept']);
  });

  it('a top-level transaction runs its steps when it commits (before it returns), none when it throws', () => {
    const seen: string[] = [];
    const out = store.transaction(() => {
      store.afterCommit(() => seen.push('a'));
      expect(seen).toEqual([]);
      return 7;
    });
    expect(out).toBe(7);
    expect(seen).toEqual(['a']);
    expect(() =>
      store.transaction(() => {
        store.afterCommit(() => seen.push('b'));
        boom();
      }),
    ).toThrow();
    expect(seen).toEqual(['a']);
  });

  it('a step that throws goes to onAfterCommitError; the others run and the commit stands', async () => {
    const seen: string[] = [];
    store.batched(() => {
      store.appendLog('v', 1, ['stored']);
      store.afterCommit(() => {
        throw new Error('listener failed');
      });
      store.afterCommit(() => seen.push('after'));
    });
    await expect(commitNow(store)).resolves.toBeUndefined();
    expect(seen).toEqual(['after']);
    expect(stepErrors.map((e) => (e as Error).message)).toEqual(['listener failed']);
    expect(store.log('v').map((l) => l.line)).toEqual(['stored']);
  });
});

describe('EventStore committed reads', () => {
  let store: EventStore;
  beforeEach(() => {
    store = EventStore.open(':memory:', { groupCommitMs: 1000 });
    store.putVm('v', defaultVmSpec());
    store.appendLog('v', 1, ['one', 'two']);
    store.addEvent('v', 'notification', 1, { injectionId: '1', logSeq: 2, notification: { kind: 'sei' } });
  });
  afterEach(() => store.close());

  const lines = (l: Array<{ seq: number; line: string }>) => l.map((x) => [x.seq, x.line]);

  it('inside an open batch they stop at the last commit (the connection itself sees the batch); after its COMMIT they show it', async () => {
    store.batched(() => {
      store.appendLog('v', 1, ['three']);
      store.addEvent('v', 'notification', 1, { injectionId: '2', logSeq: 3, notification: { kind: 'sei' } });
      store.addEvent('v', 'panic', 1, { reason: 'x' });
    });
    expect(store.lastLogSeq('v')).toBe(3);
    expect(store.committedLogSeq('v')).toBe(2);
    expect(lines(store.committedLog('v'))).toEqual([[1, 'one'], [2, 'two']]);
    expect(lines(store.log('v'))).toEqual([[1, 'one'], [2, 'two'], [3, 'three']]);
    expect(store.committedEvents('v').map((e) => e.type)).toEqual(['notification']);
    expect(store.events('v').map((e) => e.type)).toEqual(['notification', 'notification', 'panic']);
    expect(store.notificationEvents('v', 0).map((e) => e.data.injectionId)).toEqual(['1']);
    await commitNow(store);
    expect(store.committedLogSeq('v')).toBe(3);
    expect(lines(store.committedLog('v', { after: 1 }))).toEqual([[2, 'two'], [3, 'three']]);
    expect(store.committedEvents('v').map((e) => e.type)).toEqual(['notification', 'notification', 'panic']);
    expect(store.notificationEvents('v', 0).map((e) => e.data.injectionId)).toEqual(['1', '2']);
  });

  it('a batch that fails never shows; the lines after it reuse its numbers and show once committed', async () => {
    failCommits(store);
    store.batched(() => store.appendLog('v', 1, ['lost 3', 'lost 4']));
    expect(lines(store.committedLog('v'))).toEqual([[1, 'one'], [2, 'two']]);
    await expect(commitNow(store)).rejects.toThrow();
    store.batched(() => store.appendLog('v', 1, ['kept 3']));
    expect(lines(store.committedLog('v'))).toEqual([[1, 'one'], [2, 'two']]);
    await commitNow(store);
    expect(lines(store.committedLog('v'))).toEqual([[1, 'one'], [2, 'two'], [3, 'kept 3']]);
  });

  it('a VM deleted and created again in one batch shows none of its new lines before the commit', async () => {
    store.batched(() => {
      store.deleteVm('v');
      store.putVm('v', defaultVmSpec());
      store.appendLog('v', 1, ['new 1']);
    });
    expect(store.committedLog('v')).toEqual([]);
    expect(store.committedLogSeq('v')).toBe(0);
    await commitNow(store);
    expect(lines(store.committedLog('v'))).toEqual([[1, 'new 1']]);
  });
});
