import type { Command } from 'commander';

/**
 * Every CLI command registers itself here: one entry per command file, with the command's name and
 * a loader that requires the file only when it is needed. `rasgw decode …` loads decode.ts and what
 * it imports, nothing else (no express, winston, better-sqlite3 for a decode); `--help`, `help`
 * and an unknown command load them all, so the full list and commander's suggestions stay right.
 */
export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  name: string;
  load: () => RegisterCommand;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const commandEntries: CommandEntry[] = [
  { name: 'decode', load: () => require('./decode').registerDecode },
  { name: 'encode', load: () => require('./encode').registerEncode },
  { name: 'schema', load: () => require('./schema').registerSchema },
  { name: 'dump', load: () => require('./dump').registerDump },
  { name: 'simulate', load: () => require('./simulate').registerSimulate },
  { name: 'serve', load: () => require('./serve').registerServe },
  { name: 'inject', load: () => require('./inject').registerInject },
  { name: 'events', load: () => require('./events').registerEvents },
  { name: 'convert', load: () => require('./convert').registerConvert },
  { name: 'vm', load: () => require('./vm').registerVm },
  { name: 'log', load: () => require('./log').registerLog },
  { name: 'records', load: () => require('./records').registerRecords },
  { name: 'completion', load: () => require('./completion').registerCompletion },
  { name: 'erst', load: () => require('./erst').registerErst },
];

/** Every command's register function (loads every command file). */
export const commands: RegisterCommand[] = commandEntries.map((e) => (program: Command) => e.load()(program));

/**
 * The command a command line runs: the first argument that is not an option (the program has no
 * options of its own that take a value). Undefined for `rasgw`, `rasgw --help`, `rasgw -V`.
 */
export function commandNameOf(args: readonly string[]): string | undefined {
  for (const a of args) {
    if (a === '--') return undefined;
    if (!a.startsWith('-')) return a;
  }
  return undefined;
}
