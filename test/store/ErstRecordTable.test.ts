import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { EventStore, STORE_FILE } from '../../src/store';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema';
import { erstIdText } from '../../src/store/ErstRecordTable';
import { defaultVmSpec } from '../../src/vm/VmFactory';

/** Schema version 3: erst_records, per VM, u64 ids as hex text, deleted with the VM. */
describe('ERST records in the event store', () => {
  test('a version-2 store is migrated; records round-trip (ids above 2^63 too), overwrite, remove, cascade', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-erst-store-'));
    try {
      const db = new Database(path.join(dir, STORE_FILE));
      db.exec(MIGRATIONS[0]);
      db.exec(MIGRATIONS[1]);
      db.pragma('user_version = 2');
      db.close();
      const store = EventStore.open(dir, { checkpoint: 'inline' });
      try {
        // migrated past version 3 (later versions build on it)
        expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
        store.putVm('v', defaultVmSpec({ profile: 'extended' }));
        const t = store.erst;
        const big = 0xfedc_ba98_7654_3210n;
        t.put('v', { id: big, slot: 1, bytes: new Uint8Array([1, 2, 3]) });
        t.put('v', { id: 5n, slot: 0, bytes: new Uint8Array([4]) });
        expect(t.list('v').map((r) => [r.id, r.slot, [...r.bytes]])).toEqual([
          [5n, 0, [4]],
          [big, 1, [1, 2, 3]],
        ]);
        expect(erstIdText(big)).toBe('fedcba9876543210');
        t.put('v', { id: 5n, slot: 0, bytes: new Uint8Array([9, 9]) });
        expect([...t.get('v', 5n)!]).toEqual([9, 9]);
        expect(t.remove('v', 5n)).toBe(true);
        expect(t.remove('v', 5n)).toBe(false);
        expect(t.get('v', 5n)).toBeUndefined();
        const storage = t.storageFor('v');
        expect(storage.load().map((r) => r.id)).toEqual([big]);
        store.deleteVm('v');
        expect(t.list('v')).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
