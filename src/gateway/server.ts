import http from 'http';
import path from 'path';
import net from 'net';
import type { AddressInfo } from 'net';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { DEFAULT_QMP_PORT, QmpServerOptions } from '../qmp/QmpServer';
import { DataDirLock } from '../store/DataDirLock';
import { EventStore } from '../store/EventStore';
import type { RetentionLimits } from '../store/retention';
import { createVmFactory, defaultMachine } from '../vm';
import type { VmFactory } from '../vm/contract';
import { createApp } from './app';
import { DEFAULT_HTTP_TIMEOUTS, GatewayLimits, HttpTimeouts } from './limits';
import { resolveToken, TOKEN_FILE_NAME, TokenSource } from './auth';
import { Gateway, GATEWAY_VM_OPTIONS } from './Gateway';
import { QmpHub } from './QmpHub';
import { vmCreateInput, vmSpecFrom } from './schemas';

/**
 * Starts the whole gateway: event store in the data directory, VMs restored from it (booted
 * afresh, unconsumed injections replayed), a default VM when the store has none (the default
 * machine of src/vm/defaultMachine.ts: extended, sources sei,sea,gpio, apei-sei), the REST API
 * on host:port (127.0.0.1 by default) and one QMP endpoint per VM (QmpHub). The data directory
 * is locked first (DataDirLock: one gateway per directory), and the ports are bound before the
 * VMs are restored, so a gateway that is refused or cannot listen has written nothing.
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
  /** VMs the gateway holds at most (default 1000) */
  maxVms?: number;
  /** per-VM retention bounds of the store (store/retention.ts) */
  retention?: Partial<RetentionLimits>;
  /** HTTP header, request and keep-alive timeouts (limits.ts) */
  http?: Partial<HttpTimeouts>;
  /** page and stream bounds (limits.ts) */
  limits?: Partial<GatewayLimits>;
  /** per-connection bounds of every VM's QMP endpoint (QmpServer's options) */
  qmpLimits?: Partial<Pick<QmpServerOptions, 'maxConnections' | 'maxQueued' | 'queueTimeoutMs' | 'negotiationTimeoutMs' | 'idleTimeoutMs' | 'maxPendingReplyBytes'>>;
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
  // 1. the data directory is ours before anything in it is read or written (a second gateway
  //    on it is refused here, naming the holder)
  const lock = DataDirLock.acquire(opts.dataDir);
  let store: EventStore | undefined;
  let gateway: Gateway | undefined;
  let qmp: QmpHub | undefined;
  let qmpProbe: net.Server | undefined;
  let server: http.Server | undefined;
  try {
    // 2. the store is opened (an existing, current store is only read), then the REST port is
    //    bound and the first VM's QMP port checked BEFORE the VMs are restored: a gateway that
    //    cannot listen (EADDRINUSE) fails here, having written nothing — no boot counted, no log
    //    line, no replay
    store = EventStore.open(opts.dataDir, { durability: opts.durability, retention: opts.retention });
    const erstStore = store;
    const g = new Gateway({
      store,
      factory: opts.factory ?? createVmFactory({ vm: { ...GATEWAY_VM_OPTIONS, erstStorage: (vmId) => erstStore.erst.storageFor(vmId) } }),
      logger,
      clock: opts.clock ?? 'wall',
      maxVms: opts.maxVms,
    });
    gateway = g;
    const host = opts.host ?? '127.0.0.1';
    // requests are handed to the app once it exists; until then (the QMP listeners opening)
    // they get 503
    let app: ReturnType<typeof createApp> | undefined;
    const t = { ...DEFAULT_HTTP_TIMEOUTS, ...opts.http };
    // Node checks the header and request timeouts every connectionsCheckingInterval (30 s by
    // default): once a second keeps them to about their value
    server = http.createServer({ headersTimeout: t.headersTimeoutMs, requestTimeout: t.requestTimeoutMs, connectionsCheckingInterval: 1000 }, (req, res) => {
      if (app) return app(req, res);
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
      res.end('rasgw is starting\n');
    });
    server.keepAliveTimeout = t.keepAliveTimeoutMs;
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(opts.port ?? DEFAULT_PORT, host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    const qmpPort = opts.qmpPort === null ? undefined : opts.qmpPort ?? DEFAULT_QMP_PORT;
    // the first VM's QMP port is held by a plain listener while the VMs are restored (the VM
    // listeners need live VMs), and handed over right before they open; other VMs take free ports
    if (qmpPort !== undefined && qmpPort !== 0) qmpProbe = await holdPort(host, qmpPort);
    const addr = server.address() as AddressInfo;
    const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `http://${urlHost}:${addr.port}`;
    lock?.describe({ url, port: addr.port, qmpPort });
    // 3. listening: the token, the VMs (restored, or the default one), QMP and the app
    const token = resolveToken({ tokenFile: opts.tokenFile ?? path.join(opts.dataDir, TOKEN_FILE_NAME), env: opts.env });
    const restored = g.restore();
    let createdDefaultVm: string | undefined;
    if (restored.vms === 0 && opts.defaultVm !== false) {
      g.createVm(vmSpecFrom(vmCreateInput.parse(defaultMachine())), DEFAULT_VM_ID);
      createdDefaultVm = DEFAULT_VM_ID;
    }
    const qmpVm = opts.qmpVm ?? g.vmIds()[0];
    // one QMP listener per VM: the first (default) VM on the QMP port, the others on free ports
    if (qmpPort !== undefined) qmp = new QmpHub({ gateway: g, host, logger, firstPort: qmpPort, firstVm: qmpVm, server: opts.qmpLimits });
    app = createApp({ gateway: g, token: token.token, bodyLimit: opts.bodyLimit, logger, qmp, limits: opts.limits });
    let qmpInfo: RunningServer['qmp'];
    if (qmp) {
      await closeServer(qmpProbe);
      qmpProbe = undefined;
      await qmp.openAll();
      const first = qmpVm !== undefined ? qmp.endpoint(qmpVm) : undefined;
      if (first) qmpInfo = { host: first.host, port: first.port, vmId: qmpVm! };
      if (first) lock?.describe({ url, port: addr.port, qmpPort: first.port });
    }
    logger.info('rasgw gateway listening', { url, qmp: qmp?.endpoints(), restored });
    const httpServer = server;
    const qmpServer = qmp;
    const openStore = store;
    return {
      url,
      host: addr.address,
      port: addr.port,
      qmp: qmpInfo,
      qmpHub: qmp,
      token,
      gateway: g,
      store: openStore,
      restored,
      createdDefaultVm,
      async close() {
        await qmpServer?.closeAll();
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
        g.close();
        try {
          openStore.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (e) {
    await qmp?.closeAll();
    await closeServer(qmpProbe);
    if (server?.listening) await closeServer(server);
    gateway?.close();
    try {
      store?.close();
    } finally {
      lock?.release();
    }
    throw e;
  }
}

/** Binds host:port with a plain listener (fails with EADDRINUSE when another process has it). */
function holdPort(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer((socket) => socket.destroy());
    s.once('error', reject);
    s.listen(port, host, () => {
      s.off('error', reject);
      resolve(s);
    });
  });
}

function closeServer(s: net.Server | undefined): Promise<void> {
  return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
}
