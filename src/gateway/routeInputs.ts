import type { Request } from 'express';
import { invalidRequest, parseOrProblem, parseQueryOrProblem } from './ProblemError';
import type { RouteDef } from './routes';

/**
 * Checks a request's query and body against its route's schemas before the handler looks
 * anything up, so the answer to a malformed request does not depend on whether the VM, the
 * injection or the record it names exists (`/vms/nope/log/stream?zzz=1` is 400
 * `unknown_parameter`, not 404). Queries are strict everywhere: a route without a query schema
 * refuses every parameter. The handlers parse again to get the typed values (cheap, and the
 * injection fast path calls the handler without this step).
 */
export function checkRouteInputs(route: RouteDef, req: Request): void {
  if (route.query) parseQueryOrProblem(route.query, req.query);
  else refuseQuery(req.query);
  if (route.body) {
    if (req.body !== undefined) parseOrProblem(route.body, req.body);
    else if (!route.bodyOptional) throw invalidRequest([{ pointer: '', code: 'missing_body', message: 'a JSON request body is required' }]);
    else parseOrProblem(route.body, {});
  }
}

/** Every parameter of a query given to a route that takes none, as invalid-request. */
export function refuseQuery(query: unknown): void {
  const names = query && typeof query === 'object' ? Object.keys(query) : [];
  if (names.length === 0) return;
  throw invalidRequest(
    names.map((name) => ({ parameter: name, code: 'unknown_parameter', message: `unknown query parameter ${JSON.stringify(name)}: this route takes no query parameters` })),
  );
}
