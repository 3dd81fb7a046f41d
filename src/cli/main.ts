import { Command, CommanderError } from 'commander';
import { CliError, DEFAULT_INPUT_LIMIT, describeError, parseSize, setInputLimit } from './io';
import { commandEntries, commandNameOf } from './commands';
import { refuseRepeatedOptions } from './repeatedOptions';

/**
 * Builds the `rasgw` program. With `args` (the command line after `node rasgw`), only the command
 * that runs is loaded (see ./commands/index.ts); without, or when no known command is named
 * (`--help`, `help`, a typo commander suggests a fix for), every command is.
 */
export function buildProgram(args?: readonly string[]): Command {
  const program = new Command();
  program
    .name('rasgw')
    .description('ARM RAS error-injection gateway: ACPI/HEST boot model, CPER codec, simulated guest kernel')
    .version(require('../../package.json').version)
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit status: 0 success; 1 error (bad options or input, a file that cannot be read, the gateway\n' +
        'unreachable or refusing the request). rasgw inject adds 3 refused, 4 the guest panicked, 5 not\n' +
        'handled in time, 6 lost (in flight when the VM rebooted, its guest panicked or it was deleted)\n' +
        '(rasgw inject --help); rasgw simulate returns 1 when an injection is refused.\n' +
        'Environment: RASGW_URL (gateway URL), RASGW_TOKEN (bearer token), RASGW_DATA_DIR (data directory, ./data).\n',
    )
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const name = args === undefined ? undefined : commandNameOf(args);
  const only = commandEntries.find((e) => e.name === name);
  for (const e of only ? [only] : commandEntries) e.load()(program);
  // The program's own options (-V/--version, -h) count only before the command name: after it,
  // every option belongs to the command (`rasgw inject arm -V flags` is inject's --pei-valid, as
  // in ghes_inject.py, not a request for the version).
  program.enablePositionalOptions();
  refuseRepeatedOptions(program);
  // commands that read files take --max-input (see io.ts); it applies to the whole run
  program.hook('preAction', (_program, action) => {
    const max = action.opts().maxInput as string | undefined;
    // every run starts from the default (a run in the same process, as in tests, keeps no limit)
    setInputLimit(max !== undefined ? parseSize(max) : DEFAULT_INPUT_LIMIT);
  });
  return program;
}

/**
 * `rasgw help A B …` as `rasgw A B … --help`: commander's help command looks up one level only
 * (`help vm create` printed `vm`'s help); with two or more command names the help of the last
 * one is meant. `help` with one name (or none) stays commander's.
 */
export function helpArgs(args: readonly string[]): string[] {
  if (args[0] !== 'help') return [...args];
  const names = args.slice(1);
  if (names.length < 2 || names.some((a) => a.startsWith('-'))) return [...args];
  return [...names, '--help'];
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  argv = [...argv.slice(0, 2), ...helpArgs(argv.slice(2))];
  const program = buildProgram(argv.slice(2));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(describeError(e) + '\n');
    return e instanceof CliError ? e.exitCode : 1;
  }
}
