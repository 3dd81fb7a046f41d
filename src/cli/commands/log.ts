import { Command } from 'commander';
import { GatewayClient, GatewayRequestError, vmUrlPath } from '../../gateway/client/GatewayClient';
import { DEFAULT_VM_ID } from '../../gateway/defaults';
import { ClientOptions, addClientOptions, asCliError, clientFrom, note, withGateway } from '../client';
import { NotificationView, formatNotification } from '../injectOutcome';
import { CliError } from '../io';
import { listPages } from '../paging';

/**
 * `rasgw log --vm ID [--follow]`: the guest kernel log of a VM, like `dmesg` (and `dmesg -w`).
 * Without --follow: the stored lines after --since, page by page (GET /vms/{id}/log, paging by
 * `since=<last>` until an empty page). With --follow: the live SSE stream
 * (GET /vms/{id}/log/stream); when the connection drops (gateway restart, network) it reconnects
 * with `Last-Event-ID` set to the last line received, so no line is lost or printed twice, and
 * keeps following until the VM is deleted (`event: end`) or the user stops it.
 * `--json`: one JSON object per line, {"seq":N,"line":"…"} (NDJSON). `--notifications` (with
 * --follow) adds the stream's notification events (what the device model raised, with the ESR)
 * and its `lost` events (an injection lost in flight: reboot, guest panic).
 */
interface LogOptions extends ClientOptions {
  vm: string;
  follow?: boolean;
  since: string;
  json?: boolean;
  notifications?: boolean;
  reconnectDelay: string;
}

interface LogLine {
  seq: number;
  line: string;
}

function emit(l: LogLine, json: boolean | undefined): void {
  process.stdout.write(json ? JSON.stringify({ seq: l.seq, line: l.line }) + '\n' : l.line + '\n');
}

/** Prints the stored lines after `since`. */
async function printStored(client: GatewayClient, vm: string, since: number, json: boolean | undefined): Promise<void> {
  for await (const page of listPages<LogLine>(client, 'lines', (last = since) => vmUrlPath(vm, `/log?since=${last}&limit=1000`))) {
    for (const l of page) emit(l, json);
  }
}

/** One parsed Server-Sent Event. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

/** Splits an SSE byte stream into events (the WHATWG parsing rules for the fields we use). */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;

  push(text: string): SseEvent[] {
    this.buffer += text;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      const width = this.buffer.startsWith('\r\n', nl) ? 2 : 1;
      // a lone \r at the end of the buffer may be the first half of \r\n: wait for more
      if (width === 1 && this.buffer[nl] === '\r' && nl === this.buffer.length - 1) break;
      this.buffer = this.buffer.slice(nl + width);
      if (line === '') {
        if (this.data.length > 0 || this.event !== '') out.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n'), retry: this.retry });
        this.data = [];
        this.event = '';
        this.retry = undefined;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.data.push(value);
      else if (field === 'event') this.event = value;
      else if (field === 'id') this.id = value;
      else if (field === 'retry' && /^[0-9]+$/.test(value)) this.retry = Number(value);
    }
    return out;
  }
}

/**
 * Follows the stream from `since`, reconnecting after drops. Resolves when the VM is deleted.
 * `signal` stops it (resolves too).
 */
export async function followLog(client: GatewayClient, vm: string, since: number, opts: { json?: boolean; notifications?: boolean; reconnectDelayMs: number; signal?: AbortSignal }): Promise<void> {
  let last = since;
  // notification and lost events are sent at least once (again after a resume): printed once each
  const notified = new Set<string>();
  let outage = false;
  let delay = opts.reconnectDelayMs;
  for (;;) {
    if (opts.signal?.aborted) return;
    let res: Response;
    try {
      res = await client.open('GET', vmUrlPath(vm, `/log/stream${last > 0 ? `?since=${last}` : ''}`), {
        headers: { Accept: 'text/event-stream', ...(last > 0 ? { 'Last-Event-ID': String(last) } : {}) },
        signal: opts.signal,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      // a refusal (404: the VM is gone, 401: bad token) ends it; an unreachable gateway, or one
      // that is busy or at its stream limit (503, 429), is retried
      if (!(e instanceof GatewayRequestError) || (e.status !== 0 && e.status !== 503 && e.status !== 429)) throw asCliError(e);
      if (!outage) note(`rasgw log: ${e.message}; reconnecting every ${delay} ms (Ctrl-C stops)`);
      outage = true;
      await sleep(delay, opts.signal);
      continue;
    }
    if (outage) note(`rasgw log: reconnected, resuming after line ${last}`);
    outage = false;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    let ended = false;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const ev of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (ev.retry !== undefined) delay = Math.min(Math.max(ev.retry, 50), 60_000, opts.reconnectDelayMs);
          if (ev.event === 'end') ended = true;
          else if (ev.event === 'notification' && opts.notifications) printNotification(ev.data, notified, opts.json);
          else if (ev.event === 'lost' && opts.notifications) printLost(ev.data, notified, opts.json);
          else if (ev.event === 'log' && ev.id !== undefined && /^[0-9]+$/.test(ev.id)) {
            const seq = Number(ev.id);
            if (seq <= last) continue;
            last = seq;
            emit({ seq, line: ev.data }, opts.json);
          }
        }
        if (ended) break;
      }
    } catch (e) {
      if ((e as Error).name === 'AbortError' || opts.signal?.aborted) return;
      // the connection dropped mid-stream: reconnect below
    }
    if (ended) {
      note(`rasgw log: VM ${vm} was deleted; end of its log`);
      return;
    }
    if (opts.signal?.aborted) return;
    note(`rasgw log: connection to the gateway lost after line ${last}; reconnecting`);
    outage = true;
    await sleep(delay, opts.signal);
  }
}

