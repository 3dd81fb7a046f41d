import fs from 'fs';
import { Command, InvalidArgumentError } from 'commander';
import { runCapacity, runHttpBody, runQmpFlood, runRecordsPage, runSseSlow } from './bounds';
import { measureDensity } from './density';
import { ScenarioResult, runBackpressure, runCrash, runLoss } from './scenarios';

/**
 * `npm run soak`: the soak scenarios on loopback, each bounded in count and time. Defaults are
 * the figures: 50 VMs, 200 clients, 100,000 injections; kill -9 midway; a guest that never
 * acknowledges; 1,000 idle VMs in one process. Prints each scenario's figures and any violation;
 * exit status 1 when one fails.
 */
function int(name: string) {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('soak')
    .option('--scenario <names>', 'loss,crash,backpressure,density,qmp-flood,sse-slow,records-page,http-body,capacity or all', 'all')
    .option('--capacity-vms <n>', 'VMs for the capacity scenario', int('capacity-vms'), 10_000)
    .option('--vms <n>', 'VMs for loss (crash uses 20 by default)', int('vms'))
    .option('--clients <n>', 'concurrent clients', int('clients'))
    .option('--injections <n>', 'injections for loss (crash: 20,000; backpressure: 20,000)', int('injections'))
    .option('--density-vms <n>', 'idle VMs for the density scenario', int('density-vms'), 1000)
    .option('--max-seconds <n>', 'time bound of each load phase', int('max-seconds'), 600)
    .option('--json <file>', 'write the results to a file')
    .exitOverride();
  program.parse(argv);
  const o = program.opts<{ scenario: string; vms?: number; clients?: number; injections?: number; densityVms: number; capacityVms: number; maxSeconds: number; json?: string }>();
  const all = ['loss', 'crash', 'backpressure', 'density', 'qmp-flood', 'sse-slow', 'records-page', 'http-body', 'capacity'];
  const names = o.scenario === 'all' ? all : o.scenario.split(',');
  for (const n of names) if (!all.includes(n)) throw new InvalidArgumentError(`unknown scenario ${n}`);
  const results: ScenarioResult[] = [];
  for (const name of names) {
    process.stderr.write(`soak: ${name}…\n`);
    let r: ScenarioResult;
    if (name === 'loss') r = await runLoss({ vms: o.vms, clients: o.clients, injections: o.injections, maxSeconds: o.maxSeconds });
    else if (name === 'crash') r = await runCrash({ vms: o.vms ? Math.min(o.vms, 20) : undefined, clients: o.clients, injections: o.injections ? Math.min(o.injections, 20_000) : undefined, maxSeconds: o.maxSeconds });
    else if (name === 'qmp-flood') r = await runQmpFlood();
    else if (name === 'sse-slow') r = await runSseSlow();
    else if (name === 'records-page') r = await runRecordsPage();
    else if (name === 'http-body') r = await runHttpBody();
    else if (name === 'capacity') r = await runCapacity(o.capacityVms);
    else if (name === 'backpressure') r = await runBackpressure({ injections: o.injections ? Math.min(o.injections, 20_000) : undefined });
    else {
      const d = measureDensity(o.densityVms, { profile: 'qemu-7.2-virt' });
      const limit = 200 * 1024;
      r = {
        scenario: 'density',
        ok: d.bytesPerVm < limit,
        figures: { vms: d.count, profile: d.profile, bootSeconds: +(d.bootMs / 1000).toFixed(2), kbPerVm: +(d.bytesPerVm / 1024).toFixed(1), heapKbPerVm: +(d.heapBytesPerVm / 1024).toFixed(1), externalKbPerVm: +(d.externalBytesPerVm / 1024).toFixed(1), rssKbPerVm: +(d.rssBytesPerVm / 1024).toFixed(1) },
        violations: d.bytesPerVm < limit ? [] : [{ what: 'density', detail: `${(d.bytesPerVm / 1024).toFixed(1)} KB per idle VM (target < 200 KB)` }],
      };
    }
    results.push(r);
    console.log(`${r.ok ? 'PASS' : 'FAIL'} ${r.scenario}`);
    for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k}: ${v}`);
    for (const v of r.violations) console.log(`  VIOLATION ${v.what}: ${v.detail}`);
  }
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(results, null, 2) + '\n');
  return results.every((r) => r.ok) ? 0 : 1;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const err = e as { code?: string; message?: string };
    if (err.code === 'commander.helpDisplayed') return;
    process.stderr.write(`soak: ${err.message ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
