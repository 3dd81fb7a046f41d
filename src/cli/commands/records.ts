import { parseSince } from '../since';
import path from 'path';
import { Command, Option } from 'commander';
import { vmUrlPath } from '../../gateway/client/GatewayClient';
import { DEFAULT_VM_ID } from '../../gateway/defaults';
import { RECORD_EXPORT_FORMATS } from '../../gateway/recordExport';
import { ClientOptions, addClientOptions, clientFrom, note, print, printJson, withGateway } from '../client';
import { CliError, writeOutput } from '../io';
import { listPages } from '../paging';
import { makeFolder } from '../../store/makeFolder';

/**
 * `rasgw records`: the records a VM's guest read, from a running gateway.
 * - `records list` (the default): one line per record (id, time, source, severity, sections,
 *   injection), or `--json`; pages through GET /vms/{id}/records with `after=<last>`.
 * - `records export RID…`: each record as a file, in the form the gateway exports
 *   (GET /vms/{id}/records/{rid}?format=…): `gesb` the status block bytes the guest read, `json`
 *   the record resource, `cper` the same error as a UEFI CPER record. One record goes to `-o FILE` or stdout (never bytes to a terminal);
 *   several, or `--all`, go to `--dir DIR` as <vm>-<rid>.<format>.
 */
interface Record_ {
  id: number;
  vmId: string;
  sourceId: number;
  boot?: number;
  severity?: string;
  sections: string[];
  injectionId?: string;
  at: string;
}

interface ListOptions extends ClientOptions {
  vm: string;
  after: string;
  since?: string;
  limit?: string;
  json?: boolean;
}

interface ExportOptions extends ClientOptions {
  vm: string;
  format: (typeof RECORD_EXPORT_FORMATS)[number];
  output?: string;
  dir?: string;
  all?: boolean;
}

function count(text: string, name: string, min: number): number {
  if (!/^[0-9]{1,15}$/.test(text) || Number(text) < min) throw new CliError(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function listRecords(o: ClientOptions & { vm: string; after: number; since?: string; limit?: number }): Promise<Record_[]> {
  const client = clientFrom(o);
  const out: Record_[] = [];
  const since = o.since === undefined ? undefined : parseSince(o.since);
  const pathAfter = (after = o.after) => {
    const q = new URLSearchParams({ after: String(after), limit: String(Math.min(1000, o.limit === undefined ? 1000 : o.limit - out.length)) });
    if (since !== undefined) q.set('since', since);
    return vmUrlPath(o.vm, `/records?${q.toString()}`);
  };
  await withGateway(async () => {
    for await (const page of listPages<Record_>(client, 'records', pathAfter)) {
      out.push(...page);
      if (o.limit !== undefined && out.length >= o.limit) break;
    }
  });
  return out;
}

export function formatRecordList(records: Record_[]): string {
  return records
    .map((r) => `${r.id}  ${r.at}  vm=${r.vmId} source=${r.sourceId} severity=${r.severity ?? 'unknown'} sections=${r.sections.join(',') || 'none'}${r.injectionId !== undefined ? ` injection=${r.injectionId}` : ''}`)
    .join('\n');
}

export function registerRecords(program: Command): void {
  const records = program.command('records').description('list the records a VM\'s guest read, or export them as files (.gesb, .cper, .json)');

  addClientOptions(
    records
      .command('list', { isDefault: true })
      .description('one line per record the guest read (default subcommand)')
      .option('--vm <id>', 'VM', DEFAULT_VM_ID)
      .option('--after <rid>', 'only records after this record id', '0')
      .option('--since <time>', 'only records at or after: ISO date/time (UTC unless it names a zone), or 30s/10m/2h/7d ago')
      .option('--limit <n>', 'at most this many records')
      .option('--json', 'print the records as JSON'),
  ).action(async (o: ListOptions) => {
    const list = await listRecords({ ...o, after: count(o.after, '--after', 0), limit: o.limit === undefined ? undefined : count(o.limit, '--limit', 1) });
    if (o.json) printJson({ records: list });
    else if (list.length === 0) note(`no records on VM ${o.vm}`);
    else print(formatRecordList(list));
  });

  addClientOptions(
    records
      .command('export')
      .description('write records as files: gesb (status block bytes, byte-exact), cper (a UEFI CPER record) or json (the record resource)')
      .argument('[rid...]', 'record ids')
      .option('--vm <id>', 'VM', DEFAULT_VM_ID)
      .option('--all', 'every record of the VM (with --dir)')
      .addOption(new Option('--format <f>', 'file form').choices([...RECORD_EXPORT_FORMATS]).default('gesb'))
      .option('-o, --output <file>', 'one record: write it to this file (default stdout)')
      .option('--dir <dir>', 'write each record to DIR/<vm>-<rid>.<format>'),
  ).action(async (rids: string[], o: ExportOptions) => {
    const client = clientFrom(o);
    let ids = rids.map((r) => count(r, 'record id', 1));
    if (o.all) {
      if (ids.length) throw new CliError('give record ids or --all, not both');
      ids = (await listRecords({ ...o, after: 0 })).map((r) => r.id);
      if (ids.length === 0) note(`no records on VM ${o.vm}`);
    } else if (ids.length === 0) throw new CliError('give the record ids to export (rasgw records list shows them), or --all');
    if (o.output !== undefined && o.dir !== undefined) throw new CliError('use -o FILE for one record or --dir DIR for several, not both');
    if (ids.length > 1 && o.dir === undefined) throw new CliError(`${ids.length} records: name a folder with --dir DIR (each goes to DIR/<vm>-<rid>.${o.format})`);
    if (o.dir !== undefined) makeFolder(o.dir, '--dir');
    for (const rid of ids) {
      const urlPath = vmUrlPath(o.vm, `/records/${rid}?format=${o.format}`);
      const data: Uint8Array | string =
        o.format === 'json' ? JSON.stringify((await withGateway(() => client.request('GET', urlPath))).body, null, 2) + '\n' : (await withGateway(() => client.requestBytes(urlPath))).bytes;
      if (o.dir !== undefined) {
        const file = path.join(o.dir, `${o.vm}-${rid}.${o.format}`);
        writeOutput(data, file);
        note(`record ${rid}: ${file} (${typeof data === 'string' ? Buffer.byteLength(data) : data.length} bytes)`);
      } else writeOutput(data, o.output);
    }
  });
}
