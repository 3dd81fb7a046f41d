import path from 'path';
import { Command } from 'commander';
import { createLogger } from '../../log/logger';
import { DEFAULT_BODY_LIMIT } from '../../gateway/app';
import { TokenError } from '../../gateway/auth';
import { CAPACITY_DEFAULTS } from '../../gateway/capacity';
import { FETCH_BAD_PORTS, badPortReason } from '../../gateway/client/fetchBadPorts';
import { DEFAULT_PORT, defaultDataDir, startServer } from '../../gateway/server';
import { DEFAULT_QMP_PORT } from '../../qmp/QmpServer';
import { DataDirInUseError } from '../../store/DataDirLock';
import { damagedStoreMessage } from '../../store/damagedStore';
import { STORE_FILE } from '../../store/EventStore';
import { CliError } from '../io';
import { DEFAULT_MACHINE_HELP } from '../../vm/defaultMachine';

/**
 * `rasgw serve`: runs the REST gateway and one QMP endpoint per VM until SIGINT/SIGTERM. Prints
 * where it listens (REST, each VM's QMP port and source), where the token is, the first VM's
 * machine, and a curl command that injects an error into its first source (SEI on the default
 * machine: the answer carries the syndrome).
 */
function port(text: string, name: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new CliError(`${name}: ${JSON.stringify(text)} is not a port number`);
  return Number(text);
}

/** The --body-limit range (bytes). */
const BODY_LIMIT_MIN = 1024;
const BODY_LIMIT_MAX = 256 * 1024 * 1024;

