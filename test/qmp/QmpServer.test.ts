import net from 'net';
import { QmpServer, QmpServerOptions } from '../../src/qmp/QmpServer';
import type { QmpBackend } from '../../src/qmp/backend';
import { MAX_CPU_MIDR } from '../../src/qmp/qom';
import type { VmSpec } from '../../src/vm/contract';

/** Backend double counting query-status calls (a command that reaches the backend). */
class CountingBackend implements QmpBackend {
  statusCalls = 0;
  spec(): VmSpec {
    return { profile: 'qemu-10.2-virt', personality: 'apei-sei', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 4, diagnostics: false, midr: MAX_CPU_MIDR, rasExtension: true };
  }
  status() {
    this.statusCalls++;
    return { running: true, panicked: false };
  }
  qmpSourceId() {
    return 1;
  }
  queueDepth() {
    return 4;
  }
  injectCper() {
    return undefined;
  }
  reset() {}
}

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 10}, "package": "v10.2.0"}, "capabilities": []}}\r\n';

/** A raw client: collects every byte, knows when the server closed. */
class Client {
  text = '';
  /** reply lines received (counted as they arrive) */
  lineCount = 0;
  closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.text += d;
      for (let i = d.indexOf('\n'); i >= 0; i = d.indexOf('\n', i + 1)) this.lineCount++;
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }
  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  lines(): string[] {
    return this.text.split('\r\n').filter((l) => l !== '');
  }
  async waitFor(pred: (c: Client) => boolean, ms = 10_000): Promise<void> {
    const until = Date.now() + ms;
    while (!pred(this)) {
      if (Date.now() > until) throw new Error(`timed out; received so far: ${this.text.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function withServer(opts: Partial<QmpServerOptions>, fn: (port: number, server: QmpServer, backend: CountingBackend) => Promise<void>): Promise<void> {
  const backend = new CountingBackend();
  const server = new QmpServer({ backend, port: 0, ...opts });
  const { port } = await server.listen();
  try {
    await fn(port, server, backend);
  } finally {
    await server.close();
  }
}

describe('QmpServer connection bounds', () => {
  it('queues a client past maxConnections without a greeting (as QEMU does) and greets it when a slot frees', async () => {
    await withServer({ maxConnections: 2, maxQueued: 4, queueTimeoutMs: 30_000 }, async (port, server) => {
      const a = await Client.connect(port);
      const b = await Client.connect(port);
      await a.waitFor((c) => c.text === GREETING);
      await b.waitFor((c) => c.text === GREETING);
      const c = await Client.connect(port);
      c.socket.write('{"execute": "qmp_capabilities"}');
      await new Promise((r) => setTimeout(r, 150));
      expect(c.text).toBe('');
      expect(server.stats()).toMatchObject({ active: 2, queued: 1 });
      a.socket.destroy();
      // the command it sent while waiting is answered after the greeting
      await c.waitFor((x) => x.lines().length === 2);
      expect(c.lines()).toEqual([GREETING.trim(), '{"return": {}}']);
      expect(server.stats()).toMatchObject({ active: 2, queued: 0 });
      b.socket.destroy();
      c.socket.destroy();
    });
  });

  it('refuses a client when the queue is full with an error line naming both bounds, then closes it', async () => {
    await withServer({ maxConnections: 1, maxQueued: 1, queueTimeoutMs: 30_000 }, async (port, server) => {
      const a = await Client.connect(port);
      await a.waitFor((c) => c.text === GREETING);
      const b = await Client.connect(port);
      await new Promise((r) => setTimeout(r, 50));
      const c = await Client.connect(port);
      await c.closed;
      expect(c.lines()).toEqual([
        '{"error": {"class": "GenericError", "desc": "too many QMP clients: 1 connected (maxConnections 1) and 1 waiting (maxQueued 1); try again later"}}',
      ]);
      expect(server.stats()).toMatchObject({ active: 1, queued: 1, refusedQueueFull: 1 });
      a.socket.destroy();
      b.socket.destroy();
    });
  });

  it('refuses a queued client after queueTimeoutMs with an error line', async () => {
    await withServer({ maxConnections: 1, queueTimeoutMs: 200 }, async (port, server) => {
      const a = await Client.connect(port);
      await a.waitFor((c) => c.text === GREETING);
      const b = await Client.connect(port);
      await b.closed;
      expect(b.lines()).toEqual([
        '{"error": {"class": "GenericError", "desc": "too many QMP clients: waited 0.2 s (queueTimeoutMs) for one of 1 slots (maxConnections); try again later"}}',
      ]);
      expect(server.stats().refusedQueueTimeout).toBe(1);
      a.socket.destroy();
    });
  });

  it('closes a client that does not negotiate within negotiationTimeoutMs, and an idle one after idleTimeoutMs, each with an error line', async () => {
    await withServer({ negotiationTimeoutMs: 200, idleTimeoutMs: 300 }, async (port, server) => {
      const silent = await Client.connect(port);
      await silent.closed;
      expect(silent.lines()).toEqual([
        GREETING.trim(),
        '{"error": {"class": "GenericError", "desc": "no capabilities negotiation within 0.2 s of the greeting (negotiationTimeoutMs), closing"}}',
      ]);
      const idle = await Client.connect(port);
      idle.socket.write('{"execute": "qmp_capabilities"}');
      // activity keeps it open past the idle bound
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 100));
        idle.socket.write('{"execute": "query-status"}');
      }
      await idle.waitFor((c) => c.lines().length === 6);
      await idle.closed;
      expect(idle.lines().slice(1)).toEqual([
        '{"return": {}}',
        ...Array(4).fill('{"return": {"status": "running", "running": true}}'),
        '{"error": {"class": "GenericError", "desc": "QMP connection idle for 0.3 s (idleTimeoutMs), closing"}}',
      ]);
      expect(server.stats().closedIdle).toBe(2);
    });
  });

  it('stops reading a client that does not read its replies, and answers every command once it reads', async () => {
    await withServer({ maxPendingReplyBytes: 64 * 1024 }, async (port, server, backend) => {
      const c = await Client.connect(port);
      await c.waitFor((x) => x.text === GREETING);
      c.socket.pause();
      const n = 200_000;
      c.socket.write('{"execute": "qmp_capabilities"}' + '{"execute": "query-status"}'.repeat(n));
      // each reply is 52 bytes: 10 MB of replies if all were produced; the kernel's socket
      // buffers hold a few MB at most, so without backpressure every command would be handled
      const until = Date.now() + 30_000;
      while (server.stats().pausedForBackpressure === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(server.stats().pausedForBackpressure).toBe(1);
      await new Promise((r) => setTimeout(r, 200));
      const handledWhileNotReading = backend.statusCalls;
      await new Promise((r) => setTimeout(r, 200));
      // nothing more is handled while the client does not read
      expect(backend.statusCalls).toBe(handledWhileNotReading);
      expect(handledWhileNotReading).toBeLessThan(n);
      c.socket.resume();
      await c.waitFor((x) => x.lineCount === n + 2, 60_000);
      expect(backend.statusCalls).toBe(n);
      expect(c.lines()[n + 1]).toBe('{"return": {"status": "running", "running": true}}');
      c.socket.destroy();
    });
  });
});
