import { Argument, Command, Option } from 'commander';
import { parseU64 } from '../../binary/u64';
import { GatewayClient, GatewayRequestError, vmUrlPath } from '../../gateway/client/GatewayClient';
import {
  ARM_VALID_BITS,
  ArmRecordOptions,
  BLOCK_STATUS,
  ContextOptions,
  ERROR_SEVERITY,
  GEDB_FLAGS,
  GEN_VALID_BITS,
  PEI_FLAGS,
  PEI_TYPES,
  PEI_VALID_BITS,
  PeiOptions,
  bcdTimestamp,
  ghesInjectArmRecord,
} from '../../gateway/client/ghesInjectRecord';
import { DEFAULT_VM_ID } from '../../gateway/defaults';
import { NOTIFICATION_KINDS } from '../../gateway/schemas';
import { SYNDROME_HELP } from '../syndromeHelp';
import { addClientOptions, clientFrom, printJson, withGateway } from '../client';
import { INJECT_EXIT, INJECT_EXIT_HELP, INJECT_RESULT_NAMES, InjectResult, InjectionView, exitFor, formatResult, guestGaveUp, lostWithVm, worstExit } from '../injectOutcome';
import { CliError, MAX_INPUT_FLAGS, MAX_INPUT_HELP, readBinaryInput, readJsonInput } from '../io';
import { QmpClient, QmpCommandError, parseHostPort } from '../qmpClient';
import { parseEsrIssOption } from '../esrIssOption';
import { offerValues } from '../completionValues';

/**
 * `rasgw inject`: a REST client that injects one error into a VM of a running gateway.
 * Default: an ARM processor error built like `scripts/ghes_inject.py arm`, with the same options
 * (see src/gateway/client/ghesInjectRecord.ts for what is kept and what is fixed). `--memory` and
 * `--pcie` send a memory or PCIe error (convenience shape), `--cper FILE` the CPER JSON form,
 * `--raw FILE` status-block bytes as they are. Prints the injection's state and the guest lines.
 */
type Opts = Record<string, unknown>;

/** The option as the user types it: `--bit-position` for 'bitPosition', `--psci` for 'psci'. */
const flag = (name: string): string => (name.startsWith('-') ? name : '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));

function int(text: string, name: string): bigint {
  const t = text.trim();
  if (!/^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)$/i.test(t)) throw new CliError(`${flag(name)}: ${JSON.stringify(text)} is not an integer`);
  return BigInt(t);
}
/**
 * A u64 or address option: "0x…" hex, as every tool in this field writes addresses (a single
 * digit reads the same either way). A digit string without 0x could be hex or decimal and is
 * refused with the fix; spaces are not trimmed.
 */
function u64Opt(text: string, name: string): bigint {
  const v = parseU64(text);
  if (v !== undefined) return v;
  if (/^[0-9]+$/.test(text)) throw new CliError(`--${name}: ${JSON.stringify(text)} could be hex or decimal: write hex as 0x${text.replace(/^0+(?=.)/, '')} (addresses and 64-bit values take 0x… hex)`);
  if (/^[0-9a-fA-F]+$/.test(text)) throw new CliError(`--${name}: ${JSON.stringify(text)} has no 0x prefix: write 0x${text}`);
  throw new CliError(`--${name}: ${JSON.stringify(text)} is not a 0x… hex value of at most 64 bits`);
}
const num = (text: string, name: string, max = 0xffffffff): number => {
  const v = int(text, name);
  if (v > BigInt(max)) throw new CliError(`${flag(name)}: ${text} is larger than ${max}`);
  return Number(v);
};

/** A comma list of choice names (suffixes stripped, as the script does), OR-ed together or single. */
function choice(name: string, value: string, choices: Record<string, number>, suffixes: string[] = [], single = false): number {
  let out = 0;
  const parts = value.split(',').filter((p) => p !== '');
  for (let v of parts) {
    v = v.toLowerCase();
    for (const s of suffixes) if (v.endsWith(s) && !(v in choices)) v = v.slice(0, -s.length);
    if (!(v in choices)) throw new CliError(`${flag(name)}: choice '${v}' is invalid (one of ${Object.keys(choices).join(', ')})`);
    if (single && parts.length > 1) throw new CliError(`${flag(name)}: only one value is accepted`);
    out |= choices[v];
  }
  return out;
}

/** `--opt a,b c` style: one list per argument position. */
const perIndex = (values: unknown): string[] => (Array.isArray(values) ? (values as string[]) : []);
const bytesList = (values: unknown, name: string): number[] =>
  perIndex(values).flatMap((v) => v.split(',').filter((x) => x !== '').map((x) => num(x, name, 255)));

