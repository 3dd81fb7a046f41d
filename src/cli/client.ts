import type { Command } from 'commander';
import { toJsonText } from '../binary/u64';
import { GatewayClient, GatewayRequestError, URL_ENV, clientToken } from '../gateway/client/GatewayClient';
import { DEFAULT_PORT, defaultDataDir } from '../gateway/defaults';
import { CliError } from './io';

/**
 * What the CLI's REST client commands (`inject`, `vm`, `log`, `records`, `events`) share: the
 * options that find the gateway and its token, the client, one-line errors, JSON output.
 */
export interface ClientOptions {
  url?: string;
  tokenFile?: string;
  dataDir?: string;
}

/** --url, --token-file, --data-dir. */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `gateway URL (default $${URL_ENV} or http://127.0.0.1:${DEFAULT_PORT})`)
    .option('--token-file <file>', 'bearer token file (default: $RASGW_TOKEN, else <data-dir>/token)')
    .option('--data-dir <dir>', 'gateway data directory, to find the token file (default $RASGW_DATA_DIR or ./data)');
}

export function gatewayUrl(o: ClientOptions): string {
  const url = o.url ?? process.env[URL_ENV];
  return url === undefined ? `http://127.0.0.1:${DEFAULT_PORT}` : checkedGatewayUrl(url, o.url !== undefined ? '--url' : URL_ENV);
}

/**
 * The gateway's URL: http(s)://HOST[:PORT] and nothing after it. A path, query or fragment would
 * be dropped without a word (requests go to /vms… at the root), and a missing scheme reads as
 * "Invalid URL", so both are refused here with the form to write.
 */
export function checkedGatewayUrl(text: string, from: string): string {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
    const hostPort = /^[A-Za-z0-9.-]+:\d+\/?$|^\[[0-9A-Fa-f:.]+\]:\d+\/?$/.test(text);
    throw new CliError(`${from}: ${JSON.stringify(text)} is not a gateway URL; write it as http://HOST:PORT${hostPort ? ` (http://${text.replace(/\/$/, '')})` : ''}`);
  }
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
    throw new CliError(`${from}: ${JSON.stringify(text)} has more than a scheme, host and port (the gateway's routes are at its root); write ${u.protocol}//${u.host}`);
  }
  return text;
}

export function clientFrom(o: ClientOptions): GatewayClient {
  const dataDir = o.dataDir ?? defaultDataDir();
  try {
    return new GatewayClient({ url: gatewayUrl(o), token: clientToken({ tokenFile: o.tokenFile, dataDir }) });
  } catch (e) {
    throw asCliError(e);
  }
}

/** A failed request as a one-line CliError (status 1). */
export function asCliError(e: unknown): unknown {
  if (e instanceof GatewayRequestError) return new CliError(e.message);
  return e;
}

/** Runs a client action with gateway failures turned into one-line errors. */
export async function withGateway<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asCliError(e);
  }
}

/** JSON on stdout (u64 as "0x…"), two-space indented, one trailing newline. */
export function printJson(value: unknown): void {
  process.stdout.write(toJsonText(value, 2) + '\n');
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') || text === '' ? text : text + '\n');
}

/** A message for the user (stderr: stdout stays data). */
export function note(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : text + '\n');
}
