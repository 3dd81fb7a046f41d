import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Express } from 'express';
import { createApp, Gateway, RunningServer, startServer } from '../../src/gateway';
import type { GatewayOptions } from '../../src/gateway/Gateway';
import type { GatewayLimits } from '../../src/gateway/limits';
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
export function testGateway(
  opts: { dataDir?: string; bodyLimit?: number; limits?: Partial<GatewayLimits> } & Pick<GatewayOptions, 'maxVms' | 'retentionIntervalMs'> = {},
): TestGateway {
  const store = EventStore.open(opts.dataDir ?? ':memory:');
  const gateway = new Gateway({ store, factory: createVmFactory(), clock: 'manual', maxVms: opts.maxVms, retentionIntervalMs: opts.retentionIntervalMs });
  gateway.restore();
  const app = createApp({ gateway, token: TOKEN, bodyLimit: opts.bodyLimit, limits: opts.limits });
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

/**
 * A gateway in a child process (test/gateway/serveChild.ts on `dir`, token TOKEN), for the tests
 * that kill it with SIGKILL: `url` once it listens (rejected if it exits first), `exited` with the
 * signal that ended it.
 */
export function spawnServeChild(dir: string): { child: ChildProcess; url: Promise<string>; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../../bin/register-ts.js'), path.join(__dirname, 'serveChild.ts'), dir], {
    env: { ...process.env, RASGW_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return { child, url, exited };
}

/**
 * A gateway (port 0, no QMP, manual clock) in a fresh temp data dir for the tests of the
 * enclosing describe block, with RASGW_TOKEN = TOKEN meanwhile so the in-process CLI finds it.
 * `srv` and `dir` are set once beforeAll has run.
 */
export function serverForBlock(prefix: string): { srv: RunningServer; dir: string } {
  const s = {} as { srv: RunningServer; dir: string };
  const env = process.env.RASGW_TOKEN;
  beforeAll(async () => {
    s.dir = tempDir(prefix);
    process.env.RASGW_TOKEN = TOKEN;
    s.srv = await startServer({ dataDir: s.dir, port: 0, qmpPort: null, clock: 'manual' });
  });
  afterAll(async () => {
    await s.srv.close();
    if (env === undefined) delete process.env.RASGW_TOKEN;
    else process.env.RASGW_TOKEN = env;
    fs.rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}
