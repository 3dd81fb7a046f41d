import { Command, Option } from 'commander';
import { detectContainer, ContainerKind } from '../../cper';
import { recordToStatusBlock, statusBlockToRecord } from '../../cper/convert';
import { MachineOptions, parseSourcesSpec, resolveProfile } from '../../device-model/profiles';
import type { ProfileName } from '../../vm/contract';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBinaryInput, writeOutput } from '../io';
import { DEFAULT_MACHINE_HELP, DEFAULT_PROFILE, DEFAULT_SOURCES_SPEC } from '../../vm/defaultMachine';

interface ConvertOptions {
  to: ContainerKind;
  output?: string;
  profile?: string;
  sources?: string;
  source?: string;
  hex?: boolean;
}

const PROFILES = ['qemu-7.2-virt', 'qemu-10.2-virt', 'extended'];

/**
 * The error block length of the source named by --profile/--sources/--source (undefined when
 * none of them is given: no size limit). Without --source the profile's first source is meant;
 * without --profile the default machine of serve, simulate and dump (extended, sei,sea,gpio).
 */
export function targetBlock(o: { profile?: string; sources?: string; source?: string }): { length: number; name: string } | undefined {
  if (o.profile === undefined && o.sources === undefined && o.source === undefined) return undefined;
  const profile = (o.profile ?? (o.sources !== undefined ? 'extended' : DEFAULT_PROFILE)) as ProfileName;
  if (!PROFILES.includes(profile)) throw new CliError(`unknown profile ${JSON.stringify(o.profile)} (one of ${PROFILES.join(', ')})`);
  const options: MachineOptions = { profile };
  if (o.sources !== undefined) options.sources = parseSourcesSpec(o.sources);
  else if (profile === 'extended') options.sources = parseSourcesSpec(DEFAULT_SOURCES_SPEC);
  const sources = resolveProfile(options).sources;
  let id = sources[0].sourceId;
  if (o.source !== undefined) {
    if (!/^\d+$/.test(o.source)) throw new CliError(`--source ${JSON.stringify(o.source)} is not a source id (a decimal number)`);
    id = Number(o.source);
  }
  const s = sources.find((x) => x.sourceId === id);
  if (s === undefined) throw new CliError(`profile ${profile} has no source ${id} (sources: ${sources.map((x) => x.sourceId).join(', ')})`);
  return { length: s.errorBlockLength, name: `source ${id} of profile ${profile}` };
}

/**
 * `rasgw convert FILE --to gesb|cper`: a UEFI CPER record to the Generic Error Status Block
 * firmware writes for it, or a status block back to a record (src/cper/convert.ts has the rule).
 * With --profile/--sources/--source, a block larger than that source's error block is refused
 * with both sizes. Bodies are copied, not decoded, so malformed sections convert unchanged.
 */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a CPER record to a status block (as firmware delivers it) or a status block to a CPER record')
    .argument('<file>', 'binary input, - for stdin')
    .addOption(new Option('--to <container>', 'output container').choices(['gesb', 'cper']).makeOptionMandatory())
    .option('-o, --output <file>', 'write the bytes to a file instead of stdout')
    .addOption(new Option('--profile <name>', `check the block fits this profile's source (default when --source is given: ${DEFAULT_MACHINE_HELP}, as serve, simulate and dump)`).choices(PROFILES))
    .option('--sources <spec>', 'extended profile sources (as in dump/simulate) whose block size applies')
    .option('--source <id>', 'the source id whose error block must hold the block (default: the first)')
    .option('--hex', 'the input is hex text (pairs of hex digits; spaces, newlines, : and , ignored)')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .action((file: string, o: ConvertOptions) => {
      const bytes = readBinaryInput(file, { hex: o.hex, what: 'a status block or CPER record' });
      const kind = detectContainer(bytes);
      if (o.to === 'gesb') {
        if (kind !== 'cper') throw new CliError(`${file} is not a CPER record (it does not start with the "CPER" signature): --to gesb converts a record; a status block is converted with --to cper`);
        const target = targetBlock(o);
        writeOutput(recordToStatusBlock(bytes, target && { maxBlockLength: target.length, target: target.name }), o.output);
        return;
      }
      if (kind === 'cper') throw new CliError(`${file} is already a CPER record`);
      // the source options size the block a record becomes; a block made into a record has none to check
      if (o.profile !== undefined || o.sources !== undefined || o.source !== undefined) throw new CliError('--profile, --sources and --source check the size of the block --to gesb makes; --to cper has no error block to check');
      writeOutput(statusBlockToRecord(bytes), o.output);
    });
}
