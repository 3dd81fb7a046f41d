import { issueMessage } from '../cper/json/zod-error';
import type { z } from 'zod';
import { findProtoKey, VANISHING_KEY } from '../cper/json/protoKeys';
import { PROBLEM_TYPES, ProblemName } from './problems';

/**
 * One thing wrong with a request: where — `pointer` (RFC 6901 JSON pointer into the body, "" for
 * the body as a whole) or `parameter` (a query parameter name) — a stable code and a message.
 */
export interface RequestIssue {
  pointer?: string;
  parameter?: string;
  code: string;
  message: string;
}

/**
 * A failure the HTTP layer answers with `application/problem+json`. `extensions` become extra
 * members of the problem object; `headers` are set on the response (Retry-After, Allow…).
 */
export class ProblemError extends Error {
  constructor(
    readonly problem: ProblemName,
    readonly detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  get status(): number {
    return PROBLEM_TYPES[this.problem].status;
  }
}

/** Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`). */
export function pointerSegment(s: PropertyKey): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function jsonPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => '/' + pointerSegment(p)).join('');
}

/** Splits a dotted field path (`entries[0].section.errorInfo[1].type`) into segments. */
export function dottedPathSegments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

type Issue = z.core.$ZodIssue;

/** Every zod issue as request issues under `prefix` (each unknown key gets its own pointer). */
export function zodIssues(issues: readonly Issue[], prefix: ReadonlyArray<PropertyKey> = []): RequestIssue[] {
  const out: RequestIssue[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ pointer: jsonPointer([...at, k]), code: 'unknown_field', message: `unknown field ${JSON.stringify(k)}` });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // report the branch that got furthest (its issues name the real field)
      let best = issue.errors[0];
      let score = -1;
      for (const branch of issue.errors) {
        const s = Math.max(...branch.map((i) => i.path.length * 2 + (i.code === 'invalid_type' ? 0 : 1)));
        if (s > score) {
          score = s;
          best = branch;
        }
      }
      if (score > 0) out.push(...zodIssues(best, at));
      else out.push({ pointer: jsonPointer(at), code: issue.code, message: issue.message });
    } else {
      out.push({ pointer: jsonPointer(at), code: issue.code, message: issueMessage(issue) });
    }
  }
  return out;
}

export function invalidRequest(issues: RequestIssue[], detail?: string): ProblemError {
  const where = (i: RequestIssue) => (i.parameter !== undefined ? `query parameter ${i.parameter}` : i.pointer || '(body)');
  const text = detail ?? (issues.length === 1 ? `${where(issues[0])}: ${issues[0].message}` : `${issues.length} problems in the request`);
  return new ProblemError('invalid-request', text, { errors: issues });
}

/** Parses query parameters with `schema` or throws invalid-request naming each parameter. */
export function parseQueryOrProblem<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query);
  if (r.success) return r.data;
  throw invalidRequest(
    zodIssues(r.error.issues).map((i) => {
      const [name] = (i.pointer ?? '').split('/').filter((x) => x !== '');
      return { parameter: name ?? '', code: i.code === 'unknown_field' ? 'unknown_parameter' : i.code, message: i.message.replace(/^unknown field/, 'unknown query parameter') };
    }),
  );
}

/** Parses `value` with `schema` or throws invalid-request with every issue under `prefix`. */
export function parseOrProblem<S extends z.ZodType>(schema: S, value: unknown, prefix: ReadonlyArray<PropertyKey> = []): z.output<S> {
  // an own "__proto__" key would vanish in the copies validation makes: refused like any unknown key
  const proto = findProtoKey(value);
  if (proto) throw invalidRequest([{ pointer: jsonPointer([...prefix, ...proto]), code: 'unknown_field', message: `unknown field "${VANISHING_KEY}"` }]);
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalidRequest(zodIssues(r.error.issues, prefix));
}
