import { parseEsrIssOption } from '../../src/cli/esrIssOption';
import { CliError } from '../../src/cli/io';

describe('--esr-iss', () => {
  test('takes 0x… hex up to bits 24..0, and a single digit', () => {
    expect(parseEsrIssOption('0x0c11')).toBe(0xc11);
    expect(parseEsrIssOption('0X1811')).toBe(0x1811);
    expect(parseEsrIssOption('0x1ffffff')).toBe(0x1ffffff);
    expect(parseEsrIssOption('0')).toBe(0);
  });

  test('refuses a digit string (hex or decimal?) with the fix instead of reading it as decimal', () => {
    expect(() => parseEsrIssOption('11')).toThrow(new CliError('--esr-iss: "11" could be hex or decimal: write the ISS in hex, e.g. 0x11 (0x0811 = AET UEO, 0x0c11 = UER)'));
    expect(() => parseEsrIssOption('3089')).toThrow(CliError);
  });

  test('names each other mistake with the option', () => {
    expect(() => parseEsrIssOption('0x2000000')).toThrow(new CliError('--esr-iss: 0x2000000 is larger than an ISS (bits 24..0, at most 0x1ffffff)'));
    expect(() => parseEsrIssOption('c11')).toThrow(new CliError('--esr-iss: "c11" has no 0x prefix: write 0xc11'));
    expect(() => parseEsrIssOption('0x0c11x')).toThrow(new CliError('--esr-iss: expected the ISS as 0x… hex (0..0x1ffffff), got "0x0c11x"'));
    expect(() => parseEsrIssOption(' 0x11')).toThrow(CliError);
  });
});
