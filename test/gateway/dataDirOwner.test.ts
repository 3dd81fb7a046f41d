import fs from 'fs';
import net from 'net';
import path from 'path';
import { startServer } from '../../src/gateway';
import { DataDirInUseError, EventStore, OWNER_FILE } from '../../src/store';
import { runCli } from '../cli/commands/run-cli';
import { spawnServeChild, tempDir, TOKEN } from './helpers';

const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
const env = { RASGW_TOKEN: TOKEN };
const memory = (pa: number) => ({ error: { type: 'memory', severity: 'corrected', physicalAddress: '0x' + pa.toString(16) } });

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Everything a gateway writes about its VMs, read straight from the store file. */
function snapshot(dir: string) {
  const store = EventStore.open(dir, { checkpoint: 'inline' });
  try {
    return store.listVms().map((vm) => ({
      id: vm.id,
      boots: vm.bootCount,
      log: store.log(vm.id).length,
      events: store.events(vm.id).length,
      injections: store.listInjections(vm.id).map((i) => [i.id, i.state, i.history.length]),
    }));
  } finally {
    store.close();
  }
}

describe('one gateway per data directory', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('rasgw-owner-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second gateway on the same directory, naming the holder; the first is unaffected', async () => {
    const a = await startServer({ dataDir: dir, port: 0, qmpPort: 0, env, clock: 'manual' });
    try {
      expect((await post(`${a.url}/vms/default/errors`, memory(0x40001000))).status).toBe(202);
      const before = snapshot(dir);
      const err = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DataDirInUseError);
      const refused = err as DataDirInUseError;
      expect(refused.owner).toMatchObject({ pid: process.pid, port: a.port, qmpPort: a.qmp!.port, url: a.url });
      expect(refused.message).toBe(
        `data directory ${dir} is in use by rasgw pid ${process.pid} (this process) on ${refused.owner!.hostname} (REST ${a.url}, QMP port ${a.qmp!.port}), ` +
          `started ${refused.owner!.startedAt}; stop it or use another --data-dir`,
      );
      // the refused gateway wrote nothing: no boot, no log line, no event, no injection change
      expect(snapshot(dir)).toEqual(before);
      // the first one works on: inject -> 202 -> the guest prints -> stored
      const logBefore = a.store.log('default').length;
      const r = await post(`${a.url}/vms/default/errors`, memory(0x40002000));
      expect(r.status).toBe(202);
      expect(r.body).toMatchObject({ id: '2', state: 'acknowledged' });
      const lines = a.store.log('default').slice(logBefore).map((l) => l.line);
      expect(lines.some((l) => l.includes('physical_address: 0x0000000040002000'))).toBe(true);
      const stored = (await (await fetch(`${a.url}/vms/default/errors/2`, { headers })).json()) as Record<string, unknown>;
      expect(stored).toMatchObject({ id: '2', state: 'acknowledged' });
      expect(Buffer.from(stored.bytes as string, 'base64').equals(Buffer.from(a.store.getInjection('default', '2')!.bytes))).toBe(true);
    } finally {
      await a.close();
    }
    // closed: the owner file is gone and the directory can be taken again
    expect(fs.existsSync(path.join(dir, OWNER_FILE))).toBe(false);
    const again = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    await again.close();
  });

  it('rasgw serve on a directory in use exits 1 at once with the holder in the message, writing nothing', async () => {
    const a = await startServer({ dataDir: dir, port: 0, qmpPort: 0, env, clock: 'manual' });
    try {
      const before = snapshot(dir);
      const r = await runCli(['serve', '--data-dir', dir, '--port', '0', '--no-qmp']);
      expect(r.code).toBe(1);
      expect(r.stdout.length).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^error: data directory .* is in use by rasgw pid ${process.pid} \\(this process\\) on .* \\(REST ${a.url.replace(/[.]/g, '\\.')}, QMP port ${a.qmp!.port}\\), started .*; stop it or use another --data-dir\n$`));
      expect(snapshot(dir)).toEqual(before);
    } finally {
      await a.close();
    }
  });

  it('refuses while another process holds the directory and takes over once it is killed (kill -9); ids continue', async () => {
    const s = spawnServeChild(dir);
    try {
      const url = await s.url;
      expect((await post(`${url}/vms`, { id: 'k' })).status).toBe(201);
      const first = await post(`${url}/vms/k/errors`, memory(0x40001000));
      expect(first.status).toBe(202);
      const err = (await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' }).catch((e: unknown) => e)) as DataDirInUseError;
      expect(err).toBeInstanceOf(DataDirInUseError);
      expect(err.owner?.pid).toBe(s.child.pid);
      expect(err.message).toContain(`rasgw pid ${s.child.pid} on `);
      expect(err.message).toContain(`(REST ${url})`);
      s.child.kill('SIGKILL');
      expect(await s.exited).toBe('SIGKILL');
      // the killed holder's lock went with it; its owner file is stale and gets replaced
      const b = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
      try {
        const owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid: number; port: number };
        expect(owner).toMatchObject({ pid: process.pid, port: b.port });
        const next = await post(`${b.url}/vms/k/errors`, memory(0x40002000));
        expect(next.status).toBe(202);
        expect(Number(next.body.id)).toBe(Number(first.body.id) + 1);
        expect(b.store.getInjection('k', first.body.id as string)?.bytes).not.toEqual(b.store.getInjection('k', next.body.id as string)?.bytes);
      } finally {
        await b.close();
      }
    } finally {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    }
  }, 30_000);

  it('a second gateway that cannot listen (EADDRINUSE) writes nothing to its data directory', async () => {
    // a directory with history: two VMs, an injection the guest has not read yet (it would be replayed)
    const first = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    expect((await post(`${first.url}/vms`, { id: 'p', profile: 'extended', sources: [{ notification: 'polled', pollIntervalMs: 100 }] })).status).toBe(201);
    expect((await post(`${first.url}/vms/p/errors`, memory(0x40001000))).body.state).toBe('delivered');
    await first.close();
    const before = snapshot(dir);
    const files = fs.readdirSync(dir).sort();

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const err = (await startServer({ dataDir: dir, port, qmpPort: null, env, clock: 'manual' }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(err.code).toBe('EADDRINUSE');
      const qmpErr = (await startServer({ dataDir: dir, port: 0, qmpPort: port, env, clock: 'manual' }).catch((e: unknown) => e)) as NodeJS.ErrnoException;
      expect(qmpErr.code).toBe('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
    expect(snapshot(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(files);
    // and it let the directory go
    const later = await startServer({ dataDir: dir, port: 0, qmpPort: null, env, clock: 'manual' });
    try {
      expect(later.restored).toEqual({ vms: 2, replayed: 1 });
    } finally {
      await later.close();
    }
  });
});
