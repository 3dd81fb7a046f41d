import net from 'net';
import { CliError } from './io';

/**
 * A minimal QMP client (what `rasgw inject --qmp` and ghes_inject.py need): TCP connect, read the
 * greeting, `qmp_capabilities`, then commands one at a time. Replies are matched by an `id` the
 * client sets; asynchronous events (`{"event": …}`) are skipped. Works against QEMU and against
 * the gateway's own QMP endpoint. Every wait is bounded by `timeoutMs`.
 */
export interface QmpError {
  class: string;
  desc: string;
}

export class QmpCommandError extends Error {
  constructor(
    readonly command: string,
    readonly qmp: QmpError,
  ) {
    super(`${command}: ${qmp.class}: ${qmp.desc}`);
  }
}

/** "host:port", "[::1]:port" or ":port" / "port" (localhost). */
export function parseHostPort(text: string, defaultHost = 'localhost'): { host: string; port: number } {
  // HOST:PORT, [IPv6]:PORT, :PORT or PORT; the colon is required after a host, so "127.0.0.1" is
  // refused rather than read as host "127.0.0." and port 1
  const m = /^(?:(?:\[([^\]]+)\]|([^:]*)):)?([0-9]{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535 || Number(m[3]) === 0) throw new CliError(`--qmp: expected HOST:PORT (e.g. localhost:4445), got ${JSON.stringify(text)}`);
  return { host: m[1] ?? (m[2] || defaultHost), port: Number(m[3]) };
}

export class QmpClient {
  private buffer = '';
  private waiting: Array<(msg: Record<string, unknown>) => void> = [];
  private queue: Array<Record<string, unknown>> = [];
  private closed: Error | undefined;
  private nextId = 1;
  greeting: Record<string, unknown> | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly where: string,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    const fail = (e: Error) => {
      this.closed ??= e;
      for (const w of this.waiting.splice(0)) w({ __closed: true });
    };
    socket.on('error', (e) => fail(e));
    socket.on('close', () => fail(new Error('connection closed')));
  }

  /** Connects and negotiates capabilities. */
  static async connect(host: string, port: number, timeoutMs = 10_000): Promise<QmpClient> {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const t = setTimeout(() => {
        s.destroy();
        reject(new CliError(`QMP ${where}: no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        reject(new CliError(`QMP ${where}: cannot connect: ${e.code ?? e.message}`));
      });
    });
    const c = new QmpClient(socket, where, timeoutMs);
    try {
      const greeting = await c.next('the greeting');
      if (!('QMP' in greeting)) throw new CliError(`QMP ${where}: not a QMP server (first message ${JSON.stringify(greeting).slice(0, 120)})`);
      c.greeting = greeting.QMP as Record<string, unknown>;
      await c.execute('qmp_capabilities');
      return c;
    } catch (e) {
      c.close();
      throw e;
    }
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > 16 * 1024 * 1024) {
      this.socket.destroy(new Error('reply larger than 16 MiB'));
      return;
    }
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line === '') continue;
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        this.socket.destroy(new Error(`not JSON: ${line.slice(0, 80)}`));
        return;
      }
      if ('event' in msg) continue;
      const w = this.waiting.shift();
      if (w) w(msg);
      else this.queue.push(msg);
    }
  }

  private next(what: string): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.reject(new CliError(`QMP ${this.where}: ${this.closed.message} before ${what}`));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new CliError(`QMP ${this.where}: no answer to ${what} within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.waiting.push((msg) => {
        clearTimeout(t);
        if ('__closed' in msg) reject(new CliError(`QMP ${this.where}: ${this.closed?.message ?? 'connection closed'} before ${what}`));
        else resolve(msg);
      });
    });
  }

  /** Runs one command; its `return` value, or QmpCommandError with QEMU's error class and text. */
  async execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    const id = `rasgw-${this.nextId++}`;
    this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\r\n');
    for (;;) {
      const msg = await this.next(command);
      if (msg.id !== undefined && msg.id !== id) continue;
      if ('error' in msg) throw new QmpCommandError(command, msg.error as QmpError);
      return msg.return;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
