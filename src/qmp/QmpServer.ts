import net from 'net';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import type { QmpBackend } from './backend';
import { toQemuJson } from './qemuJson';
import { QmpSession } from './QmpSession';

/**
 * QMP over TCP, bound to one VM (like `-qmp tcp:localhost:4445,server=on,wait=off`). Listens on
 * 127.0.0.1:4445 by default; each connection gets its own session (greeting, negotiation).
 *
 * Every connection is bounded:
 * - slots: at most `maxConnections` sessions at once. QEMU's socket chardev serves one client and
 *   stops accepting while it is connected, so a second client waits, without a greeting, until
 *   the first leaves. The same happens here past `maxConnections`: the client waits (no greeting)
 *   in a queue of at most `maxQueued` and gets its greeting when a slot frees. A client that waits
 *   longer than `queueTimeoutMs`, or arrives when the queue is full, gets one QMP error line
 *   naming the bound and is then closed: never closed silently.
 * - idle timeouts: a session that has not finished `qmp_capabilities` within
 *   `negotiationTimeoutMs` of its greeting, or sends nothing for `idleTimeoutMs` afterwards, gets
 *   an error line naming the bound and is closed.
 * - write backpressure: replies waiting to be written (in the socket's buffer or for the store's
 *   commit) are counted; past `maxPendingReplyBytes` the server stops reading the client until it
 *   has consumed them, so a client that sends without reading holds a bounded amount of memory.
 *   A client that consumes nothing for `idleTimeoutMs` is dropped (idle: it sends nothing either,
 *   since it is not read).
 */
export const DEFAULT_QMP_PORT = 4445;

/** Defaults of the per-connection bounds (docs/RELIABILITY.md, "Bounds"). */
export const QMP_LIMITS = {
  maxConnections: 64,
  maxQueued: 64,
  queueTimeoutMs: 10_000,
  negotiationTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxPendingReplyBytes: 1024 * 1024,
} as const;

export interface QmpServerOptions {
  backend: QmpBackend;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  logger?: Logger;
  /** bound on one JSON message (default 1 MiB) */
  maxMessageBytes?: number;
  /** sessions served at once (default 64); further clients wait in the queue */
  maxConnections?: number;
  /** clients waiting for a slot (default 64); one more is refused with an error line */
  maxQueued?: number;
  /** how long a client waits for a slot before it is refused (default 10 s) */
  queueTimeoutMs?: number;
  /** from the greeting to a successful qmp_capabilities (default 30 s) */
  negotiationTimeoutMs?: number;
  /** longest time without a byte from the client once negotiated (default 120 s) */
  idleTimeoutMs?: number;
  /** replies not yet taken by the client past which it is not read any more (default 1 MiB) */
  maxPendingReplyBytes?: number;
  /**
   * Called as each reply is produced; the reply is written once the returned promise resolves
   * (the gateway passes its store's commit, so `{"return": {}}` follows the write to disk).
   * Replies keep their order.
   */
  beforeReply?: () => Promise<void> | undefined;
}

/** Counters of the connection bounds, for tests and diagnostics. */
export interface QmpServerStats {
  active: number;
  queued: number;
  /** clients refused because the queue was full */
  refusedQueueFull: number;
  /** clients refused after waiting queueTimeoutMs */
  refusedQueueTimeout: number;
  /** sessions closed by negotiationTimeoutMs or idleTimeoutMs */
  closedIdle: number;
  /** times a session stopped being read because its replies were not consumed */
  pausedForBackpressure: number;
}

/** One QMP error line, as QEMU words an error without a command: {"error": {...}}. */
function errorLine(desc: string): string {
  return toQemuJson({ error: { class: 'GenericError', desc } }) + '\r\n';
}

/** bytes of commands handed to a session per turn of the event loop */
const SLICE_BYTES = 4096;
/** received bytes waiting for the session past which the client is not read */
const INBOX_BYTES = 64 * 1024;

