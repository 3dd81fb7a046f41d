import type { InjectionPayload, InjectionStatus, InjectionTarget, Personality, VmSpec } from './contract';
import { Vm, VmOptions } from './Vm';

/**
 * Our design next to stock Linux: the same machine booted twice, once with the `apei-sei` guest
 * and once with the `linux` guest, the same injections in the same order, and the two guest logs
 * aligned line by line per step (the boot, then each injection) so the lines only one of them
 * printed stand out. Lines are compared without their printk timestamps (the two guests spend
 * different virtual time); each side keeps its own timestamp in the output.
 *
 * `rasgw simulate --personality both` and `GET /vms/{id}/errors/{eid}?personality=both` use it.
 */
export const BOTH: readonly Personality[] = ['apei-sei', 'linux'];

/** One aligned row: a line both guests printed (both sides set), or a line only one printed. */
export interface SideBySideRow {
  'apei-sei'?: string;
  linux?: string;
}

export interface SideBySideStep {
  /** 'boot', or the 1-based number of the injection */
  step: 'boot' | number;
  rows: SideBySideRow[];
}

export interface PersonalityRun {
  personality: Personality;
  vm: Vm;
  results: InjectionStatus[];
}

export interface SideBySide {
  runs: PersonalityRun[];
  steps: SideBySideStep[];
}

export interface SideBySideStepInput {
  payload: InjectionPayload;
  target: InjectionTarget;
}

const STAMP = /^\[\s*\d+\.\d{6}\] /;
const text = (line: string) => line.replace(STAMP, '');

/** Above this many cells the alignment pairs lines by position instead of by longest common subsequence. */
const MAX_LCS_CELLS = 4_000_000;

/** Aligns two logs by their longest common subsequence of line texts (diff-style, stable). */
export function alignLines(a: readonly string[], b: readonly string[]): SideBySideRow[] {
  const n = a.length;
  const m = b.length;
  const rows: SideBySideRow[] = [];
  if ((n + 1) * (m + 1) > MAX_LCS_CELLS) {
    for (let i = 0; i < Math.max(n, m); i++) {
      const r: SideBySideRow = {};
      if (i < n) r['apei-sei'] = a[i];
      if (i < m) r.linux = b[i];
      rows.push(r);
    }
    return rows;
  }
  const ta = a.map(text);
  const tb = b.map(text);
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]
  const w = m + 1;
  const lcs = new Int32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = ta[i] === tb[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ta[i] === tb[j]) {
      rows.push({ 'apei-sei': a[i++], linux: b[j++] });
    } else if (j >= m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
      rows.push({ 'apei-sei': a[i++] });
    } else {
      rows.push({ linux: b[j++] });
    }
  }
  return rows;
}

/**
 * Boots `spec` once per personality, runs the steps on both (advancing the virtual clock by
 * `advanceNs` after each, as simulate's --advance does) and aligns the logs per step.
 */
export function runSideBySide(spec: Omit<VmSpec, 'personality'>, steps: readonly SideBySideStepInput[], opts: { vm?: VmOptions; advanceNs?: bigint; id?: string } = {}): SideBySide {
  const logs: string[][][] = [];
  const runs = BOTH.map((personality) => {
    const vm = new Vm({ ...spec, personality } as VmSpec, `${opts.id ?? 'compare'}-${personality}`, opts.vm ?? {});
    const segments: string[][] = [vm.log().map((l) => l.line)];
    let seen = vm.log().length ? vm.log()[vm.log().length - 1].seq : 0;
    const results: InjectionStatus[] = [];
    for (const s of steps) {
      results.push(vm.inject(s.payload, s.target));
      if (opts.advanceNs !== undefined && opts.advanceNs > 0n) vm.advance(opts.advanceNs);
      const lines = vm.log(seen);
      if (lines.length) seen = lines[lines.length - 1].seq;
      segments.push(lines.map((l) => l.line));
    }
    logs.push(segments);
    return { personality, vm, results: results.map((r) => vm.injection(r.id) ?? r) };
  });
  const stepsOut: SideBySideStep[] = logs[0].map((seg, k) => ({ step: k === 0 ? 'boot' : k, rows: alignLines(seg, logs[1][k]) }));
  return { runs, steps: stepsOut };
}

/** The rows as text, one line each: `both     |`, `apei-sei |` or `linux    |` before the line. */
export function formatSideBySide(steps: readonly SideBySideStep[], header: (step: number) => string = (k) => `injection ${k}`): string {
  const out: string[] = ['# apei-sei = our design (SError syndrome → the guest reads its SEI sources); linux = stock Linux; both = printed by both'];
  for (const s of steps) {
    out.push(`== ${s.step === 'boot' ? 'boot' : header(s.step)}`);
    if (s.rows.length === 0) out.push('   (no guest lines)');
    for (const r of s.rows) {
      if (r['apei-sei'] !== undefined && r.linux !== undefined) out.push(`both     | ${r['apei-sei']}`);
      else if (r['apei-sei'] !== undefined) out.push(`apei-sei | ${r['apei-sei']}`);
      else out.push(`linux    | ${r.linux}`);
    }
  }
  return out.join('\n') + '\n';
}
