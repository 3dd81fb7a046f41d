import { Command, Option } from 'commander';
import { toJsonText } from '../../binary';
import { RasgwError } from '../../binary/errors';
import { SOURCES_SPEC_HELP, parseSourcesSpec } from '../../device-model/profiles';
import { Vm, VmOptions, defaultVmSpec } from '../../vm';
import type { BusyPolicy, InjectionPayload, InjectionStatus, InjectionTarget, LinuxVersion, NotificationKind, Personality, ProfileName, VmSpec } from '../../vm/contract';
import { LINUX_VERSIONS, LINUX_VERSION_HELP } from '../../vm/contract';
import { DEFAULT_MACHINE_HELP, DEFAULT_PERSONALITY, DEFAULT_PROFILE, DEFAULT_SOURCES_SPEC } from '../../vm/defaultMachine';
import { parseEsrIssOption } from '../esrIssOption';
import { formatSideBySide, runSideBySide, SideBySide } from '../../vm/sideBySide';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, parseJsonText, readBinaryInput, readBounded } from '../io';
import { applyJsonFlag } from '../jsonFlag';
import { SYNDROME_HELP } from '../syndromeHelp';

/**
 * `rasgw simulate`: boots a machine profile with the simulated guest kernel, injects each record
 * in the order given (--inject JSON files and --raw status-block files may be mixed), and prints
 * the guest log (printk format, virtual clock). `--at-boot FILE` places a raw block in the error
 * block before the guest probes its sources (as the Linux captures were made), byte for byte as
 * far as the block reaches: a longer record is cut at the block's end and the guest's own length
 * check judges what its header claims. Exit status 1 when
 * an injection was refused (the reason goes to stderr), 0 otherwise — a guest panic is a result,
 * not a failure.
 */
const PROFILES: ProfileName[] = ['qemu-7.2-virt', 'qemu-10.2-virt', 'extended'];
const NOTIFY: NotificationKind[] = ['polled', 'external', 'local', 'sci', 'nmi', 'cmci', 'mce', 'gpio', 'sea', 'sei', 'gsiv', 'sdei'];

interface SimulateOptions {
  /** default: the default machine (src/vm/defaultMachine.ts) */
  profile?: ProfileName;
  personality: Personality | 'both';
  linuxVersion: LinuxVersion;
  sources?: string;
  notify?: NotificationKind;
  source?: string;
  esrIss?: string;
  busyPolicy: BusyPolicy;
  queueDepth: string;
  advance: string;
  atBoot?: string[];
  /** --raw and --at-boot files are hex text */
  hex?: boolean;
  cmdline?: string;
  format: 'text' | 'json';
}

type Step = { kind: 'json' | 'raw'; file: string };

function int(text: string, name: string, max: number): number {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text) || Number(text) > max) throw new CliError(`${name}: ${JSON.stringify(text)} is not an integer 0..${max}`);
  return Number(text);
}

/** --queue-depth: the bound POST /vms and rasgw vm create take (1..65536); 0 would refuse every queued record. */
function queueDepth(text: string): number {
  const n = /^[0-9]{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65536)) throw new CliError(`--queue-depth: expected an integer 1..65536, got ${JSON.stringify(text)}`);
  return n;
}

const readFile = (file: string): Buffer => readBounded(file);

/** Status-block bytes of --raw / --at-boot: hex text is named as such (or read with --hex), never injected as its ASCII. */
const readBlock = (file: string, hex: boolean | undefined): Uint8Array => readBinaryInput(file, { hex, what: 'a status block' });

function payloadOf(step: Step, hex?: boolean): InjectionPayload {
  if (step.kind === 'raw') return { kind: 'raw', bytes: readBlock(step.file, hex) };
  const data = readFile(step.file);
  return { kind: 'json', error: parseJsonText(data.toString('utf8'), step.file) };
}

interface Prepared {
  spec: VmSpec;
  vmOptions: VmOptions;
  target: InjectionTarget;
  advance: bigint;
}

function prepare(o: SimulateOptions): Prepared {
  const profile = o.profile ?? DEFAULT_PROFILE;
  if (o.sources !== undefined && profile !== 'extended') throw new CliError('--sources is only for --profile extended');
  const spec = defaultVmSpec({
    profile,
    personality: o.personality === 'both' ? DEFAULT_PERSONALITY : o.personality,
    linuxVersion: o.linuxVersion,
    busyPolicy: o.busyPolicy,
    queueDepth: queueDepth(o.queueDepth),
    ...(o.sources !== undefined
      ? { sources: parseSourcesSpec(o.sources).map((s) => ({ notification: 'sei' as const, ...s })) }
      : profile === 'extended'
        ? { sources: parseSourcesSpec(DEFAULT_SOURCES_SPEC).map((s) => ({ notification: 'sei' as const, ...s })) }
        : {}),
  });
  const beforeProbe = (o.atBoot ?? []).map((f) => ({ sourceId: o.source !== undefined ? int(o.source, '--source', 0xffff) : 0, bytes: readBlock(f, o.hex) }));
  const target: InjectionTarget = {};
  if (o.source !== undefined) target.sourceId = int(o.source, '--source', 0xffff);
  if (o.notify !== undefined) target.notification = o.notify;
  if (o.esrIss !== undefined) target.esrIss = parseEsrIssOption(o.esrIss);
  const advance = BigInt(int(o.advance, '--advance', 86_400_000)) * 1_000_000n;
  return { spec, vmOptions: { beforeProbe, ...(o.cmdline !== undefined ? { cmdline: o.cmdline } : {}) }, target, advance };
}

