import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { EventStore, STORE_FILE } from '../../src/store';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema';

/**
 * Schema version 4: the index of the events the SSE log stream shows among the lines covers
 * `lost` events as well as `notification` ones (events_stream), so the stream's backlog replays
 * both in place; a version-3 store keeps its rows.
 */
describe('stream events (notification and lost) by the log line they followed', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-stream-events-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function versionThreeStore(): void {
    const db = new Database(path.join(dir, STORE_FILE));
    for (const m of MIGRATIONS.slice(0, 3)) db.exec(m);
    db.pragma('user_version = 3');
    db.prepare("INSERT INTO vms (id, ordinal, spec, created_at, boot_count) VALUES ('v', 1, '{}', '2026-01-01T00:00:00.000Z', 2)").run();
    db.prepare("INSERT INTO log_lines (vm_id, seq, boot, line, at) VALUES ('v', 1, 1, 'a', 't'), ('v', 2, 1, 'b', 't'), ('v', 3, 2, 'c', 't')").run();
    const ev = db.prepare("INSERT INTO events (id, vm_id, type, boot, data, at) VALUES (?, 'v', ?, ?, ?, 't')");
    ev.run(1, 'boot', 1, '{}');
    ev.run(2, 'notification', 1, JSON.stringify({ injectionId: '1', logSeq: 1, notification: { kind: 'polled' } }));
    ev.run(3, 'lost', 1, JSON.stringify({ injectionId: '1', reason: 'reboot', previousState: 'delivered', logSeq: 2, message: 'lost on reboot' }));
    ev.run(4, 'reboot', 2, '{}');
    db.close();
  }

  test('a version-3 store is migrated: its rows stay, its lost events are found through the widened index', () => {
    versionThreeStore();
    const store = EventStore.open(dir, { checkpoint: 'inline' });
    try {
      expect(SCHEMA_VERSION).toBe(4);
      const db = (store as unknown as { db: Database.Database }).db;
      expect(db.pragma('user_version', { simple: true })).toBe(4);
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
      expect(indexes).toEqual(['events_by_vm', 'events_stream']);
      // every row kept as it was
      expect(store.events('v').map((e) => [e.id, e.type, e.boot])).toEqual([
        [1, 'boot', 1],
        [2, 'notification', 1],
        [3, 'lost', 1],
        [4, 'reboot', 2],
      ]);
      expect(store.log('v').map((l) => l.line)).toEqual(['a', 'b', 'c']);
      expect(store.streamEvents('v', 0)).toEqual([
        { id: 2, type: 'notification', boot: 1, logSeq: 1, data: { injectionId: '1', logSeq: 1, notification: { kind: 'polled' } } },
        { id: 3, type: 'lost', boot: 1, logSeq: 2, data: { injectionId: '1', reason: 'reboot', previousState: 'delivered', logSeq: 2, message: 'lost on reboot' } },
      ]);
      expect(store.notificationEvents('v', 0).map((e) => e.id)).toEqual([2]);
    } finally {
      store.close();
    }
  });

  test('both kinds interleave in log order (logSeq, then id), page by keyset, and stop at the last committed event', () => {
    const store = EventStore.open(':memory:', { groupCommitMs: 60_000 });
    try {
      store.putVm('v', { profile: 'extended', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 1, diagnostics: false, midr: 0n, rasExtension: true });
      const note = (id: string, logSeq: number) => store.addEvent('v', 'notification', 1, { injectionId: id, logSeq, notification: { kind: 'sei' } });
      const lost = (id: string, logSeq: number) => store.addEvent('v', 'lost', 1, { injectionId: id, reason: 'reboot', previousState: 'delivered', logSeq, message: 'm' });
      note('1', 2);
      store.addEvent('v', 'reboot', 2, {});
      lost('1', 5);
      note('2', 5);
      lost('3', 5);
      note('4', 9);
      const keys = (from: number, to?: number, limit?: number, after?: number) => store.streamEvents('v', from, to, limit, after).map((e) => `${e.type[0]}${e.data.injectionId}@${e.logSeq}`);
      expect(keys(0)).toEqual(['n1@2', 'l1@5', 'n2@5', 'l3@5', 'n4@9']);
      expect(keys(5, 9)).toEqual(['l1@5', 'n2@5', 'l3@5']);
      const first = store.streamEvents('v', 3, undefined, 2);
      expect(first.map((e) => e.data.injectionId)).toEqual(['1', '2']);
      const last = first[first.length - 1];
      expect(keys(last.logSeq, undefined, 10, last.id)).toEqual(['l3@5', 'n4@9']);
      // a lost event of a batch that has not committed yet is not shown
      let inBatch: string[] = [];
      store.batched(() => {
        lost('5', 9);
        inBatch = keys(9);
      });
      expect(inBatch).toEqual(['n4@9']);
      store.flush();
      expect(keys(9)).toEqual(['n4@9', 'l5@9']);
    } finally {
      store.close();
    }
  });
});