/** Single-quotes a string for a POSIX shell. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function notificationOf(sources: Array<{ sourceId: number; notification: string }>, id: number): string {
  return sources.find((x) => x.sourceId === id)?.notification ?? 'unknown source';
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(`run the REST gateway (and one QMP endpoint per VM) with the event store in the data directory; an empty store gets the default VM "default": ${DEFAULT_MACHINE_HELP}`)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'REST port', String(DEFAULT_PORT))
    .option('--qmp-port <port>', 'QMP port of the first VM (every other VM gets a free port, listed in GET /vms/{id} as qmp)', String(DEFAULT_QMP_PORT))
    .option('--no-qmp', 'do not open QMP endpoints')
    // no commander default: --help would print this machine's absolute path instead of the rule
    .option('--data-dir <dir>', 'event store and token directory (default $RASGW_DATA_DIR or ./data)')
    .option('--token-file <file>', 'bearer token file (generated with mode 0600 if missing; RASGW_TOKEN wins)')
    .option('--body-limit <bytes>', `largest request body accepted, ${BODY_LIMIT_MIN}..${BODY_LIMIT_MAX} bytes`, String(DEFAULT_BODY_LIMIT))
    .option('--durability <mode>', 'normal (survives kill -9) or full (fsync every commit)', 'normal')
    .option('--max-vms <n>', 'VMs the gateway holds at most (docs/RELIABILITY.md, "Bounds")', String(CAPACITY_DEFAULTS.maxVms))
    .option('--json', 'print where it listens as one JSON line instead of the text')
    .action(async (o: { host: string; port: string; qmpPort: string; qmp: boolean; dataDir?: string; tokenFile?: string; bodyLimit: string; durability: string; maxVms: string; json?: boolean }) => {
      if (o.durability !== 'normal' && o.durability !== 'full') throw new CliError('--durability: normal or full');
      if (!/^[1-9][0-9]{0,6}$/.test(o.maxVms)) throw new CliError(`--max-vms: ${JSON.stringify(o.maxVms)} is not a VM count (1..9999999)`);
      // below 1 KiB not even a small injection fits (every request would be 413); above 256 MiB a
      // body is more than the gateway can hold as one JSON text
      if (!/^[0-9]{1,9}$/.test(o.bodyLimit) || Number(o.bodyLimit) < BODY_LIMIT_MIN || Number(o.bodyLimit) > BODY_LIMIT_MAX) {
        throw new CliError(`--body-limit: expected a number of bytes from ${BODY_LIMIT_MIN} to ${BODY_LIMIT_MAX} (default ${DEFAULT_BODY_LIMIT}), got ${JSON.stringify(o.bodyLimit)}`);
      }
      const dataDir = path.resolve(o.dataDir ?? defaultDataDir());
      const logger = createLogger({ mode: 'server' });
      let srv;
      try {
        srv = await startServer({
          dataDir,
          host: o.host,
          port: port(o.port, '--port'),
          qmpPort: o.qmp ? port(o.qmpPort, '--qmp-port') : null,
          tokenFile: o.tokenFile ? path.resolve(o.tokenFile) : undefined,
          bodyLimit: Number(o.bodyLimit),
          durability: o.durability,
          maxVms: Number(o.maxVms),
          logger,
        });
      } catch (e) {
        if (e instanceof TokenError) throw new CliError(e.message);
        // another gateway owns the data directory: refused before anything was written
        if (e instanceof DataDirInUseError) throw new CliError(e.message);
        const damaged = damagedStoreMessage(e, path.join(dataDir, STORE_FILE));
        if (damaged !== undefined) throw new CliError(damaged);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliError(`cannot listen: ${(e as Error).message}`);
        // a --host that is no address of this machine (or no name that resolves)
        if (code === 'ENOTFOUND' || code === 'EADDRNOTAVAIL' || code === 'EAI_AGAIN') {
          throw new CliError(`--host ${o.host}: cannot listen there (${code}: not an address of this machine); use 127.0.0.1, ::1, 0.0.0.0 or an address of one of its interfaces`);
        }
        throw e;
      }
      // bin/rasgw started this process with V8's --optimize-for-size (small start-up heap); from
      // here on the gateway gets V8's usual heap growth
      require('v8').setFlagsFromString('--no-optimize-for-size');
      const vm = srv.gateway.vmIds()[0] ?? 'default';
      const tokenRef = srv.token.from === 'env' ? '$RASGW_TOKEN' : `$(cat ${shellQuote(srv.token.from)})`;
      const qmpLines = srv.qmpHub
        ? srv.qmpHub.endpoints().map((e) => `QMP (VM ${e.vmId}) on tcp ${e.host}:${e.port}, inject-ghes-v2-error → source ${e.sourceId} (${notificationOf(srv.gateway.vm(e.vmId).state().sources, e.sourceId)})`)
        : ['QMP disabled'];
      const first = srv.gateway.vmIds().length ? srv.gateway.vm(vm).state() : undefined;
      const target = first?.sources[0];
      const lines = [
        `rasgw gateway listening on ${srv.url}`,
        ...qmpLines,
        `data: ${dataDir} (${srv.restored.vms} VM(s) restored, ${srv.restored.replayed} injection(s) replayed${srv.createdDefaultVm ? `, default VM "${srv.createdDefaultVm}" created` : ''})`,
        srv.token.from === 'env' ? 'token: from RASGW_TOKEN' : `token: ${srv.token.from}${srv.token.generated ? ' (generated, mode 0600)' : ''}`,
        ...(first ? [`VM ${vm}: ${first.spec.profile}, sources ${first.sources.map((x) => `${x.sourceId} ${x.notification}`).join(', ')}, guest ${first.spec.personality}`] : []),
        target?.notification === 'sei'
          ? `inject an ARM processor error into source ${target.sourceId} (SEI: a virtual SError; the answer's "notification" has its ESR syndrome):`
          : `inject an ARM processor error${target ? ` into source ${target.sourceId} (${target.notification})` : ''}:`,
        `  curl -sS -H "Authorization: Bearer ${tokenRef}" -H 'Content-Type: application/json' -d '{"error":{"type":"arm"}}' ${srv.url}/vms/${vm}/errors`,
        `API: ${srv.url}/openapi.json   guest log: ${srv.url}/vms/${vm}/log/stream`,
        `web console: ${srv.url}/ (sign in with the token)`,
      ];
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ url: srv.url, qmp: srv.qmp ?? null, dataDir, token: srv.token.from === 'env' ? { from: 'env' } : { file: srv.token.from, generated: srv.token.generated === true }, restored: srv.restored, createdDefaultVm: srv.createdDefaultVm ?? null }) + '\n',
        );
      } else process.stdout.write(lines.join('\n') + '\n');
      const listening = Number(new URL(srv.url).port);
      if (FETCH_BAD_PORTS.has(listening)) process.stderr.write(`warning: ${badPortReason(listening)} (curl can); choose another --port\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await srv.close();
    });
}
