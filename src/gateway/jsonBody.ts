import type { IncomingMessage } from 'http';
import { invalidRequest, ProblemError } from './ProblemError';
import { jsonSyntaxError } from '../binary/jsonSyntaxError';
import { duplicateKeyMessage, findDuplicateKey } from '../binary/jsonDuplicateKey';

/**
 * Reads a JSON request body sent as plain UTF-8 (no Content-Encoding, charset absent or utf-8)
 * — what every client of the gateway sends — without body-parser's stream machinery, which cost
 * about as much as the injection itself. It follows body-parser's `json({ strict: true })`:
 * - the body is counted as it arrives; past `limit` bytes the rest is read and discarded, and
 *   the answer is 413 request-too-large once the client stops sending;
 * - a Content-Length that does not match the bytes received is invalid-request (`bad_body`);
 * - a leading byte order mark is skipped (iconv-lite does so), an empty body is `{}`;
 * - strict: the top-level value must be an object or an array, else invalid-request
 *   (`malformed_json`), as is text JSON.parse refuses.
 * Requests with another encoding or charset keep going through body-parser (see app.ts).
 */
export function isPlainUtf8Json(headers: IncomingMessage['headers']): boolean {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const type = headers['content-type'] ?? '';
  const semi = type.indexOf(';');
  if (semi < 0) return true;
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(type);
  return m === null || m[1].toLowerCase() === 'utf-8' || m[1].toLowerCase() === 'utf8';
}

/** A JSON media type: application/json or application/<anything>+json, parameters allowed. */
export function isJsonContentType(type: string): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type);
}

/** JSON whitespace (RFC 8259): space, tab, line feed, carriage return. */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Parses the body text as body-parser's strict JSON parser does (value, or a problem). */
export function parseStrictJson(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  let i = 0;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  const first = text[i];
  if (first !== '{' && first !== '[') {
    throw invalidRequest([
      { pointer: '', code: 'malformed_json', message: `the body is not valid JSON: a JSON body must be an object or an array, found ${JSON.stringify(text.slice(i, i + 16))}` },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // where it goes wrong (line, column, byte) rather than V8's wording, which may have neither
    const where = jsonSyntaxError(text);
    throw invalidRequest([{ pointer: '', code: 'malformed_json', message: `the body is not valid JSON: ${where ? where.message : e instanceof Error ? e.message : String(e)}` }]);
  }
  refuseDuplicateKey(text);
  return value;
}

/** A key given twice in one object is refused (JSON.parse would keep the last value silently). */
export function refuseDuplicateKey(text: string): void {
  const dup = findDuplicateKey(text);
  if (dup) throw invalidRequest([{ pointer: dup.pointer, code: 'duplicate_key', message: duplicateKeyMessage(dup) }]);
}

/**
 * Reads the body of `req` and calls `done` once: with no argument after setting `req.body`, or
 * with the problem to answer.
 */
export function readJsonBody(req: IncomingMessage & { body?: unknown }, limit: number, done: (err?: unknown) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let finished = false;
  const finish = (err?: unknown) => {
    if (finished) return;
    finished = true;
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    req.removeListener('close', onClose);
    done(err);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      // keep reading (the client is still sending), but keep nothing
      tooLarge = true;
      chunks.length = 0;
    } else chunks.push(chunk);
  };
  const onEnd = () => {
    if (tooLarge) {
      finish(new ProblemError('request-too-large', `the request body is larger than ${limit} bytes`, { maxBytes: limit }));
      return;
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== size) {
      finish(invalidRequest([{ pointer: '', code: 'bad_body', message: `request size did not match content length (${size} of ${declared} bytes)` }]));
      return;
    }
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    try {
      req.body = parseStrictJson(body.toString('utf8'));
    } catch (e) {
      finish(e);
      return;
    }
    finish();
  };
  const onError = () => finish(invalidRequest([{ pointer: '', code: 'bad_body', message: 'the body could not be read: the request was aborted' }]));
  const onClose = () => {
    if (!req.complete) onError();
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}
