import { armOptions } from '../../../src/cli/commands/inject';
import { runCli } from './run-cli';

/** --timestamp is a time of the calendar, read as written (refused before any request). */
describe('rasgw inject --timestamp', () => {
  const url = ['--url', 'http://127.0.0.1:9', '--token-file', __filename, '--midr', '0x0'];

  it.each(['2026-02-30 10:00:00', '2026-13-01 00:00:00', '2026-01-01 24:00:00', '2026-01-01 10:60:00', '2025-02-29 00:00:00'])('refuses %j (it rolled over into another date)', async (time) => {
    const r = await runCli(['inject', ...url, '--timestamp', time]);
    expect([r.code, r.stderr]).toEqual([1, `error: --timestamp: ${JSON.stringify(time)} is not a time of the calendar (month 01-12, a day the month has, 00:00:00-23:59:59, UTC)\n`]);
  });

  it('encodes a real time as the script does (BCD: sec, min, hour, flags, day, month, year, century)', () => {
    const leap = armOptions({ timestamp: '2024-02-29 23:59:58' }, 0n).timestamp!;
    expect(Buffer.from(leap).toString('hex')).toBe('5859230029022420');
  });
});
