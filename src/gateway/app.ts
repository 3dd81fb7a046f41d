import crypto from 'crypto';
import express, { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { bearerAuth } from './auth';
import { Gateway, UnknownVmError, VmExistsError } from './Gateway';
import { isPlainUtf8Json, readJsonBody } from './jsonBody';
import { buildOpenApi } from './openapi';
import { invalidRequest, ProblemError } from './ProblemError';
import { PROBLEM_TYPES, problemTypeUri } from './problems';
import { RouteContext, RouteDef, ROUTES } from './routes';

/**
 * The express application. Order of the request pipeline:
 * 1. request id + latency metric (labelled with the route pattern);
 * 2. /healthz (no token);
 * 3. bearer token on everything else — before the body is read, so an unauthenticated request
 *    never gets its body parsed;
 * 4. Content-Type check (415) and the JSON body parser with the size limit: a Content-Length over
 *    the limit is answered at once without reading the body (then the connection is closed); a
 *    chunked body is counted as it arrives and, once past the limit, discarded unparsed (413);
 * 5. the routes (zod validation, strict objects);
 * 6. 405 for a known path with another method, 404 for anything else;
 * 7. errors → RFC 9457 problem+json; an unexpected error is logged with the request id and
 *    answered with a bare internal-error (no message, no stack).
 */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface AppOptions {
  gateway: Gateway;
  token: string;
  /** request body limit in bytes (default 256 KiB) */
  bodyLimit?: number;
  logger?: Logger;
}

type Handler = (req: Request, res: Response, next: NextFunction) => void;

/** A client's X-Request-Id is kept when it is this sane; otherwise the app numbers the request. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's child logger (`{ request: <id> }`), created on first use: a request that logs
 * nothing (every request at the default `info` level, unless it fails) never creates one.
 */
export function requestLogger(logger: Logger, res: Response): Logger {
  const locals = res.locals as { requestLog?: Logger; requestId?: string };
  return (locals.requestLog ??= logger.child({ request: locals.requestId }));
}

function expressPathToRegExp(path: string): RegExp {
  const src = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${src}/?$`);
}

function sendProblem(req: Request, res: Response, p: ProblemError): void {
  const t = PROBLEM_TYPES[p.problem];
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  const bodyObj = {
    type: problemTypeUri(p.problem),
    title: t.title,
    status: t.status,
    detail: p.detail,
    instance: req.originalUrl.split('?')[0],
    requestId: String(res.getHeader('X-Request-Id') ?? ''),
    ...p.extensions,
  };
  res.status(t.status).type('application/problem+json').send(JSON.stringify(bodyObj));
}

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

export function createApp(opts: AppOptions): express.Express {
  const { gateway } = opts;
  const logger = opts.logger ?? silentLogger;
  const limit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  let openapiCache: unknown;
  const ctx: RouteContext = {
    gateway,
    bodyLimit: limit,
    openapi: () => (openapiCache ??= buildOpenApi(ROUTES)),
    metricsText: () => {
      const queueDepth = [];
      for (const id of gateway.vmIds()) {
        for (const s of gateway.vm(id).state().sources) queueDepth.push({ labels: { vm: id, source: String(s.sourceId) }, value: s.queueDepth });
      }
      return gateway.metrics.render({ vms: gateway.vmIds().length, queueDepth });
    },
  };

  // 1. request id + latency. Generated ids are this app's prefix (random, so ids of two server
  // runs do not collide) and a counter.
  const idPrefix = crypto.randomBytes(4).toString('hex');
  let requestCount = 0;
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : `${idPrefix}-${++requestCount}`;
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      const route = (res.locals.routePattern as string | undefined) ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      gateway.metrics.request(req.method, route, res.statusCode, seconds);
      if (logger.isDebugEnabled()) {
        requestLogger(logger, res).debug('request completed', { method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e6) / 1e3 });
      }
    });
    next();
  });

  const mount = (r: RouteDef, handlers: Handler[]) => {
    const wrapped: Handler = (req, res, next) => {
      res.locals.routePattern = r.path;
      try {
        const done = r.handler(ctx, req, res);
        if (done) done.catch(next);
      } catch (e) {
        next(e);
      }
    };
    app[r.method](r.path, ...handlers, wrapped);
  };

  // 2. unauthenticated routes
  for (const r of ROUTES.filter((x) => x.auth === false)) mount(r, []);

  // 3. token
  app.use(bearerAuth(opts.token));

  // 4. body: JSON only, size-limited
  const json = express.json({ limit, strict: true, type: () => true });
  const bodyHandler: Handler = (req, res, next) => {
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      next(new ProblemError('unsupported-media-type', `the body must be application/json, not ${JSON.stringify(type || '(none)')}`));
      return;
    }
    // A declared length over the limit is refused at once, without reading the body (the
    // connection is closed after the answer, since the unread body would otherwise follow).
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      res.setHeader('Connection', 'close');
      next(new ProblemError('request-too-large', `the request body is larger than ${limit} bytes`, { maxBytes: limit }));
      return;
    }
    // plain UTF-8 JSON (every client's case) is read directly; other encodings and charsets
    // keep going through body-parser
    if (isPlainUtf8Json(req.headers)) readJsonBody(req, limit, next);
    else json(req, res, next);
  };

  // 5. routes
  for (const r of ROUTES.filter((x) => x.auth !== false)) mount(r, r.body ? [bodyHandler] : []);

  // 6. 405 / 404
  const patterns = ROUTES.map((r) => ({ re: expressPathToRegExp(r.path), method: r.method.toUpperCase(), path: r.path }));
  app.use((req, _res, next) => {
    const path = req.path;
    const allowed = patterns.filter((p) => p.re.test(path)).map((p) => p.method);
    if (allowed.length > 0) {
      const allow = [...new Set(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed)].join(', ');
      next(new ProblemError('method-not-allowed', `${req.method} is not allowed on ${path}`, {}, { Allow: allow }));
      return;
    }
    next(new ProblemError('not-found', `no route ${req.method} ${path}`));
  });

  // 7. errors
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    let p: ProblemError | undefined;
    if (err instanceof ProblemError) p = err;
    else if (err instanceof UnknownVmError) p = new ProblemError('not-found', err.message, { vmId: err.vmId });
    else if (err instanceof VmExistsError) p = new ProblemError('vm-exists', err.message, { vmId: err.vmId });
    else if (err && typeof err === 'object' && 'type' in err) p = bodyParserProblem(err as { type?: string }, limit);
    if (!p) {
      requestLogger(logger, res).error('request failed', {
        method: req.method,
        path: req.path,
        error: err instanceof Error ? err.message : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      p = new ProblemError('internal-error', 'the request failed; the server log has the cause under this requestId');
    }
    sendProblem(req, res, p);
  });

  return app;
}
