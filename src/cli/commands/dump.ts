import fs from 'fs';
import { Command, Option } from 'commander';
import { toHex, toJsonText } from '../../binary';
import { AcpiTable, walkFromRsdp } from '../../acpi/TableSet';
import type * as Acpidump from '../../acpi/acpidump';
import type * as TableText from '../../acpi/text/formatTableText';
import type * as TableJson from '../../acpi/text/tableToJson';
import { bootMachine, createMachineMemory, formatSourceStates, reportSourceStates } from '../../device-model/boot';
import { MachineOptions, QEMU_VIRT_ALLOCATION_CEILING, SOURCES_SPEC_HELP, WriteBackMode, parseSourcesSpec } from '../../device-model/profiles';
import { runFirmware } from '../../firmware';
import { FwCfg, FwCfgFileName, loadFwCfgFolder } from '../../fw-cfg';
import { LoaderCommand, decodeLoaderScript, formatLoaderScript } from '../../linker-loader';
import type { ProfileName } from '../../vm/contract';
import { DEFAULT_MACHINE_HELP, DEFAULT_PROFILE, DEFAULT_SOURCES_SPEC } from '../../vm/defaultMachine';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, checkFolderInputs, readInput, writeOutput } from '../io';
import { applyJsonFlag } from '../jsonFlag';

/**
 * `rasgw dump`: boots a machine profile (or QEMU fw_cfg blobs saved in a folder, through the mock
 * firmware), or reads an acpidump text file, and prints
 * - the ACPI tables the guest reaches from the RSDP (default; `--table SIG` for one of them) as
 *   iasl-style text, JSON, acpidump text, or raw bytes (`bin`, one table);
 * - `--loader`: the linker/loader script, one line per command (json: the commands; bin: bytes);
 * - `--hardware-errors`: each GHES source's error status address register, read-ack register and
 *   block status, found through the guest's HEST (json, text; bin: the etc/hardware_errors bytes).
 */
export interface DumpOptions {
  profile?: string;
  sources?: string;
  writeBack?: string;
  fwcfg?: string;
  acpidump?: string;
  table?: string;
  format: 'acpidump' | 'text' | 'json' | 'bin';
  loader?: boolean;
  hardwareErrors?: boolean;
}

const PROFILES: ProfileName[] = ['qemu-7.2-virt', 'qemu-10.2-virt', 'extended'];

// The printers of one output format are loaded only when that format is asked for (a `--format
// bin` dump does not load the text and JSON table printers).
const acpidump = () => require('../../acpi/acpidump') as typeof Acpidump;
const formatTableText = (bytes: Uint8Array) => (require('../../acpi/text/formatTableText') as typeof TableText).formatTableText(bytes);
const tableToJson = (bytes: Uint8Array) => (require('../../acpi/text/tableToJson') as typeof TableJson).tableToJson(bytes);

interface LoadedMachine {
  origin: string;
  tables: AcpiTable[];
  /** absent for acpidump input */
  booted?: {
    memory: { read(a: bigint, n: number): Uint8Array };
    loader: readonly LoaderCommand[];
    loaderBytes: Uint8Array;
    blobs: Map<string, Uint8Array>;
    hardwareErrors?: { address: bigint; size: number };
  };
}