/** One `event: notification` of the stream: `[rasgw] injection 7: SEI (virtual-serror) on vCPU 0, ESR …`, or its JSON. */
function printNotification(data: string, seen: Set<string>, json: boolean | undefined): void {
  let n: { injectionId?: unknown; boot?: unknown; notification?: NotificationView };
  try {
    n = JSON.parse(data) as typeof n;
  } catch {
    return;
  }
  const key = `${String(n.boot)}/${String(n.injectionId)}`;
  if (seen.has(key) || !n.notification) return;
  seen.add(key);
  process.stdout.write(json ? JSON.stringify({ injectionId: n.injectionId, boot: n.boot, notification: n.notification }) + '\n' : `[rasgw] injection ${String(n.injectionId)}: ${formatNotification(n.notification)}\n`);
}

/**
 * An injection lost in flight (`event: lost`): `[rasgw] injection N lost (reboot, boot B): …`.
 * An injection is lost once: a copy sent again after a resume is not printed.
 */
function printLost(data: string, seen: Set<string>, json: boolean | undefined): void {
  let n: { injectionId?: unknown; boot?: unknown; reason?: unknown; previousState?: unknown; message?: unknown };
  try {
    n = JSON.parse(data) as typeof n;
  } catch {
    return;
  }
  const key = `lost/${String(n.injectionId)}`;
  if (seen.has(key)) return;
  seen.add(key);
  process.stdout.write(
    json
      ? JSON.stringify({ injectionId: n.injectionId, boot: n.boot, lost: { reason: n.reason, previousState: n.previousState, message: n.message } }) + '\n'
      : `[rasgw] injection ${String(n.injectionId)} lost (${String(n.reason)}, boot ${String(n.boot)}): ${String(n.message)}\n`,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export function registerLog(program: Command): void {
  addClientOptions(
    program
      .command('log')
      .description('print the guest kernel log of a VM (like dmesg); --follow streams new lines (like dmesg -w) and survives gateway restarts')
      .option('--vm <id>', 'VM', DEFAULT_VM_ID)
      .option('-f, --follow', 'keep printing new lines as the guest logs them (SSE); reconnects with Last-Event-ID after a dropped connection')
      .option('--since <seq>', 'only lines after this sequence number', '0')
      .option('--reconnect-delay <ms>', 'longest wait before reconnecting (--follow; the gateway may ask for less)', '2000')
      .option('--notifications', '--follow: also print each notification the device model raises (as `[rasgw] injection N: SEI … ESR …`; JSON: {"injectionId","boot","notification"}) and each injection lost in flight (`[rasgw] injection N lost (reboot, boot B): …`; JSON: {"injectionId","boot","lost"})')
      .option('--json', 'one JSON object per line: {"seq":N,"line":"…"}'),
  ).action(async (o: LogOptions, cmd: Command) => {
    // read by --follow only: given without it they would do nothing, silently
    if (!o.follow) {
      const unused = [o.notifications ? '--notifications' : '', cmd.getOptionValueSource('reconnectDelay') === 'cli' ? '--reconnect-delay' : ''].filter((x) => x !== '');
      if (unused.length) throw new CliError(`${unused.join(' and ')} ${unused.length > 1 ? 'are' : 'is'} read by --follow only; add --follow or drop ${unused.length > 1 ? 'them' : 'it'}`);
    }
    if (!/^[0-9]{1,15}$/.test(o.since)) throw new CliError(`--since: expected a log sequence number, got ${JSON.stringify(o.since)}`);
    if (!/^[0-9]{1,7}$/.test(o.reconnectDelay)) throw new CliError(`--reconnect-delay: expected milliseconds, got ${JSON.stringify(o.reconnectDelay)}`);
    const client = clientFrom(o);
    vmUrlPathOrCliError(o.vm);
    const since = Number(o.since ?? 0);
    if (!o.follow) {
      await withGateway(() => printStored(client, o.vm, since, o.json));
      return;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await followLog(client, o.vm, since, { json: o.json, notifications: o.notifications, reconnectDelayMs: Math.max(50, Number(o.reconnectDelay)), signal: stop.signal });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}

function vmUrlPathOrCliError(vm: string): void {
  try {
    vmUrlPath(vm);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
