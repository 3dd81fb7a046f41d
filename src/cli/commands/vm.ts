import { addErstCreateOptions, erstCreateField } from './erst';
import { Command, Option } from 'commander';
import { parseU64 } from '../../binary/u64';
import { RasgwError } from '../../binary/errors';
import { GatewayClient, vmUrlPath } from '../../gateway/client/GatewayClient';
import { SOURCES_SPEC_HELP, parseSourcesSpec } from '../../device-model/profiles/sourcesSpec';
import { BUSY_POLICIES, PERSONALITIES, PROFILES } from '../../gateway/schemas';
import { LINUX_VERSIONS, LINUX_VERSION_HELP } from '../../vm/contract';
import { ClientOptions, addClientOptions, clientFrom, note, print, printJson, withGateway } from '../client';
import { CliError } from '../io';
import { DEFAULT_MACHINE_HELP } from '../../vm/defaultMachine';
import { vmCreateError } from '../vmCreateProblem';
import { listPages } from '../paging';

/**
 * `rasgw vm create|list|show|reboot|delete`: the VMs of a running gateway (REST client of
 * POST /vms, GET /vms, GET /vms/{id}, POST /vms/{id}/reboot, DELETE /vms/{id}). `create` takes
 * every field of POST /vms as an option; `--sources` uses the spec syntax of `dump --sources`.
 * Text for people, `--json` for scripts (the gateway's VM resource as it is).
 */
type Json = Record<string, unknown>;
interface VmView {
  id: string;
  createdAt: string;
  spec: { profile: string; personality: string; linuxVersion: string; busyPolicy: string; queueDepth: number; diagnostics: boolean; midr: string; rasExtension: boolean; sources?: unknown[] };
  booted: boolean;
  bootCount: number;
  boots?: number;
  guest: { running: boolean; panicked: boolean; panicReason?: string; clockNs?: string; poisonedPages?: string[] };
  sources: Array<{ sourceId: number; notification: string; version: string; errorBlockLength: number; blockAddress: string; readAck?: string; blockStatus: number; queueDepth: number; guestHandler: boolean }>;
  injections: Record<string, number>;
  qmp?: { host: string; port: number; sourceId?: number };
  erst?: { capacity: number; recordSize: number };
}

interface CreateOptions extends ClientOptions {
  id?: string;
  profile?: string;
  sources?: string;
  personality?: string;
  linuxVersion?: string;
  busyPolicy?: string;
  queueDepth?: string;
  diagnostics?: boolean;
  midr?: string;
  rasExtension?: boolean;
  qmpSource?: string;
  json?: boolean;
}

/** The POST /vms body for the options given (only what was given: the gateway fills defaults). */
export function vmCreateBody(o: CreateOptions, explicitRas: boolean): Json {
  const body: Json = {};
  if (o.id !== undefined) body.id = o.id;
  if (o.profile !== undefined) body.profile = o.profile;
  if (o.sources !== undefined) {
    let sources: ReturnType<typeof parseSourcesSpec>;
    try {
      sources = parseSourcesSpec(o.sources);
    } catch (e) {
      if (e instanceof RasgwError) throw new CliError(`--sources: ${e.message}`);
      throw e;
    }
    // records= and sections= size the HEST of dump and simulate; POST /vms does not take them
    const i = sources.findIndex((x) => x.recordsToPreallocate !== undefined || x.maxSectionsPerRecord !== undefined);
    if (i >= 0) throw new CliError(`--sources: ${sources[i].recordsToPreallocate !== undefined ? 'records=' : 'sections='} (sources[${i}]) is a dump/simulate option; a gateway VM's sources take NOTIFY, ghes|ghesv2, LENGTH, id=N, poll=MS and vector=N`);
    body.sources = sources;
    if (o.profile === undefined) body.profile = 'extended';
  }
  if (o.personality !== undefined) body.personality = o.personality;
  if (o.linuxVersion !== undefined) body.linuxVersion = o.linuxVersion;
  if (o.busyPolicy !== undefined) body.busyPolicy = o.busyPolicy;
  if (o.queueDepth !== undefined) {
    if (!/^[0-9]{1,6}$/.test(o.queueDepth)) throw new CliError(`--queue-depth: expected an integer 1..65536, got ${JSON.stringify(o.queueDepth)}`);
    body.queueDepth = Number(o.queueDepth);
  }
  if (o.diagnostics) body.diagnostics = true;
  if (o.midr !== undefined) {
    if (!/^0x[0-9a-f]{1,16}$/i.test(o.midr) || parseU64(o.midr) === undefined) throw new CliError(`--midr: expected a 0x… hex value, got ${JSON.stringify(o.midr)}`);
    body.midr = o.midr.toLowerCase();
  }
  if (explicitRas) body.rasExtension = o.rasExtension !== false;
  if (o.qmpSource !== undefined) {
    if (!/^[0-9]{1,5}$/.test(o.qmpSource)) throw new CliError(`--qmp-source: expected a source id (an integer), got ${JSON.stringify(o.qmpSource)}`);
    body.qmpSourceId = Number(o.qmpSource);
  }
  return body;
}