function parseTimestamp(text: string): Date {
  if (text === 'now') return new Date();
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new CliError(`--timestamp: expected "now" or "YYYY-MM-DD HH:MM:SS", got ${JSON.stringify(text)}`);
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  // Date.UTC rolls over (2026-02-30 would become March 2, 25:00 the next day): such a time is refused
  const back = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  if (back.some((v, i) => v !== +m[i + 1])) throw new CliError(`--timestamp: ${JSON.stringify(text)} is not a time of the calendar (month 01-12, a day the month has, 00:00:00-23:59:59, UTC)`);
  return d;
}

export function armOptions(o: Opts, midr: bigint | undefined): ArmRecordOptions {
  const pei: PeiOptions[] = [];
  const at = (i: number) => (pei[i] ??= {});
  const types = perIndex(o.type);
  (types.length ? types : ['cache']).forEach((v, i) => (at(i).type = choice('type', v, PEI_TYPES, ['-error', '-err'])));
  perIndex(o.peiValid).forEach((v, i) => (at(i).valid = choice('pei-valid', v, PEI_VALID_BITS, ['-valid', '-addr'])));
  perIndex(o.flags).forEach((v, i) => (at(i).flags = choice('flags', v, PEI_FLAGS, ['-error', '-cap'])));
  perIndex(o.errorInfo).forEach((v, i) => (at(i).errorInfo = u64Opt(v, 'error-info')));
  perIndex(o.multipleError).forEach((v, i) => (at(i).multipleError = num(v, 'multiple-error', 0xffff)));
  perIndex(o.physicalAddress).forEach((v, i) => (at(i).physicalAddress = u64Opt(v, 'physical-address')));
  perIndex(o.virtualAddress).forEach((v, i) => (at(i).virtualAddress = u64Opt(v, 'virtual-address')));
  for (let i = 0; i < pei.length; i++) if (pei[i] === undefined || pei[i].type === undefined) throw new CliError(`error-info entry ${i} has no --type`);

  const ctx: ContextOptions[] = [];
  const c = (i: number) => (ctx[i] ??= {});
  if (o.ctxType !== undefined) perIndex(o.ctxType).forEach((v, i) => (c(i).type = num(v, 'ctx-type', 0xffff)));
  if (o.ctxSize !== undefined) perIndex(o.ctxSize).forEach((v, i) => (c(i).minimalSize = num(v, 'ctx-size', 0xfffd)));
  if (o.ctxArray !== undefined) {
    const arrays = perIndex(o.ctxArray);
    if (arrays.length === 0) c(0).registers = [];
    arrays.forEach((v, i) => (c(i).registers = v.split(',').filter((x) => x !== '').map((x) => u64Opt(x, 'ctx-array'))));
  }
  for (let i = 0; i < ctx.length; i++) ctx[i] ??= {};

  const out: ArmRecordOptions = { pei, contexts: ctx };
  if (o.arm !== undefined) out.armValid = choice('arm', o.arm as string, ARM_VALID_BITS, ['-error', '-err']);
  if (o.affinity !== undefined) out.affinityLevel = num(o.affinity as string, 'affinity', 255);
  if (o.mpidr !== undefined) out.mpidr = u64Opt(o.mpidr as string, 'mpidr');
  const m = o.midr !== undefined ? u64Opt(o.midr as string, 'midr') : midr;
  if (m !== undefined) out.midr = m;
  if (o.running !== undefined) out.running = o.running as boolean;
  if (o.psci !== undefined) out.psciState = num(o.psci as string, 'psci');
  const vendor = bytesList(o.vendor, 'vendor');
  if (vendor.length) out.vendor = vendor;
  Object.assign(out, genericOptions(o));
  return out;
}

/** The Generic Error Data options of qmp_helper.py. */
function genericOptions(o: Opts): Partial<ArmRecordOptions> {
  const out: Partial<ArmRecordOptions> = {};
  if (o.blockStatus !== undefined) out.blockStatus = choice('block-status', o.blockStatus as string, BLOCK_STATUS, [], true);
  const raw = bytesList(o.rawData, 'raw-data');
  if (raw.length) out.rawData = raw;
  if (o.severity !== undefined) out.severity = choice('severity', o.severity as string, ERROR_SEVERITY, [], true);
  if (o.genErrValidBits !== undefined) out.genValid = choice('gen-err-valid-bits', o.genErrValidBits as string, GEN_VALID_BITS);
  if (o.fruId !== undefined) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(o.fruId as string)) throw new CliError('--fru-id: expected a GUID');
    out.fruId = (o.fruId as string).toLowerCase();
  }
  if (o.fruText !== undefined) {
    if (!/^[\x01-\x7f]{0,20}$/.test(o.fruText as string)) throw new CliError('--fru-text: at most 20 ASCII characters');
    out.fruText = o.fruText as string;
  }
  if (o.timestamp !== undefined) out.timestamp = bcdTimestamp(parseTimestamp(o.timestamp as string), o.precise === true);
  if (o.gedbFlags !== undefined) out.gedbFlags = choice('gedb-flags', o.gedbFlags as string, GEDB_FLAGS);
  return out;
}

