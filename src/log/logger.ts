import winston from 'winston';

/**
 * Logging. The server writes structured JSON lines to stderr; the CLI writes short human lines to
 * stderr (stdout is kept for command output). A child logger carries `vm` or `request` ids.
 * Secrets never reach a line: any field whose name looks like a credential is replaced by
 * "[redacted]", and bearer tokens inside messages are masked.
 */
export type LogMode = 'server' | 'cli' | 'silent';
export type Logger = winston.Logger;

const SECRET_KEY = /^(token|authorization|auth|password|secret|bearer|apikey|api_key|cookie)$/i;

function redactValue(v: unknown, depth: number): unknown {
  if (depth > 6 || v === null || typeof v !== 'object') {
    return typeof v === 'string' ? maskBearer(v) : v;
  }
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactValue(x, depth + 1);
  }
  return out;
}

/** Masks `Bearer <token>` inside free text. */
export function maskBearer(s: string): string {
  return s.replace(/(bearer\s+)[A-Za-z0-9._~+\/=-]+/gi, '$1[redacted]');
}

/** winston format that removes credentials from every field and from the message. */
export const redact = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (SECRET_KEY.test(key)) (info as Record<string, unknown>)[key] = '[redacted]';
    else if (key !== 'level') (info as Record<string, unknown>)[key] = redactValue((info as Record<string, unknown>)[key], 0);
  }
  return info;
});

function bigintSafe() {
  return winston.format((info) => {
    for (const [k, v] of Object.entries(info)) if (typeof v === 'bigint') (info as Record<string, unknown>)[k] = '0x' + v.toString(16);
    return info;
  })();
}

export interface LoggerOptions {
  mode?: LogMode;
  level?: string;
  /** where lines go; defaults to stderr */
  stream?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const mode = opts.mode ?? 'cli';
  const level = opts.level ?? process.env.RASGW_LOG_LEVEL ?? (mode === 'server' ? 'info' : 'warn');
  const format =
    mode === 'server'
      ? winston.format.combine(bigintSafe(), redact(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          bigintSafe(),
          redact(),
          winston.format.printf((info) => {
            const { level: lv, message, ...rest } = info as Record<string, unknown>;
            const ctx = Object.entries(rest)
              .filter(([k]) => typeof k === 'string')
              .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
              .join(' ');
            return `rasgw ${String(lv)}: ${String(message)}${ctx ? ' ' + ctx : ''}`;
          }),
        );
  const transport =
    mode === 'silent'
      ? new winston.transports.Stream({ stream: new (require('stream').Writable)({ write: (_c: unknown, _e: unknown, cb: () => void) => cb() }), silent: true })
      : opts.stream
        ? new winston.transports.Stream({ stream: opts.stream })
        : new winston.transports.Stream({ stream: process.stderr });
  return winston.createLogger({ level, format, transports: [transport] });
}

/** A logger that drops everything: the default for library code and tests. */
export const silentLogger: Logger = createLogger({ mode: 'silent' });
