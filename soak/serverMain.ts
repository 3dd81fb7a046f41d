import { startServer } from '../src/gateway';

/**
 * Child-process entry of the soak runs: the real gateway (SQLite store in --data-dir, real VMs,
 * wall clock) on 127.0.0.1, no default VM, no QMP. Prints one line with its URL; exits on SIGTERM.
 * The token comes from RASGW_TOKEN.
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback?: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const dataDir = arg('--data-dir');
  if (!dataDir) throw new Error('--data-dir is required');
  const srv = await startServer({ dataDir, host: '127.0.0.1', port: Number(arg('--port', '0')), qmpPort: null, defaultVm: false });
  process.stdout.write(`soak server listening ${srv.url} restored ${srv.restored.vms} VMs, replayed ${srv.restored.replayed}\n`);
  process.on('SIGTERM', () => {
    void srv.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`soak server failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
