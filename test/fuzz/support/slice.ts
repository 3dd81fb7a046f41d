import { fuzzTarget } from '../../../fuzz/engine';
import { formatFailures } from '../../../fuzz/report';
import { FuzzTarget, TargetReport, accepted, rejected } from '../../../fuzz/target';

/**
 * A short fixed-seed slice of a fuzz target for `npm test`: every input must be accepted or
 * rejected with a typed error, without memory growth. Time budgets are not checked here (no timed
 * unit tests: a loaded machine would fail them); `npm run fuzz` checks them. On failure the
 * message lists each failing input as hex with the command that reproduces it.
 */
export async function runSlice(target: FuzzTarget, seed: number, count: number): Promise<TargetReport> {
  const report = await fuzzTarget(target, { seed, count, maxInputMs: Number.POSITIVE_INFINITY, batchSize: Math.max(100, Math.floor(count / 4)) });
  expect(report.tried).toBe(count);
  expect(accepted(report) + rejected(report) + report.failureCount).toBe(count);
  if (report.failureCount > 0) throw new Error(`fuzz slice ${target.name} seed ${seed}: ${report.failureCount} failure(s)\n${formatFailures([report])}`);
  return report;
}
