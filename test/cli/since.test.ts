import { parseSince } from '../../src/cli/since';

const NOW = Date.UTC(2026, 0, 1, 1, 0, 0);
const BAD = (t: string) => `--since: expected an ISO date/time (2026-01-02, 2026-01-02T10:00:00Z) or a time ago (30s, 10m, 2h, 7d), got ${JSON.stringify(t)}`;

describe('--since (rasgw events, rasgw records)', () => {
  test('ISO dates and date-times (UTC unless a zone is named) and times ago', () => {
    expect(parseSince('2026-01-02', NOW)).toBe('2026-01-02T00:00:00.000Z');
    expect(parseSince('2026-12-04T10:00', NOW)).toBe('2026-12-04T10:00:00.000Z');
    expect(parseSince('2026-12-04 10:00:05.5+02:00', NOW)).toBe('2026-12-04T08:00:05.500Z');
    expect(parseSince('2026-12-04T10:00:00+0200', NOW)).toBe('2026-12-04T08:00:00.000Z');
    expect(parseSince('10m', NOW)).toBe('2026-01-01T00:50:00.000Z');
    expect(parseSince('7d', NOW)).toBe('2025-12-25T01:00:00.000Z');
  });

  test('what Date.parse would guess is refused: "5" (1 May 2001), "Dec 1", days that do not exist', () => {
    for (const t of ['5', 'Dec 1', '1 2', '2026-13-01', '2026-02-31', 'yesterday', '']) expect(() => parseSince(t, NOW)).toThrow(BAD(t));
  });
});
