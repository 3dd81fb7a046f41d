import { Command, Option } from 'commander';
import { ContainerKind, encodeCperRecord, encodeStatusBlock, parseCperRecordJson, parseStatusBlockJson } from '../../cper';
import { MAX_INPUT_FLAGS, MAX_INPUT_HELP, readJsonInput, writeOutput } from '../io';

interface EncodeOptions {
  as?: ContainerKind;
  output?: string;
}

/** Which container a JSON document describes: --as, else a CPER record when it has `sections`. */
function containerOf(json: unknown, as?: ContainerKind): ContainerKind {
  if (as !== undefined) return as;
  return typeof json === 'object' && json !== null && 'sections' in json ? 'cper' : 'gesb';
}

/**
 * `rasgw encode FILE.json`: builds the bytes of a status block (default) or CPER record from its
 * JSON form. Derived fields (lengths, counts, offsets, validation bits) may be left out. The
 * bytes go to stdout unless -o names a file.
 */
export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description('encode the JSON form of a status block or CPER record to bytes')
    .argument('<file>', 'JSON input, - for stdin')
    .addOption(new Option('--as <container>', 'container type (default: cper when the JSON has "sections", else gesb)').choices(['gesb', 'cper']))
    .option('-o, --output <file>', 'write the bytes to a file instead of stdout')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .action((file: string, o: EncodeOptions) => {
      const json = readJsonInput(file);
      const kind = containerOf(json, o.as);
      const bytes = kind === 'cper' ? encodeCperRecord(parseCperRecordJson(json)) : encodeStatusBlock(parseStatusBlockJson(json));
      writeOutput(bytes, o.output);
    });
}
