import { arrayContents, combinedPoint, mapContents, objectFields, setContents, snapshotPoint, UndoJournal } from '../../src/binary/restore';

describe('restore helpers', () => {
  it('contents undo puts the same Map, Set and array objects back to their entries, in order', () => {
    const m = new Map([['a', 1], ['b', 2]]);
    const s = new Set([3, 1]);
    const a = [1, 2, 3];
    const undo = [mapContents(m), setContents(s), arrayContents(a)];
    m.delete('a');
    m.set('a', 9).set('c', 3);
    s.add(7).delete(3);
    a.splice(0, 2, 8);
    for (const u of undo) u();
    expect([...m]).toEqual([['a', 1], ['b', 2]]);
    expect([...s]).toEqual([3, 1]);
    expect(a).toEqual([1, 2, 3]);
  });

  it('objectFields deletes fields added since and sets back the others', () => {
    const o: Record<string, unknown> = { x: 1, y: 'two' };
    const undo = objectFields(o);
    o.x = 5;
    o.z = true;
    delete o.y;
    undo();
    expect(o).toEqual({ x: 1, y: 'two' });
    expect(Object.keys(o)).toEqual(['x', 'y']);
  });

  it('UndoJournal: records only while a point is open; restore runs newest first down to its mark; release keeps entries for the outer point', () => {
    const j = new UndoJournal();
    const log: string[] = [];
    j.record(() => log.push('ignored'));
    expect(j.recording).toBe(false);
    const outer = j.point();
    j.record(() => log.push('o1'));
    const inner = j.point();
    j.record(() => log.push('i1'));
    j.record(() => log.push('i2'));
    inner.restore();
    expect(log).toEqual(['i2', 'i1']);
    const inner2 = j.point();
    j.record(() => log.push('k1'));
    inner2.release();
    outer.restore();
    expect(log).toEqual(['i2', 'i1', 'k1', 'o1']);
    expect(j.recording).toBe(false);
    expect(() => outer.release()).toThrow('restore points are used innermost first');
  });

  it('combinedPoint restores and releases in reverse order', () => {
    const log: string[] = [];
    const p = combinedPoint([snapshotPoint(() => log.push('first')), { restore: () => log.push('second'), release: () => log.push('release second') }]);
    p.restore();
    p.release();
    expect(log).toEqual(['second', 'first', 'release second']);
  });
});
