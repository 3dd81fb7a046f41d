import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Express } from 'express';
import { createApp, Gateway } from '../../src/gateway';
import { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';

/** A token of the length the gateway generates (tests only). */
export const TOKEN = 'test-token-0123456789abcdefghijklmnop';
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

export interface TestGateway {
  app: Express;
  gateway: Gateway;
  store: EventStore;
  close(): void;
}

/** Gateway + app over the real VM layer, an in-memory (or given) store, manual virtual clock. */
export function testGateway(opts: { dataDir?: string; bodyLimit?: number } = {}): TestGateway {
  const store = EventStore.open(opts.dataDir ?? ':memory:');
  const gateway = new Gateway({ store, factory: createVmFactory(), clock: 'manual' });
  gateway.restore();
  const app = createApp({ gateway, token: TOKEN, bodyLimit: opts.bodyLimit });
  return {
    app,
    gateway,
    store,
    close() {
      gateway.close();
      store.close();
    },
  };
}

export function tempDir(prefix = 'rasgw-gw-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