export function simulate(steps: Step[], o: SimulateOptions): { vm: Vm; results: InjectionStatus[] } {
  if (o.personality === 'both') throw new CliError('simulate runs one personality; use simulateBoth for --personality both');
  const p = prepare(o);
  const vm = new Vm(p.spec, 'cli', p.vmOptions);
  const results: InjectionStatus[] = [];
  for (const step of steps) {
    results.push(vm.inject(payloadOf(step, o.hex), p.target));
    if (p.advance > 0n) vm.advance(p.advance);
  }
  return { vm, results: results.map((r) => vm.injection(r.id) ?? r) };
}

/** `--personality both`: the same machine and injections under apei-sei and linux, aligned line by line. */
export function simulateBoth(steps: Step[], o: SimulateOptions): SideBySide {
  const p = prepare(o);
  const inputs = steps.map((s) => ({ payload: payloadOf(s, o.hex), target: p.target }));
  return runSideBySide(p.spec, inputs, { vm: p.vmOptions, advanceNs: p.advance, id: 'cli' });
}

/** One injection as `--format json` prints it (the notification is the device model's fact). */
function injectionJson(r: InjectionStatus): Record<string, unknown> {
  return { id: r.id, sourceId: r.sourceId, state: r.state, refusal: r.refusal, notification: r.notification, outcome: r.outcome };
}

/** What happened to one injection, in a few words: the notification raised, or why none was. */
function injectionSummary(r: InjectionStatus): string {
  const n = r.notification;
  if (!n) return r.state === 'rejected' ? `refused (${r.refusal?.code})` : r.state;
  let what = `${n.kind}: ${n.raised}`;
  if (n.esr) what += ` ESR ${n.esr}`;
  if (n.esrFields?.aetName) what += ` (AET ${n.esrFields.aetName}, ${n.esrReason === 'given' ? 'given' : `from block severity ${n.blockSeverity}`})`;
  return what;
}

/** The header of one injection in the side-by-side text: where it went and what was raised, per guest when they differ. */
function stepHeader(steps: Step[], runs: SideBySide['runs'], k: number): string {
  const [ours, linux] = runs.map((r) => r.results[k - 1]);
  const a = injectionSummary(ours);
  const b = injectionSummary(linux);
  const what = a === b ? a : `apei-sei: ${a}; linux: ${b}`;
  return `injection ${k} (${steps[k - 1].file}) → source ${ours.sourceId}, ${what}`;
}

