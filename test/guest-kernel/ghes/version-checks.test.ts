import { Vm, defaultVmSpec } from '../../../src/vm';
import type { LinuxVersion } from '../../../src/vm/contract';
import { armErrorInfo, armSection, block, entry, GUID, le } from '../../cper/text/block-builder';

/**
 * The guest's own lines around the record print, version by version (src/guest-kernel/
 * linux-versions.ts): GHES's CXL checks (cxl-checks.ts), log_arm_hw_error's section-length check
 * (arm-section-length.ts), the AER recovery work for a device that does not exist, and the length
 * check of a block longer than its source's error block. Each case runs pending at probe (the
 * captures' scenario) and, where it applies, as a runtime injection on the SEA source.
 */
const strip = (l: string) => l.replace(/^\[\s*\d+\.\d{6}\] /, '');

function atProbe(version: LinuxVersion, bytes: Uint8Array): string[] {
  const vm = new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: version }), 'v', { beforeProbe: [{ sourceId: 0, bytes }] });
  return vm.log().map((l) => strip(l.line));
}

function atRuntime(version: LinuxVersion, bytes: Uint8Array): string[] {
  const vm = new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: version }), 'r');
  const s = vm.inject({ kind: 'raw', bytes });
  expect(s.state).toBe('acknowledged');
  return s.outcome!.logLines.map(strip);
}

/** The lines after the last record line, up to the firmware-first line at boot. */
function after(lines: string[]): string[] {
  let last = -1;
  lines.forEach((l, i) => {
    if (/^\{\d+\}\[Hardware Error\]: /.test(l)) last = i;
  });
  return lines.slice(last + 1).filter((l) => !/^GHES: Failed to enable APEI firmware first mode\.$/.test(l) && !/^Kernel panic/.test(l));
}

const SIGBUS_612 = 'GHES GHES.0: [Hardware Error]: GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)';

function cxlEvent(length: number, validation: bigint): Uint8Array {
  return block({ entries: [entry({ guid: GUID.cxlGeneralMedia, body: le(160, [[0, 4, length], [4, 8, validation]]) })] });
}

function cxlProt(validation: number, agentType: number, errLen: number): Uint8Array {
  const body = le(116 + 88, [[0, 8, validation], [8, 1, agentType], [110, 2, errLen]]);
  return block({ entries: [entry({ guid: GUID.cxlProtocol, body })] });
}

describe('CXL component events (cxl_cper_post_event, 6.8+)', () => {
  test('a bad header: "[Firmware Warn]: CXL CPER invalid event" on 6.12 and mainline, nothing on 6.1', () => {
    const bytes = cxlEvent(0x40, 0n);
    expect(after(atProbe('6.12', bytes))).toEqual(['[Firmware Warn]: CXL CPER invalid event', SIGBUS_612]);
    expect(after(atProbe('mainline', bytes))).toEqual(['[Firmware Warn]: CXL CPER invalid event', SIGBUS_612]);
    expect(after(atProbe('6.1', bytes))).toEqual(['GHES: swapper/0:1: synchronous unrecoverable error (SIGBUS)']);
  });

  test('a header length outside (32, 160] is refused with the length; a valid event says nothing', () => {
    expect(after(atProbe('6.12', cxlEvent(32, 4n)))).toEqual(['[Firmware Warn]: CXL CPER Invalid section length (32)', SIGBUS_612]);
    expect(after(atProbe('6.12', cxlEvent(161, 4n)))).toEqual(['[Firmware Warn]: CXL CPER Invalid section length (161)', SIGBUS_612]);
    expect(after(atProbe('6.12', cxlEvent(160, 4n)))).toEqual([SIGBUS_612]);
  });

  test('at runtime (SEA from the workload) the check runs before the record print', () => {
    const lines = atRuntime('mainline', cxlEvent(0x40, 0n));
    expect(lines[0]).toBe('[Firmware Warn]: CXL CPER invalid event');
    expect(lines[1]).toBe('GHES GHES.0: [Hardware Error]: GHES: workload:245: synchronous unrecoverable error (SIGBUS)');
    expect(lines[2]).toBe('{1}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 0');
  });
});

describe('CXL protocol errors (cxl_cper_post_prot_err, 7.3.4)', () => {
  test.each([
    ['no agent address', cxlProt(0x01, 2, 88), 'CXL CPER invalid agent type'],
    ['no error log', cxlProt(0x03, 2, 88), 'CXL CPER invalid protocol error log'],
    ['an error log that is not a RAS capability', cxlProt(0x43, 2, 16), 'CXL CPER invalid RAS Cap size (16)'],
    ['a device agent without serial number', cxlProt(0x43, 2, 88), '[Firmware Warn]: CXL CPER no device serial number'],
  ])('%s', (_name, bytes, line) => {
    expect(after(atProbe('mainline', bytes))).toEqual([line, SIGBUS_612]);
    expect(after(atProbe('6.12', bytes))).toEqual([SIGBUS_612]);
  });

  test('a root port needs no serial number: nothing is printed', () => {
    expect(after(atProbe('mainline', cxlProt(0x43, 5, 88)))).toEqual([SIGBUS_612]);
  });
});

