import { Command, Option } from 'commander';
import { toJsonText } from '../../binary';
import { RasgwError } from '../../binary/errors';
import { SOURCES_SPEC_HELP, parseSourcesSpec } from '../../device-model/profiles';
import { Vm, defaultVmSpec } from '../../vm';
import type { BusyPolicy, InjectionPayload, InjectionStatus, InjectionTarget, LinuxVersion, NotificationKind, Personality, ProfileName } from '../../vm/contract';
import { LINUX_VERSIONS, LINUX_VERSION_HELP } from '../../vm/contract';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBounded } from '../io';

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
  profile: ProfileName;
  personality: Personality;
  linuxVersion: LinuxVersion;
  sources?: string;
  notify?: NotificationKind;
  source?: string;
  esrIss?: string;
  busyPolicy: BusyPolicy;
  queueDepth: string;
  advance: string;
  atBoot?: string[];
  cmdline?: string;
  format: 'text' | 'json';
}

type Step = { kind: 'json' | 'raw'; file: string };

function int(text: string, name: string, max: number): number {
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(text) || Number(text) > max) throw new CliError(`${name}: ${JSON.stringify(text)} is not an integer 0..${max}`);
  return Number(text);
}

const readFile = (file: string): Buffer => readBounded(file);

function payloadOf(step: Step): InjectionPayload {
  const data = readFile(step.file);
  if (step.kind === 'raw') return { kind: 'raw', bytes: new Uint8Array(data) };
  try {
    return { kind: 'json', error: JSON.parse(data.toString('utf8')) };
  } catch (e) {
    throw new CliError(`${step.file}: not JSON (${(e as Error).message})`);
  }
}

export function simulate(steps: Step[], o: SimulateOptions): { vm: Vm; results: InjectionStatus[] } {
  if (o.sources !== undefined && o.profile !== 'extended') throw new CliError('--sources is only for --profile extended');
  const spec = defaultVmSpec({
    profile: o.profile,
    personality: o.personality,
    linuxVersion: o.linuxVersion,
    busyPolicy: o.busyPolicy,
    queueDepth: int(o.queueDepth, '--queue-depth', 1_000_000),
    ...(o.sources !== undefined ? { sources: parseSourcesSpec(o.sources).map((s) => ({ notification: 'sei' as const, ...s })) } : o.profile === 'extended' ? { sources: [{ notification: 'sei' as const }] } : {}),
  });
  const beforeProbe = (o.atBoot ?? []).map((f) => ({ sourceId: o.source !== undefined ? int(o.source, '--source', 0xffff) : 0, bytes: new Uint8Array(readFile(f)) }));
  const vm = new Vm(spec, 'cli', { beforeProbe, ...(o.cmdline !== undefined ? { cmdline: o.cmdline } : {}) });
  const target: InjectionTarget = {};
  if (o.source !== undefined) target.sourceId = int(o.source, '--source', 0xffff);
  if (o.notify !== undefined) target.notification = o.notify;
  if (o.esrIss !== undefined) target.esrIss = int(o.esrIss, '--esr-iss', 0xffffffff);
  const advance = BigInt(int(o.advance, '--advance', 86_400_000)) * 1_000_000n;
  const results: InjectionStatus[] = [];
  for (const step of steps) {
    results.push(vm.inject(payloadOf(step), target));
    if (advance > 0n) vm.advance(advance);
  }
  return { vm, results: results.map((r) => vm.injection(r.id) ?? r) };
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
    .addOption(new Option('--profile <name>', 'machine profile').choices(PROFILES).default('qemu-7.2-virt'))
    .addOption(new Option('--personality <p>', 'guest kernel: apei-sei (SEI sources read on SError) or linux (stock Linux)').choices(['apei-sei', 'linux']).default('apei-sei'))
    .addOption(new Option('--linux-version <v>', `Linux whose messages the guest prints: ${LINUX_VERSION_HELP}`).choices([...LINUX_VERSIONS]).default('mainline'))
    .option('--inject <file.json>', 'inject a status block given in the CPER JSON form (repeatable; order kept)', collect('json'))
    .option('--raw <file.gesb>', 'inject raw Generic Error Status Block bytes (repeatable; order kept)', collect('raw'))
    .option('--at-boot <file.gesb...>', 'place raw blocks in the error block before the guest probes (one per source, --source or 0); bytes past the error block are cut, the guest checks the length')
    .addOption(new Option('--notify <kind>', 'inject into the first source with this notification type').choices(NOTIFY))
    .option('--source <id>', 'inject into this HEST source id')
    .option('--esr-iss <iss>', 'SEI only: the virtual SError ISS (default: chosen from the block severity)')
    .option('--sources <spec>', `extended profile sources: ${SOURCES_SPEC_HELP}`)
    .addOption(new Option('--busy-policy <p>', 'when the previous record is not acknowledged').choices(['queue', 'reject']).default('queue'))
    .option('--queue-depth <n>', 'per-source queue bound', '64')
    .option('--advance <ms>', 'virtual milliseconds to run after each injection (polled sources are read then)', '0')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    .option('--cmdline <text>', 'guest kernel command line (driver_async_probe=GHES, panic=N are honoured)')
    .addOption(new Option('--format <f>', 'text: the guest log; json: log, injections and guest state').choices(['text', 'json']).default('text'))
    .option('--json', 'the same as --format json')
    .addHelpText('after', '\nExample:\n  rasgw simulate --personality linux --raw ../shared/fixtures/linux-guest/memory-recoverable.gesb\n')
    .action((o: SimulateOptions & { json?: boolean }) => {
      if (o.json) o.format = 'json';
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
              injections: results.map((r) => ({ id: r.id, sourceId: r.sourceId, state: r.state, refusal: r.refusal, outcome: r.outcome })),
              guest: vm.state().guest,
            },
            2,
          ) + '\n',
        );
      } else {
        for (const l of vm.log()) process.stdout.write(l.line + '\n');
      }
      let refused = false;
      results.forEach((r, i) => {
        if (r.state === 'rejected') {
          refused = true;
          process.stderr.write(`injection ${i + 1} refused: ${r.refusal!.code}: ${r.refusal!.message}\n`);
        }
      });
      if (refused) process.exitCode = 1;
    });
}