interface Waiting {
  socket: net.Socket;
  timer: NodeJS.Timeout;
}

export class QmpServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly active = new Set<net.Socket>();
  private readonly queue: Waiting[] = [];
  private readonly logger: Logger;
  private readonly limits: { maxConnections: number; maxQueued: number; queueTimeoutMs: number; negotiationTimeoutMs: number; idleTimeoutMs: number; maxPendingReplyBytes: number };
  private readonly counters = { refusedQueueFull: 0, refusedQueueTimeout: 0, closedIdle: 0, pausedForBackpressure: 0 };
  private closing = false;

  constructor(private readonly opts: QmpServerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.limits = {
      maxConnections: opts.maxConnections ?? QMP_LIMITS.maxConnections,
      maxQueued: opts.maxQueued ?? QMP_LIMITS.maxQueued,
      queueTimeoutMs: opts.queueTimeoutMs ?? QMP_LIMITS.queueTimeoutMs,
      negotiationTimeoutMs: opts.negotiationTimeoutMs ?? QMP_LIMITS.negotiationTimeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs ?? QMP_LIMITS.idleTimeoutMs,
      maxPendingReplyBytes: opts.maxPendingReplyBytes ?? QMP_LIMITS.maxPendingReplyBytes,
    };
    this.server = net.createServer((socket) => this.admit(socket));
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

  stats(): QmpServerStats {
    return { active: this.active.size, queued: this.queue.length, ...this.counters };
  }

  /** Stops listening and closes every open connection. */
  close(): Promise<void> {
    this.closing = true;
    for (const w of this.queue) clearTimeout(w.timer);
    this.queue.length = 0;
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A new connection: served at once when a slot is free, else queued (or refused past the queue). */
  private admit(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', (e) => this.logger.debug('qmp socket error', { error: e.message }));
    socket.on('close', () => {
      this.sockets.delete(socket);
      const i = this.queue.findIndex((w) => w.socket === socket);
      if (i >= 0) {
        clearTimeout(this.queue[i].timer);
        this.queue.splice(i, 1);
      }
      if (this.active.delete(socket)) this.next();
    });
    if (this.active.size < this.limits.maxConnections) {
      this.serve(socket);
      return;
    }
    if (this.queue.length >= this.limits.maxQueued) {
      this.counters.refusedQueueFull++;
      this.refuse(
        socket,
        `too many QMP clients: ${this.active.size} connected (maxConnections ${this.limits.maxConnections}) and ${this.queue.length} waiting (maxQueued ${this.limits.maxQueued}); try again later`,
      );
      return;
    }
    // like QEMU's listener while a client is connected: no greeting until a slot frees; the
    // client's bytes stay unread in the socket meanwhile
    socket.pause();
    const timer = setTimeout(() => {
      const i = this.queue.findIndex((w) => w.socket === socket);
      if (i < 0) return;
      this.queue.splice(i, 1);
      this.counters.refusedQueueTimeout++;
      this.refuse(
        socket,
        `too many QMP clients: waited ${this.limits.queueTimeoutMs / 1000} s (queueTimeoutMs) for one of ${this.limits.maxConnections} slots (maxConnections); try again later`,
      );
    }, this.limits.queueTimeoutMs);
    timer.unref();
    this.queue.push({ socket, timer });
  }

  /** Gives the next waiting client the slot that just freed. */
  private next(): void {
    if (this.closing) return;
    while (this.active.size < this.limits.maxConnections && this.queue.length > 0) {
      const w = this.queue.shift()!;
      clearTimeout(w.timer);
      if (w.socket.destroyed) continue;
      this.serve(w.socket);
      w.socket.resume();
    }
  }

  private refuse(socket: net.Socket, desc: string): void {
    this.logger.info('qmp client refused', { reason: desc });
    socket.end(errorLine(desc));
    // a client that does not read even the refusal is not waited for
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private serve(socket: net.Socket): void {
    this.active.add(socket);
    socket.setNoDelay(true);
    let chain: Promise<void> = Promise.resolve();
    /** bytes of replies produced but not yet handed to the socket */
    let pendingBytes = 0;
    let paused = false;
    let negotiated = false;
    let ended = false;

    /** received bytes not yet handed to the session (handled a slice per turn of the event loop) */
    const inbox: Buffer[] = [];
    let inboxBytes = 0;
    let working = false;

    /**
     * Stops reading while the client's replies pile up (or its commands wait in the inbox), reads
     * again once it has taken them.
     */
    /** true while the client's replies are not consumed: the session is not fed */
    let blocked = false;
    const flow = () => {
      if (socket.destroyed) return;
      const backlog = pendingBytes + socket.writableLength;
      if (!blocked && backlog > this.limits.maxPendingReplyBytes) {
        blocked = true;
        this.counters.pausedForBackpressure++;
      } else if (blocked && backlog <= this.limits.maxPendingReplyBytes / 2) {
        blocked = false;
      }
      const stop = blocked || inboxBytes > INBOX_BYTES;
      if (stop && !paused) {
        paused = true;
        socket.pause();
      } else if (!stop && paused) {
        paused = false;
        socket.resume();
      }
      if (!blocked && inbox.length > 0 && !working) {
        working = true;
        setImmediate(work);
      }
    };

    /**
     * Hands the inbox to the session SLICE_BYTES at a time, one slice per turn of the event loop:
     * a client pipelining thousands of commands does not hold the loop (other clients, /healthz)
     * for longer than one slice takes.
     */
    const work = () => {
      working = false;
      if (ended || socket.destroyed || blocked) return;
      let budget = SLICE_BYTES;
      while (inbox.length > 0 && budget > 0) {
        let c = inbox[0];
        if (c.length > budget) {
          inbox[0] = c.subarray(budget);
          c = c.subarray(0, budget);
        } else inbox.shift();
        budget -= c.length;
        inboxBytes -= c.length;
        try {
          session.receive(c);
        } catch (e) {
          // a bug, not a client error: log it, drop this connection, keep serving others
          this.logger.error('qmp session failed', { error: e instanceof Error ? e.message : String(e) });
          socket.destroy();
          return;
        }
      }
      negotiated ||= session.isNegotiated;
      armIdle();
      flow();
    };
    const write = (line: string) => {
      pendingBytes -= line.length;
      if (!socket.destroyed && !ended) socket.write(line);
      flow();
    };

    let idle: NodeJS.Timeout | undefined;
    const closeIdle = (desc: string) => {
      this.counters.closedIdle++;
      this.logger.info('qmp client closed', { reason: desc });
      ended = true;
      // a client whose earlier replies are still unread would not read this one either
      if (socket.writableLength > 0 || pendingBytes > 0) socket.destroy();
      else {
        socket.end(errorLine(desc));
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    };
    const armIdle = () => {
      if (idle) clearTimeout(idle);
      const ms = negotiated ? this.limits.idleTimeoutMs : this.limits.negotiationTimeoutMs;
      idle = setTimeout(
        () =>
          closeIdle(
            negotiated
              ? `QMP connection idle for ${ms / 1000} s (idleTimeoutMs), closing`
              : `no capabilities negotiation within ${ms / 1000} s of the greeting (negotiationTimeoutMs), closing`,
          ),
        ms,
      );
      idle.unref();
    };

    const session = new QmpSession(this.opts.backend, {
      send: (line) => {
        pendingBytes += line.length;
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
    armIdle();
    socket.on('data', (chunk: Buffer) => {
      if (ended) return;
      inbox.push(chunk);
      inboxBytes += chunk.length;
      flow();
    });
    socket.on('drain', () => {
      // the client took its replies: that is activity too
      armIdle();
      flow();
    });
    socket.on('close', () => {
      if (idle) clearTimeout(idle);
    });
  }
}
