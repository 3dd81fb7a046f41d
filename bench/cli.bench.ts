import { spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { encodeStatusBlock, parseStatusBlockJson } from '../src/cper';
import { BenchResult, median } from './harness';

/**
 * Whole-process CLI timings as ratios to `node -e 0` measured in the same run: each round runs
 * every case once, in turn (interleaved, so a busy moment of the machine hits all cases alike),
 * and the medians over the rounds are compared. The launcher's fast path is measured: dist/ is
 * built first when it is not current (scripts/build.js, what `npm ci` runs), and one untimed run
 * of each case fills the code cache a user's first run fills. Idle `serve`: RSS of the gateway
 * process a few seconds after it started listening (one default VM, no requests), median of 3 starts.
 */
const root = path.join(__dirname, '..');
const rasgw = path.join(root, 'bin', 'rasgw');
const ROUNDS = Number(process.env.CLI_BENCH_ROUNDS ?? 21);

/** A status block with five sections (memory, ARM, PCIe, memory 2, processor generic). */
function fiveSectionRecord(): Uint8Array {
  return encodeStatusBlock(
    parseStatusBlockJson({
      errorSeverity: 'recoverable',
      entries: [
        { section: { type: 'memory', physicalAddress: '0x40001000' } },
        { section: { type: 'arm', errorInfo: [{ type: 'cache' }] } },
        { section: { type: 'pcie' } },
        { section: { type: 'memory2' } },
        { section: { type: 'processorGeneric' } },
      ],
    }),
  );
}

function timeRun(argv: string[]): number {
  const s = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - s) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr)}`);
  return ms;
}

async function idleServeRss(dir: string): Promise<number> {
  const child = spawn(process.execPath, [rasgw, 'serve', '--port', '0', '--qmp-port', '0', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('listening on')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
    await new Promise((r) => setTimeout(r, 3000));
    const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

export async function run(): Promise<BenchResult[]> {
  const { sourceStamp, STAMP_FILE } = require('../bin/source-stamp') as { sourceStamp: (d: string) => string; STAMP_FILE: string };
  const stampFile = path.join(root, 'dist', STAMP_FILE);
  if (!fs.existsSync(stampFile) || fs.readFileSync(stampFile, 'utf8').trim() !== sourceStamp(path.join(root, 'src'))) {
    spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { stdio: 'inherit' });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rasgw-cli-bench-'));
  try {
    const record = path.join(dir, 'five-sections.gesb');
    fs.writeFileSync(record, fiveSectionRecord());
    const cases: Array<{ name: string; argv: string[]; target?: number }> = [
      { name: 'node -e 0', argv: ['-e', '0'] },
      { name: 'rasgw --version', argv: [rasgw, '--version'], target: 1.3 },
      { name: 'rasgw dump --profile qemu-7.2-virt --table HEST --format bin', argv: [rasgw, 'dump', '--profile', 'qemu-7.2-virt', '--table', 'HEST', '--format', 'bin'], target: 1.6 },
      { name: 'rasgw decode (5-section status block)', argv: [rasgw, 'decode', record], target: 2 },
    ];
    for (const c of cases) timeRun(c.argv);
    const times = cases.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) cases.forEach((c, i) => times[i].push(timeRun(c.argv)));
    const base = median(times[0]);
    const out: BenchResult[] = cases.map((c, i) => {
      const ms = median(times[i]);
      const ratio = ms / base;
      const verdict = c.target === undefined ? '' : `, target ≤ ${c.target}×: ${ratio <= c.target ? 'met' : 'NOT met'}`;
      return { name: `CLI ${c.name}`, summary: `median ${ms.toFixed(1)} ms = ${ratio.toFixed(2)}× node -e 0 (${ROUNDS} interleaved runs)${verdict}`, ms, ratio, target: c.target };
    });
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) samples.push(await idleServeRss(path.join(dir, `data-${i}`)));
    const rss = median(samples);
    out.push({ name: 'CLI idle serve RSS', summary: `median ${rss.toFixed(1)} MB of 3 starts (${samples.map((x) => x.toFixed(1)).join(', ')}), target ≤ 90 MB: ${rss <= 90 ? 'met' : 'NOT met'}`, rssMb: rss, samples });
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
