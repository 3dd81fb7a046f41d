import { CopyOnWrite, SavedPoints, SavedValues, SavesStateWithRelease, UndoJournal } from '../../src/binary/restore';

describe('restore point machinery', () => {
  it('UndoJournal: records only while a point is open; restore runs newest first down to its mark; release keeps entries for the outer point', () => {
    const j = new UndoJournal();
    const log: string[] = [];
    j.record(() => log.push('ignored'));
    expect(j.recording).toBe(false);
    j.mark();
    const outer = j.current;
    j.record(() => log.push('o1'));
    j.mark();
    expect(j.current).toBeGreaterThan(outer);
    j.record(() => log.push('i1'));
    j.record(() => log.push('i2'));
    j.undoToMark();
    expect(log).toEqual(['i2', 'i1']);
    expect(j.current).toBe(outer);
    j.mark();
    j.record(() => log.push('k1'));
    j.unmark();
    j.undoToMark();
    expect(log).toEqual(['i2', 'i1', 'k1', 'o1']);
    expect(j.recording).toBe(false);
    expect(j.current).toBe(0);
    expect(() => j.undoToMark()).toThrow('restore points are used innermost first');
  });

  it('UndoJournal.recordCall runs its function with its three arguments, newest first; nothing is kept once no mark is open', () => {
    const j = new UndoJournal();
    const calls: unknown[][] = [];
    const undo = (a: string, b: number, c: boolean) => calls.push([a, b, c]);
    j.recordCall(undo, 'ignored', 0, false);
    j.mark();
    j.recordCall(undo, 'x', 1, true);
    j.mark();
    j.recordCall(undo, 'y', 2, false);
    j.record(() => calls.push(['thunk']));
    expect(j.size).toBe(3);
    j.undoToMark();
    expect(calls).toEqual([['thunk'], ['y', 2, false]]);
    expect(j.size).toBe(1);
    j.unmark();
    expect(j.size).toBe(0);
    expect(j.recording).toBe(false);
    expect(() => j.unmark()).toThrow('restore points are used innermost first');
  });

  it('SavedValues: values, arrays, Maps and Sets read back in order into the same objects; a read past the values saved throws', () => {
    const s = new SavedValues();
    const a = [1, 2, 3];
    const m = new Map([['k', 1], ['j', 2]]);
    const set = new Set(['p', 'q']);
    s.push(7n);
    s.pushArray(a);
    s.pushMap(m);
    s.pushSet(set);
    expect(s.length).toBe(1 + 4 + 5 + 3);
    a.splice(0, 3, 9);
    m.delete('k');
    m.set('k', 5);
    set.clear();
    s.readFrom(0);
    expect(s.next()).toBe(7n);
    s.loadArray(a);
    s.loadMap(m);
    s.loadSet(set);
    expect(a).toEqual([1, 2, 3]);
    expect([...m]).toEqual([['k', 1], ['j', 2]]);
    expect([...set]).toEqual(['p', 'q']);
    expect(() => s.next()).toThrow('read past the values saved');
    s.truncate(1);
    expect(s.length).toBe(1);
  });

  /** A counter and a list saved on SavedValues, with a mark counter for the release path. */
  class Part implements SavesStateWithRelease {
    n = 0;
    list: string[] = [];
    releases = 0;
    skipOnLoad = false;
    saveState(s: SavedValues): void {
      s.push(this.n);
      s.pushArray(this.list);
    }
    loadState(s: SavedValues): void {
      this.n = s.next();
      if (!this.skipOnLoad) s.loadArray(this.list);
    }
    releaseState(s: SavedValues): void {
      s.next();
      this.releases++;
    }
  }

  it('SavedPoints: nested points restore to their own state, innermost first; a point used twice or out of order throws; nothing stays saved', () => {
    const part = new Part();
    const points = new SavedPoints(part);
    part.n = 1;
    const outer = points.take();
    part.n = 2;
    part.list.push('a');
    const inner = points.take();
    part.n = 3;
    part.list.push('b');
    expect(() => outer.restore()).toThrow('restore points are used innermost first');
    inner.restore();
    expect([part.n, part.list]).toEqual([2, ['a']]);
    expect(() => inner.release()).toThrow('restore points are used innermost first');
    const inner2 = points.take();
    part.n = 4;
    inner2.release();
    expect(part.releases).toBe(1);
    expect(points.depth).toBe(1);
    outer.restore();
    expect([part.n, part.list]).toEqual([1, []]);
    expect(points.depth).toBe(0);
    expect((points as unknown as { values: SavedValues }).values.length).toBe(0);
  });

  it('SavedPoints: a load that reads back fewer values than were saved is refused loudly', () => {
    const part = new Part();
    const points = new SavedPoints(part);
    part.list.push('x');
    const p = points.take();
    part.skipOnLoad = true;
    expect(() => p.restore()).toThrow('restore point: read back 1 values of the 3 saved');
    expect(points.depth).toBe(0);
  });

  it('CopyOnWrite: a point with no change has no copy; the first change fills every open point without one; a later point gets its own', () => {
    const c = new CopyOnWrite<string>();
    expect(c.needsCopy).toBe(false);
    c.open();
    c.open();
    expect(c.needsCopy).toBe(true);
    c.fill('state 0');
    expect(c.needsCopy).toBe(false);
    c.open();
    expect(c.needsCopy).toBe(true);
    expect(c.close()).toBeUndefined();
    c.open();
    c.fill('state 1');
    expect(c.close()).toBe('state 1');
    expect(c.close()).toBe('state 0');
    expect(c.close()).toBe('state 0');
    expect(() => c.close()).toThrow('restore points are used innermost first');
  });
});