/** The --sources syntax POST /vms takes: dump's, without records= and sections= (HEST sizing the gateway's VMs do not offer). */
const VM_SOURCES_SPEC_HELP = SOURCES_SPEC_HELP.replace('|records=N|sections=N', '');

/** The human form of a VM: one header block and a table of its sources. */
export function formatVm(v: VmView): string {
  const s = v.spec;
  const guest = v.guest.panicked ? `panicked${v.guest.panicReason ? ` (${v.guest.panicReason})` : ''}` : v.guest.running ? 'running' : 'stopped';
  const counts = Object.entries(v.injections ?? {}).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const lines = [
    `VM ${v.id}`,
    `  profile      ${s.profile}${s.diagnostics ? ' (diagnostics)' : ''}`,
    `  guest        ${s.personality}, Linux ${s.linuxVersion}, ${guest}`,
    `  boot         ${v.booted ? 'booted' : 'not booted'}, boot ${v.boots ?? v.bootCount}`,
    `  cpu          MIDR ${s.midr}${s.rasExtension ? ', RAS extension' : ', no RAS extension'}`,
    `  queue        ${s.busyPolicy}, depth ${s.queueDepth}`,
    `  injections   ${counts}`,
  ];
  if (v.qmp) lines.push(`  qmp          tcp ${v.qmp.host}:${v.qmp.port}${v.qmp.sourceId !== undefined ? ` (inject-ghes-v2-error writes source ${v.qmp.sourceId}; rasgw inject --qmp ${v.qmp.host}:${v.qmp.port})` : ''}`);
  if (v.erst) lines.push(`  erst         ${v.erst.capacity} records, exchange buffer ${v.erst.recordSize} bytes (rasgw erst list --vm ${v.id})`);
  if (v.guest.poisonedPages?.length) lines.push(`  poisoned     ${v.guest.poisonedPages.join(', ')}`);
  lines.push(`  created      ${v.createdAt}`);
  lines.push('  SOURCE  NOTIFY    TYPE    LENGTH  BLOCK ADDRESS       ACK  STATUS      QUEUED  HANDLER');
  for (const src of v.sources) {
    lines.push(
      `  ${String(src.sourceId).padEnd(6)}  ${src.notification.padEnd(8)}  ${src.version.padEnd(6)}  ${String(src.errorBlockLength).padEnd(6)}  ${src.blockAddress.padEnd(18)}  ${(src.readAck ?? '-').padEnd(3)}  ${('0x' + src.blockStatus.toString(16).padStart(8, '0')).padEnd(10)}  ${String(src.queueDepth).padEnd(6)}  ${src.guestHandler ? 'yes' : 'no (refused at probe)'}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function formatVmList(vms: VmView[]): string {
  if (vms.length === 0) return '';
  const rows = vms.map((v) => [v.id, v.spec.profile, v.spec.personality, v.spec.linuxVersion, v.guest.panicked ? 'panicked' : v.guest.running ? 'running' : 'stopped', String(v.sources.length), String(Object.values(v.injections ?? {}).reduce((a, b) => a + b, 0))]);
  const head = ['ID', 'PROFILE', 'PERSONALITY', 'LINUX', 'GUEST', 'SOURCES', 'INJECTIONS'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(width[i]))).join('  ')).join('\n') + '\n';
}

/** Every VM, page by page (GET /vms, then `?since=<last>`). */
async function listVms(client: GatewayClient): Promise<VmView[]> {
  const out: VmView[] = [];
  for await (const page of listPages<VmView>(client, 'vms', (last) => (last === undefined ? '/vms' : `/vms?since=${last}`))) out.push(...page);
  return out;
}

export function registerVm(program: Command): void {
  const vm = program.command('vm').description('create, list, show, reboot and delete the VMs of a running gateway');

  const create = addClientOptions(
    vm
      .command('create')
      .description('create and boot a VM (POST /vms); prints it')
      .option('--id <id>', 'VM id (default: generated, vm-xxxxxxxx)')
      .addOption(new Option('--profile <name>', `machine profile (default: ${DEFAULT_MACHINE_HELP}, as rasgw serve, simulate and dump; extended when --sources is given)`).choices([...PROFILES]))
      .option('--sources <spec>', `extended profile sources (default sei,sea,gpio): ${VM_SOURCES_SPEC_HELP}`)
      .addOption(new Option('--personality <p>', 'guest kernel: apei-sei or linux (default apei-sei)').choices([...PERSONALITIES]))
      .addOption(new Option('--linux-version <v>', `Linux whose messages the guest prints (default mainline): ${LINUX_VERSION_HELP}`).choices([...LINUX_VERSIONS]))
      .addOption(new Option('--busy-policy <p>', 'when the previous record is not acknowledged (default queue)').choices([...BUSY_POLICIES]))
      .option('--queue-depth <n>', 'per-source queue bound (default 64)')
      .option('--diagnostics', 'expose the crash report (GET /vms/{id}/crash)')
      .option('--midr <hex>', 'MIDR_EL1 of CPU 0 (default 0x000f0510)')
      .option('--ras-extension', 'the CPU advertises the RAS extension (default)')
      .option('--no-ras-extension', 'the CPU does not advertise the RAS extension')
      .option('--qmp-source <id>', "the source the VM's QMP endpoint (inject-ghes-v2-error) writes (default: the first SEI source on extended, 1 on qemu-10.2-virt, 0 on qemu-7.2-virt)")
      .option('--json', 'print the VM resource as JSON'),
  );
  addErstCreateOptions(create);
  create.action(async (o: CreateOptions) => {
    const body = vmCreateBody(o, create.getOptionValueSource('rasExtension') === 'cli');
    const erst = erstCreateField(o as Parameters<typeof erstCreateField>[0], create.getOptionValueSource('erst') === 'cli');
    if (erst !== undefined) body.erst = erst as Json[string];
    const client = clientFrom(o);
    let r: { body: VmView };
    try {
      r = await client.request<VmView>('POST', '/vms', body);
    } catch (e) {
      // a refused field is named by the option the user typed (and its JSON pointer)
      throw vmCreateError(e);
    }
    if (o.json) printJson(r.body);
    else print(formatVm(r.body));
  });

  addClientOptions(vm.command('list').description('list the VMs (GET /vms)').option('--json', 'print the list as JSON')).action(async (o: ClientOptions & { json?: boolean }) => {
    const client = clientFrom(o);
    const vms = await withGateway(() => listVms(client));
    if (o.json) printJson({ vms });
    else if (vms.length === 0) note('no VMs');
    else print(formatVmList(vms));
  });

  addClientOptions(vm.command('show').description('a VM: configuration, boot, guest state, sources (GET /vms/{id})').argument('<id>', 'VM id').option('--json', 'print the VM resource as JSON')).action(
    async (id: string, o: ClientOptions & { json?: boolean }) => {
      const client = clientFrom(o);
      const r = await withGateway(() => client.request<VmView>('GET', vmUrlPath(id)));
      if (o.json) printJson(r.body);
      else print(formatVm(r.body));
    },
  );

  addClientOptions(vm.command('reboot').description('reboot a VM: fresh firmware hand-off and guest boot (POST /vms/{id}/reboot)').argument('<id>', 'VM id').option('--json', 'print the VM resource as JSON')).action(
    async (id: string, o: ClientOptions & { json?: boolean }) => {
      const client = clientFrom(o);
      const r = await withGateway(() => client.request<VmView>('POST', vmUrlPath(id, '/reboot')));
      if (o.json) printJson(r.body);
      else print(formatVm(r.body));
    },
  );

  addClientOptions(
    vm
      .command('delete')
      .description('delete VMs and their history (DELETE /vms/{id}); a VM that cannot be deleted is reported and the others are still deleted (exit status 1)')
      .argument('<id...>', 'VM ids')
      .option('--json', 'print {"deleted": [ids]} as JSON (and "errors": [{id, error}] when some could not be deleted)'),
  ).action(async (ids: string[], o: ClientOptions & { json?: boolean }) => {
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) throw new CliError(`VM ${twice} is given twice`);
    const client = clientFrom(o);
    const paths = ids.map((id) => withGatewaySync(() => vmUrlPath(id)));
    // like rm: each VM on its own, so what was deleted is always reported (also with --json)
    const deleted: string[] = [];
    const errors: Array<{ id: string; error: string }> = [];
    for (let i = 0; i < ids.length; i++) {
      try {
        await withGateway(() => client.request('DELETE', paths[i]));
      } catch (e) {
        if (!(e instanceof CliError)) throw e;
        errors.push({ id: ids[i], error: e.message });
        if (!o.json) note(`error: ${e.message}`);
        continue;
      }
      deleted.push(ids[i]);
      if (!o.json) note(`deleted VM ${ids[i]}`);
    }
    if (o.json) printJson(errors.length ? { deleted, errors } : { deleted });
    if (errors.length) process.exitCode = 1;
  });
}

function withGatewaySync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
