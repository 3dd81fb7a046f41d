import http from 'http';
import net from 'net';
import type { AddressInfo } from 'net';
import type { GatewayLimits } from '../../src/gateway/limits';
import { openLogStreams } from '../../src/gateway/logStream';
import { testGateway, TOKEN } from './helpers';

/**
 * SSE log streams under the gateway's bounds (a fixed small slice of the soak scenario):
 * stream caps, the backlog in pages, a client that does not read dropped.
 */
async function setup(limits: Partial<GatewayLimits>) {
  const { app, gateway, store, close } = testGateway({ retentionIntervalMs: 0, limits });
  gateway.createVm({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 4, diagnostics: false, midr: 0x410fd0c0n, rasExtension: true }, 'a');
  gateway.createVm({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: 'mainline', busyPolicy: 'queue', queueDepth: 4, diagnostics: false, midr: 0x410fd0c0n, rasExtension: true }, 'b');
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    gateway,
    store,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      close();
    },
  };
}

/** A raw stream client: collects the text; `pause` stops reading from the socket. */
function openStream(port: number, vm: string): Promise<{ socket: net.Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (d: string) => (text += d));
    socket.write(`GET /vms/${vm}/log/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
    socket.once('data', () => resolve({ socket, text: () => text, closed }));
  });
}

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('log streams', () => {
  it('refuses a stream past streamsPerVm and past streamsTotal with 429 naming the bound', async () => {
    const t = await setup({ streamsPerVm: 2, streamsTotal: 3 });
    try {
      const a1 = await openStream(t.port, 'a');
      const a2 = await openStream(t.port, 'a');
      const a3 = await openStream(t.port, 'a');
      await until(() => a3.text().includes('"bound"'));
      expect(a3.text()).toMatch(/^HTTP\/1\.1 429 /);
      expect(a3.text()).toMatch(/Retry-After: 5/i);
      expect(a3.text()).toContain('"type":"/problems/too-many-streams"');
      expect(a3.text()).toContain('"bound":"streamsPerVm","max":2');
      const b1 = await openStream(t.port, 'b');
      expect(b1.text()).toMatch(/^HTTP\/1\.1 200 /);
      const b2 = await openStream(t.port, 'b');
      await until(() => b2.text().includes('"bound"'));
      expect(b2.text()).toContain('"bound":"streamsTotal","max":3');
      expect(openLogStreams(t.gateway).total).toBe(3);
      a1.socket.destroy();
      await until(() => openLogStreams(t.gateway).total === 2);
      const a4 = await openStream(t.port, 'a');
      expect(a4.text()).toMatch(/^HTTP\/1\.1 200 /);
      for (const s of [a2, a4, b1, b2, a3]) s.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it('sends a large backlog page by page to a reading client, every line once and in order, then live lines', async () => {
    const t = await setup({ streamPageLines: 50 });
    try {
      const boot = t.store.log('a', { after: 0, limit: 1 })[0].boot;
      const before = t.store.log('a', { after: 0, limit: 10_000 }).length;
      t.store.transaction(() => t.store.appendLog('a', boot, Array.from({ length: 2000 }, (_, i) => `line ${i}`)));
      const s = await openStream(t.port, 'a');
      const total = before + 2000;
      await until(() => s.text().includes(`id: ${total}\n`));
      t.gateway.rebootVm('a');
      await until(() => s.text().includes(`id: ${total + 1}\n`));
      const ids = [...s.text().matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids.slice(0, total)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(ids[total]).toBe(total + 1);
      expect(s.text()).toContain('event: log\ndata: line 1999\n\n');
      s.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it('reads only a few pages ahead of a client that does not read, then drops it', async () => {
    const t = await setup({ streamPageLines: 256, streamMaxBufferedBytes: 64 * 1024, streamSlowConsumerMs: 300 });
    try {
      const boot = t.store.log('a', { after: 0, limit: 1 })[0].boot;
      const n = 200_000;
      const pad = 'x'.repeat(100);
      t.store.transaction(() => {
        for (let i = 0; i < n; i += 10_000) t.store.appendLog('a', boot, Array.from({ length: 10_000 }, (_, k) => `line ${i + k} ${pad}`));
      });
      let linesRead = 0;
      const log = t.store.log.bind(t.store);
      t.store.log = (vmId, page) => {
        const rows = log(vmId, page);
        linesRead += rows.length;
        return rows;
      };
      const s = await openStream(t.port, 'a');
      s.socket.pause();
      // (the client, not reading, would see the close only after the bytes before it)
      await until(() => openLogStreams(t.gateway).dropped === 1);
      s.socket.destroy();
      expect(openLogStreams(t.gateway).total).toBe(0);
      // 200,000 lines of ~130 bytes are 26 MB: the stream read what the socket buffers and its
      // own 64 KiB bound held, not the whole log
      expect(linesRead).toBeLessThan(n / 2);
    } finally {
      await t.close();
    }
  });
});
