import fs from 'fs';
import { Command, InvalidArgumentError } from 'commander';
import { toHex } from '../src/binary/hexdump';
import { fuzzTarget, reproduce } from './engine';
import { formatFailures, formatOutcomes, formatReportTable } from './report';
import { superviseTarget } from './supervisor';
import { TargetReport } from './target';
import { TARGET_NAMES, createTarget } from './targets';

/**
 * `npm run fuzz`: the long run. Each target runs in a worker thread under a watchdog (see
 * supervisor.ts). Default: 1,000,000 inputs per decoder target and 20,000 per system target
 * (live VM, HTTP app). `--index` re-runs one input and prints its bytes and what happened.
 */
function int(name: string) {
  return (v: string) => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return n;
  };
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('fuzz')
    .description('fuzz the decoders, the mock firmware, the guest kernel, the REST validators and the QMP parser')
    .option('--target <names>', `comma-separated targets, or "all" (${TARGET_NAMES.join(', ')})`, 'all')
    .option('--count <n>', 'inputs per target (default: 1,000,000 for decoders, 20,000 for system targets)', int('count'))
    .option('--seed <n>', 'seed of the input generator', int('seed'), 1)
    .option('--start <n>', 'first input index', int('start'), 0)
    .option('--index <n>', 're-run one input of one target and print it', int('index'))
    .option('--max-input-ms <n>', 'per-input time budget (default: the target\'s, 50 ms)', int('max-input-ms'))
    .option('--watchdog-ms <n>', 'an input running longer than this is a hang', int('watchdog-ms'), 10_000)
    .option('--memory-bound-mb <n>', 'allowed heap + array-buffer growth after the first batch', int('memory-bound-mb'), 64)
    .option('--jobs <n>', 'targets run at the same time (one worker each)', int('jobs'), 1)
    .option('--in-process', 'run without worker threads (no watchdog)')
    .option('--json <file>', 'write the full reports (with every failing input as hex) to a file')
    .option('--list', 'list the targets and exit')
    .exitOverride();
  program.parse(argv);
  const o = program.opts<{
    target: string;
    count?: number;
    seed: number;
    start: number;
    index?: number;
    maxInputMs?: number;
    watchdogMs: number;
    memoryBoundMb: number;
    jobs: number;
    inProcess?: boolean;
    json?: string;
    list?: boolean;
  }>();

  if (o.list) {
    for (const n of TARGET_NAMES) {
      const t = createTarget(n);
      console.log(`${n.padEnd(20)} ${t.kind.padEnd(8)} ${t.description}`);
    }
    return 0;
  }
  const names = o.target === 'all' ? TARGET_NAMES : o.target.split(',').map((s) => s.trim());
  for (const n of names) if (!TARGET_NAMES.includes(n)) throw new InvalidArgumentError(`unknown target "${n}" (known: ${TARGET_NAMES.join(', ')})`);

  if (o.index !== undefined) {
    if (names.length !== 1) throw new InvalidArgumentError('--index needs exactly one --target');
    const t = createTarget(names[0]);
    const { input, verdict, ms } = await reproduce(t, o.seed, o.index);
    console.log(`target ${t.name} seed ${o.seed} index ${o.index}: ${input.how}`);
    console.log(`input (${input.bytes.length} bytes): ${toHex(input.bytes)}`);
    console.log(`result: ${verdict.type} ${verdict.label}${verdict.message ? `: ${verdict.message}` : ''} (${ms.toFixed(2)} ms)`);
    if (verdict.stack) console.log(verdict.stack);
    return verdict.type === 'failure' ? 1 : 0;
  }

  const reports: TargetReport[] = [];
  const queue = [...names];
  const runNext = async (): Promise<void> => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      const t = createTarget(name);
      const count = o.count ?? (t.kind === 'decoder' ? 1_000_000 : 20_000);
      const started = Date.now();
      let lastPrint = 0;
      const progress = (r: TargetReport) => {
        if (Date.now() - lastPrint < 5000) return;
        lastPrint = Date.now();
        const rate = r.tried / Math.max(0.001, (Date.now() - started) / 1000);
        process.stderr.write(`  ${name}: ${r.tried}/${count} inputs, ${r.failureCount} failures, ${rate.toFixed(0)} inputs/s\n`);
      };
      const common = { seed: o.seed, count, start: o.start, maxInputMs: o.maxInputMs, memoryBoundBytes: o.memoryBoundMb * 1048576 };
      const report = o.inProcess
        ? await fuzzTarget(t, { ...common, onBatch: progress })
        : await superviseTarget({ ...common, module: require.resolve('./targets'), factory: 'createTarget', targetName: name, watchdogMs: o.watchdogMs, onProgress: progress });
      process.stderr.write(`  ${name}: done, ${report.tried} inputs in ${(report.elapsedMs / 1000).toFixed(1)} s\n`);
      reports.push(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, runNext));
  reports.sort((a, b) => names.indexOf(a.target) - names.indexOf(b.target));

  console.log(formatReportTable(reports));
  console.log('\noutcomes of accepted inputs:');
  console.log(formatOutcomes(reports));
  const failures = formatFailures(reports);
  if (failures) console.log(`\n${failures}`);
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(reports, null, 2) + '\n');
  return reports.some((r) => r.failureCount > 0) ? 1 : 0;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as { code?: string; message?: string };
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return;
      process.stderr.write(`fuzz: ${err.message ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
