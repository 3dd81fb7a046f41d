import { Command, Option } from 'commander';
import { decodeCperRecord, decodeStatusBlock, detectContainer, ContainerKind } from '../../cper';
import { toJson } from '../../cper/json/to-json';
import { ARM_TYPE_ENCODINGS } from '../../cper/sections/arm-error-info';
import type { ArmTypeEncoding } from '../../cper/sections/SectionCodec';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBinaryInput, writeOutput } from '../io';
import { applyJsonFlag } from '../jsonFlag';
import { RasgwError } from '../../binary/errors';
import type * as LinuxTextModule from './linuxText';
import { LINUX_VERSIONS, LINUX_VERSION_HELP, LinuxVersion } from '../../vm/contract';
import type * as LibcperTextModule from './libcperText';

interface DecodeOptions {
  as?: ContainerKind;
  format: 'json' | 'text' | 'libcper';
  armTypeEncoding: ArmTypeEncoding;
  linuxVersion: LinuxVersion;
  hex?: boolean;
  errorBlockLength?: string;
}

/**
 * `rasgw decode FILE`: decodes a Generic Error Status Block or a CPER record (detected from the
 * "CPER" signature unless --as is given).
 * - `--format json` (default): our JSON form; the decode is strict: bad bytes exit with status 1
 *   and one line naming the error code, byte offset and field path.
 * - `--format text`: for any bytes, the lines Linux prints for them (src/cper/text, the renderer
 *   the simulated guest uses), never a strict decode first; a CPER record is first wrapped as
 *   firmware delivers it (src/cper/convert.ts) with a note on stderr. See linuxText.ts.
 * - `--format libcper`: what libcper's `cper-convert to-json` prints for the record (a status
 *   block is first unwrapped into a record, with a note on stderr); see src/cper/libcper.
 * The text renderer and the libcper modules are loaded only for their formats (the CLI starts
 * fast without them).
 */
export function registerDecode(program: Command): void {
  program
    .command('decode')
    .description('decode a status block or CPER record (file or - for stdin) to JSON, the text Linux prints for it, or libcper\'s JSON')
    .argument('<file>', 'binary input, - for stdin')
    .addOption(new Option('--as <container>', 'container type (default: detected)').choices(['gesb', 'cper']))
    .addOption(new Option('--format <format>', 'output format: our JSON, the Linux kernel text, or libcper\'s JSON').choices(['json', 'text', 'libcper']).default('json'))
    .addOption(
      new Option('--arm-type-encoding <encoding>', 'encoding of the ARM error-info type byte')
        .choices([...ARM_TYPE_ENCODINGS])
        .default('uefi-2.10'),
    )
    .option('--json', 'the same as --format json (the default)')
    .option('--hex', 'the input is hex text (pairs of hex digits; spaces, newlines, : and , ignored)')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .addOption(new Option('--linux-version <version>', `kernel whose text to print (--format text): ${LINUX_VERSION_HELP}`).choices([...LINUX_VERSIONS]).default('mainline'))
    .option('--error-block-length <bytes>', '--format text: the HEST error block the bytes are written into (default: QEMU\'s 1024, or the input size when larger)')
    .action((file: string, o: DecodeOptions & { json?: boolean }, cmd: Command) => {
      applyJsonFlag(o, cmd);
      refuseOptionsTheFormatIgnores(o.format, (name) => cmd.getOptionValueSource(name) === 'cli');
      const bytes = readBinaryInput(file, { hex: o.hex, what: 'a status block or CPER record' });
      const kind = o.as ?? detectContainer(bytes);
      const opts = { armTypeEncoding: o.armTypeEncoding };
      if (o.format === 'text') {
        const { linuxTextOfBytes } = require('./linuxText') as typeof LinuxTextModule;
        const r = linuxTextOfBytes(bytes, kind, { version: o.linuxVersion, errorBlockLength: o.errorBlockLength });
        for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
        writeOutput(r.lines.length === 0 ? '' : r.lines.join('\n') + '\n');
        return;
      }
      if (o.format === 'libcper') {
        const { libcperJsonTextOfBytes } = require('./libcperText') as typeof LibcperTextModule;
        const r = libcperJsonTextOfBytes(bytes, kind);
        for (const note of r.notes) process.stderr.write(`note: ${note}\n`);
        writeOutput(r.text);
        return;
      }
      if (kind === 'cper') {
        writeOutput(JSON.stringify(toJson(decodeCperRecord(bytes, opts)), null, 2) + '\n');
        return;
      }
      writeOutput(JSON.stringify(toJson(decodeAsStatusBlock(bytes, file, opts)), null, 2) + '\n');
    });
}

/**
 * Options that only one output form reads are refused with the others, so that no value given by
 * the user is silently ignored: the Linux text does not use --arm-type-encoding (each kernel
 * version decodes the type byte its own way), and the JSON forms do not depend on a kernel.
 */
function refuseOptionsTheFormatIgnores(format: DecodeOptions['format'], given: (option: string) => boolean): void {
  const onlyText: Array<[string, string]> = [['linuxVersion', '--linux-version'], ['errorBlockLength', '--error-block-length']];
  for (const [name, flag] of onlyText) {
    if (format !== 'text' && given(name)) throw new CliError(`${flag} is read by --format text only (the ${format} form does not depend on a kernel); add --format text or drop ${flag}`);
  }
  if (format !== 'json' && given('armTypeEncoding')) {
    throw new CliError(`--arm-type-encoding is read by --format json only (${format === 'text' ? 'each Linux version decodes the type byte its own way: choose one with --linux-version' : "libcper's form follows libcper's own type order"}); drop it or use --format json`);
  }
}

/** A file that starts with the "CPER" signature given as `--as gesb`: say so when it does not decode. */
function decodeAsStatusBlock(bytes: Uint8Array, file: string, opts: { armTypeEncoding: ArmTypeEncoding }) {
  try {
    return decodeStatusBlock(bytes, opts);
  } catch (e) {
    const cperSignature = bytes.length >= 4 && String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) === 'CPER';
    if (e instanceof RasgwError && cperSignature) {
      throw new CliError(`${e.message}\n  ${file} starts with the "CPER" signature: it is a CPER record, not a status block; drop --as gesb (or use --as cper)`);
    }
    throw e;
  }
}