const SEVERITY_NAME: Record<string, string> = { recoverable: 'recoverable', fatal: 'fatal', corrected: 'corrected', none: 'informational' };

function memoryError(o: Opts): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'memory' };
  if (o.severity !== undefined) e.severity = SEVERITY_NAME[(o.severity as string).toLowerCase()] ?? o.severity;
  const u64s: Array<[string, string]> = [['address', 'physicalAddress'], ['addressMask', 'physicalAddressMask']];
  for (const [opt, field] of u64s) if (o[opt] !== undefined) e[field] = '0x' + u64Opt(o[opt] as string, opt === 'address' ? 'address' : 'address-mask').toString(16);
  for (const f of ['node', 'card', 'module', 'bank', 'device', 'row', 'column', 'bitPosition'] as const) if (o[f] !== undefined) e[f] = num(o[f] as string, f, 0xffff);
  if (o.memoryErrorType !== undefined) e.memoryErrorType = /^[0-9]/.test(o.memoryErrorType as string) ? num(o.memoryErrorType as string, 'memory-error-type', 255) : o.memoryErrorType;
  return e;
}

function pcieError(o: Opts): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'pcie' };
  if (o.severity !== undefined) e.severity = SEVERITY_NAME[(o.severity as string).toLowerCase()] ?? o.severity;
  if (o.portType !== undefined) e.portType = /^[0-9]/.test(o.portType as string) ? num(o.portType as string, 'port-type') : o.portType;
  const id: Record<string, number> = {};
  if (o.bdf !== undefined) {
    const m = /^(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])$/i.exec(o.bdf as string);
    if (!m) throw new CliError(`--bdf: expected [SEGMENT:]BUS:DEVICE.FUNCTION in hex, got ${JSON.stringify(o.bdf)}`);
    Object.assign(id, { segment: parseInt(m[1] ?? '0', 16), primaryBus: parseInt(m[2], 16), device: parseInt(m[3], 16), function: Number(m[4]) });
  }
  if (o.vendorId !== undefined) id.vendorId = num(o.vendorId as string, 'vendor-id', 0xffff);
  if (o.deviceId !== undefined) id.deviceId = num(o.deviceId as string, 'device-id', 0xffff);
  if (o.classCode !== undefined) id.classCode = num(o.classCode as string, 'class-code', 0xffffff);
  if (Object.keys(id).length) e.deviceId = id;
  if (o.serial !== undefined) e.serialNumber = '0x' + u64Opt(o.serial as string, 'serial').toString(16);
  const aer: Record<string, number> = {};
  if (o.uncorStatus !== undefined) aer.uncorStatus = num(o.uncorStatus as string, 'uncor-status');
  if (o.corStatus !== undefined) aer.corStatus = num(o.corStatus as string, 'cor-status');
  if (Object.keys(aer).length) e.aer = aer;
  return e;
}

/** The options that choose a record other than ghes_inject.py's ARM record (at most one). */
const RECORD_MODES = ['raw', 'cper', 'cperRecord', 'memory', 'pcie'];

/** Options (attribute names) each record builder reads; any other builder would ignore them. */
const ARM_RECORD_OPTIONS = ['arm', 'affinity', 'mpidr', 'midr', 'running', 'psci', 'type', 'flags', 'peiValid', 'multipleError', 'errorInfo', 'physicalAddress', 'virtualAddress', 'ctxType', 'ctxSize', 'ctxArray', 'vendor', 'blockStatus', 'rawData', 'genErrValidBits', 'fruId', 'fruText', 'timestamp', 'precise', 'gedbFlags'];
const MEMORY_OPTIONS = ['address', 'addressMask', 'memoryErrorType', 'node', 'card', 'module', 'bank', 'device', 'row', 'column', 'bitPosition'];
const PCIE_OPTIONS = ['portType', 'bdf', 'vendorId', 'deviceId', 'classCode', 'serial', 'uncorStatus', 'corStatus'];

const flagOf = (key: string) => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Refuses options the chosen record does not read (`--address` without `--memory` sent an ARM
 * error and dropped the address; `--memory -t cache` dropped the -t), so no option is ignored
 * without a word.
 */
