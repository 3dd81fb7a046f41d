import fs from 'fs';
import { parseSince } from '../since';
import path from 'path';
import { Command } from 'commander';
import { toJsonText } from '../../binary/u64';
import { decodedOf } from '../../gateway/guestRecordRendering';
import { GatewayClient, GatewayRequestError, URL_ENV, clientToken, vmUrlPath } from '../../gateway/client/GatewayClient';
import { DEFAULT_PORT, defaultDataDir } from '../../gateway/defaults';
import type * as Store from '../../store/EventStore';
import { damagedStoreMessage } from '../../store/damagedStore';
import { CliError } from '../io';
import { gatewayUrl } from '../client';
import { listPages } from '../paging';

/**
 * `rasgw events`: the records the guests read, like `ras-mc-ctl --errors` (one line per record,
 * grouped by kind) and `--summary` (counts per kind and severity). Reads from a running gateway
 * (GET /records) or, with --offline, straight from the store file in the data directory (as
 * ras-mc-ctl reads rasdaemon's database; safe while the gateway runs, the store is WAL).
 */
interface EventRecord {
  id: number;
  vmId: string;
  sourceId: number;
  severity?: string;
  sections: string[];
  decoded: unknown;
  at: string;
}

const KINDS: Array<{ key: string; title: string; none: string; match: (s: string) => boolean }> = [
  { key: 'arm', title: 'ARM processor events', none: 'No ARM processor errors.', match: (s) => s === 'arm' },
  { key: 'memory', title: 'Memory events', none: 'No Memory errors.', match: (s) => s === 'memory' || s === 'memory2' },
  { key: 'pcie', title: 'PCIe AER events', none: 'No PCIe AER errors.', match: (s) => s === 'pcie' },
  { key: 'other', title: 'Other events', none: 'No other errors.', match: () => true },
];

function kindOf(r: EventRecord): string {
  const first = r.sections[0] ?? 'unknown';
  return KINDS.find((k) => k.match(first))!.key;
}

/** "2026-01-02T03:04:05Z", "2026-01-02", or relative: 30s, 10m, 2h, 7d. */
/** `--since` (ISO date/time or a time ago): src/cli/since.ts, shared with rasgw records. */
export { parseSince };

/** The fields of the first section worth a line, by kind. */
function details(r: EventRecord): string {
  const entries = (r.decoded as { entries?: Array<{ section?: Record<string, unknown> }> } | null)?.entries ?? [];
  const s = entries[0]?.section ?? {};
  const hex = (k: string) => (typeof s[k] === 'string' ? `${k}=${s[k] as string}` : undefined);
  switch (kindOf(r)) {
    case 'arm':
      return [hex('mpidr'), hex('midr'), `error-info entries=${Array.isArray(s.errorInfo) ? s.errorInfo.length : 0}`].filter(Boolean).join(' ');
    case 'memory': {
      const t = s.memoryErrorType as { name?: string } | undefined;
      return [hex('physicalAddress'), t?.name ? `type=${t.name}` : undefined].filter(Boolean).join(' ');
    }
    case 'pcie': {
      const id = s.deviceId as Record<string, number> | undefined;
      return id ? `dev=${(id.segment ?? 0).toString(16).padStart(4, '0')}:${(id.primaryBus ?? 0).toString(16).padStart(2, '0')}:${(id.device ?? 0).toString(16).padStart(2, '0')}.${id.function ?? 0}` : '';
    }
    default:
      return `sections=${r.sections.join(',') || 'none'}`;
  }
}

export function formatErrors(records: EventRecord[]): string {
  const out: string[] = [];
  for (const k of KINDS) {
    const rs = records.filter((r) => kindOf(r) === k.key);
    if (rs.length === 0) {
      out.push(k.none);
      continue;
    }
    out.push(`${k.title}:`);
    for (const r of rs) out.push(`${r.id} ${r.at} vm=${r.vmId} source=${r.sourceId} severity=${r.severity ?? 'unknown'} ${details(r)}`.trimEnd());
  }
  return out.join('\n') + '\n';
}

