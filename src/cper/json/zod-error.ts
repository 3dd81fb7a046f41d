import type { z } from 'zod';
import { RasgwError } from '../../binary/errors';

type Issue = z.core.$ZodIssue;

/** `entries[0].section.errorInfo[1].type` from zod's path segments. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/**
 * The message of one issue. A required field that is absent is said as such ("missing: … is
 * required") rather than as zod's "expected array, received undefined".
 */
export function issueMessage(issue: Issue): string {
  if (issue.code === 'invalid_type' && issue.input === undefined && / received undefined$/.test(issue.message)) {
    return `missing: this field is required (${issue.expected})`;
  }
  return issue.message;
}

/**
 * The issue that best explains a failure. A union failure (for example a u64 field given neither
 * as a string nor as a number, or a strict object inside a union getting an unknown key) is
 * replaced by the deepest issue of the branch that came closest: its issues name the real field.
 */
function explain(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string } {
  const here = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: Issue | undefined;
    let bestScore = -1;
    for (const branch of issue.errors) {
      for (const inner of branch) {
        // a branch that failed only on the value's basic type is the least informative
        const score = inner.path.length * 2 + (inner.code === 'invalid_type' ? 0 : 1);
        if (score > bestScore) {
          best = inner;
          bestScore = score;
        }
      }
    }
    if (best !== undefined && bestScore > 0) return explain(best, here);
  }
  if (issue.code === 'unrecognized_keys') {
    return { path: [...here, issue.keys[0]], message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` };
  }
  return { path: here, message: issueMessage(issue) };
}

/** A zod failure as the project's error: code 'invalid_input', the JSON path of the first issue. */
export function zodToRasgwError(error: z.ZodError, what: string): RasgwError {
  const { path, message } = explain(error.issues[0], []);
  const where = formatPath(path);
  return new RasgwError({ code: 'invalid_input', path: where, message: `${what}: ${message}` });
}