function refuseUnreadOptions(o: Opts, qmp: boolean): void {
  const given = (k: string) => o[k] !== undefined && o[k] !== false;
  // two records asked for: recordBody says "choose one of …"
  if (RECORD_MODES.filter(given).length > 1) return;
  const mode = RECORD_MODES.find(given);
  const reads = new Set(mode === undefined ? [...ARM_RECORD_OPTIONS, 'severity'] : mode === 'memory' ? [...MEMORY_OPTIONS, 'severity'] : mode === 'pcie' ? [...PCIE_OPTIONS, 'severity'] : []);
  const what = mode === undefined ? 'the ARM processor error (the default record)' : mode === 'memory' || mode === 'pcie' ? `--${mode}` : `${flagOf(mode)}, which sends the file as it is`;
  for (const k of [...ARM_RECORD_OPTIONS, 'severity', ...MEMORY_OPTIONS, ...PCIE_OPTIONS]) {
    if (!given(k) || reads.has(k)) continue;
    const hint = mode === undefined && MEMORY_OPTIONS.includes(k) ? ': add --memory' : mode === undefined && PCIE_OPTIONS.includes(k) ? ': add --pcie' : '';
    throw new CliError(`${flagOf(k)} is not read by ${what}${hint}`);
  }
  if (given('hex') && mode !== 'raw' && mode !== 'cperRecord') throw new CliError('--hex reads the --raw or --cper-record file as hex text; give one of them');
  if (given('precise') && !given('timestamp')) throw new CliError('--precise marks the --timestamp as precise; give --timestamp');
  if (given('debug') && !qmp) throw new CliError('--debug hex-dumps the status block sent over QMP (--qmp, -H/-P)');
}

/** The body of POST /vms/{id}/errors for the options (the record itself, without the target). */
async function recordBody(o: Opts, midrOf: () => Promise<bigint | undefined>): Promise<Record<string, unknown>> {
  const modes = RECORD_MODES.filter((k) => o[k] !== undefined && o[k] !== false);
  if (modes.length > 1) throw new CliError(`choose one of --raw, --cper, --cper-record, --memory, --pcie (got ${modes.map((m) => '--' + m.replace('cperRecord', 'cper-record')).join(', ')})`);
  const body: Record<string, unknown> = {};
  if (o.raw !== undefined) body.raw = Buffer.from(readBinaryInput(o.raw as string, { hex: o.hex === true, what: 'a status block' })).toString('base64');
  // a UEFI CPER record file: the gateway wraps it as firmware delivers it (REST `cperRecord`)
  else if (o.cperRecord !== undefined) body.cperRecord = Buffer.from(readBinaryInput(o.cperRecord as string, { hex: o.hex === true, what: 'a CPER record' })).toString('base64');
  else if (o.cper !== undefined) body.cper = readJsonInput(o.cper as string);
  else if (o.memory) body.error = memoryError(o);
  else if (o.pcie) body.error = pcieError(o);
  else {
    // like the script's qom-get of the first CPU's midr: the VM's configured MIDR
    const midr = o.midr === undefined ? await midrOf() : undefined;
    let bytes: Uint8Array;
    try {
      bytes = ghesInjectArmRecord(armOptions(o, midr));
    } catch (e) {
      if (e instanceof RangeError) throw new CliError(e.message);
      throw e;
    }
    body.raw = Buffer.from(bytes).toString('base64');
  }
  return body;
}

function targetOf(o: Opts): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  if (o.source !== undefined) t.sourceId = num(o.source as string, 'source', 0xffff);
  if (o.notify !== undefined) t.notification = o.notify;
  if (o.esrIss !== undefined) t.esrIss = parseEsrIssOption(o.esrIss as string);
  return t;
}

function waitMs(o: Opts): number {
  const w = o.wait as string;
  if (!/^[0-9]{1,7}$/.test(w)) throw new CliError(`--wait: expected milliseconds, got ${JSON.stringify(w)}`);
  return Number(w);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's problem types for a refused injection (the VM's refusal codes). */
const REFUSAL_TYPES = ['source-busy', 'queue-full', 'record-too-large', 'guest-halted', 'unknown-source', 'invalid-record', 'not-booted'];