export function formatSummary(records: EventRecord[]): string {
  const out: string[] = [];
  for (const k of KINDS) {
    const rs = records.filter((r) => kindOf(r) === k.key);
    if (rs.length === 0) {
      out.push(k.none);
      continue;
    }
    out.push(`${k.title} summary:`);
    const counts = new Map<string, number>();
    for (const r of rs) {
      const key = `${r.vmId} ${r.severity ?? 'unknown'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of [...counts].sort()) {
      const [vm, sev] = key.split(' ');
      out.push(`\tVM ${vm}, ${sev}: ${n} error(s)`);
    }
  }
  return out.join('\n') + '\n';
}

async function fetchAll(client: GatewayClient, query: URLSearchParams): Promise<EventRecord[]> {
  const all: EventRecord[] = [];
  query.set('limit', '1000');
  const pathAfter = (after = 0) => (query.set('after', String(after)), `/records?${query.toString()}`);
  for await (const page of listPages<EventRecord>(client, 'records', pathAfter)) all.push(...page);
  return all;
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('list the records guests read (like ras-mc-ctl --errors), or count them (--summary)')
    .option('--since <time>', 'only records at or after: ISO date/time (UTC unless it names a zone), or 30s/10m/2h/7d ago')
    .option('--summary', 'counts per kind, VM and severity (like ras-mc-ctl --summary)')
    .option('--vm <id>', 'only this VM')
    .option('--json', 'print the records as JSON')
    .option('--offline', 'read the store file in --data-dir directly instead of asking the gateway')
    .option('--url <url>', `gateway URL (default $${URL_ENV} or http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--token-file <file>', 'bearer token file (default: $RASGW_TOKEN, else <data-dir>/token)')
    .option('--data-dir <dir>', 'gateway data directory (default $RASGW_DATA_DIR or ./data)')
    .action(async (o: { since?: string; summary?: boolean; vm?: string; json?: boolean; offline?: boolean; url?: string; tokenFile?: string; dataDir?: string }) => {
      const dataDir = o.dataDir ?? defaultDataDir();
      const since = o.since === undefined ? undefined : parseSince(o.since);
      let records: EventRecord[];
      if (o.offline) {
        // the SQLite driver is loaded only for --offline (the online path is a REST client)
        const { EventStore, STORE_FILE } = require('../../store/EventStore') as typeof Store;
        const file = path.join(dataDir, STORE_FILE);
        if (!fs.existsSync(file)) throw new CliError(`no store at ${file}`);
        let store: ReturnType<typeof EventStore.open>;
        try {
          store = EventStore.open(dataDir);
        } catch (e) {
          const damaged = damagedStoreMessage(e, file);
          throw damaged === undefined ? e : new CliError(damaged);
        }
        try {
          // a VM id that is not in the store is a mistake to say, not an empty report
          if (o.vm !== undefined && store.getVm(o.vm) === undefined) throw new CliError(`no VM with id ${JSON.stringify(o.vm)} in ${file}`);
          records = [];
          let after = 0;
          for (;;) {
            const page = store.guestRecords({ vmId: o.vm, since, after, limit: 1000 });
            // a record stored without its decoded form (too large) is decoded from its bytes
            for (const r of page) records.push(r.decoded === undefined ? { ...r, decoded: decodedOf(r) } : r);
            if (page.length < 1000) break;
            after = page[page.length - 1].id;
          }
        } finally {
          store.close();
        }
      } else {
        const url = gatewayUrl(o);
        const client = new GatewayClient({ url, token: clientToken({ tokenFile: o.tokenFile, dataDir: dataDir }) });
        const q = new URLSearchParams();
        if (since) q.set('since', since);
        if (o.vm) q.set('vm', o.vm);
        try {
          // a VM id the gateway does not know is a mistake to say (404), not an empty report
          if (o.vm !== undefined) await client.request('GET', vmUrlPath(o.vm));
          records = await fetchAll(client, q);
        } catch (e) {
          if (e instanceof GatewayRequestError) throw new CliError(e.message);
          throw e;
        }
      }
      if (o.json) process.stdout.write(toJsonText(records.map(({ decoded, ...r }) => ({ ...r, decoded })), 2) + '\n');
      else process.stdout.write(o.summary ? formatSummary(records) : formatErrors(records));
    });
}
