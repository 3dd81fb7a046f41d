import { Command, Option } from 'commander';
import { decodeCperRecord, decodeStatusBlock, detectContainer, ContainerKind } from '../../cper';
import { toJson } from '../../cper/json/to-json';
import { ARM_TYPE_ENCODINGS } from '../../cper/sections/arm-error-info';
import type { ArmTypeEncoding } from '../../cper/sections/SectionCodec';
import type * as LinuxText from '../../cper/text';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBinaryInput, writeOutput } from '../io';
import { LINUX_VERSIONS, LINUX_VERSION_HELP, LinuxVersion } from '../../vm/contract';

interface DecodeOptions {
  as?: ContainerKind;
  format: 'json' | 'text';
  armTypeEncoding: ArmTypeEncoding;
  linuxVersion: LinuxVersion;
  hex?: boolean;
}

/**
 * `rasgw decode FILE`: decodes a Generic Error Status Block or a CPER record (detected from the
 * "CPER" signature unless --as is given) and prints its JSON form, or, with --format text, the
 * lines a Linux guest prints for the status block. The decode is strict in both formats: bad
 * bytes exit with status 1 and one line naming the error code, byte offset and field path.
 */
export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode a status block or CPER record (file or - for stdin) to JSON or Linux-style text')
    .argument('<file>', 'binary input, - for stdin')
    .addOption(new Option('--as <container>', 'container type (default: detected)').choices(['gesb', 'cper']))
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'text']).default('json'))
    .addOption(
      new Option('--arm-type-encoding <encoding>', 'encoding of the ARM error-info type byte')
        .choices([...ARM_TYPE_ENCODINGS])
        .default('uefi-2.10'),
    )
    .option('--json', 'the same as --format json (the default)')
    .option('--hex', 'the input is hex text (pairs of hex digits; spaces, newlines, : and , ignored)')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .addOption(new Option('--linux-version <version>', `kernel whose text to print (--format text): ${LINUX_VERSION_HELP}`).choices([...LINUX_VERSIONS]).default('mainline'))
    .action((file: string, o: DecodeOptions & { json?: boolean }) => {
      if (o.json) o.format = 'json';
      const bytes = readBinaryInput(file, { hex: o.hex, what: 'a status block or CPER record' });
      const kind = o.as ?? detectContainer(bytes);
      const opts = { armTypeEncoding: o.armTypeEncoding };
      if (kind === 'cper') {
        const record = decodeCperRecord(bytes, opts);
        if (o.format === 'text') throw new CliError('--format text prints what Linux logs for a status block; a CPER record has no such text (use --format json)');
        writeOutput(JSON.stringify(toJson(record), null, 2) + '\n');
        return;
      }
      const block = decodeStatusBlock(bytes, opts);
      if (o.format === 'text') {
        // the Linux text renderer is loaded only for --format text
        const { renderStatusBlockLinuxText } = require('../../cper/text') as typeof LinuxText;
        const text = renderStatusBlockLinuxText(bytes, { version: o.linuxVersion });
        writeOutput(text === '' ? '' : text + '\n');
        return;
      }
      writeOutput(JSON.stringify(toJson(block), null, 2) + '\n');
    });
}
