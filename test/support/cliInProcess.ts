import { runCli } from '../cli/commands/run-cli';

/** Runs the CLI in process; returns exit status, stdout (as text) and stderr. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runCli(args);
  return { code: r.code, out: r.stdout.toString('utf8'), err: r.stderr };
}
