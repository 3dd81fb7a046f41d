import type { IncomingMessage, ServerResponse } from 'http';
import type { Logger } from '../log/logger';
import { StoreUnavailableError } from '../store/StoreUnavailableError';
import { Gateway, UnknownVmError, VmExistsError } from './Gateway';
import { invalidRequest, ProblemError } from './ProblemError';
import { PROBLEM_TYPES, problemTypeUri } from './problems';

/**
 * The steps every request goes through, written against plain `http` objects so that the express
 * app and the injection fast path (injectionFastPath.ts) share them: the request id and common
 * headers, the latency metric and debug line at the end, and errors answered as problem+json.
 */

/** What the pipeline keeps on `res.locals` (express creates the object; the fast path does too). */
export interface RequestLocals {
  requestId?: string;
  routePattern?: string;
  requestLog?: Logger;
}

type WithLocals = ServerResponse & { locals?: RequestLocals };

/** A client's X-Request-Id is kept when it is this sane; otherwise the app numbers the request. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's child logger (`{ request: <id> }`), created on first use: a request that logs
 * nothing (every request at the default `info` level, unless it fails) never creates one.
 */
export function requestLogger(logger: Logger, res: ServerResponse): Logger {
  const locals = ((res as WithLocals).locals ??= {});
  return (locals.requestLog ??= logger.child({ request: locals.requestId }));
}

/**
 * Starts a request: its id (the client's sane X-Request-Id, else `<prefix>-<counter>`), the
 * X-Request-Id, X-Content-Type-Options and Cache-Control headers, and on finish the latency
 * metric labelled with the route pattern plus one debug line.
 */
export function requestStarter(gateway: Gateway, logger: Logger, idPrefix: string) {
  let requestCount = 0;
  return (req: IncomingMessage, res: ServerResponse): void => {
    const start = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : `${idPrefix}-${++requestCount}`;
    ((res as WithLocals).locals ??= {}).requestId = id;
    res.setHeader('X-Request-Id', id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      const route = (res as WithLocals).locals?.routePattern ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      gateway.metrics.request(req.method ?? '', route, res.statusCode, seconds);
      if (logger.isDebugEnabled()) {
        requestLogger(logger, res).debug('request completed', { method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e6) / 1e3 });
      }
    });
  };
}

/** Retry-After (seconds) of store-unavailable: a lock held by another process is usually brief. */
export const STORE_RETRY_AFTER_S = 1;

/** body-parser failures as problems. */
function bodyParserProblem(err: { type?: string; message?: string; limit?: number; status?: number }, limit: number): ProblemError | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new ProblemError('request-too-large', `the request body is larger than ${limit} bytes`, { maxBytes: limit });
    case 'entity.parse.failed':
      return invalidRequest([{ pointer: '', code: 'malformed_json', message: `the body is not valid JSON: ${err.message ?? ''}`.trim() }]);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError('unsupported-media-type', err.message ?? 'unsupported body encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return invalidRequest([{ pointer: '', code: 'bad_body', message: err.message ?? 'the body could not be read' }]);
    default:
      return undefined;
  }
}

/**
 * A body whose Content-Encoding (gzip, deflate, br) does not decompress: zlib's error, passed on
 * by body-parser with status 400 and no `type`. The client sent it: invalid-request, not 500.
 */
function decompressionProblem(err: { code?: unknown; status?: unknown; message?: string }, encoding: string | undefined): ProblemError | undefined {
  const code = typeof err.code === 'string' ? err.code : '';
  if (err.status !== 400 || !(code.startsWith('Z_') || code.startsWith('ERR__') || code.includes('BROTLI'))) return undefined;
  return invalidRequest([
    {
      pointer: '',
      code: 'bad_encoding',
      message: `the body is not valid ${encoding ?? 'compressed'} data (Content-Encoding: ${encoding ?? '?'}): ${code === 'Z_BUF_ERROR' ? 'it ends too early' : 'it does not decompress'} (${code})`,
    },
  ]);
}

/**
 * The problem that answers `err`: a ProblemError as it is, the gateway's known errors and
 * body-parser's failures mapped; anything else is logged (with the request id) and answered with
 * a bare internal-error (no message, no stack).
 */
export function problemFromError(err: unknown, ctx: { logger: Logger; bodyLimit: number; method?: string; path: string; res: ServerResponse }): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof UnknownVmError) return new ProblemError('not-found', err.message, { vmId: err.vmId });
  if (err instanceof VmExistsError) return new ProblemError('vm-exists', err.message, { vmId: err.vmId });
  if (err instanceof StoreUnavailableError) {
    requestLogger(ctx.logger, ctx.res).warn('store unavailable', { method: ctx.method, path: ctx.path, reason: err.reason, error: err.message });
    return new ProblemError('store-unavailable', `the change was not made: ${err.message}`, { reason: err.reason }, { 'Retry-After': String(STORE_RETRY_AFTER_S) });
  }
  if (err && typeof err === 'object' && 'type' in err) {
    const p = bodyParserProblem(err as { type?: string }, ctx.bodyLimit);
    if (p) return p;
  }
  if (err && typeof err === 'object') {
    const encoding = ctx.res.req?.headers['content-encoding'];
    const p = decompressionProblem(err as { code?: unknown; status?: unknown }, typeof encoding === 'string' ? encoding : undefined);
    if (p) return p;
  }
  requestLogger(ctx.logger, ctx.res).error('request failed', {
    method: ctx.method,
    path: ctx.path,
    error: err instanceof Error ? err.message : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return new ProblemError('internal-error', 'the request failed; the server log has the cause under this requestId');
}

/**
 * Answers with the RFC 9457 problem+json of `p` (its extra headers set first); the same bytes
 * express's `res.status().type('application/problem+json').send(text)` writes.
 */
export function writeProblem(res: ServerResponse, instance: string, p: ProblemError): void {
  const t = PROBLEM_TYPES[p.problem];
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  const text = JSON.stringify({
    type: problemTypeUri(p.problem),
    title: t.title,
    status: t.status,
    detail: p.detail,
    instance,
    requestId: String(res.getHeader('X-Request-Id') ?? ''),
    ...p.extensions,
  });
  res.statusCode = t.status;
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
