import path from 'path';
import { Vm, defaultVmSpec } from '../../src/vm';
import { BLOCKS, comparableCapture, expectedLines, guestLog, normalizeHest, readBlock } from './linuxCaptures';

/**
 * A `linux` guest with Linux 6.1 texts on `qemu-7.2-virt`, each fixture block
 * placed in the error block before the GHES probe, prints what the real Debian 6.1.192 guest
 * printed. The capture kept only console lines matching the grep named in each file's header, so
 * the same filter is applied to our log. Differences that are not the guest's behaviour:
 * - printk timestamps (virtual clock);
 * - the HEST address in `ACPI: HEST 0x…`: the boot profile places HEST at the start of its minimal
 *   tables blob, real QEMU has DSDT/FACP/… before it (the length and header fields still match);
 * - panic backtrace frames (` panic+0x184/0x364`) and the KASLR `Kernel Offset:` line: the
 *   simulated kernel has no stack and no KASLR.
 */
const capture = (name: string) => path.join(BLOCKS, `${name}.linux-6.1.lines`);
const FIXTURES = ['memory-recoverable', 'memory-corrected', 'memory-outside-ram', 'arm-cache-recoverable', 'arm-cache-fatal', 'arm-two-contexts', 'no-record'];

describe.each(FIXTURES)('Linux 6.1 guest on qemu-7.2-virt, %s pending at probe', (name) => {
  test('the guest log equals the captured console lines (filtered as the capture was)', () => {
    const { lines, cmdline, grep } = expectedLines(capture(name));
    const ours = guestLog(name, cmdline, '6.1')
      .filter((l) => grep.test(l))
      .map(normalizeHest);
    const theirs = comparableCapture(lines);
    expect(theirs.length).toBeGreaterThanOrEqual(4);
    expect(ours).toEqual(theirs);
  });

  test('timestamps are printk-formatted and never go backwards', () => {
    const { cmdline } = expectedLines(capture(name));
    const vm = new Vm(defaultVmSpec({ personality: 'linux' }), name, { cmdline });
    const times = vm.log().map((l) => {
      const m = /^\[\s*(\d+)\.(\d{6})\] /.exec(l.line);
      expect(m).not.toBeNull();
      return Number(m![1]) * 1e6 + Number(m![2]);
    });
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });
});

describe('after the probe processed the fixture record', () => {

  test('block_status is 0 and read-ack is 1 again, as in the real capture', () => {
    const vm = new Vm(defaultVmSpec({ personality: 'linux' }), 'm', { beforeProbe: [{ sourceId: 0, bytes: readBlock('memory-recoverable') }] });
    const s = vm.state().sources[0];
    expect(s.blockStatus).toBe(0);
    expect(s.readAck).toBe(1n);
    expect(vm.state().guest.poisonedPages).toEqual([0x40001n]);
    expect(vm.state().guest.panicked).toBe(false);
  });

  test('SIGBUS to init at probe kills init when it reaches user space (diagnostics crash report)', () => {
    const vm = new Vm(defaultVmSpec({ personality: 'linux', diagnostics: true }), 'c', { beforeProbe: [{ sourceId: 0, bytes: readBlock('arm-two-contexts') }] });
    expect(vm.state().guest).toMatchObject({ panicked: true, panicReason: 'Attempted to kill init! exitcode=0x00000007' });
    expect(vm.crashReport()).toEqual({ reason: 'init-killed', message: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000007' });
  });

  test('a fatal block panics at probe; the crash report carries the record', () => {
    const bytes = readBlock('arm-cache-fatal');
    const vm = new Vm(defaultVmSpec({ personality: 'linux', diagnostics: true }), 'f', { beforeProbe: [{ sourceId: 0, bytes }] });
    expect(vm.crashReport()).toEqual({ reason: 'ghes-fatal', message: 'Kernel panic - not syncing: GHES: Fatal hardware error', record: bytes });
    const quiet = new Vm(defaultVmSpec({ personality: 'linux', diagnostics: false }), 'q', { beforeProbe: [{ sourceId: 0, bytes }] });
    expect(quiet.state().guest.panicked).toBe(true);
    expect(quiet.crashReport()).toBeNull();
  });
});
