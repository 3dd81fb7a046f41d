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
});
