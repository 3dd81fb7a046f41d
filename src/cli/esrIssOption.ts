import { parseUint } from '../binary/u64';
import { CliError } from './io';

/** The largest ISS of an ESR_EL1 syndrome (bits 24..0). */
export const ESR_ISS_MAX = 0x1ffffff;

/**
 * `--esr-iss` of `rasgw inject` and `rasgw simulate`: the ISS of the virtual SError syndrome,
 * written "0x…" hex as Linux prints ESR values (a single digit reads the same either way). The
 * REST field refuses a digit string without 0x (it could be hex or decimal); a command-line option
 * is always a string, so the CLI follows that rule: `--esr-iss 11` is refused with the fix
 * instead of becoming ISS 0xb (a non-RAS syndrome that panics the guest).
 */
export function parseEsrIssOption(text: string, option = '--esr-iss'): number {
  const v = parseUint(text, BigInt(ESR_ISS_MAX));
  if (v !== undefined) return Number(v);
  if (/^[0-9]+$/.test(text)) {
    throw new CliError(`${option}: ${JSON.stringify(text)} could be hex or decimal: write the ISS in hex, e.g. 0x${text.replace(/^0+(?=.)/, '')} (0x0811 = AET UEO, 0x0c11 = UER)`);
  }
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) throw new CliError(`${option}: ${text} is larger than an ISS (bits 24..0, at most 0x1ffffff)`);
  if (/^[0-9a-fA-F]+$/.test(text)) throw new CliError(`${option}: ${JSON.stringify(text)} has no 0x prefix: write 0x${text}`);
  throw new CliError(`${option}: expected the ISS as 0x… hex (0..0x1ffffff), got ${JSON.stringify(text)}`);
}
