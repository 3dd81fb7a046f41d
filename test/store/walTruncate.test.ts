import fs from 'fs';
import os from 'os';
import path from 'path';
import { EventStore, STORE_FILE } from '../../src/store';

const walSize = (dir: string) => {
  const f = path.join(dir, `${STORE_FILE}-wal`);
  return fs.existsSync(f) ? fs.statSync(f).size : 0;
};

describe('WAL disk use while the store is open (issue #14)', () => {
  it('a TRUNCATE checkpoint on its schedule cuts the WAL file back after a burst of writes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-walcut-'));
    const store = EventStore.open(dir, { walTruncateMs: 300 });
    try {
      store.putVm('vm', { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 8, diagnostics: false, midr: 0x000f0510n, rasExtension: true });
      const line = 'x'.repeat(4000);
      // ~8 MB of log lines in a few commits: the WAL grows past them
      for (let i = 0; i < 8; i++) store.transaction(() => store.appendLog('vm', 1, Array.from({ length: 500 }, () => line)));
      expect(walSize(dir)).toBeGreaterThan(4_000_000);
      const until = Date.now() + 10_000;
      while (walSize(dir) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(walSize(dir)).toBe(0);
      // the store still reads and writes
      store.transaction(() => store.appendLog('vm', 1, ['after']));
      expect(store.log('vm', { after: 4000 })[0].line).toBe('after');
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
