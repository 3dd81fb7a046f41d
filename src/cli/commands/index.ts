import type { Command } from 'commander';

/** Every CLI command registers itself here: one import and one entry per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
