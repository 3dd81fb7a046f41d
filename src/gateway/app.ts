import crypto from 'crypto';
import express, { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log/logger';
import { silentLogger } from '../log/logger';
import { bearerAuth, tokenDigest } from './auth';
import { consoleStatic } from './console';
import { Gateway } from './Gateway';
import { injectionFastPath } from './injectionFastPath';
import { boundsMetricsText } from './boundsMetrics';
import { GatewayLimits, gatewayLimits } from './limits';
import { isJsonContentType, isPlainUtf8Json, readJsonBody, refuseDuplicateKey } from './jsonBody';
import { buildOpenApi } from './openapi';
import { ProblemError } from './ProblemError';
import { problemFromError, requestStarter, writeProblem } from './requestPipeline';
import type { QmpDirectory } from './QmpHub';
import { RouteContext, RouteDef, ROUTES } from './routes';
import { checkRouteInputs } from './routeInputs';

export { requestLogger } from './requestPipeline';

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
 * Before all of it, an ordinary `POST /vms/{id}/errors` with a valid token and a plain JSON body
 * is answered by injectionFastPath.ts with the same steps, without express's router.
 */
export const DEFAULT_BODY_LIMIT = 256 * 1024;

export interface AppOptions {
  gateway: Gateway;
  token: string;
  /** request body limit in bytes (default 256 KiB) */
  bodyLimit?: number;
  logger?: Logger;
  /** page and stream bounds (limits.ts) */
  limits?: Partial<GatewayLimits>;
  /** the per-VM QMP endpoints, listed in GET /vms/{id} (absent: QMP disabled) */
  qmp?: QmpDirectory;
}

type Handler = (req: Request, res: Response, next: NextFunction) => void;

function expressPathToRegExp(path: string): RegExp {
  const src = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${src}/?$`);
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
  const limits = gatewayLimits(opts.limits);
  const ctx: RouteContext = {
    gateway,
    bodyLimit: limit,
    limits,
    qmp: opts.qmp,
    openapi: () => (openapiCache ??= buildOpenApi(ROUTES)),
    metricsText: () => {
      const queueDepth = [];
      for (const id of gateway.vmIds()) {
        for (const s of gateway.vm(id).state().sources) queueDepth.push({ labels: { vm: id, source: String(s.sourceId) }, value: s.queueDepth });
      }
      return gateway.metrics.render({ vms: gateway.vmIds().length, queueDepth }) + boundsMetricsText(gateway, limits);
    },
  };

  // 1. request id + latency. Generated ids are this app's prefix (random, so ids of two server
  // runs do not collide) and a counter.
  const idPrefix = crypto.randomBytes(4).toString('hex');
  const startRequest = requestStarter(gateway, logger, idPrefix);
  app.use((req, res, next) => {
    startRequest(req, res);
    next();
  });

  const mount = (r: RouteDef, handlers: Handler[]) => {
    const wrapped: Handler = (req, res, next) => {
      res.locals.routePattern = r.path;
      try {
        // query and body are checked before anything is looked up (routeInputs.ts)
        checkRouteInputs(r, req);
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

  // the web console's page and scripts (no data in them, so no token)
  app.use(consoleStatic());

  // 3. token
  app.use(bearerAuth(opts.token));

  // 4. body: JSON only, size-limited
  // the same duplicate-key check as the plain path (jsonBody.ts), on the decompressed text; the
  // problem is kept on the request and passed on once body-parser is done (an error thrown in
  // `verify` would go through http-errors, which cannot take a ProblemError). Text that is not
  // JSON is left to the parser's own error.
  const duplicateKey = new WeakMap<object, unknown>();
  const parseJson = express.json({
    limit,
    strict: true,
    type: () => true,
    verify: (req, _res, buf, encoding) => {
      const text = buf.toString(/^utf-?16le$/i.test(encoding) ? 'utf16le' : 'utf8').replace(/^\uFEFF/, '');
      try {
        JSON.parse(text);
        refuseDuplicateKey(text);
      } catch (e) {
        if (e instanceof ProblemError) duplicateKey.set(req, e);
      }
    },
  });
  const json: Handler = (req, res, next) => parseJson(req, res, (err?: unknown) => next(err ?? duplicateKey.get(req)));
  const bodyHandler: Handler = (req, res, next) => {
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    const type = req.headers['content-type'] ?? '';
    if (!isJsonContentType(type)) {
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
    const p = problemFromError(err, { logger, bodyLimit: limit, method: req.method, path: req.path, res });
    writeProblem(res, req.originalUrl.split('?')[0], p);
  });

  // the injection fast path, ahead of express's own request handling
  const fastPath = injectionFastPath({
    route: ROUTES.find((r) => r.method === 'post' && r.path === '/vms/:id/errors')!,
    ctx,
    expectedTokenDigest: tokenDigest(opts.token),
    bodyLimit: limit,
    logger,
    startRequest,
  });
  type Handle = (req: Request, res: Response, next?: NextFunction) => void;
  const withHandle = app as unknown as { handle: Handle };
  const expressHandle = withHandle.handle.bind(app);
  withHandle.handle = (req, res, next) => {
    if (!fastPath(req, res)) expressHandle(req, res, next);
  };

  return app;
}
