import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { QmpServer, QmpServerOptions } from '../qmp/QmpServer';
import type { Gateway } from './Gateway';
import { QmpGatewayBackend } from './QmpGatewayBackend';

/**
 * One QMP endpoint per VM, so QEMU's own clients (scripts/ghes_inject.py, qmp-shell) reach any VM
 * unchanged: each VM gets its own TCP listener, as each QEMU process has its own `-qmp` socket.
 * The first VM (the default one) listens on the configured port (4445 unless told otherwise);
 * every other VM gets a free port from the system. Listeners open when a VM is created (or
 * restored at start) and close when it is deleted; `GET /vms/{id}` lists each VM's endpoint as
 * `qmp: {host, port, sourceId}` and `rasgw serve` prints them.
 *
 * Each listener is a plain QmpServer (its connection handling is QmpServer's own) over a
 * QmpGatewayBackend bound to the VM, so QMP injections are stored and reported like REST ones.
 */
export interface QmpEndpoint {
  host: string;
  port: number;
  /** the source `inject-ghes-v2-error` writes into */
  sourceId: number;
}

/** What the REST routes need from the QMP side. */
export interface QmpDirectory {
  /** the VM's endpoint once it listens */
  endpoint(vmId: string): QmpEndpoint | undefined;
  /** resolves when the VM's listener is open (at once when it has none) */
  ready(vmId: string): Promise<void>;
}

export interface QmpHubOptions {
  gateway: Gateway;
  host: string;
  logger?: Logger;
  /** port for `firstVm`; other VMs take a free port */
  firstPort: number;
  firstVm?: string;
  /** QmpServer options every VM's listener gets (e.g. its per-connection bounds) */
  server?: Omit<Partial<QmpServerOptions>, 'backend' | 'host' | 'port' | 'logger' | 'beforeReply'>;
}

interface Entry {
  server: QmpServer;
  backend: QmpGatewayBackend;
  opened: Promise<{ host: string; port: number } | undefined>;
  address?: { host: string; port: number };
}

export class QmpHub implements QmpDirectory {
  private readonly entries = new Map<string, Entry>();
  private readonly logger: Logger;
  private readonly onCreated = (id: string) => void this.open(id).catch(() => undefined);
  private readonly onDeleted = (id: string) => void this.close(id);

  constructor(private readonly opts: QmpHubOptions) {
    this.logger = opts.logger ?? silentLogger;
    opts.gateway.on('vm-created', this.onCreated);
    opts.gateway.on('vm-deleted', this.onDeleted);
  }

  /** Opens a listener for every VM the gateway has now; the first VM's failure to listen is thrown. */
  async openAll(): Promise<void> {
    const ids = this.opts.gateway.vmIds();
    const first = this.opts.firstVm ?? ids[0];
    if (first !== undefined && ids.includes(first)) await this.open(first, true);
    await Promise.all(ids.filter((id) => id !== first).map((id) => this.open(id).catch(() => undefined)));
  }

  /** Opens the VM's listener (once); rejects when it cannot listen. */
  open(vmId: string, first = false): Promise<{ host: string; port: number } | undefined> {
    const known = this.entries.get(vmId);
    if (known) return known.opened;
    const backend = new QmpGatewayBackend(this.opts.gateway, vmId);
    const server = new QmpServer({
      ...this.opts.server,
      backend,
      host: this.opts.host,
      port: first ? this.opts.firstPort : 0,
      logger: this.logger.child({ vm: vmId }),
      beforeReply: () => this.opts.gateway.committed(),
    });
    const entry: Entry = { server, backend, opened: Promise.resolve(undefined) };
    entry.opened = server.listen().then(
      (a) => {
        entry.address = a;
        this.logger.info('QMP listening', { vm: vmId, host: a.host, port: a.port, sourceId: backend.qmpSourceId() });
        // a VM deleted while its listener was opening: close() waits for this and closes it
        return a;
      },
      (e: unknown) => {
        this.entries.delete(vmId);
        this.logger.error('QMP could not listen', { vm: vmId, error: e instanceof Error ? e.message : String(e) });
        throw e;
      },
    );
    this.entries.set(vmId, entry);
    return entry.opened;
  }

  endpoint(vmId: string): QmpEndpoint | undefined {
    const e = this.entries.get(vmId);
    if (!e?.address || !this.opts.gateway.has(vmId)) return undefined;
    return { ...e.address, sourceId: e.backend.qmpSourceId() };
  }

  async ready(vmId: string): Promise<void> {
    await this.entries.get(vmId)?.opened.catch(() => undefined);
  }

  /** Every open endpoint, by VM id, in the gateway's VM order. */
  endpoints(): Array<{ vmId: string } & QmpEndpoint> {
    const out: Array<{ vmId: string } & QmpEndpoint> = [];
    for (const id of this.opts.gateway.vmIds()) {
      const e = this.endpoint(id);
      if (e) out.push({ vmId: id, ...e });
    }
    return out;
  }

  async close(vmId: string): Promise<void> {
    const e = this.entries.get(vmId);
    if (!e) return;
    this.entries.delete(vmId);
    await e.opened.catch(() => undefined);
    await e.server.close();
  }

  async closeAll(): Promise<void> {
    this.opts.gateway.off('vm-created', this.onCreated);
    this.opts.gateway.off('vm-deleted', this.onDeleted);
    await Promise.all([...this.entries.keys()].map((id) => this.close(id)));
  }
}
