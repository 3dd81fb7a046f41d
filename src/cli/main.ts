import { Command, CommanderError } from 'commander';
import { describeError } from './io';
import { commands } from './commands';

/** Builds the `rasgw` program with every command registered (see ./commands/index.ts). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('rasgw')
    .description('ARM RAS error-injection gateway: ACPI/HEST boot model, CPER codec, simulated guest kernel')
    .version(require('../../package.json').version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(describeError(e) + '\n');
    return 1;
  }
}
