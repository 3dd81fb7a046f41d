import { EventStore } from '../../src/store';
import { DEFAULT_RETENTION, retentionLimits } from '../../src/store/retention';
import type { VmSpec } from '../../src/vm/contract';

const spec = { profile: 'qemu-7.2-virt', midr: 0x410fd0c0n } as unknown as VmSpec;

describe('per-VM retention of the store', () => {
  it('drops the oldest log lines past the line bound and past the byte bound', () => {
    const s = EventStore.open(':memory:', { retention: { logLines: 100, logBytes: 1000 } });
    try {
      s.putVm('a', spec);
      s.putVm('b', spec);
      s.appendLog('a', 1, Array.from({ length: 150 }, (_, i) => `l${i}`));
      s.appendLog('b', 1, Array.from({ length: 10 }, (_, i) => `line ${i}`));
      // a: 150 lines of 2-4 bytes: the line bound applies
      expect(s.prune('a')).toEqual({ log: 50, records: 0, injections: 0, events: 0, done: true });
      const kept = s.log('a', { limit: 1000 });
      expect(kept.map((l) => l.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 51));
      expect(s.prune('b')).toEqual({ log: 0, records: 0, injections: 0, events: 0, done: true });
      // the byte bound: 20 lines of 100 bytes keep the newest 10
      s.appendLog('b', 1, Array.from({ length: 20 }, () => 'x'.repeat(100)));
      expect(s.prune('b').log).toBe(20);
      expect(s.log('b', { limit: 1000 }).map((l) => l.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 21));
      expect(s.retention.kept('b')!.log).toEqual({ rows: 10, bytes: 1000 });
      expect(s.retention.dropped.log).toBe(70);
      // a prune without new rows drops nothing more
      expect(s.prune('a').log).toBe(0);
    } finally {
      s.close();
    }
  });

  it('drops finished injections (never open ones), records and events past their bounds', () => {
    const s = EventStore.open(':memory:', { retention: { injections: 2, records: 3, recordBytes: 1_000_000, events: 4 } });
    try {
      s.putVm('a', spec);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const inj = s.newInjection('a', 'rest', {}, new Uint8Array(100));
        inj.state = i === 0 ? 'queued' : 'acknowledged';
        s.saveInjection(inj);
        ids.push(inj.id);
      }
      for (let i = 0; i < 5; i++) s.addGuestRecord({ vmId: 'a', sourceId: 0, boot: 1, sections: [], decoded: null, bytes: new Uint8Array(50) });
      for (let i = 0; i < 6; i++) s.addEvent('a', 'boot', 1, {});
      const d = s.prune('a');
      expect(d).toEqual({ log: 0, records: 2, injections: 2, events: 2, done: true });
      // the queued one stays although it is the oldest; the two newest finished ones stay
      expect(s.listInjections('a').map((i) => i.id)).toEqual([ids[0], ids[3], ids[4]]);
      expect(s.guestRecords({ vmId: 'a' }).map((r) => r.id)).toEqual([3, 4, 5]);
      expect(s.events('a').map((e) => e.id)).toEqual([3, 4, 5, 6]);
    } finally {
      s.close();
    }
  });

  it('reads and deletes at most `budget` rows per call, and says when the VM is within its bounds', () => {
    const s = EventStore.open(':memory:', { retention: { logLines: 100 } });
    try {
      s.putVm('c', spec);
      s.appendLog('c', 1, Array.from({ length: 150 }, (_, i) => `l${i}`));
      const calls = [];
      for (let i = 0; i < 20; i++) {
        const d = s.prune('c', 20);
        calls.push([d.log, d.done]);
        if (d.done) break;
      }
      expect(calls).toEqual([[0, false], [0, false], [0, false], [0, false], [0, false], [20, false], [20, false], [10, true]]);
      expect(s.log('c', { limit: 1000 })[0].seq).toBe(51);
    } finally {
      s.close();
    }
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => retentionLimits({ logLines: 0 })).toThrow('retention logLines must be a positive integer, not 0');
    expect(retentionLimits({})).toEqual(DEFAULT_RETENTION);
  });
});
