import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { EventStore, STORE_FILE } from '../../src/store';
import { MIGRATIONS } from '../../src/store/schema';
import type { NotificationView } from '../../src/vm/contract';

/** Schema version 2: injections.notification, added to a version-1 file at open without losing rows. */
describe('the stored notification', () => {
  test('a version-1 store is migrated: old rows read back without a notification, new ones keep theirs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-notif-store-'));
    try {
      const db = new Database(path.join(dir, STORE_FILE));
      db.exec(MIGRATIONS[0]);
      db.pragma('user_version = 1');
      db.prepare("INSERT INTO vms (id, ordinal, spec, created_at) VALUES ('v', 1, '{}', '2026-01-01T00:00:00.000Z')").run();
      db.prepare(
        "INSERT INTO injections (id, vm_id, origin, target, bytes, state, created_at, updated_at, history) VALUES (1, 'v', 'rest', '{}', x'00', 'acknowledged', 't', 't', '[]')",
      ).run();
      db.close();
      const store = EventStore.open(dir, { checkpoint: 'inline' });
      try {
        const old = store.getInjection('v', '1')!;
        expect(old.state).toBe('acknowledged');
        expect(old.notification).toBeUndefined();
        const n: NotificationView = { kind: 'sei', raised: 'virtual-serror', vcpu: 0, esr: '0xbe000811', esrReason: 'block-severity', carried: ['1', '2'], takenEsr: '0xbe000811' };
        store.transaction(() => store.saveInjection({ ...old, notification: n }));
        expect(store.getInjection('v', '1')!.notification).toEqual(n);
      } finally {
        store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('notification events are found by the log line they followed, through their index, in id order, paged by id', () => {
    const store = EventStore.open(':memory:');
    try {
      store.putVm('v', { profile: 'extended', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 1, diagnostics: false, midr: 0n, rasExtension: true });
      const n = (k: number) => ({ kind: 'sei', raised: 'virtual-serror', vcpu: 0, esr: `0xbe00${k}` });
      store.addEvent('v', 'boot', 1, {});
      for (const [logSeq, k] of [
        [0, 1],
        [3, 2],
        [3, 3],
        [7, 4],
      ]) {
        store.addEvent('v', 'notification', 1, { injectionId: String(k), logSeq, notification: n(k) });
      }
      const ids = (from: number, to?: number, limit?: number, after?: number) => store.notificationEvents('v', from, to, limit, after).map((e) => [e.logSeq, e.data.injectionId]);
      expect(ids(0)).toEqual([
        [0, '1'],
        [3, '2'],
        [3, '3'],
        [7, '4'],
      ]);
      expect(ids(3, 7)).toEqual([
        [3, '2'],
        [3, '3'],
      ]);
      const firstPage = store.notificationEvents('v', 1, undefined, 1);
      expect(firstPage.map((e) => e.data.injectionId)).toEqual(['2']);
      expect(ids(firstPage[0].logSeq, undefined, 10, firstPage[0].id)).toEqual([
        [3, '3'],
        [7, '4'],
      ]);
      // a lost event at the same position is not a notification
      store.addEvent('v', 'lost', 1, { injectionId: '9', reason: 'reboot', previousState: 'delivered', logSeq: 3, message: 'lost' });
      expect(ids(3, 4)).toEqual([
        [3, '2'],
        [3, '3'],
      ]);
      const db = (store as unknown as { db: Database.Database }).db;
      const plan = db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT id FROM events INDEXED BY events_stream WHERE vm_id = ? AND type IN ('notification', 'lost') AND type = 'notification' AND json_extract(data, '$.logSeq') >= ? AND json_extract(data, '$.logSeq') < ? AND id > ? ORDER BY json_extract(data, '$.logSeq'), id LIMIT ?`,
        )
        .all('v', 0, 10, 0, 10) as Array<{ detail: string }>;
      // a range search on the index (events_stream since schema version 4), no sort
      expect(plan.map((p) => p.detail)).toEqual([expect.stringMatching(/^SEARCH events USING INDEX events_stream \(vm_id=\? AND <expr>>\? AND <expr><\?\)$/)]);
    } finally {
      store.close();
    }
  });
});
