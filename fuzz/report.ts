import { TargetReport, accepted, rejected } from './target';

/** The table `npm run fuzz` prints: one row per target, then each failure with its bytes. */
export function formatReportTable(reports: readonly TargetReport[]): string {
  const head = ['target', 'tried', 'accepted', 'rejected', 'failures', 'max ms', 'mean µs', 'mem growth', 'restarts', 'top rejection codes'];
  const rows = reports.map((r) => [
    r.target,
    String(r.tried),
    String(accepted(r)),
    String(rejected(r)),
    String(r.failureCount),
    r.maxInputMs.toFixed(2),
    r.tried ? ((r.totalRunMs * 1000) / r.tried).toFixed(1) : '-',
    `${(r.memory.maxGrowthBytes / 1048576).toFixed(1)} MiB${r.memory.afterGc ? '' : ' (no gc)'}`,
    String(r.restarts),
    Object.entries(r.rejections)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Outcome labels per target (what accepted inputs did), one line each. */
export function formatOutcomes(reports: readonly TargetReport[]): string {
  return reports
    .map((r) => {
      const o = Object.entries(r.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      return `${r.target}: ${o || '(none)'}`;
    })
    .join('\n');
}

/** Each stored failure: kind, index, message and the input as hex (cut at `maxHex` characters). */
export function formatFailures(reports: readonly TargetReport[], maxHex = 2048): string {
  const out: string[] = [];
  for (const r of reports) {
    for (const f of r.failures) {
      out.push(`FAIL ${r.target} ${f.kind} seed=${r.seed} index=${f.index}: ${f.message}`);
      if (f.inputHex) {
        const cut = f.inputHex.length > maxHex ? `${f.inputHex.slice(0, maxHex)}… (${f.inputLength} bytes; full bytes with --json)` : f.inputHex;
        out.push(`  input (${f.inputLength} bytes): ${cut}`);
      }
      if (f.index >= 0) out.push(`  reproduce: npm run fuzz -- --target ${r.target} --seed ${r.seed} --index ${f.index}`);
      if (f.stack) out.push(...f.stack.split('\n').slice(1, 6).map((l) => `  ${l.trim()}`));
    }
    if (r.failureCount > r.failures.length) out.push(`  (${r.failureCount - r.failures.length} more failures of the same kinds in ${r.target})`);
  }
  return out.join('\n');
}
