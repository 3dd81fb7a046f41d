import net from 'net';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { QmpBackend } from './backend';
import { QmpSession } from './QmpSession';

/**
 * QMP over TCP, bound to one VM (like `-qmp tcp:localhost:4445,server=on,wait=off`). Listens on
 * 127.0.0.1:4445 by default; each connection gets its own session (greeting, negotiation).
 */
export const DEFAULT_QMP_PORT = 4445;

export interface QmpServerOptions {
  backend: QmpBackend;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  logger?: Logger;
  /** bound on one JSON message (default 1 MiB) */
  maxMessageBytes?: number;
  /** connections beyond this are closed at once (default 16) */
  maxConnections?: number;
  /**
   * Called as each reply is produced; the reply is written once the returned promise resolves
   * (the gateway passes its store's commit, so `{"return": {}}` follows the write to disk).
   * Replies keep their order.
   */
  beforeReply?: () => Promise<void> | undefined;
}

export class QmpServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly logger: Logger;

  constructor(private readonly opts: QmpServerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = opts.maxConnections ?? 16;
  }

  /** Starts listening; resolves with the bound address. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? DEFAULT_QMP_PORT, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        const a = this.server.address() as net.AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  address(): { host: string; port: number } | undefined {
    const a = this.server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let chain: Promise<void> = Promise.resolve();
    const write = (line: string) => {
      if (!socket.destroyed) socket.write(line);
    };
    const session = new QmpSession(this.opts.backend, {
      send: (line) => {
        const wait = this.opts.beforeReply?.();
        if (!wait) {
          chain = chain.then(() => write(line));
          return;
        }
        chain = chain
          .then(() => wait)
          .then(
            () => write(line),
            (e: unknown) => {
              this.logger.error('qmp reply not sent: the store did not commit', { error: e instanceof Error ? e.message : String(e) });
              socket.destroy();
            },
          );
      },
      maxMessageBytes: this.opts.maxMessageBytes,
    });
    socket.write(session.greeting());
    socket.on('data', (chunk: Buffer) => {
      try {
        session.receive(chunk);
      } catch (e) {
        // a bug, not a client error: log it, drop this connection, keep serving others
        this.logger.error('qmp session failed', { error: e instanceof Error ? e.message : String(e) });
        socket.destroy();
      }
    });
    socket.on('error', (e) => this.logger.debug('qmp socket error', { error: e.message }));
    socket.on('close', () => this.sockets.delete(socket));
  }
}
