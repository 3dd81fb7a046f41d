import fs from 'fs';
import os from 'os';
import path from 'path';
import { EventStore, STORE_FILE } from '../../src/store';

const walSize = (dir: string) => {
  const f = path.join(dir, `${STORE_FILE}-wal`);
  return fs.existsSync(f) ? fs.statSync(f).size : 0;
};

describe('WAL disk use while the store is open', () => {
  it('after a burst of writes, the WAL file is cut back to walSizeLimit once the worker has checkpointed it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-walcut-'));
    const limit = 1024 * 1024;
    const store = EventStore.open(dir, { walSizeLimit: limit });
    try {
      store.putVm('vm', { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: false, midr: 0x000f0510n, rasExtension: true });
      const line = 'x'.repeat(4000);
      // ~8 MB of log lines in a few commits: the WAL grows past them
      for (let i = 0; i < 8; i++) store.transaction(() => store.appendLog('vm', 1, Array.from({ length: 500 }, () => line)));
      const burst = walSize(dir);
      expect(burst).toBeGreaterThan(8 * limit);
      // the worker copies the WAL into the database file; the next commit starts it over and cuts it
      const until = Date.now() + 10_000;
      for (let i = 0; walSize(dir) > limit && Date.now() < until; i++) {
        await store.checkpointer!.checkpointNow();
        store.transaction(() => store.appendLog('vm', 1, [`after ${i}`]));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(walSize(dir)).toBeLessThanOrEqual(limit);
      expect(store.log('vm', { after: 4000 })[0].line).toBe('after 0');
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
