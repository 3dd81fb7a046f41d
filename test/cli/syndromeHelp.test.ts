import { execFileSync } from 'child_process';
import path from 'path';
import { SYNDROME_HELP } from '../../src/cli/syndromeHelp';
import { decodeEsr } from '../../src/device-model/notify/esrFields';
import { aetForBlockSeverity, serrorEsr, serrorIss } from '../../src/device-model/notify/syndrome';

const ROOT = path.join(__dirname, '../..');

describe('the SError syndrome in --help', () => {
  test('the table matches the device model (severity → AET → ISS → ESR)', () => {
    for (const [names, severity] of [
      ['corrected, informational', 2],
      ['recoverable', 0],
      ['fatal, unknown', 1],
    ] as const) {
      const aet = aetForBlockSeverity(severity);
      const iss = serrorIss(aet);
      const esr = serrorEsr(iss);
      const line = SYNDROME_HELP.split('\n').find((l) => l.trim().startsWith(names + ' '))!;
      expect(line).toContain(`AET ${aet.padEnd(3)} (${decodeEsr(esr).aet})`);
      expect(line).toContain(`ISS 0x${iss.toString(16).padStart(4, '0')}`);
      expect(line).toContain(`ESR 0x${esr.toString(16)}`);
    }
  });

  test.each(['simulate', 'inject'])('rasgw %s --help explains it', (cmd) => {
    const help = execFileSync(path.join(ROOT, 'bin/rasgw'), [cmd, '--help'], { encoding: 'utf8' });
    expect(help).toContain(SYNDROME_HELP.trim());
  });
});
