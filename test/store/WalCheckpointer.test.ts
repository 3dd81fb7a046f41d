import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { EventStore, STORE_FILE } from '../../src/store';
import { WalCheckpointer } from '../../src/store/WalCheckpointer';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-wal-'));
}

const walSize = (dir: string) => {
  const f = path.join(dir, `${STORE_FILE}-wal`);
  return fs.existsSync(f) ? fs.statSync(f).size : 0;
};

describe('WAL checkpoints on a worker thread', () => {
  it('close() returns only after the worker let go of the files: the directory can be removed at once', () => {
    for (let i = 0; i < 20; i++) {
      const dir = tempDir();
      const store = EventStore.open(dir, {});
      store.putVm('vm', { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: false, midr: 0x000f0510n, rasExtension: true });
      store.transaction(() => store.appendLog('vm', 1, ['line']));
      store.close();
      expect(fs.readdirSync(dir).sort()).toEqual([STORE_FILE]); // WAL and shared-memory files gone
      fs.rmSync(dir, { recursive: true });
      expect(fs.existsSync(dir)).toBe(false);
    }
  });

  it('the writing connection never autocheckpoints; the worker copies the WAL into the file', async () => {
    const dir = tempDir();
    const store = EventStore.open(dir, {});
    try {
      // 1500 pages' worth of log lines: past the 1000-page autocheckpoint threshold
      store.putVm('vm', { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: false, midr: 0x000f0510n, rasExtension: true });
      const line = 'x'.repeat(4000);
      for (let i = 0; i < 6; i++) store.transaction(() => store.appendLog('vm', 1, Array.from({ length: 250 }, () => line)));
      const before = await store.checkpointer!.checkpointNow();
      expect(before.busy).toBe(0);
      // every frame of the log is in it still (nothing was checkpointed by the commits) and the worker copied all of them now
      expect(before.log).toBeGreaterThan(1000);
      expect(before.checkpointed).toBe(before.log);
      // a second reader sees the data through the main file + WAL
      const reader = new Database(path.join(dir, STORE_FILE), { readonly: true });
      expect((reader.prepare('SELECT COUNT(*) AS n FROM log_lines').get() as { n: number }).n).toBe(1500);
      reader.close();
    } finally {
      store.close();
    }
    // close truncates the WAL
    expect(walSize(dir)).toBe(0);
    const again = EventStore.open(dir, { checkpoint: 'inline' });
    expect(again.checkpointer).toBeUndefined();
    expect(again.log('vm', { limit: 2000 }).length).toBe(1500);
    again.close();
  });

  it('a failing worker switches the writer back to autocheckpoint and reports the error', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-database');
    fs.writeFileSync(file, 'this is not SQLite');
    const set: number[] = [];
    const error = await new Promise<Error>((resolve) => {
      new WalCheckpointer(file, (p) => set.push(p), { periodMs: 10, onError: resolve });
    });
    expect(error.message).toBe('WAL checkpoint worker: file is not a database');
    expect((error as Error & { code?: string }).code).toBe('SQLITE_NOTADB');
    expect(set).toEqual([0, 1000]);
  });
});
