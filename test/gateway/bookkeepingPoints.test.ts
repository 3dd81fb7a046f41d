import { UndoJournal } from '../../src/binary/restore';
import { Bookkeeping, BookkeepingPoints, JournaledMap, newBookkeeping } from '../../src/gateway/bookkeepingPoints';
import type { StoredInjection } from '../../src/store/records';

/**
 * Restore points of the gateway's bookkeeping of a VM: the journaled id mappings and finished
 * ring, and the open injections, dirty set and fields saved by value, give back exactly what
 * they held, nested points included.
 */

function injection(id: string): StoredInjection {
  return {
    id,
    vmId: 'v',
    origin: 'rest',
    target: {},
    bytes: new Uint8Array([1, 2]),
    state: 'queued',
    history: [{ state: 'queued', at: '2026-01-01T00:00:00.000Z', clockNs: 0n, boot: 1 }],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  } as unknown as StoredInjection;
}

function bookkeeping(): { b: Bookkeeping; points: BookkeepingPoints } {
  const { bookkeeping: b, journal } = newBookkeeping(1, 10, 5n);
  return { b, points: new BookkeepingPoints(b, journal) };
}

/** Everything the bookkeeping holds, as plain data: lookup-only maps sorted, the rest in order. */
function view(b: Bookkeeping): unknown {
  const sorted = (m: Map<string, unknown>) => [...m].sort((x, y) => (x[0] < y[0] ? -1 : 1));
  return {
    boot: b.boot,
    ids: sorted(b.ids),
    historyLen: sorted(b.historyLen),
    open: [...b.open].map(([k, v]) => [k, Object.entries(v), v.history.slice()]),
    dirty: [...b.dirty],
    finished: b.finished.slice(),
    finishedAt: b.finishedAt,
    lastLogSeq: b.lastLogSeq,
    clockAt: b.clockAt,
  };
}

/** What the gateway does for one injection finishing: maps it, marks it dirty, rings it (a ring of 3 here). */
function work(b: Bookkeeping, points: BookkeepingPoints, n: number): void {
  const gid = `g${n}`;
  const vid = `v-${n}`;
  b.ids.set(vid, gid);
  b.historyLen.set(gid, 2);
  const inj = injection(gid);
  b.open.set(gid, inj);
  b.dirty.add(gid);
  inj.state = 'acknowledged' as StoredInjection['state'];
  inj.vmInjectionId = vid;
  inj.history.push({ state: 'acknowledged', at: 'x', clockNs: 1n, boot: 1 } as unknown as StoredInjection['history'][number]);
  b.open.delete(gid);
  if (b.finished.length < 3) {
    points.journalFinishedPush();
    b.finished.push(vid);
  } else {
    const old = b.finished[b.finishedAt];
    points.journalFinishedSet(b.finishedAt);
    b.finished[b.finishedAt] = vid;
    b.finishedAt = (b.finishedAt + 1) % 3;
    const oldGid = b.ids.get(old)!;
    b.ids.delete(old);
    b.historyLen.delete(oldGid);
  }
  b.lastLogSeq += 2;
  b.clockAt += 1000n;
}

describe('bookkeeping restore points', () => {
  it('a restore gives back the mappings, the ring (wrapped under the point), the open injections field by field, the dirty set and the fields', () => {
    const { b, points } = bookkeeping();
    for (let n = 0; n < 4; n++) work(b, points, n);
    const open = injection('g-open');
    b.open.set('g-open', open);
    b.dirty.add('g-open');
    b.ids.set('v-open', 'g-open');
    const before = view(b);
    const p = points.take();
    for (let n = 4; n < 9; n++) work(b, points, n);
    // the open injection changes in place: a field set, one added, its history grows
    open.state = 'delivered' as StoredInjection['state'];
    open.sourceId = 3;
    open.history.push({ state: 'delivered', at: 'y', clockNs: 2n, boot: 1 } as unknown as StoredInjection['history'][number]);
    b.open.delete('g-open');
    b.dirty.clear();
    b.boot = 2;
    expect(view(b)).not.toEqual(before);
    p.restore();
    expect(view(b)).toEqual(before);
    expect(b.open.get('g-open')).toBe(open);
    expect('sourceId' in open).toBe(false);
  });

  it('nested points: an inner restore keeps the outer changes; an inner release is undone by the outer restore; nothing stays journaled', () => {
    const { b, points } = bookkeeping();
    for (let n = 0; n < 2; n++) work(b, points, n);
    const v0 = view(b);
    const outer = points.take();
    work(b, points, 2);
    const v1 = view(b);
    const inner = points.take();
    work(b, points, 3);
    work(b, points, 4);
    inner.restore();
    expect(view(b)).toEqual(v1);
    const inner2 = points.take();
    work(b, points, 5);
    inner2.release();
    expect(view(b)).not.toEqual(v1);
    outer.restore();
    expect(view(b)).toEqual(v0);
    const journal = (points as unknown as { journal: UndoJournal }).journal;
    expect(journal.size).toBe(0);
    expect(journal.recording).toBe(false);
  });

  it('JournaledMap journals only while a point is open; an undo is not journaled again', () => {
    const journal = new UndoJournal();
    const m = new JournaledMap<string, number>(journal);
    m.set('a', 1);
    expect(journal.size).toBe(0);
    journal.mark();
    m.set('a', 2);
    m.set('b', 3);
    m.delete('a');
    m.delete('zz');
    expect(journal.size).toBe(3);
    journal.mark();
    m.set('c', 4);
    journal.undoToMark();
    expect([...m]).toEqual([['b', 3]]);
    expect(journal.size).toBe(3);
    journal.undoToMark();
    expect([...m]).toEqual([['a', 1]]);
    expect(journal.size).toBe(0);
  });
});
