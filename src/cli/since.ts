import { CliError } from './io';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since` of `rasgw events` and `rasgw records`: an ISO 8601 date or date-time, or a time ago
 * (30s, 10m, 2h, 7d), as an ISO instant. A date alone is midnight UTC; a time without a zone is
 * UTC. Anything else is refused: Date.parse would read "5" as 1 May 2001 and "Dec 1" as 2001.
 */
export function parseSince(text: string, now = Date.now(), option = '--since'): string {
  const rel = /^([0-9]+)([smhd])$/.exec(text);
  if (rel) return new Date(now - Number(rel[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[rel[2] as 's' | 'm' | 'h' | 'd']).toISOString();
  const m = ISO.exec(text);
  const bad = () => new CliError(`${option}: expected an ISO date/time (2026-01-02, 2026-01-02T10:00:00Z) or a time ago (30s, 10m, 2h, 7d), got ${JSON.stringify(text)}`);
  if (!m) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`;
  const t = Date.parse(iso);
  // a day that does not exist (2026-02-31, month 13) must not roll over into another one
  const day = Date.parse(`${y}-${mo}-${d}T00:00:00Z`);
  if (Number.isNaN(t) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`) throw bad();
  return new Date(t).toISOString();
}
