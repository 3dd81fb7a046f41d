import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import type { NextFunction, Request, Response } from 'express';
import { ProblemError } from './ProblemError';
import { makeFolder } from '../store/makeFolder';

/**
 * Bearer-token authentication. The token comes from RASGW_TOKEN, or from a token file that is
 * generated on first start (32 random bytes, base64url) with mode 0600 in a directory only the
 * owner can enter. A token file readable by group or others is refused, as ssh refuses a key.
 * Comparison is constant-time (SHA-256 of both sides, then timingSafeEqual, so neither the
 * content nor the length of the presented token leaks through timing).
 */
export const TOKEN_ENV = 'RASGW_TOKEN';
export const TOKEN_FILE_NAME = 'token';

export interface TokenSource {
  token: string;
  /** 'env' or the token file path */
  from: 'env' | string;
  /** true when this start generated the file */
  generated: boolean;
}

export class TokenError extends Error {}

export function resolveToken(opts: { tokenFile: string; env?: NodeJS.ProcessEnv }): TokenSource {
  const fromEnv = (opts.env ?? process.env)[TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 16) throw new TokenError(`${TOKEN_ENV} must be at least 16 characters`);
    checkTokenText(fromEnv, TOKEN_ENV);
    return { token: fromEnv, from: 'env', generated: false };
  }
  const file = opts.tokenFile;
  let generated = false;
  if (!fs.existsSync(file)) {
    makeFolder(path.dirname(file), 'token file folder', 0o700);
    const token = crypto.randomBytes(32).toString('base64url');
    try {
      fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
      generated = true;
    } catch (e) {
      // another process created it first: read theirs below
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const st = fs.statSync(file);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new TokenError(`token file ${file} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  const token = fs.readFileSync(file, 'utf8').trim();
  if (token.length < 16) throw new TokenError(`token file ${file} holds fewer than 16 characters`);
  checkTokenText(token, `token file ${file}`);
  return { token, from: file, generated };
}

/**
 * A token is one word of printable ASCII: a client can send nothing else in `Authorization:
 * Bearer <token>` (fetch refuses other characters, and the header match stops at a space), so a
 * gateway started with any other text (a binary file, two words) could never be signed in to.
 */
function checkTokenText(token: string, from: string): void {
  const bad = /[^\x21-\x7e]/.exec(token);
  if (bad) throw new TokenError(`${from} is not a usable bearer token: character ${bad.index} (code ${bad[0].charCodeAt(0)}) is not printable ASCII or is a space; a token is one word of printable ASCII (delete the file to have one generated)`);
}

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time token comparison. */
export function tokenMatches(presented: string, expected: string): boolean {
  return crypto.timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Checks an `Authorization` header against the token's SHA-256 (computed once by the caller):
 * undefined when it is `Bearer <token>`, else the 401 unauthorized problem to answer.
 */
export function bearerProblem(header: string | undefined, expected: Buffer): ProblemError | undefined {
  if (header === undefined) {
    return new ProblemError('unauthorized', 'missing Authorization header', {}, { 'WWW-Authenticate': 'Bearer realm="rasgw"' });
  }
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!m || !crypto.timingSafeEqual(digest(m[1]), expected)) {
    return new ProblemError('unauthorized', m ? 'the bearer token is not valid' : 'the Authorization header is not "Bearer <token>"', {}, {
      'WWW-Authenticate': 'Bearer realm="rasgw", error="invalid_token"',
    });
  }
  return undefined;
}

/** The SHA-256 of the expected token, as `bearerProblem` takes it. */
export function tokenDigest(token: string): Buffer {
  return digest(token);
}

/** Express middleware: `Authorization: Bearer <token>` or 401 unauthorized. */
export function bearerAuth(token: string) {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    next(bearerProblem(req.headers.authorization, expected));
  };
}
