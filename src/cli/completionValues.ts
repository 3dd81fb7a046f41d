import type { Command, Option } from 'commander';

/**
 * Values the shell completion offers for an option whose value a command parses itself (commander's
 * `.choices()` would replace the command's own messages and aliases): `rasgw inject --severity <TAB>`
 * completes the severities instead of file names.
 */
type WithValues = Option & { completionValues?: readonly string[] };

export function offerValues(cmd: Command, flag: string, values: readonly string[]): void {
  const option = cmd.options.find((o) => o.long === flag);
  if (option === undefined) throw new Error(`${cmd.name()} has no option ${flag}`);
  (option as WithValues).completionValues = values;
}

export function offeredValues(option: Option): readonly string[] | undefined {
  return (option as WithValues).completionValues;
}
