import type { AddressInfo } from 'net';
import type { Server } from 'http';
import type { Logger } from '../../src/log/logger';
import { createApp, Gateway } from '../../src/gateway';
import { GATEWAY_VM_OPTIONS } from '../../src/gateway/Gateway';
import type { EventStore } from '../../src/store';
import { createVmFactory } from '../../src/vm';
import { TOKEN } from '../gateway/helpers';
import { failCommits } from './storeFailures';

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };

/** A gateway over HTTP on a given store, whose COMMITs a test can make fail. */
export interface StoreRig {
  url: string;
  gateway: Gateway;
  store: EventStore;
  /** one request with the token; the body as JSON (or {} when empty) */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** the next COMMIT fails as an I/O error would (the test reaches the store's connection) */
  failNextCommit(): void;
  close(): Promise<void>;
}

/**
 * A gateway as the server builds it (store-backed ERST records, a fixed wall clock, a manual
 * virtual clock) on `store`, listening on a free loopback port.
 */
export async function startStoreRig(store: EventStore, logger?: Logger): Promise<StoreRig> {
  const factory = createVmFactory({ vm: { ...GATEWAY_VM_OPTIONS, erstStorage: (vmId) => store.erst.storageFor(vmId), wallSeconds: () => 1_767_225_600n } });
  const gateway = new Gateway({ store, factory, clock: 'manual', retentionIntervalMs: 0, ...(logger ? { logger } : {}) });
  const app = createApp({ gateway, token: TOKEN });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { failNextCommit } = failCommits(store, false);
  return {
    url,
    gateway,
    store,
    async call(method, path, body) {
      const r = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    },
    failNextCommit,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      gateway.close();
      store.close();
    },
  };
}
