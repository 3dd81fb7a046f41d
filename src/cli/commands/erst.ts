import fs from 'fs';
import { Command } from 'commander';
import { toJsonText } from '../../binary/u64';
import { GatewayClient, GatewayRequestError, URL_ENV, clientToken, vmUrlPath } from '../../gateway/client/GatewayClient';
import { DEFAULT_PORT, defaultDataDir } from '../../gateway/server';
import { CliError } from '../io';

/**
 * `rasgw erst list|show|clear --vm ID`: a VM's ERST store (the records its guest serialized, e.g.
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

interface Common {
  vm: string;
  url?: string;
  tokenFile?: string;
  dataDir: string;
  json?: boolean;
}

function client(o: Common): GatewayClient {
  const url = o.url ?? process.env[URL_ENV] ?? `http://127.0.0.1:${DEFAULT_PORT}`;
  try {
    return new GatewayClient({ url, token: clientToken({ tokenFile: o.tokenFile, dataDir: o.dataDir }) });
  } catch (e) {
    if (e instanceof GatewayRequestError) throw new CliError(e.message);
    throw e;
  }
}

async function call<T>(o: Common, method: string, suffix: string): Promise<T> {
  try {
    return (await client(o).request<T>(method, vmUrlPath(o.vm, suffix))).body;
  } catch (e) {
    if (e instanceof GatewayRequestError) throw new CliError(e.message);
    throw e;
  }
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

const common = (c: Command) =>
  c
    .requiredOption('--vm <id>', 'the VM')
    .option('--url <url>', `gateway URL (default $${URL_ENV} or http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--token-file <file>', 'bearer token file (default: $RASGW_TOKEN, else <data-dir>/token)')
    .option('--data-dir <dir>', 'gateway data directory', defaultDataDir());

export function registerErst(program: Command): void {
  const erst = program.command('erst').description("a VM's ERST records (error serialization: pstore panic logs and other saved records)");
  common(erst.command('list').description('list the records and the guest\'s /sys/fs/pstore files').option('--json', 'print the JSON view')).action(async (o: Common) => {
    const v = await call<ListView>(o, 'GET', '/erst');
    process.stdout.write(o.json ? toJsonText(v, 2) + '\n' : formatErstList(v));
  });
  common(
    erst
      .command('show <recordId>')
      .description('show one record (pstore text, or its header)')
      .option('--json', 'print the JSON form (decoded CPER, base64 bytes)')
      .option('--cper <file>', 'write the CPER record bytes to a file ("-" for stdout)'),
  ).action(async (id: string, o: Common & { cper?: string }) => {
    const rid = recordIdArg(id);
    const r = await call<Record<string, unknown> & { bytes: string; length: number; creator?: string }>(o, 'GET', `/erst/${rid}`);
    const bytes = Buffer.from(r.bytes, 'base64');
    if (o.cper !== undefined) {
      if (o.cper === '-') process.stdout.write(bytes);
      else fs.writeFileSync(o.cper, bytes);
      return;
    }
    if (o.json) {
      process.stdout.write(toJsonText(r, 2) + '\n');
      return;
    }
    const pstore = r.pstore as { text: string } | undefined;
    if (pstore) {
      process.stdout.write(pstore.text);
      return;
    }
    const { decoded: _d, bytes: _b, pstore: _p, ...head } = r;
    process.stdout.write(toJsonText(head, 2) + '\n');
  });
  common(
    erst
      .command('clear [recordId]')
      .description('clear one record, or every record with --all')
      .option('--all', 'clear every record of the VM'),
  ).action(async (id: string | undefined, o: Common & { all?: boolean }) => {
    if ((id === undefined) === !o.all) throw new CliError('give a record id or --all (not both)');
    const r = await call<{ cleared: number }>(o, 'DELETE', id === undefined ? '/erst' : `/erst/${recordIdArg(id)}`);
    process.stderr.write(`cleared ${r.cleared} record(s)\n`);
  });
}
