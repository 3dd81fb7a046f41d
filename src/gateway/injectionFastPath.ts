import type { IncomingMessage, ServerResponse } from 'http';
import type { Logger } from '../log/logger';
import { bearerProblem } from './auth';
import { isJsonContentType, isPlainUtf8Json, readJsonBody } from './jsonBody';
import { problemFromError, RequestLocals, writeProblem } from './requestPipeline';
import type { RouteContext, RouteDef } from './routes';

/**
 * `POST /vms/{id}/errors` without express: the gateway's busiest route spent about a third of its
 * server time in express's router and request/response set-up. This listener takes a request only
 * when it is sure it is an ordinary, valid-looking injection — method POST, the path exactly
 * `/vms/<id>/errors` (optionally a trailing slash, no query, an id without percent-escapes),
 * a valid bearer token, a plain UTF-8 JSON body with a Content-Length within the limit and no
 * Transfer-Encoding — and answers it with the same functions the express app uses: the request
 * starter (id, headers, metric), the JSON body reader, the route's own handler (zod validation,
 * inject, wait for the commit, 202) and the problem writer. Everything else, including every
 * request that would be refused before its body is read (401, 413, 415), returns false untouched
 * for express to answer.
 */
const INJECT_PATH = /^\/vms\/([A-Za-z0-9._~-]+)\/errors\/?$/;

export interface InjectionFastPathOptions {
  route: RouteDef;
  ctx: RouteContext;
  expectedTokenDigest: Buffer;
  bodyLimit: number;
  logger: Logger;
  startRequest: (req: IncomingMessage, res: ServerResponse) => void;
}

export function injectionFastPath(opts: InjectionFastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { route, ctx, expectedTokenDigest, bodyLimit, logger, startRequest } = opts;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const m = INJECT_PATH.exec(url);
    if (m === null) return false;
    const h = req.headers;
    if (h['transfer-encoding'] !== undefined) return false;
    const length = h['content-length'];
    if (length === undefined || length === '0' || !(Number(length) <= bodyLimit)) return false;
    const type = h['content-type'];
    if (type === undefined || !isJsonContentType(type) || !isPlainUtf8Json(h)) return false;
    if (bearerProblem(h.authorization, expectedTokenDigest) !== undefined) return false;

    startRequest(req, res);
    (res as ServerResponse & { locals: RequestLocals }).locals.routePattern = route.path;
    const fail = (err: unknown) => {
      const p = problemFromError(err, { logger, bodyLimit, method: req.method, path: url, res });
      if (res.headersSent) res.end();
      else writeProblem(res, url, p);
    };
    const r = req as IncomingMessage & { body?: unknown; params?: Record<string, string> };
    readJsonBody(r, bodyLimit, (err) => {
      if (err !== undefined) return fail(err);
      r.params = { id: m[1] };
      try {
        // the route's handler reads only req.params and req.body and answers with writeHead + end
        const done = route.handler(ctx, r as never, res as never);
        if (done) done.catch(fail);
      } catch (e) {
        fail(e);
      }
    });
    return true;
  };
}
