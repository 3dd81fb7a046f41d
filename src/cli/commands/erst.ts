import { Command } from 'commander';
import { vmUrlPath } from '../../gateway/client/GatewayClient';
import { DEFAULT_VM_ID } from '../../gateway/defaults';
import { ClientOptions, addClientOptions, clientFrom, note, print, printJson, withGateway } from '../client';
import { CliError, writeOutput } from '../io';

/**
 * `rasgw erst list|show|clear [--vm ID]` (default VM "default"): a VM's ERST store (the records its guest serialized, e.g.
 * pstore's panic logs) through the gateway's /vms/{id}/erst routes.
 *   list                 one line per record: id, slot, length, creator; then the guest's /sys/fs/pstore files
 *   show <recordId>      the record: the log text of a pstore record (inflated), else its header; --json the JSON
 *                        form; --cper FILE writes the CPER bytes to FILE ("-" = stdout)
 *   clear [recordId]     clears one record, or every record with --all
 */
interface ListView {
  vmId: string;
  capacity: number;
  recordSize: number;
  count: number;
  records: Array<{ id: string; slot: number; length: number; creator?: string; creatorId?: string; errorSeverity?: number }>;
  pstore: Array<{ name: string; size: number; time: number }>;
}

interface Common extends ClientOptions {
  vm: string;
  json?: boolean;
}

function call<T>(o: Common, method: string, suffix: string): Promise<T> {
  return withGateway(async () => (await clientFrom(o).request<T>(method, vmUrlPath(o.vm, suffix))).body);
}

/** The record id as the routes take it: "0x" + hex, or decimal. */
export function recordIdArg(text: string): string {
  if (!/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(text) || BigInt(text) > 0xffff_ffff_ffff_ffffn) {
    throw new CliError(`record id: expected a u64 ("0x" + up to 16 hex digits, or decimal), got ${JSON.stringify(text)}`);
  }
  return '0x' + BigInt(text).toString(16).padStart(16, '0');
}

export function formatErstList(v: ListView): string {
  const out = [`VM ${v.vmId}: ${v.count} of ${v.capacity} ERST record(s), exchange buffer ${v.recordSize} bytes`];
  for (const r of v.records) out.push(`${r.id} slot=${r.slot} length=${r.length} creator=${r.creator ?? r.creatorId ?? 'unknown'}${r.errorSeverity !== undefined ? ` severity=${r.errorSeverity}` : ''}`);
  if (v.pstore.length) {
    out.push('/sys/fs/pstore (this boot):');
    for (const f of v.pstore) out.push(`  ${f.name} ${f.size} bytes, time ${new Date(f.time * 1000).toISOString()}`);
  }
  return out.join('\n') + '\n';
}

/** `--vm` defaults to the gateway's default VM, as in rasgw log and rasgw records. */
const common = (c: Command) => addClientOptions(c.option('--vm <id>', 'VM', DEFAULT_VM_ID));

export function registerErst(program: Command): void {
  const erst = program.command('erst').description("a VM's ERST records (error serialization: pstore panic logs and other saved records)");
  common(erst.command('list').description('list the records and the guest\'s /sys/fs/pstore files').option('--json', 'print the JSON view')).action(async (o: Common) => {
    const v = await call<ListView>(o, 'GET', '/erst');
    if (o.json) printJson(v);
    else print(formatErstList(v));
  });
  common(
    erst
      .command('show <recordId>')
      .description('show one record (pstore text, or its header)')
      .option('--json', 'print the JSON form (decoded CPER, base64 bytes)')
      .option('--cper <file>', 'write the CPER record bytes to a file ("-" for stdout)'),
  ).action(async (id: string, o: Common & { cper?: string }) => {
    // two outputs asked for: the JSON was dropped without a word
    if (o.cper !== undefined && o.json) throw new CliError('--json prints the record, --cper FILE writes its bytes: give one of them');
    const rid = recordIdArg(id);
    const r = await call<Record<string, unknown> & { bytes: string; length: number; creator?: string }>(o, 'GET', `/erst/${rid}`);
    const bytes = Buffer.from(r.bytes, 'base64');
    if (o.cper !== undefined) {
      // bytes never go to a terminal; "-" writes them to stdout (a pipe or file)
      writeOutput(new Uint8Array(bytes), o.cper, '--cper FILE');
      return;
    }
    if (o.json) {
      printJson(r);
      return;
    }
    const pstore = r.pstore as { text: string } | undefined;
    if (pstore) {
      print(pstore.text);
      return;
    }
    const { decoded: _d, bytes: _b, pstore: _p, ...head } = r;
    printJson(head);
  });
  common(
    erst
      .command('clear [recordId]')
      .description('clear one record, or every record with --all')
      .option('--all', 'clear every record of the VM')
      .option('--json', 'print {"cleared": N} as JSON'),
  ).action(async (id: string | undefined, o: Common & { all?: boolean; json?: boolean }) => {
    if ((id === undefined) === !o.all) throw new CliError('give a record id or --all (not both)');
    const r = await call<{ cleared: number }>(o, 'DELETE', id === undefined ? '/erst' : `/erst/${recordIdArg(id)}`);
    if (o.json) printJson({ cleared: r.cleared });
    else note(`cleared ${r.cleared} record(s)`);
  });
}

/** `rasgw vm create`'s ERST options: --no-erst, --erst-capacity N, --erst-record-size N. */
export function addErstCreateOptions(cmd: Command): Command {
  return cmd
    .option('--no-erst', 'extended profile: no ERST device (it is on by default there)')
    .option('--erst-capacity <n>', 'extended profile: ERST records the store holds (default 16)')
    .option('--erst-record-size <n>', 'extended profile: ERST exchange buffer bytes, a power of two 4096..65536 (default 8192)')
    .option('--erst-accept-unsigned', 'extended profile: the ERST device accepts records without the "CPER" signature, as QEMU does (erst.checkSignature false)');
}

/** The `erst` field of POST /vms for those options (undefined: say nothing, the gateway decides). */
export function erstCreateField(o: { erst?: boolean; erstCapacity?: string; erstRecordSize?: string; erstAcceptUnsigned?: boolean }, explicitOff: boolean): unknown {
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^[0-9]{1,6}$/.test(v)) throw new CliError(`--${name}: expected an integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const capacity = int('erst-capacity', o.erstCapacity);
  const recordSize = int('erst-record-size', o.erstRecordSize);
  if (explicitOff) {
    if (capacity !== undefined || recordSize !== undefined || o.erstAcceptUnsigned) throw new CliError('--no-erst cannot be combined with --erst-capacity, --erst-record-size or --erst-accept-unsigned');
    return false;
  }
  if (capacity === undefined && recordSize === undefined && !o.erstAcceptUnsigned) return undefined;
  return { ...(capacity !== undefined ? { capacity } : {}), ...(recordSize !== undefined ? { recordSize } : {}), ...(o.erstAcceptUnsigned ? { checkSignature: false } : {}) };
}
