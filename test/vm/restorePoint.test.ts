import { defaultVmSpec, Vm, VmSpec } from '../../src/vm';
import { digestDiff, graphDigest } from '../support/stateDigest';

/**
 * Vm.restorePoint: after `restore` the whole simulated machine is as it was (every field reachable
 * from the VM, every guest memory byte), and it then behaves exactly as a VM that never did what
 * was undone (a control VM with the same history).
 */

/** A memory error record (the data entry takes the block's severity). */
const memory = (pa: number, errorSeverity = 'corrected') => ({
  kind: 'json' as const,
  error: { errorSeverity, entries: [{ section: { type: 'memory', physicalAddress: '0x' + pa.toString(16) } }] },
});

/** Small rings (log, finished injections) so that the work undone wraps them; a fixed real-time clock, so two VMs are alike. */
function vm(spec: VmSpec, id = 'r'): Vm {
  return new Vm(spec, id, { logCapacity: 48, retainInjections: 3, wallSeconds: () => 1_767_225_600n });
}

function expectSame(before: string, after: string): void {
  expect(digestDiff(before, after)).toBe('');
}

/**
 * A digest without the ids of the restore points a tracked injection was created or journaled
 * under (`born`, `journaled`: journal bookkeeping, only ever compared with the id of the point
 * open now; ids are never reused), for comparing a VM that worked under points with one that did not.
 */
function withoutPointIds(digest: string): string {
  return digest
    .split('\n')
    .filter((l) => !/\.(born|journaled) = /.test(l))
    .join('\n');
}

const MACHINES: Array<[string, VmSpec]> = [
  ['apei-sei, SEI + GPIO + SEA, ERST, diagnostics', defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sei' }, { notification: 'gpio' }, { notification: 'sea' }], personality: 'apei-sei', diagnostics: true })],
  ['linux, polled (a timer) + SDEI, queue depth 2', defaultVmSpec({ profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 10 }, { notification: 'sdei' }], personality: 'linux', queueDepth: 2 })],
  ['qemu-10.2-virt (HEST mode), linux 6.1', defaultVmSpec({ profile: 'qemu-10.2-virt', personality: 'linux', linuxVersion: '6.1' })],
];

/** Work of every kind: records printed, ratelimited, duplicates, memory failure, queued, a clock move, a panic, a reboot. */
function busyWork(v: Vm): void {
  // three at a time, then a poll interval: a polled source queues two and reads them
  for (let i = 0; i < 12; i++) {
    v.inject(memory(0x40001000 + 0x1000 * (i % 5)));
    if (i % 3 === 2) v.advance(11_000_000n);
  }
  v.inject(memory(0x40100000, 'recoverable'));
  v.advance(7_000_000_000n);
  v.inject(memory(0x40200000, 'recoverable'));
  v.advance(25_000_000n);
  v.inject(memory(0x40300000, 'fatal'));
  v.advance(11_000_000n);
  v.inject(memory(0x40400000));
  v.advance(11_000_000n);
  if (v.log().every((l) => !l.line.includes('Kernel panic'))) throw new Error('the work did not reach the panic');
}