describe('ARM section length (log_arm_hw_error, 7.3.4)', () => {
  // two error-information entries claimed, one present; section_length covers only that one
  const info = armErrorInfo({ type: 0x04 });
  const bytes = block({ entries: [entry({ guid: GUID.arm, body: armSection({ errorInfo: [info], errInfoNum: 2 }) })] });

  test('mainline: three [Firmware Bug] lines after the record lines, then GHES walks what is there', () => {
    expect(after(atProbe('mainline', bytes))).toEqual([
      '[Firmware Bug]: section length: 72',
      '[Firmware Bug]: section length is too small',
      '[Firmware Bug]: firmware-generated error record is incorrect',
      '[Firmware Warn]: GHES: Unhandled processor error type 0x04: TLB error',
      SIGBUS_612,
    ]);
  });

  test('6.12 has no such check', () => {
    expect(after(atProbe('6.12', bytes))).toEqual(['[Firmware Warn]: GHES: Unhandled processor error type 0x04: TLB error', SIGBUS_612]);
  });

  test('a section_length that covers every structure says nothing', () => {
    const ok = block({ entries: [entry({ guid: GUID.arm, body: armSection({ errorInfo: [info] }) })] });
    expect(after(atProbe('mainline', ok))).toEqual(['[Firmware Warn]: GHES: Unhandled processor error type 0x04: TLB error', SIGBUS_612]);
  });
});

describe('PCIe records for a device the guest does not have (aer_recover_work_func)', () => {
  const body = le(208, [[0, 8, 0x88], [31, 1, 2], [32, 1, 3], [33, 2, 1], [35, 1, 0x10]]);
  const bytes = block({ entries: [entry({ guid: GUID.pcie, body })] });

  test.each([
    ['6.1', 'AER: no pci_dev for 0001:10:03.2'],
    ['6.12', 'AER: no pci_dev for 0001:10:03.2'],
    ['mainline', 'AER: 0001:10:03.2: no pci_dev found'],
  ] as const)('%s: %s, after the SIGBUS notice', (version, line) => {
    const lines = after(atProbe(version, bytes));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(line);
  });

  test('a record with 17 such sections overflows the 16-entry recovery ring', () => {
    const many = block({ entries: Array.from({ length: 17 }, (_, i) => entry({ guid: GUID.pcie, body: le(208, [[0, 8, 0x88], [32, 1, i], [35, 1, 0x10]]) })) });
    // 17 × 280 bytes: an SEA source with an 8 KiB error block
    const vm = new Vm(defaultVmSpec({ profile: 'extended', sources: [{ notification: 'sea', errorBlockLength: 8192 }], personality: 'linux', linuxVersion: '6.12' }), 'm', { beforeProbe: [{ sourceId: 0, bytes: many }] });
    const lines = after(vm.log().map((l) => strip(l.line)));
    expect(lines[0]).toBe('AER: buffer overflow in recovery for 0000:10:10.0');
    expect(lines.filter((l) => l.startsWith('AER: no pci_dev for'))).toHaveLength(16);
  });

  test('no line without a valid device id or AER information', () => {
    const partial = block({ entries: [entry({ guid: GUID.pcie, body: le(208, [[0, 8, 0x08]]) })] });
    expect(after(atProbe('mainline', partial))).toEqual([SIGBUS_612]);
  });
});

describe('memory sections with addresses outside RAM', () => {
  const mem = (pa: bigint) => block({ entries: [entry({ guid: GUID.memory, body: le(80, [[0, 8, 0x2], [16, 8, pa]]) })] });
  const re = /Memory failure|Invalid address|SIGBUS/;

  test.each(['6.1', '6.12', 'mainline'] as const)('%s: physical address 0 (pfn_valid, not online RAM): memory outside kernel control, no SIGBUS', (version) => {
    expect(atProbe(version, mem(0n)).filter((l) => re.test(l))).toEqual(['Memory failure: 0x0: memory outside kernel control']);
  });

  test('above RAM: GHES refuses it on 6.1 and 6.12 (warning + SIGBUS), memory_failure answers on mainline', () => {
    expect(atProbe('6.12', mem(0x1234567000n)).filter((l) => re.test(l))).toEqual(['[Firmware Warn]: GHES: Invalid address in generic error data: 0x1234567000', SIGBUS_612]);
    expect(atProbe('mainline', mem(0x1234567000n)).filter((l) => re.test(l))).toEqual(['Memory failure: 0x1234567: recovery action for non struct page pfn: Ignored']);
  });

  test('at runtime the workload gets the task-work SIGBUS when memory_failure fails (mainline)', () => {
    const lines = atRuntime('mainline', mem(0x1234567000n)).filter((l) => re.test(l));
    expect(lines).toEqual(['Memory failure: 0x1234567: recovery action for non struct page pfn: Ignored', '0x1234567: Sending SIGBUS to workload:245 due to hardware memory corruption']);
  });
});

describe('--at-boot: a block longer than its error block', () => {
  // QEMU 7.2's error blocks are 1 KiB; this record claims 2000 bytes
  const big = block({ entries: [entry({ guid: GUID.vendor, body: new Uint8Array(2000 - 20 - 72) })] });

  test.each(['6.1', '6.12', 'mainline'] as const)('%s: the guest refuses it with its own length check', (version) => {
    const lines = atProbe(version, big);
    expect(lines.filter((l) => /GHES|Hardware Error/.test(l))).toEqual(['[Firmware Warn]: GHES: Invalid error status block length!', 'GHES: Failed to enable APEI firmware first mode.']);
  });

  test('the block holds the first 1024 bytes and the guest clears it', () => {
    const vm = new Vm(defaultVmSpec({ profile: 'qemu-7.2-virt', personality: 'linux', linuxVersion: '6.12' }), 'b', { beforeProbe: [{ sourceId: 0, bytes: big }] });
    expect(vm.state().sources[0].blockStatus).toBe(0);
    expect(vm.state().guest.panicked).toBe(false);
  });
});
