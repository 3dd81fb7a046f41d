import { renderStatusBlockLinux } from '../../src/cper/text';
import type { LinuxLogLevel } from '../../src/cper/text';
import { statusBlockFields } from '../formats/statusBlock';
import { statusBlockFixtures } from '../seeds';
import { FuzzInvariantError, FuzzTarget } from '../target';
import { LINUX_VERSIONS } from '../../src/vm/contract';

/**
 * The Linux text renderer on arbitrary bytes: it must terminate and never throw (Linux prints
 * something, or a firmware warning, for any block). Each input is rendered for every version (6.1, 6.12, mainline),
 * once as the GHES gate sees it and once past a zero block status. The output stays bounded by
 * the input: a renderer that trusted a count would print far more lines than the bytes can hold.
 */
const LEVELS: ReadonlySet<LinuxLogLevel> = new Set(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug']);

export function linuxTextTarget(): FuzzTarget {
  return {
    name: 'linux-text',
    description: 'renderStatusBlockLinux (6.1, 6.12, mainline) on mutated status blocks: never throws, output bounded by the input',
    kind: 'decoder',
    rejectsTyped: false,
    seeds: () => statusBlockFixtures().map((f) => f.bytes),
    fields: (seed) => statusBlockFields(seed),
    run(input) {
      let lines = 0;
      for (const version of LINUX_VERSIONS) {
        for (const ignoreBlockStatus of [false, true]) {
          const out = renderStatusBlockLinux(input, { version, sourceId: 0, seq: 1, ignoreBlockStatus, fatal: ignoreBlockStatus });
          let chars = 0;
          for (const l of out) {
            if (!LEVELS.has(l.level) || typeof l.text !== 'string') throw new FuzzInvariantError(`bad line ${JSON.stringify(l)}`);
            chars += l.text.length;
          }
          if (out.length > 64 + input.length || chars > 256 * (64 + input.length)) {
            throw new FuzzInvariantError(`${out.length} lines / ${chars} characters from ${input.length} bytes (${version})`);
          }
          lines = Math.max(lines, out.length);
        }
      }
      return lines === 0 ? 'silent' : lines === 1 ? 'one-line' : 'printed';
    },
  };
}