function isRefusal(p: Record<string, unknown> | undefined): boolean {
  if (!p) return false;
  if (p.injectionId !== undefined) return true;
  return typeof p.type === 'string' && REFUSAL_TYPES.includes(p.type.replace(/^.*\/problems\//, ''));
}

/** Injects into one VM over REST and waits (up to --wait) until the guest has handled it. */
async function injectInto(client: GatewayClient, vm: string, body: Record<string, unknown>, wait: number): Promise<{ result: InjectResult; location?: string }> {
  let r: { headers: Headers; body: InjectionView };
  try {
    r = await client.request<InjectionView>('POST', vmUrlPath(vm, '/errors'), body);
  } catch (e) {
    if (e instanceof GatewayRequestError && isRefusal(e.problem)) {
      const p = e.problem ?? {};
      return { result: { vmId: vm, exitCode: INJECT_EXIT.refused, refused: { status: e.status, type: typeof p.type === 'string' ? p.type : undefined, detail: e.message, problem: p } } };
    }
    return { result: { vmId: vm, exitCode: INJECT_EXIT.error, error: (e as Error).message } };
  }
  // followed by its id under the VM we asked for (a Location header pointing elsewhere is not followed)
  const id = String(r.body.id);
  if (!/^[0-9]{1,15}$/.test(id)) return { result: { vmId: vm, exitCode: INJECT_EXIT.error, error: `the gateway answered with an injection id ${JSON.stringify(id)} that is not a number` } };
  const location = vmUrlPath(vm, `/errors/${id}`);
  let inj = r.body;
  const deadline = Date.now() + wait;
  for (;;) {
    try {
      inj = (await client.request<InjectionView>('GET', location)).body;
    } catch (e) {
      // the VM was deleted while we waited: the record went with it
      if (e instanceof GatewayRequestError && e.status === 404) return { result: { vmId: vm, exitCode: INJECT_EXIT.lost, injection: lostWithVm(inj) }, location };
      return { result: { vmId: vm, exitCode: INJECT_EXIT.error, error: (e as Error).message, injection: inj }, location };
    }
    const code = exitFor(inj);
    if (code !== INJECT_EXIT.notInTime || Date.now() >= deadline || guestGaveUp(inj)) return { result: { vmId: vm, exitCode: code, injection: inj }, location };
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** The first ARM CPU's MIDR over QMP, found as ghes_inject.py finds it (qom-get … type, then midr). */
async function qmpMidr(q: QmpClient): Promise<bigint | undefined> {
  for (let i = 0; i < 64; i++) {
    const path = `/machine/unattached/device[${i}]`;
    let type: unknown;
    try {
      type = await q.execute('qom-get', { path, property: 'type' });
    } catch (e) {
      if (e instanceof QmpCommandError) return undefined;
      throw e;
    }
    if (typeof type === 'string' && type.endsWith('-arm-cpu')) {
      try {
        const midr = await q.execute('qom-get', { path, property: 'midr' });
        return typeof midr === 'number' ? BigInt(midr) : undefined;
      } catch (e) {
        if (e instanceof QmpCommandError) return undefined;
        throw e;
      }
    }
  }
  return undefined;
}

/** `--qmp HOST:PORT` / `-H -P`: the status block built here, sent with inject-ghes-v2-error. */
async function injectOverQmp(o: Opts): Promise<InjectResult & { where: string; length: number }> {
  const { host, port } = o.qmp !== undefined ? parseHostPort(o.qmp as string) : { host: (o.host as string | undefined) ?? 'localhost', port: o.port !== undefined ? num(o.port as string, '--port', 65535) : 4445 };
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const q = await QmpClient.connect(host, port, waitMs(o) || 10_000);
  try {
    const body = await recordBody(o, () => qmpMidr(q));
    const bytes = body.raw !== undefined ? Buffer.from(body.raw as string, 'base64') : Buffer.from(localRecordBytes(body));
    if (o.debug) process.stderr.write(`status block (${bytes.length} bytes):\n${hexDump(bytes)}`);
    try {
      await q.execute('inject-ghes-v2-error', { cper: bytes.toString('base64') });
    } catch (e) {
      if (e instanceof QmpCommandError) return { vmId: where, where, length: bytes.length, exitCode: INJECT_EXIT.refused, refused: { type: e.qmp.class, detail: `${e.qmp.class}: ${e.qmp.desc}` } };
      throw e;
    }
    let status: unknown;
    try {
      status = await q.execute('query-status');
    } catch {
      status = undefined;
    }
    const panicked = (status as { status?: string } | undefined)?.status === 'guest-panicked';
    return { vmId: where, where, length: bytes.length, exitCode: panicked ? INJECT_EXIT.panicked : INJECT_EXIT.handled, injection: { id: 'qmp', vmId: where, state: panicked ? 'guest-panicked' : 'accepted', length: bytes.length } };
  } finally {
    q.close();
  }
}

/** The status-block bytes of a `cper` or convenience `error` body, encoded here (for QMP). */
function localRecordBytes(body: Record<string, unknown>): Uint8Array {
  // QMP carries status blocks: a CPER record is wrapped here as firmware delivers it
  if (body.cperRecord !== undefined) {
    const { recordToStatusBlock } = require('../../cper/convert') as typeof import('../../cper/convert');
    return recordToStatusBlock(new Uint8Array(Buffer.from(body.cperRecord as string, 'base64')));
  }
  const { encodeStatusBlock, parseStatusBlockJson } = require('../../cper') as typeof import('../../cper');
  const { convenienceToStatusBlockJson } = require('../../gateway/injectionBytes') as typeof import('../../gateway/injectionBytes');
  const json = body.cper !== undefined ? body.cper : convenienceToStatusBlockJson(body.error as never);
  return encodeStatusBlock(parseStatusBlockJson(json));
}

function hexDump(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 16) out += `  ${i.toString(16).padStart(4, '0')}: ${Buffer.from(b.subarray(i, i + 16)).toString('hex').replace(/(..)/g, '$1 ').trim()}\n`;
  return out;
}

async function run(o: Opts): Promise<number> {
  const vms = (o.vm as string[] | undefined)?.length ? (o.vm as string[]) : [DEFAULT_VM_ID];
  const qmp = o.qmp !== undefined || o.host !== undefined || o.port !== undefined;
  refuseUnreadOptions(o, qmp);
  if (qmp) {
    if ((o.vm as string[] | undefined)?.length) throw new CliError('--vm picks a VM of the REST gateway; a QMP endpoint (--qmp, -H/-P) is bound to one VM already: leave --vm out');
    if (o.source !== undefined || o.notify !== undefined || o.esrIss !== undefined) throw new CliError('--source, --notify and --esr-iss are REST targets; inject-ghes-v2-error always writes the QMP source');
    if (o.qmp !== undefined && (o.host !== undefined || o.port !== undefined)) throw new CliError('use --qmp HOST:PORT or -H HOST -P PORT, not both');
    const r = await injectOverQmp(o);
    if (o.json) printJson(resultJson(r));
    else if (r.refused) process.stderr.write(`QMP ${r.where}: refused: ${r.refused.detail}\n`);
    else process.stdout.write(`QMP ${r.where}: inject-ghes-v2-error accepted (${r.length} bytes)${r.exitCode === INJECT_EXIT.panicked ? '; the guest PANICKED' : ''}\n`);
    return r.exitCode;
  }
  for (const vm of vms) vmUrlPathChecked(vm);
  if (new Set(vms).size !== vms.length) throw new CliError(`--vm ${vms.find((v, i) => vms.indexOf(v) !== i)} is given twice`);
  // the token is read when the gateway is first needed: a bad option or input file is named first
  let client: GatewayClient | undefined;
  const gateway = () => (client ??= clientFrom(o));
  const target = targetOf(o);
  const midrOf = (vm: string) => async () => BigInt((await gateway().request<{ spec: { midr: string } }>('GET', vmUrlPath(vm))).body.spec.midr);
  // The default ARM record carries the MIDR of the VM it goes to (the script's qom-get): with
  // several --vm and no --midr each VM gets its own, and a VM whose MIDR cannot be read is that
  // VM's error, not the others'. Any other record is built once and sent to each VM.
  const perVm = vms.length > 1 && o.midr === undefined && !RECORD_MODES.some((k) => o[k] !== undefined && o[k] !== false);
  const shared = perVm ? undefined : { ...(await withGateway(() => recordBody(o, midrOf(vms[0])))), ...target };
  const wait = waitMs(o);
  const results: InjectResult[] = [];
  for (const vm of vms) {
    let body = shared;
    if (body === undefined) {
      try {
        body = { ...(await recordBody(o, midrOf(vm))), ...target };
      } catch (e) {
        if (!(e instanceof GatewayRequestError)) throw e;
        const result: InjectResult = { vmId: vm, exitCode: INJECT_EXIT.error, error: e.message };
        results.push(result);
        if (!o.json) process.stderr.write(formatResult(result, undefined));
        continue;
      }
    }
    const { result, location } = await injectInto(gateway(), vm, body, wait);
    // one VM and no answer to report: the usual one-line error
    if (vms.length === 1 && result.error !== undefined && !o.json) throw new CliError(result.error);
    results.push(result);
    if (!o.json) {
      const text = formatResult(result, location);
      if (result.refused || result.error !== undefined) process.stderr.write(text);
      else process.stdout.write(text);
    }
  }
  if (o.json) {
    const views = results.map(resultJson);
    printJson(vms.length === 1 && ((o.vm as string[] | undefined)?.length ?? 0) <= 1 ? views[0] : views);
  }
  return worstExit(results.map((r) => r.exitCode));
}

/** One VM's result for --json: the injection resource with `result` and `exitCode` added. */
function resultJson(r: InjectResult): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(r.injection ?? {}), vmId: r.vmId, result: INJECT_RESULT_NAMES[r.exitCode], exitCode: r.exitCode };
  if (r.refused) out.refused = r.refused;
  if (r.error !== undefined) out.error = r.error;
  return out;
}

function vmUrlPathChecked(vm: string): void {
  try {
    vmUrlPath(vm);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function registerInject(program: Command): void {
  const cmd = program
    .command('inject')
    .description('inject one error into VMs of a running gateway (REST), or over QMP into our gateway or QEMU ≥ 10.2 (--qmp, -H/-P); default: an ARM processor error as `ghes_inject.py arm`. Prints what the guest did.')
    .addArgument(new Argument('[kind]', "ghes_inject.py's subcommand word, accepted for its command lines").choices(['arm']))
    .option('--vm <id>', `target VM (default ${DEFAULT_VM_ID}); repeat to inject into each VM, one result per VM`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--source <n>', 'target error source id')
    .addOption(new Option('--notify <kind>', 'target the first source with this notification type').choices([...NOTIFICATION_KINDS]))
    .option('--esr-iss <iss>', 'SEI only: ISS of the virtual SError syndrome, 0x… hex (default: from the block severity; see below)')
    .option('--raw <file>', 'send a Generic Error Status Block file as it is')
    .option('--hex', '--raw / --cper-record FILE is hex text (pairs of hex digits; spaces, newlines, : and , ignored)')
    .option('--cper <file>', 'send a status block in the CPER JSON form (any section type rasgw encodes)')
    .option('--cper-record <file>', 'send a UEFI CPER record file (wrapped into a status block as firmware delivers it)')
    .option('--wait <ms>', 'how long to wait for the guest to handle the record (exit status 5 after that)', '5000')
    .option('--qmp <host:port>', 'send inject-ghes-v2-error to this QMP endpoint (our gateway or QEMU ≥ 10.2) instead of REST')
    .option('-H, --host <host>', 'ghes_inject.py spelling: QMP host (default localhost)')
    .option('-P, --port <port>', 'ghes_inject.py spelling: QMP port (default 4445)')
    .option('-d, --debug', 'QMP: hex-dump the status block sent (to stderr)')
    .option('--json', 'print the result as JSON (an array with several --vm)')
    .option(MAX_INPUT_FLAGS, MAX_INPUT_HELP)
    // ARM processor (ghes_inject.py arm)
    .option('--arm <list>', 'ARM valid bits: mpidr,affinity,running,vendor (overrides the computed bits; also --arm-valid)')
    .option('-a, --affinity <n>', 'affinity level (also --level, --affinity-level)')
    .option('-l, --mpidr <n>', 'multiprocessor affinity register (0x… hex)')
    .option('-i, --midr <n>', 'main ID register, 0x… hex (default: the VM\'s MIDR, as the script reads it with qom-get)')
    .option('-r, --running', 'the processor is running')
    .option('--no-running', 'the processor is not running')
    .option('--psci <n>', 'PSCI state (also --psci-state)')
    .option('-t, --type <lists...>', 'error-info entries, one comma list each: cache,tlb,bus,micro-arch (default: one cache entry)')
    .option('-f, --flags <lists...>', 'per entry: first,last,propagated,overflow (default first,last)')
    .option('-V, --pei-valid <lists...>', 'per entry: multiple-error,flags,error-info,virt-addr,phy-addr (also --error-valid)')
    .option('-m, --multiple-error <ints...>', 'per entry: error count')
    .option('-e, --error-info <ints...>', 'per entry: error information (0x… hex)')
    .option('-p, --physical-address <ints...>', 'per entry: physical address (0x… hex)')
    .option('-v, --virtual-address <ints...>', 'per entry: virtual address (0x… hex)')
    .option('--ctx-type <ints...>', 'per context: register context type (default 5, AArch64 EL1; also --context-type)')
    .option('--ctx-size <ints...>', 'per context: minimal number of registers (also --context-size)')
    .option('--ctx-array <lists...>', 'per context: comma list of register values, 0x… hex (also --context-array)')
    .option('--vendor <lists...>', 'vendor-specific bytes, comma lists (also --vendor-specific)')
    // Generic Error Data (qmp_helper.py)
    .option('--block-status <name>', 'uncorrectable (default), correctable, multi-uncorrectable, multi-correctable')
    .option('--raw-data <lists...>', 'raw data bytes after the entry')
    .option('--severity <name>', 'recoverable (default), fatal, corrected, none (also --error-severity)')
    .option('--gen-err-valid-bits <list>', 'fru-id,fru-text,timestamp (overrides the computed bits)')
    .option('--fru-id <guid>', 'FRU id')
    .option('--fru-text <text>', 'FRU text, at most 20 ASCII characters')
    .option('--timestamp <time>', '"now" or "YYYY-MM-DD HH:MM:SS" (UTC)')
    .option('--precise', 'the timestamp is precise (also --precise-timestamp)')
    .option('--gedb-flags <list>', 'data entry flags: recovered,prev-error,simulated')
    // memory
    .option('--memory', 'send a platform memory error instead')
    .option('--address <pa>', 'memory: physical address (0x… hex)')
    .option('--address-mask <mask>', 'memory: physical address mask (0x… hex)')
    .option('--memory-error-type <name|n>', 'memory: singleBitEcc, multiBitEcc, … or a number')
    .option('--node <n>', 'memory: node')
    .option('--card <n>', 'memory: card')
    .option('--module <n>', 'memory: module')
    .option('--bank <n>', 'memory: bank')
    .option('--device <n>', 'memory: device')
    .option('--row <n>', 'memory: row')
    .option('--column <n>', 'memory: column')
    .option('--bit-position <n>', 'memory: bit position')
    // PCIe
    .option('--pcie', 'send a PCIe error instead')
    .option('--port-type <name|n>', 'pcie: endpoint, rootPort, … or a number')
    .option('--bdf <seg:bus:dev.fn>', 'pcie: device address, hex')
    .option('--vendor-id <n>', 'pcie: vendor id')
    .option('--device-id <n>', 'pcie: device id')
    .option('--class-code <n>', 'pcie: class code')
    .option('--serial <n>', 'pcie: device serial number (0x… hex)')
    .option('--uncor-status <n>', 'pcie: AER uncorrectable error status')
    .option('--cor-status <n>', 'pcie: AER correctable error status');
  // the script's alternative spellings
  cmd.addOption(new Option('--arm-valid <list>').hideHelp());
  cmd.addOption(new Option('--level <n>').hideHelp()).addOption(new Option('--affinity-level <n>').hideHelp());
  cmd.addOption(new Option('--psci-state <n>').hideHelp()).addOption(new Option('--error-valid <lists...>').hideHelp());
  cmd.addOption(new Option('--context-type <ints...>').hideHelp()).addOption(new Option('--context-size <ints...>').hideHelp());
  cmd.addOption(new Option('--context-array <lists...>').hideHelp()).addOption(new Option('--vendor-specific <lists...>').hideHelp());
  cmd.addOption(new Option('--error-severity <name>').hideHelp()).addOption(new Option('--generic-error-validation-bits <list>').hideHelp());
  cmd.addOption(new Option('--precise-timestamp').hideHelp());
  // what `rasgw completion` offers after the options this command parses itself
  const offered: Array<[string, object]> = [
    ['--severity', ERROR_SEVERITY],
    ['--block-status', BLOCK_STATUS],
    ['--type', PEI_TYPES],
    ['--flags', PEI_FLAGS],
    ['--pei-valid', PEI_VALID_BITS],
    ['--arm', ARM_VALID_BITS],
    ['--gen-err-valid-bits', GEN_VALID_BITS],
    ['--gedb-flags', GEDB_FLAGS],
  ];
  for (const [flag, values] of offered) offerValues(cmd, flag, Object.keys(values));
  addClientOptions(cmd);
  cmd.addHelpText('after', SYNDROME_HELP + INJECT_EXIT_HELP);
  cmd.action(async (_kind: string | undefined, raw: Opts) => {
    const o: Opts = { ...raw };
    const kebab = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    const alias = (from: string, to: string) => {
      if (o[from] === undefined) return;
      // the script's spelling and ours of one option, with different values: which was meant?
      if (o[to] !== undefined && JSON.stringify(o[to]) !== JSON.stringify(o[from])) throw new CliError(`${kebab(to)} and ${kebab(from)} are the same option: give it once`);
      o[to] = o[from];
    };
    alias('armValid', 'arm');
    alias('level', 'affinity');
    alias('affinityLevel', 'affinity');
    alias('psciState', 'psci');
    alias('errorValid', 'peiValid');
    alias('contextType', 'ctxType');
    alias('contextSize', 'ctxSize');
    alias('contextArray', 'ctxArray');
    alias('vendorSpecific', 'vendor');
    alias('errorSeverity', 'severity');
    alias('genericErrorValidationBits', 'genErrValidBits');
    alias('preciseTimestamp', 'precise');
    // commander sets running=true by default because of --no-running; only an explicit flag counts
    const src = cmd.getOptionValueSource('running');
    if (src !== 'cli') delete o.running;
    let code: number;
    try {
      code = await run(o);
    } catch (e) {
      if (e instanceof GatewayRequestError) throw new CliError(e.message);
      throw e;
    }
    process.exitCode = code;
  });
}