function loadMachine(o: DumpOptions): LoadedMachine {
  const sourcesOfInput = [o.fwcfg !== undefined, o.acpidump !== undefined, o.profile !== undefined || o.sources !== undefined].filter(Boolean).length;
  if (sourcesOfInput > 1) throw new CliError('use only one of --profile/--sources, --fwcfg and --acpidump');
  if (o.acpidump !== undefined) {
    const text = readInput(o.acpidump).toString('latin1');
    const tables = acpidump().parseAcpidump(text).map((t) => ({ signature: t.signature, address: t.address, bytes: t.bytes }));
    if (tables.length === 0) throw new CliError(`no tables in acpidump input ${o.acpidump}`);
    return { origin: `acpidump ${o.acpidump}`, tables };
  }
  if (o.fwcfg !== undefined) {
    if (!fs.existsSync(o.fwcfg) || !fs.statSync(o.fwcfg).isDirectory()) throw new CliError(`--fwcfg ${o.fwcfg} is not a folder`);
    checkFolderInputs(o.fwcfg);
    const specs = loadFwCfgFolder(o.fwcfg);
    const memory = createMachineMemory();
    const handoff = runFirmware(new FwCfg(specs), memory, { allocationCeiling: QEMU_VIRT_ALLOCATION_CEILING });
    const loaderBytes = specs.find((s) => s.name === FwCfgFileName.TABLE_LOADER)!.data;
    const hw = handoff.allocations.find((a) => a.file === FwCfgFileName.HARDWARE_ERRORS);
    return {
      origin: `fw_cfg folder ${o.fwcfg}`,
      tables: walkFromRsdp(memory, handoff.rsdpAddress).tables,
      booted: {
        memory,
        loader: decodeLoaderScript(loaderBytes, { padding: 'ignore' }),
        loaderBytes,
        blobs: new Map(specs.map((s) => [s.name, s.data])),
        hardwareErrors: hw && { address: hw.address, size: hw.size },
      },
    };
  }
  const profile = (o.profile ?? (o.sources !== undefined ? 'extended' : DEFAULT_PROFILE)) as ProfileName;
  if (!PROFILES.includes(profile)) throw new CliError(`unknown profile ${JSON.stringify(o.profile)} (one of ${PROFILES.join(', ')})`);
  const options: MachineOptions = { profile };
  if (o.sources !== undefined) options.sources = parseSourcesSpec(o.sources);
  else if (profile === 'extended') options.sources = parseSourcesSpec(DEFAULT_SOURCES_SPEC);
  if (o.writeBack !== undefined) options.writeBack = o.writeBack as WriteBackMode;
  const memory = createMachineMemory();
  const m = bootMachine(options, memory);
  return {
    origin: `profile ${profile}`,
    tables: walkFromRsdp(memory, m.handoff.rsdpAddress).tables,
    booted: {
      memory,
      loader: m.files.loader,
      loaderBytes: m.files.loaderBytes,
      blobs: new Map([
        [m.layout.tablesFile, m.files.tables],
        [m.layout.rsdpFile, m.files.rsdp],
        [m.layout.hardwareErrorsFile, m.files.hardwareErrors],
      ]),
      hardwareErrors: { address: m.addresses.hardwareErrors, size: m.layout.hardwareErrorsSize },
    },
  };
}

function loaderJson(commands: readonly LoaderCommand[]): unknown[] {
  return commands.map((c, index) => (c.type === 'UNKNOWN' ? { index, type: c.type, commandType: c.commandType, body: toHex(c.body) } : { index, ...c }));
}

