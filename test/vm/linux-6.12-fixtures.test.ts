import fs from 'fs';
import path from 'path';
import { comparableCapture, expectedLines, guestLog as linuxGuestLog, normalizeHest } from './linuxCaptures';

/**
 * A `linux` guest with Linux 6.12 texts on `qemu-7.2-virt`, each block of
 * shared/fixtures/linux-guest placed in the error block before the GHES probe, prints what the real
 * Debian 6.12.118 guest printed (shared/fixtures/linux-guest-6.12). The capture kept only console
 * lines matching the grep named in each file's header, so the same filter is applied to our log.
 * Differences that are not the guest's behaviour, as for the 6.1 captures:
 * - printk timestamps (virtual clock);
 * - the HEST address in `ACPI: HEST 0x…` (EDK2 placed it at 0x799FE898 with this kernel);
 * - panic backtrace frames (` vpanic+0x358/0x3c0`) and the KASLR `Kernel Offset:` line.
 */
const DIR = path.join(__dirname, '../../../shared/fixtures/linux-guest-6.12');
const FIXTURES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.linux-6.12.lines'))
  .map((f) => f.replace(/\.linux-6\.12\.lines$/, ''))
  .sort();

const guestLog = (name: string, cmdline: string, version: '6.1' | '6.12' | 'mainline' = '6.12') => linuxGuestLog(name, cmdline, version);

describe('the 6.12 captures', () => {
  test('cover every block of linux-guest plus the boot with nothing pending', () => {
    expect(FIXTURES).toEqual(['arm-cache-fatal', 'arm-cache-recoverable', 'arm-two-contexts', 'memory-corrected', 'memory-outside-ram', 'memory-recoverable', 'no-record', 'pcie-root-port']);
  });
});

describe.each(FIXTURES)('Linux 6.12 guest on qemu-7.2-virt, %s pending at probe', (name) => {
  test('the guest log equals the captured console lines (filtered as the capture was)', () => {
    const { lines, cmdline, grep } = expectedLines(path.join(DIR, `${name}.linux-6.12.lines`));
    const ours = guestLog(name, cmdline)
      .filter((l) => grep.test(l))
      .map(normalizeHest);
    const theirs = comparableCapture(lines);
    expect(theirs.length).toBeGreaterThanOrEqual(4);
    expect(ours).toEqual(theirs);
  });
});

describe('6.12 lines outside the record print, against the other versions', () => {
  const { cmdline } = expectedLines(path.join(DIR, 'memory-recoverable.linux-6.12.lines'));
  const only = (lines: string[], re: RegExp) => lines.filter((l) => re.test(l));

  test('SIGBUS notice: device prefix on 6.12 and mainline, plain on 6.1', () => {
    const re = /SIGBUS/;
    expect(only(guestLog('memory-corrected', cmdline), re)).toEqual(['GHES GHES.0: [Hardware Error]: GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)']);
    expect(only(guestLog('memory-corrected', cmdline, 'mainline'), re)).toEqual(['GHES GHES.0: [Hardware Error]: GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)']);
    expect(only(guestLog('memory-corrected', cmdline, '6.1'), re)).toEqual(['GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)']);
  });

  test('driver_async_probe=GHES: the probe runs in kworker/u4:0:12 (6.12, mainline) or kworker/u2:0:9 (6.1)', () => {
    const async = `${cmdline} driver_async_probe=GHES`;
    const re = /SIGBUS|Kernel panic/;
    expect(only(guestLog('memory-corrected', async), re)).toEqual(['GHES GHES.0: [Hardware Error]: GHES: kworker/u4:0:12: synchronous unrecoverable error (SIGBUS)']);
    expect(only(guestLog('memory-corrected', async, 'mainline'), re)).toEqual(['GHES GHES.0: [Hardware Error]: GHES: kworker/u4:0:12: synchronous unrecoverable error (SIGBUS)']);
    expect(only(guestLog('memory-corrected', async, '6.1'), re)).toEqual(['GHES: kworker/u2:0:9: synchronous unrecoverable error (SIGBUS)']);
  });

  test('memory failure verdicts for the reserved page 0x40001000 and the address above RAM', () => {
    const re = /Memory failure|Invalid address|SIGBUS/;
    expect(only(guestLog('memory-recoverable', cmdline, '6.1'), re)).toEqual(['Memory failure: 0x40001: unhandlable page.', 'Memory failure: 0x40001: recovery action for unknown page: Ignored']);
    expect(only(guestLog('memory-recoverable', cmdline, 'mainline'), re)).toEqual(['Memory failure: 0x40001: recovery action for reserved kernel page: Ignored']);
    expect(only(guestLog('memory-outside-ram', cmdline, 'mainline'), re)).toEqual(['Memory failure: 0x1234567: recovery action for non struct page pfn: Ignored']);
    expect(only(guestLog('memory-outside-ram', cmdline, '6.1'), re)).toEqual([
      '[Firmware Warn]: GHES: Invalid address in generic error data: 0x1234567000',
      'GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)',
    ]);
  });
});
