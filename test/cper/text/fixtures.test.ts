import * as fs from 'fs';
import * as path from 'path';
import { renderStatusBlockLinux } from '../../../src/cper/text';
import type { LinuxVersion } from '../../../src/vm/contract';

/**
 * Golden test against the captured Linux output in shared/fixtures/linux-guest: for every
 * NAME.gesb and every NAME.linux-<version>.lines, the `{N}[Hardware Error]: ` lines must match
 * character for character (6.1: the live console section, printk timestamps stripped).
 */

const DIR = path.join(__dirname, '../../../../shared/fixtures/linux-guest');
/** a real Linux 6.12.118 guest's lines for the blocks of DIR (same names, NAME.linux-6.12.lines) */
const DIR_612 = path.join(__dirname, '../../../../shared/fixtures/linux-guest-6.12');
const VERSIONS: Record<string, LinuxVersion> = { 'linux-6.1': '6.1', 'linux-6.12': '6.12', 'linux-mainline': 'mainline' };
const RECORD_LINE = /^\{\d+\}\[Hardware Error\]: /;

/** The record lines of a .lines file. */
function recordLines(file: string): string[] {
  const all = fs.readFileSync(file, 'latin1').split('\n');
  let lines = all;
  const live = all.findIndex((l) => l.startsWith('# kernel console lines (live'));
  if (live >= 0) {
    const end = all.findIndex((l, i) => i > live && l.startsWith('# dmesg'));
    lines = all.slice(live + 1, end < 0 ? undefined : end);
  }
  return lines.map((l) => l.replace(/^\[\s*\d+\.\d+\] /, '')).filter((l) => RECORD_LINE.test(l));
}

const cases: Array<[string, LinuxVersion, string, string]> = [];
for (const dir of [DIR, DIR_612]) {
  for (const f of fs.readdirSync(dir).sort()) {
    const m = /^(.+?)\.(linux-.+)\.lines$/.exec(f);
    if (!m) continue;
    const gesb = path.join(DIR, `${m[1]}.gesb`);
    if (!fs.existsSync(gesb)) continue;
    cases.push([m[1], VERSIONS[m[2]], gesb, path.join(dir, f)]);
  }
}
cases.sort((a, b) => (a[0] === b[0] ? a[1].localeCompare(b[1]) : a[0].localeCompare(b[0])));

describe('Linux CPER text against captured fixtures', () => {
  it('finds every fixture pair (7 blocks, 20 line files with a block: 6.1, 6.12, mainline)', () => {
    expect(cases.map(([n, v]) => `${n}@${v}`)).toEqual([
      'arm-cache-fatal@6.1',
      'arm-cache-fatal@6.12',
      'arm-cache-fatal@mainline',
      'arm-cache-recoverable@6.1',
      'arm-cache-recoverable@6.12',
      'arm-cache-recoverable@mainline',
      'arm-two-contexts@6.1',
      'arm-two-contexts@6.12',
      'arm-two-contexts@mainline',
      'memory-corrected@6.1',
      'memory-corrected@6.12',
      'memory-corrected@mainline',
      'memory-outside-ram@6.1',
      'memory-outside-ram@6.12',
      'memory-outside-ram@mainline',
      'memory-recoverable@6.1',
      'memory-recoverable@6.12',
      'memory-recoverable@mainline',
      'pcie-root-port@6.12',
      'pcie-root-port@mainline',
    ]);
  });

  it.each(cases)('%s (%s): record lines match character for character', (name, version, gesb, lines) => {
    const expected = recordLines(lines);
    expect(expected.length).toBeGreaterThan(5);
    const bytes = new Uint8Array(fs.readFileSync(gesb));
    const fatal = name.endsWith('-fatal');
    const got = renderStatusBlockLinux(bytes, { version, fatal });
    expect(got.map((l) => l.text)).toEqual(expected);
    const level = fatal ? 'emerg' : name === 'memory-corrected' ? 'warning' : 'err';
    expect(new Set(got.map((l) => l.level))).toEqual(new Set([level]));
  });

  it('no-record: with nothing pending Linux prints no record lines, and neither do we', () => {
    expect(recordLines(path.join(DIR, 'no-record.linux-6.1.lines'))).toEqual([]);
    expect(recordLines(path.join(DIR_612, 'no-record.linux-6.12.lines'))).toEqual([]);
    expect(renderStatusBlockLinux(new Uint8Array(1024), { version: '6.12' })).toEqual([]);
    // QEMU's 1 KiB block after reset: block_status 0.
    expect(renderStatusBlockLinux(new Uint8Array(1024), { version: '6.1' })).toEqual([]);
  });

  it('6.12 steps ARM contexts as 6.1 does and prints PCIe AER registers as mainline does', () => {
    const two = new Uint8Array(fs.readFileSync(path.join(DIR, 'arm-two-contexts.gesb')));
    expect(renderStatusBlockLinux(two, { version: '6.12' })).toEqual(renderStatusBlockLinux(two, { version: '6.1' }));
    const pcie = new Uint8Array(fs.readFileSync(path.join(DIR, 'pcie-root-port.gesb')));
    const a = renderStatusBlockLinux(pcie, { version: '6.12' }).map((l) => l.text);
    expect(a).toEqual(renderStatusBlockLinux(pcie, { version: 'mainline' }).map((l) => l.text));
    expect(a.filter((l) => /aer_|TLP/.test(l))).toEqual([
      '{1}[Hardware Error]:   aer_cor_status: 0x00000040, aer_cor_mask: 0x0000e000',
      '{1}[Hardware Error]:   aer_uncor_status: 0x00100000, aer_uncor_mask: 0x00400000',
      '{1}[Hardware Error]:   aer_uncor_severity: 0x00462030',
      '{1}[Hardware Error]:   TLP Header: 40000001 0000000f 12345678 9abcdef0',
    ]);
    // 6.1 prints no AER block for a recoverable section (severity bit 0 clear)
    expect(renderStatusBlockLinux(pcie, { version: '6.1' }).map((l) => l.text).filter((l) => /aer_|TLP/.test(l))).toEqual([]);
  });

  it('versions really differ on arm-two-contexts (second context read at 40 vs 48)', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, 'arm-two-contexts.gesb')));
    const a = renderStatusBlockLinux(bytes, { version: '6.1' }).map((l) => l.text);
    const b = renderStatusBlockLinux(bytes, { version: 'mainline' }).map((l) => l.text);
    expect(a.slice(-2)).toEqual([
      '{1}[Hardware Error]:    register context type: AArch32 EL1 context registers',
      '{1}[Hardware Error]:    00000000: 00000044 00000000 00000000 00000000',
    ]);
    expect(b.slice(-1)).toEqual(['{1}[Hardware Error]:    register context type: AArch32 general purpose registers']);
  });
});