/** Runs the dump and returns what it prints (text or bytes). */
export function runDump(o: DumpOptions): string | Uint8Array {
  if (o.loader && o.hardwareErrors) throw new CliError('--loader and --hardware-errors are separate views; pick one');
  // the loader and hardware-errors views are not per table: --table would be dropped without a word
  if (o.table !== undefined && (o.loader || o.hardwareErrors)) throw new CliError(`--table picks an ACPI table; ${o.loader ? '--loader' : '--hardware-errors'} is not a table view: drop one of them`);
  const m = loadMachine(o);
  if (o.loader) {
    if (!m.booted) throw new CliError('an acpidump has no loader script; use --profile or --fwcfg');
    if (o.format === 'bin') return m.booted.loaderBytes;
    if (o.format === 'json') return toJsonText(loaderJson(m.booted.loader), 2) + '\n';
    if (o.format === 'acpidump') throw new CliError('--format acpidump prints tables; the loader script is text, json or bin');
    return formatLoaderScript(m.booted.loader, { blobs: m.booted.blobs });
  }
  if (o.hardwareErrors) {
    if (!m.booted) throw new CliError('an acpidump has no guest memory; use --profile or --fwcfg for --hardware-errors');
    const hest = m.tables.find((t) => t.signature === 'HEST');
    if (!hest) throw new CliError(`the ${m.origin} has no HEST`);
    const hw = m.booted.hardwareErrors;
    if (o.format === 'bin') {
      if (!hw) throw new CliError('no etc/hardware_errors was allocated');
      return m.booted.memory.read(hw.address, hw.size);
    }
    const states = reportSourceStates(m.booted.memory, hest.bytes);
    if (o.format === 'json') return toJsonText({ hardwareErrors: hw ?? null, hest: hest.address, sources: states }, 2) + '\n';
    if (o.format === 'acpidump') throw new CliError('--format acpidump prints tables; --hardware-errors is text, json or bin');
    const head = hw ? `etc/hardware_errors @ 0x${hw.address.toString(16)} (${hw.size} bytes), HEST @ 0x${hest.address!.toString(16)}\n` : '';
    return head + formatSourceStates(states);
  }
  let tables = m.tables;
  if (o.table !== undefined) {
    const sig = o.table.toUpperCase() === 'RSD PTR' ? 'RSDP' : o.table.toUpperCase();
    tables = m.tables.filter((t) => t.signature === sig);
    if (tables.length === 0) throw new CliError(`no ${sig} table in the ${m.origin} (have ${m.tables.map((t) => t.signature).join(', ')})`);
    tables = tables.slice(0, 1);
  }
  switch (o.format) {
    case 'bin':
      if (tables.length !== 1) throw new CliError('--format bin writes the raw bytes of one table: add --table SIG');
      return tables[0].bytes;
    case 'acpidump':
      return acpidump().formatAcpidump(tables.map((t) => ({ signature: t.signature, address: t.address ?? 0n, bytes: t.bytes })));
    case 'json':
      return toJsonText(tables.map((t) => ({ signature: t.signature, address: t.address, table: tableToJson(t.bytes) })), 2) + '\n';
    case 'text':
      return tables.map((t) => formatTableText(t.bytes)).join('\n');
  }
}

export function registerDump(program: Command): void {
  program
    .command('dump')
    .description('boot a machine profile (or QEMU fw_cfg blobs, or read an acpidump) and print its ACPI tables, loader script or hardware-errors state')
    .addOption(new Option('--profile <name>', `machine profile (default: ${DEFAULT_MACHINE_HELP}, as rasgw serve and simulate)`).choices(PROFILES))
    .option('--sources <spec>', `extended profile sources (default ${DEFAULT_SOURCES_SPEC}): ${SOURCES_SPEC_HELP}`)
    .addOption(new Option('--write-back <mode>', 'extended profile: how the firmware reports addresses').choices(['hest-addr', 'hardware-errors-addr']))
    .option('--fwcfg <dir>', 'boot QEMU fw_cfg blobs saved in a folder (etc_acpi_tables, etc_table-loader, …) with the mock firmware')
    .option('--acpidump <file>', 'read tables from acpidump text (- for stdin)')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .option('--table <sig>', 'only this table (HEST, XSDT, RSDP, …)')
    .addOption(new Option('--format <format>', 'output format (bin: raw bytes of one table)').choices(['acpidump', 'text', 'json', 'bin']).default('text'))
    .option('--json', 'the same as --format json')
    .option('-o, --output <file>', 'write the output to a file instead of stdout (bytes are never written to a terminal)')
    .option('--loader', 'print the decoded linker/loader script')
    .option('--hardware-errors', 'print address registers, read-ack registers and block status per source')
    .action((o: DumpOptions & { json?: boolean; output?: string }, cmd: Command) => {
      applyJsonFlag(o, cmd);
      writeOutput(runDump(o), o.output);
    });
}
