import { decodeLoaderScript, encodeLoaderScript } from '../../src/linker-loader';
import { tableLoaderFields } from '../formats/tableLoader';
import { recordMutator } from '../mutators';
import { qemuTableLoader } from '../seeds';
import { FuzzInvariantError, FuzzTarget } from '../target';
import { sameBytes, typedOrThrow } from './util';

/**
 * The linker/loader script decoder on mutations of QEMU 7.2's real `etc/table-loader`. Strict
 * decoding must reject with a typed error or accept a script that re-encodes to the same bytes;
 * lenient decoding (unknown commands kept, padding ignored) must also only reject with typed errors.
 */
export function tableLoaderDecoderTarget(): FuzzTarget {
  return {
    name: 'loader-decode',
    description: 'decodeLoaderScript (strict and lenient) on mutated QEMU 7.2 scripts; strict accept ⇒ byte-exact re-encode',
    kind: 'decoder',
    seeds: () => [qemuTableLoader()],
    fields: tableLoaderFields,
    extraMutators: [recordMutator(128)],
    run(input) {
      const lenient = typedOrThrow(() => decodeLoaderScript(input, { unknownCommands: 'skip', padding: 'ignore' })).error ? 'lenient-rejected' : 'lenient-accepted';
      const commands = decodeLoaderScript(input);
      const again = encodeLoaderScript(commands);
      if (!sameBytes(again, input)) throw new FuzzInvariantError(`strictly accepted script re-encodes differently (${again.length} vs ${input.length} bytes)`);
      return `strict-accepted/${lenient}`;
    },
  };
}
