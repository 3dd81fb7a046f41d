import fs from 'fs';
import path from 'path';
import type { NextFunction, Request, Response } from 'express';

/**
 * The web console's static files: `GET /` is the page, `GET /console/<file>` its scripts and
 * styles, read from the `console/` folder of the package (plain ES modules, no build step, no
 * CDN). These files hold no data, so they are served without the bearer token; everything the
 * page shows comes from the REST API, which the page calls with the token the user signs in with
 * (kept in sessionStorage). Responses forbid framing and limit the page to its own origin.
 */
export const CONSOLE_DIR = path.join(__dirname, '..', '..', 'console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/** The file under CONSOLE_DIR a request path names, or undefined (never a path outside it). */
export function consoleFile(urlPath: string, dir = CONSOLE_DIR): string | undefined {
  if (urlPath === '/' || urlPath === '/index.html') return path.join(dir, 'index.html');
  const m = /^\/console\/([A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*\.(?:js|css|svg|png|html))$/.exec(urlPath);
  if (!m) return undefined;
  const file = path.join(dir, m[1]);
  return file.startsWith(dir + path.sep) ? file : undefined;
}

/** Express middleware serving the console; anything else goes on to the API. */
export function consoleStatic(dir = CONSOLE_DIR) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const file = consoleFile(req.path, dir);
    if (!file) return next();
    fs.readFile(file, (err, body) => {
      if (err) return next();
      res.status(200);
      res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
      res.setHeader('Cache-Control', 'no-cache');
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      res.setHeader('Content-Length', body.length);
      if (req.method === 'HEAD') res.end();
      else res.end(body);
    });
  };
}
