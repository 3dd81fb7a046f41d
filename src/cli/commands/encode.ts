import { Command, Option } from 'commander';
import { ContainerKind, encodeCperRecord, encodeStatusBlock, parseCperRecordJson, parseStatusBlockJson } from '../../cper';
import { MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBounded, readJsonInput, refuseDuplicateKeys, writeOutput } from '../io';

interface EncodeOptions {
  as?: ContainerKind;
  from: 'rasgw' | 'libcper';
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
 * bytes go to stdout unless -o names a file. With --from libcper the input is libcper's JSON
 * (what `cper-convert to-json` prints; u64 values read exactly) and the output a CPER record, or
 * with --as gesb the status block firmware would write for it. The libcper modules are loaded
 * only for --from libcper.
 */
export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description('encode the JSON form of a status block or CPER record (ours or libcper\'s) to bytes')
    .argument('<file>', 'JSON input, - for stdin')
    .addOption(new Option('--as <container>', 'container type (default: cper when the JSON has "sections", else gesb; cper for --from libcper)').choices(['gesb', 'cper']))
    .addOption(new Option('--from <form>', 'the JSON form: ours (rasgw) or libcper\'s').choices(['rasgw', 'libcper']).default('rasgw'))
    .option('-o, --output <file>', 'write the bytes to a file instead of stdout')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .action((file: string, o: EncodeOptions) => {
      if (o.from === 'libcper') {
        const { libcperToCperRecord, parseLibcperJson } = require('../../cper/libcper') as typeof import('../../cper/libcper');
        const { recordToStatusBlock } = require('../../cper/convert') as typeof import('../../cper/convert');
        const text = readBounded(file).toString('utf8');
        const record = libcperToCperRecord(parseLibcperJson(text));
        refuseDuplicateKeys(text, file === '-' ? 'standard input' : file);
        writeOutput(o.as === 'gesb' ? recordToStatusBlock(record) : record, o.output);
        return;
      }
      const json = readJsonInput(file);
      const kind = containerOf(json, o.as);
      const bytes = kind === 'cper' ? encodeCperRecord(parseCperRecordJson(json)) : encodeStatusBlock(parseStatusBlockJson(json));
      writeOutput(bytes, o.output);
    });
}