export function registerSimulate(program: Command): void {
  const steps: Step[] = [];
  const collect = (kind: Step['kind']) => (file: string, prev: string[] | undefined) => {
    steps.push({ kind, file });
    return [...(prev ?? []), file];
  };
  program
    .command('simulate')
    .description('boot a machine with the simulated guest kernel, inject records in order, print the guest log')
    .addOption(new Option('--profile <name>', `machine profile (default: ${DEFAULT_MACHINE_HELP})`).choices(PROFILES))
    .addOption(
      new Option('--personality <p>', 'guest kernel: apei-sei (SEI sources read on SError), linux (stock Linux), or both (side by side, line by line)')
        .choices(['apei-sei', 'linux', 'both'])
        .default('apei-sei'),
    )
    .addOption(new Option('--linux-version <v>', `Linux whose messages the guest prints: ${LINUX_VERSION_HELP}`).choices([...LINUX_VERSIONS]).default('mainline'))
    .option('--inject <file.json>', 'inject a status block given in the CPER JSON form (repeatable; order kept)', collect('json'))
    .option('--raw <file.gesb>', 'inject raw Generic Error Status Block bytes (repeatable; order kept)', collect('raw'))
    .option('--hex', '--raw and --at-boot files are hex text (pairs of hex digits; spaces, newlines, : and , ignored)')
    .option('--at-boot <file.gesb...>', 'place raw blocks in the error block before the guest probes (one per source, --source or 0); bytes past the error block are cut, the guest checks the length')
    .addOption(new Option('--notify <kind>', 'inject into the first source with this notification type').choices(NOTIFY))
    .option('--source <id>', 'inject into this HEST source id')
    .option('--esr-iss <iss>', 'SEI only: the virtual SError ISS, 0x… hex (default: from the block severity; see below)')
    .option('--sources <spec>', `extended profile sources (default ${DEFAULT_SOURCES_SPEC}): ${SOURCES_SPEC_HELP}`)
    .addOption(new Option('--busy-policy <p>', 'when the previous record is not acknowledged').choices(['queue', 'reject']).default('queue'))
    .option('--queue-depth <n>', 'per-source queue bound', '64')
    .option('--advance <ms>', 'virtual milliseconds to run after each injection (polled sources are read then)', '0')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .option('--cmdline <text>', 'guest kernel command line (driver_async_probe=GHES, panic=N are honoured)')
    .addOption(new Option('--format <f>', 'text: the guest log; json: log, injections and guest state').choices(['text', 'json']).default('text'))
    .option('--json', 'the same as --format json')
    .addHelpText('after', `${SYNDROME_HELP}  --format json shows each injection's "notification" (esr, esrFields, esrReason).\n  --personality both runs both guests side by side.\n\nDefault machine (as rasgw serve and rasgw dump): ${DEFAULT_MACHINE_HELP}.\n\nExit status: 0 the run completed (a guest panic is a result: the log shows it, --format json has guest.panicked);\n  1 bad options or input, or an injection refused (its problem is printed on stderr).\n` + '\nExamples:\n  rasgw simulate --raw ../shared/fixtures/linux-guest/memory-recoverable.gesb\n  rasgw simulate --personality both --raw ../shared/fixtures/linux-guest/memory-recoverable.gesb\n  rasgw simulate --personality linux --profile qemu-7.2-virt --raw ../shared/fixtures/linux-guest/memory-recoverable.gesb\n')
    .action((o: SimulateOptions & { json?: boolean }, cmd: Command) => {
      applyJsonFlag(o, cmd);
      refuseUnusedTargets(o, steps);
      if (o.personality === 'both') {
        runBoth(steps, o);
        return;
      }
      let out: ReturnType<typeof simulate>;
      try {
        out = simulate(steps, o);
      } catch (e) {
        if (e instanceof RasgwError) throw new CliError(e.message);
        throw e;
      }
      const { vm, results } = out;
      if (o.format === 'json') {
        process.stdout.write(
          toJsonText(
            {
              log: vm.log().map((l) => l.line),
              injections: results.map(injectionJson),
              guest: vm.state().guest,
            },
            2,
          ) + '\n',
        );
      } else {
        for (const l of vm.log()) process.stdout.write(l.line + '\n');
      }
      reportRefusals(results);
    });
}

/**
 * Options that aim injections (--notify, --esr-iss, --source) or read their files (--hex) do
 * nothing without them: refused instead of ignored. --source also places --at-boot blocks, --hex
 * also reads them.
 */
function refuseUnusedTargets(o: SimulateOptions, steps: Step[]): void {
  const injects = steps.length > 0;
  const atBoot = (o.atBoot ?? []).length > 0;
  const raw = steps.some((s) => s.kind === 'raw');
  if (o.notify !== undefined && !injects) throw new CliError('--notify aims the injections, and there are none: add --raw or --inject, or drop --notify');
  if (o.esrIss !== undefined && !injects) throw new CliError('--esr-iss sets the syndrome of the injections, and there are none: add --raw or --inject, or drop --esr-iss');
  if (o.source !== undefined && !injects && !atBoot) throw new CliError('--source aims the injections and --at-boot blocks, and there are none: add --raw, --inject or --at-boot, or drop --source');
  if (o.hex && !raw && !atBoot) throw new CliError('--hex reads --raw and --at-boot files as hex text, and there are none: add one, or drop --hex');
}

/** Refusals go to stderr and make the exit status 1. */
function reportRefusals(results: InjectionStatus[], label = ''): void {
  let refused = false;
  results.forEach((r, i) => {
    if (r.state === 'rejected') {
      refused = true;
      process.stderr.write(`${label}injection ${i + 1} refused: ${r.refusal!.code}: ${r.refusal!.message}\n`);
    }
  });
  if (refused) process.exitCode = 1;
}

function runBoth(steps: Step[], o: SimulateOptions): void {
  let out: SideBySide;
  try {
    out = simulateBoth(steps, o);
  } catch (e) {
    if (e instanceof RasgwError) throw new CliError(e.message);
    throw e;
  }
  if (o.format === 'json') {
    const personalities: Record<string, unknown> = {};
    for (const r of out.runs) personalities[r.personality] = { log: r.vm.log().map((l) => l.line), injections: r.results.map(injectionJson), guest: r.vm.state().guest };
    process.stdout.write(toJsonText({ personalities, sideBySide: out.steps }, 2) + '\n');
  } else {
    process.stdout.write(formatSideBySide(out.steps, (k) => stepHeader(steps, out.runs, k)));
  }
  for (const r of out.runs) reportRefusals(r.results, `${r.personality}: `);
}
