import fs from 'fs';
import path from 'path';
import { TOKEN_ENV, TOKEN_FILE_NAME } from '../auth';
import { VM_ID_PATTERN } from '../schemas';
import { FETCH_BAD_PORTS, badPortReason } from './fetchBadPorts';

/**
 * A small REST client for the CLI (`rasgw inject`, `rasgw events`): bearer token from
 * RASGW_TOKEN or a token file, JSON in and out, problem+json answers turned into one-line errors.
 */
export const URL_ENV = 'RASGW_URL';

export class GatewayRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  url: string;
  token: string;
}

/**
 * `/vms/<id><suffix>` for a VM id the gateway accepts (VM_ID_PATTERN: 1-64 of [A-Za-z0-9._-],
 * starting with a letter or digit). Any other id is refused here, before a request is made:
 * URL parsers treat `.`, `..` and their %2e spellings as dot segments whatever the escaping, so
 * such an id would send the request to another path, not to a VM.
 */
export function vmUrlPath(vmId: string, suffix = ''): string {
  if (!VM_ID_PATTERN.test(vmId)) {
    throw new GatewayRequestError(`invalid VM id ${JSON.stringify(vmId)}: expected 1-64 characters [A-Za-z0-9._-], starting with a letter or digit`, 0);
  }
  return `/vms/${vmId}${suffix}`;
}

/** The token for a client: RASGW_TOKEN, else the token file (default <dataDir>/token). */
export function clientToken(opts: { tokenFile?: string; dataDir: string; env?: NodeJS.ProcessEnv }): string {
  const env = opts.env ?? process.env;
  const fromEnv = env[TOKEN_ENV];
  if (fromEnv) return checkedToken(fromEnv, TOKEN_ENV);
  const file = opts.tokenFile ?? path.join(opts.dataDir, TOKEN_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new GatewayRequestError(`no token: ${TOKEN_ENV} is not set and ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 0);
  }
  return checkedToken(text, file);
}

/**
 * A bearer token is one word of printable ASCII: an empty file, or one that holds something else
 * (a wrong file given to --token-file), is named here instead of being sent as a header that the
 * gateway answers 401 to, or that fetch refuses with "Cannot convert argument to a ByteString".
 */
function checkedToken(token: string, from: string): string {
  if (token === '') throw new GatewayRequestError(`no token: ${from} is empty`, 0);
  const bad = /[^\x21-\x7e]/.exec(token);
  if (bad) {
    const what = bad[0].charCodeAt(0) > 0x7e ? `the non-ASCII character ${JSON.stringify(bad[0])}` : `a space or control character (0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')})`;
    throw new GatewayRequestError(`${from} does not hold a bearer token: ${what} at character ${bad.index} (a token is one word of printable ASCII, as the gateway writes to <data-dir>/token)`, 0);
  }
  return token;
}

/** One line for a problem+json answer: `409 source-busy: … [/error/physicalAddress: …]`. */
export function describeProblem(status: number, p: Record<string, unknown>): string {
  const type = typeof p.type === 'string' ? p.type.replace(/^\/problems\//, '') : 'error';
  let s = `${status} ${type}: ${typeof p.detail === 'string' ? p.detail : (p.title as string) ?? ''}`;
  if (Array.isArray(p.errors)) {
    const issues = (p.errors as Array<{ pointer?: string; parameter?: string; message: string }>).map((i) => `${i.parameter !== undefined ? `?${i.parameter}` : i.pointer || '(body)'}: ${i.message}`);
    if (issues.length > 1 || !s.includes(issues[0] ?? '')) s += ` [${issues.join('; ')}]`;
  }
  if (typeof p.maxLength === 'number') s += ` (maximum ${p.maxLength} bytes)`;
  return s;
}

/** A non-2xx answer as a GatewayRequestError: its problem in one line when the body is a JSON object. */
function refusal(res: Response, parsed: unknown): GatewayRequestError {
  if (parsed && typeof parsed === 'object') return new GatewayRequestError(describeProblem(res.status, parsed as Record<string, unknown>), res.status, parsed as Record<string, unknown>);
  return new GatewayRequestError(`${res.status} ${res.statusText}`, res.status);
}

export class GatewayClient {
  constructor(private readonly opts: ClientOptions) {}

  async request<T = Record<string, unknown>>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; headers: Headers; body: T }> {
    const res = await this.send(method, urlPath, {
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const parsed = /json/.test(type) && text !== '' ? (JSON.parse(text) as unknown) : text;
    if (!res.ok) throw refusal(res, parsed);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /**
   * A request whose answer is not JSON (bytes, an event stream): the Response once it has a 2xx
   * status, a GatewayRequestError otherwise. `headers` are added to the bearer token.
   */
  async open(method: string, urlPath: string, opts: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const res = await this.send(method, urlPath, opts);
    if (!res.ok) {
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      throw refusal(res, parsed);
    }
    return res;
  }

  /** fetch with the bearer token; an unreachable gateway is a GatewayRequestError (status 0), an abort is passed on. */
  private async send(method: string, urlPath: string, init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<Response> {
    try {
      return await fetch(new URL(urlPath, this.opts.url), { method, headers: { Authorization: `Bearer ${this.opts.token}`, ...init.headers }, body: init.body, signal: init.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.message === 'bad port') {
        const url = new URL(this.opts.url);
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
        if (FETCH_BAD_PORTS.has(port)) throw new GatewayRequestError(`cannot reach the gateway at ${this.opts.url}: ${badPortReason(port)}; run it on another --port`, 0);
      }
      throw new GatewayRequestError(`cannot reach the gateway at ${this.opts.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, 0);
    }
  }

  /** GET of a binary answer: its bytes and headers. */
  async requestBytes(urlPath: string): Promise<{ headers: Headers; bytes: Uint8Array }> {
    const res = await this.open('GET', urlPath);
    return { headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  }
}