describe('Vm.restorePoint', () => {
  it.each(MACHINES)('%s: restore after injections, memory failures, a panic and a reboot gives the VM back byte for byte', (_name, spec) => {
    const v = vm(spec);
    // a history that already filled the rings
    for (let i = 0; i < 40; i++) v.inject(memory(0x41000000 + 0x1000 * i));
    v.advance(6_000_000_000n);
    const before = graphDigest(v);
    const logBefore = v.log();
    const p = v.restorePoint();
    busyWork(v);
    v.reboot();
    v.inject(memory(0x40500000));
    expect(graphDigest(v)).not.toBe(before);
    p.restore();
    expectSame(before, graphDigest(v));
    expect(v.log()).toEqual(logBefore);
  });

  it.each(MACHINES)('%s: after a restore the VM does exactly what a VM that never did the undone work does', (_name, spec) => {
    const v = vm(spec);
    const control = vm(spec);
    for (const x of [v, control]) {
      for (let i = 0; i < 6; i++) x.inject(memory(0x41000000 + 0x1000 * i));
      x.advance(3_000_000_000n);
    }
    const p = v.restorePoint();
    busyWork(v);
    p.restore();
    busyWork(v);
    busyWork(control);
    v.reboot();
    control.reboot();
    expectSame(graphDigest(control), graphDigest(v));
    expect(v.log()).toEqual(control.log());
  });

  it('nested points: the inner one restored, the outer one still restores to its own state; an inner release keeps the change under the outer point', () => {
    const spec = MACHINES[0][1];
    const v = vm(spec);
    v.inject(memory(0x40001000));
    const d0 = graphDigest(v);
    const outer = v.restorePoint();
    v.inject(memory(0x40002000));
    const d1 = graphDigest(v);
    const inner = v.restorePoint();
    v.inject(memory(0x40003000, 'fatal'));
    expect(v.state().guest.panicked).toBe(true);
    inner.restore();
    expectSame(d1, graphDigest(v));
    expect(v.state().guest.panicked).toBe(false);
    const inner2 = v.restorePoint();
    v.inject(memory(0x40004000));
    inner2.release();
    expect(graphDigest(v)).not.toBe(d1);
    outer.restore();
    expectSame(d0, graphDigest(v));
  });

  it('points are used innermost first: using an outer one while an inner one is open throws', () => {
    const v = vm(MACHINES[0][1]);
    const outer = v.restorePoint();
    const inner = v.restorePoint();
    expect(() => outer.restore()).toThrow('restore points are used innermost first');
    inner.release();
    outer.release();
  });

  it('a released outermost point leaves nothing journaled (memory, log ring, injections, duplicate cache, saved values): later changes are not journaled', () => {
    const v = vm(MACHINES[0][1]);
    const p = v.restorePoint();
    v.inject(memory(0x40001000));
    p.release();
    const mem = v.guestMemory as unknown as { undoLength: number; undoMarks: unknown[]; undoBytesLength: number };
    const log = v.guest.log as unknown as { overwrittenLength: number; marks: unknown[] };
    const journal = (v as unknown as { undo: { size: number; marks: unknown[] } }).undo;
    const saved = (v as unknown as { points: { depth: number; values: { length: number } } }).points;
    const cache = (v.guest.ghes as unknown as { cache: { pointsOpen: number } }).cache;
    const erst = v.erst!.device as unknown as { recordsCopy: { levels: unknown[] } };
    const empty = () => {
      expect(mem.undoLength).toBe(0);
      expect(mem.undoMarks).toEqual([]);
      // the journal's arrays are kept for the next point; none of them is in use
      expect(mem.undoBytesLength).toBe(0);
      expect(log).toMatchObject({ overwrittenLength: 0, marks: [] });
      expect(journal.size).toBe(0);
      expect(journal.marks).toEqual([]);
      expect(saved.depth).toBe(0);
      expect(saved.values.length).toBe(0);
      expect(cache.pointsOpen).toBe(0);
      expect(erst.recordsCopy.levels).toEqual([]);
    };
    empty();
    for (let i = 0; i < 60; i++) v.inject(memory(0x40002000 + 0x1000 * i));
    empty();
  });

  it('a duplicate of a record cached before the point (a hit on a slot the point holds) is undone', () => {
    const v = vm(MACHINES[0][1]);
    const record = memory(0x40007000);
    v.inject(record);
    v.advance(1_000_000_000n);
    const before = graphDigest(v);
    const p = v.restorePoint();
    // within 10 s: the duplicate cache hits the slot added before the point
    v.inject(record);
    v.inject(record);
    const hits = Array.from((v.guest.ghes as unknown as { cache: { slots: Array<{ hits: number } | undefined> } }).cache.slots, (x) => x?.hits ?? 0);
    expect(Math.max(...hits)).toBe(2);
    p.restore();
    expectSame(before, graphDigest(v));
  });

  it('batches as the gateway takes them (a point per injection inside a point per batch, some injections undone): the VM is the VM that did only the kept work', () => {
    const spec = MACHINES[0][1];
    const v = vm(spec);
    const control = vm(spec);
    let n = 0;
    // 5 batches of 9; every third injection's point is restored (a failed savepoint); the 4th batch is undone as a whole
    const digests: string[] = [];
    for (let b = 0; b < 5; b++) {
      digests.push(graphDigest(v));
      const batch = v.restorePoint();
      const kept: number[] = [];
      for (let i = 0; i < 9; i++) {
        const pa = 0x40010000 + 0x1000 * (n++ % 7);
        const point = v.restorePoint();
        v.advance(2_000_000_000n);
        v.inject(memory(pa, i === 8 && b === 2 ? 'fatal' : 'corrected'));
        if (i % 3 === 1) point.restore();
        else {
          point.release();
          kept.push(pa);
        }
      }
      if (b === 3) {
        batch.restore();
        expectSame(digests[3], graphDigest(v));
        continue;
      }
      batch.release();
      for (let i = 0; i < 9; i++) {
        if (i % 3 === 1) continue;
        const pa = kept.shift()!;
        control.advance(2_000_000_000n);
        control.inject(memory(pa, i === 8 && b === 2 ? 'fatal' : 'corrected'));
      }
      expectSame(withoutPointIds(graphDigest(control)), withoutPointIds(graphDigest(v)));
    }
    expect(v.log()).toEqual(control.log());
  });
});
