import { startServer } from '../src/gateway';

/**
 * Child-process entry of the soak runs: the real gateway (SQLite store in --data-dir, real VMs,
 * wall clock) on 127.0.0.1, no default VM, no QMP (with --qmp: the default VM and QMP on a free
 * port). --max-vms N raises the VM bound; --seed-log VM:N stores N log lines for a VM. Prints one line with its URL; exits on SIGTERM.
 * The token comes from RASGW_TOKEN.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback?: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const dataDir = arg('--data-dir');
  if (!dataDir) throw new Error('--data-dir is required');
  const t0 = process.hrtime.bigint();
  const maxVms = arg('--max-vms');
  const qmp = process.argv.includes('--qmp');
  const srv = await startServer({
    dataDir,
    host: '127.0.0.1',
    port: Number(arg('--port', '0')),
    qmpPort: qmp ? 0 : null,
    defaultVm: qmp,
    maxVms: maxVms === undefined ? undefined : Number(maxVms),
  });
  const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // --seed-log VM:N: N more lines in the VM's stored log (the SSE scenario needs a large log fast)
  const seed = arg('--seed-log');
  if (seed) {
    const [vm, n] = seed.split(':');
    if (!srv.gateway.has(vm)) srv.gateway.createVm(srv.gateway.store.getVm(srv.gateway.vmIds()[0])!.spec, vm);
    const pad = 'x'.repeat(80);
    for (let i = 0; i < Number(n); i += 10_000) {
      srv.store.transaction(() => srv.store.appendLog(vm, 1, Array.from({ length: Math.min(10_000, Number(n) - i) }, (_, k) => `[ 1.000000] seeded line ${i + k} ${pad}`)));
    }
  }
  process.stdout.write(
    `soak server listening ${srv.url} restored ${srv.restored.vms} VMs, replayed ${srv.restored.replayed}, started in ${startMs.toFixed(0)} ms${srv.qmp ? `, qmp 127.0.0.1:${srv.qmp.port}` : ''}\n`,
  );
  process.on('SIGTERM', () => {
    void srv.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`soak server failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
