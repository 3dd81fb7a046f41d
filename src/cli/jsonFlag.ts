import type { Command } from 'commander';
import { CliError } from './io';

/**
 * `--json` is short for `--format json`. Given with another `--format` on the same command line
 * (`--format text --json`) the two ask for different outputs: refused, instead of one of them
 * winning silently.
 */
export function applyJsonFlag(o: { json?: boolean; format?: string }, cmd: Command): void {
  if (!o.json) return;
  if (cmd.getOptionValueSource('format') === 'cli' && o.format !== 'json') throw new CliError(`--json and --format ${o.format} ask for different outputs: give one of them`);
  o.format = 'json';
}
