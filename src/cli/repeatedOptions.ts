import type { Command } from 'commander';
import { CliError } from './io';

/**
 * A single-value option given twice with different values (`--source 0 … --source 1`,
 * `--severity fatal … --severity corrected`, `--running … --no-running`) is refused: commander
 * keeps the last one without a word, and which one was meant cannot be known. The same value twice
 * is harmless and accepted. Options built to repeat (variadic `<values...>`, `--vm` with its own
 * accumulator) are left alone. Installed on every command of the program (main.ts).
 */
export function refuseRepeatedOptions(cmd: Command): void {
  const seen = new Map<string, { flag: string; value: unknown }>();
  for (const option of cmd.options) {
    // variadic, or a parser of the command's own that accumulates (choices have argChoices)
    if (option.variadic || (option.parseArg !== undefined && option.argChoices === undefined)) continue;
    const flag = option.long ?? option.short ?? option.flags;
    cmd.on(`option:${option.name()}`, (value: unknown) => {
      const key = option.attributeName();
      const v = option.negate ? false : value === undefined ? true : value;
      const before = seen.get(key);
      if (before !== undefined && before.value !== v) {
        throw new CliError(
          before.flag === flag
            ? `${flag} is given twice (${JSON.stringify(before.value)}, then ${JSON.stringify(v)}): give it once`
            : `${before.flag} and ${flag} are both given: give one of them`,
        );
      }
      seen.set(key, { flag, value: v });
    });
  }
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
}
