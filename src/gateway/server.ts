import http from 'http';
import path from 'path';
import type { AddressInfo } from 'net';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { DEFAULT_QMP_PORT } from '../qmp/QmpServer';
import { EventStore } from '../store/EventStore';
import { createVmFactory, defaultMachine } from '../vm';
import type { VmFactory } from '../vm/contract';
import { createApp } from './app';
import { resolveToken, TOKEN_FILE_NAME, TokenSource } from './auth';
import { Gateway, GATEWAY_VM_OPTIONS } from './Gateway';
import { QmpHub } from './QmpHub';
import { vmCreateInput, vmSpecFrom } from './schemas';

/**
 * Starts the whole gateway: event store in the data directory, VMs restored from it (booted
 * afresh, unconsumed injections replayed), a default VM when the store has none (the default
 * machine of src/vm/defaultMachine.ts: extended, sources sei,sea,gpio, apei-sei), the REST API
 * on host:port (127.0.0.1 by default) and one QMP endpoint per VM (QmpHub).
 */
export { DEFAULT_PORT, DEFAULT_VM_ID, defaultDataDir } from './defaults';
import { DEFAULT_PORT, DEFAULT_VM_ID } from './defaults';

export interface ServeOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** QMP TCP port; null disables QMP; 0 picks a free port */
  qmpPort?: number | null;
  /** where the token is read from or generated (default <dataDir>/token); RASGW_TOKEN wins */
  tokenFile?: string;
  env?: NodeJS.ProcessEnv;
  bodyLimit?: number;
  logger?: Logger;
  /** defaults to the real VM layer (createVmFactory({ vm: GATEWAY_VM_OPTIONS })) */
  factory?: VmFactory;
  clock?: 'wall' | 'manual';
  /** create the default VM when the store holds none (default true) */
  defaultVm?: boolean;
  /** the VM whose QMP endpoint listens on qmpPort (default: the first VM); the others get free ports */
  qmpVm?: string;
  durability?: 'normal' | 'full';
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  /** the first VM's QMP endpoint (the one on --qmp-port) */
  qmp?: { host: string; port: number; vmId: string };
  /** every VM's QMP endpoint (one listener per VM); undefined when QMP is disabled */
  qmpHub?: QmpHub;
  token: TokenSource;
  gateway: Gateway;
  store: EventStore;
  restored: { vms: number; replayed: number };
  /** id of the default VM when this start created it */
  createdDefaultVm?: string;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const logger = opts.logger ?? silentLogger;
  const token = resolveToken({ tokenFile: opts.tokenFile ?? path.join(opts.dataDir, TOKEN_FILE_NAME), env: opts.env });
  const store = EventStore.open(opts.dataDir, { durability: opts.durability });
  const gateway = new Gateway({ store, factory: opts.factory ?? createVmFactory({ vm: GATEWAY_VM_OPTIONS }), logger, clock: opts.clock ?? 'wall' });
  let qmp: QmpHub | undefined;
  let server: http.Server | undefined;
  try {
    const restored = gateway.restore();
    let createdDefaultVm: string | undefined;
    if (restored.vms === 0 && opts.defaultVm !== false) {
      gateway.createVm(vmSpecFrom(vmCreateInput.parse(defaultMachine())), DEFAULT_VM_ID);
      createdDefaultVm = DEFAULT_VM_ID;
    }
    const host = opts.host ?? '127.0.0.1';
    const qmpVm = opts.qmpVm ?? gateway.vmIds()[0];
    // one QMP listener per VM: the first (default) VM on the QMP port, the others on free ports
    if (opts.qmpPort !== null) qmp = new QmpHub({ gateway, host, logger, firstPort: opts.qmpPort ?? DEFAULT_QMP_PORT, firstVm: qmpVm });
    const app = createApp({ gateway, token: token.token, bodyLimit: opts.bodyLimit, logger, qmp });
    server = http.createServer(app);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(opts.port ?? DEFAULT_PORT, host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    let qmpInfo: RunningServer['qmp'];
    if (qmp) {
      await qmp.openAll();
      const first = qmpVm !== undefined ? qmp.endpoint(qmpVm) : undefined;
      if (first) qmpInfo = { host: first.host, port: first.port, vmId: qmpVm! };
    }
    const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    logger.info('rasgw gateway listening', { url: `http://${urlHost}:${addr.port}`, qmp: qmp?.endpoints(), restored });
    const httpServer = server;
    const qmpServer = qmp;
    return {
      url: `http://${urlHost}:${addr.port}`,
      host: addr.address,
      port: addr.port,
      qmp: qmpInfo,
      qmpHub: qmp,
      token,
      gateway,
      store,
      restored,
      createdDefaultVm,
      async close() {
        await qmpServer?.closeAll();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        gateway.close();
        store.close();
      },
    };
  } catch (e) {
    await qmp?.closeAll();
    server?.close();
    gateway.close();
    store.close();
    throw e;
  }
}
