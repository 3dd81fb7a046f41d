import { LINUX_TEXT_PROFILES, LinuxTextProfile, renderStatusBlockLinux } from '../../../../src/cper/text';
import { KernelLog, LinePrefix } from '../../../../src/cper/text/kernel-log';
import { contextStride, printArmErrorInfo } from '../../../../src/cper/text/sections/arm';
import type { LinuxVersion } from '../../../../src/vm/contract';
import { armContext, armErrorInfo, armSection, ascii, block, concat, entry, GUID, le, P } from '../block-builder';

/** Lines of a one-ARM-section record from "section_type" on. */
function arm(body: Uint8Array, opts: { version?: LinuxVersion; profile?: LinuxTextProfile; errorDataLength?: number; tail?: Uint8Array } = {}): string[] {
  const b = block({ entries: [entry({ guid: GUID.arm, body, errorDataLength: opts.errorDataLength })], tail: opts.tail, dataLength: opts.errorDataLength === undefined ? undefined : 72 + opts.errorDataLength });
  return renderStatusBlockLinux(b, { version: opts.version, profile: opts.profile })
    .map((l) => l.text)
    .slice(3);
}

/** cper_print_arm_err_info alone, without prefix, at the error-info indentation. */
function decode(type: number, info: bigint): string[] {
  const log = new KernelLog();
  printArmErrorInfo(log, new LinePrefix('err', P, '', false), type, info);
  return log.lines.map((l) => l.text);
}

const valid = (...bits: number[]) => bits.reduce((v, b) => v | (1n << BigInt(b)), 0n);
const at = (value: number, shift: number) => BigInt(value) << BigInt(shift);

describe('cper_print_arm_err_info (error_info decode)', () => {
  it('cache error, every common field set', () => {
    const info = valid(0, 1, 2, 3, 4, 5, 6) | at(2, 16) | at(10, 18) | at(5, 22) | at(1, 25) | at(1, 26) | at(1, 27) | at(1, 28);
    expect(decode(0x02, info)).toEqual([
      'transaction type: Generic',
      'cache error, operation type: Management',
      'cache level: 5',
      'processor context corrupted',
      'the error has been corrected',
      'PC is precise',
      'Program execution can be restarted reliably at the PC associated with the error.',
    ]);
  });

  it('TLB error, the "not" variants, and no restartable line when bit 28 is clear', () => {
    const info = valid(0, 1, 2, 3, 4, 5, 6) | at(0, 16) | at(8, 18) | at(1, 22);
    expect(decode(0x04, info)).toEqual([
      'transaction type: Instruction',
      'TLB error, operation type: External management operation (processor raised a TLB error caused by another processor or device broadcasting TLB operations)',
      'TLB level: 1',
      'processor context not corrupted',
      'the error has not been corrected',
      'PC is imprecise',
    ]);
  });

  it('bus error (type exactly 0x08) also prints the bus-only fields', () => {
    const info = valid(1, 2, 7, 8, 9, 10, 11) | at(6, 18) | at(3, 22) | at(1, 29) | at(1, 31) | at(3, 32) | at(0x1ab, 34) | at(1, 43);
    expect(decode(0x08, info)).toEqual([
      'bus error, operation type: Prefetch',
      'affinity level at which the bus error occurred: 3',
      'participation type: Local processor responded to request',
      'request timed out',
      'address space: Device Memory Access',
      'memory access attributes:0x1ab',
      'access mode: normal',
    ]);
    expect(decode(0x08, valid(8, 11))).toEqual(['access mode: secure']);
  });

  it('operation codes past a kind’s table and transaction type 3 print nothing', () => {
    expect(decode(0x08, valid(0, 1) | at(3, 16) | at(7, 18))).toEqual([]);
    expect(decode(0x02, valid(1) | at(11, 18))).toEqual([]);
  });

  it('a combined cache|bus type prints both kinds but not the bus-only fields', () => {
    const info = valid(1, 2, 7, 9) | at(4, 18) | at(2, 22) | at(2, 29);
    expect(decode(0x0a, info)).toEqual([
      'cache error, operation type: Data write',
      'bus error, operation type: Data write',
      'cache level: 2',
      'affinity level at which the bus error occurred: 2',
    ]);
  });

  it('vendor (micro-architectural, bit 4) entries are not decoded at all', () => {
    const all = valid(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) | at(1, 16);
    expect(decode(0x10, all)).toEqual([]);
    expect(decode(0x18, all)).toEqual([]);
  });
});

describe('cper_print_proc_arm', () => {
  it('header fields, flags, every address line, reserved type bits', () => {
    const body = armSection({
      validation: 0x7,
      affinityLevel: 2,
      mpidr: 0x81000100n,
      midr: 0x410fd0c0n,
      runningState: 1,
      psciState: 0xffffffff,
      errorInfo: [
        armErrorInfo({ validation: 0x1f, type: 0x04, multipleError: 2, flags: 0x0f, errorInfo: 0x54007fn, virtualAddress: 0xffff000012345678n, physicalAddress: 0x40003000n }),
        armErrorInfo({ validation: 0x0, type: 0x21 }),
      ],
    });
    expect(arm(body)).toEqual([
      `${P}  section_type: ARM processor error`,
      `${P}  MIDR: 0x00000000410fd0c0`,
      `${P}  Multiprocessor Affinity Register (MPIDR): 0x0000000081000100`,
      `${P}  error affinity level: 2`,
      `${P}  running state: 0x1`,
      `${P}  Power State Coordination Interface state: -1`,
      `${P}  Error info structure 0:`,
      `${P}  num errors: 3`,
      `${P}   first error captured`,
      `${P}   last error captured`,
      `${P}   propagated error captured`,
      `${P}   overflow occurred, error info is incomplete`,
      `${P}   error_type: 0x04: TLB error`,
      `${P}   error_info: 0x000000000054007f`,
      `${P}    transaction type: Instruction`,
      `${P}    TLB error, operation type: Instruction fetch`,
      `${P}    TLB level: 1`,
      `${P}    processor context not corrupted`,
      `${P}    the error has not been corrected`,
      `${P}    PC is imprecise`,
      `${P}   virtual fault address: 0xffff000012345678`,
      `${P}   physical fault address: 0x0000000040003000`,
      `${P}  Error info structure 1:`,
      `${P}  num errors: 1`,
      `${P}   error_type: 0x21:  with reserved bit(s)`,
    ]);
  });

  it('context types, the invalid-type stop and vendor bytes with ASCII', () => {
    const regs = le(16, [[0, 8, 0x1122334455667788n], [8, 8, 0x99n]]);
    const body = armSection({ contexts: [armContext(8, regs)], vendor: ascii('VENDOR-DATA!') });
    const head = [
      `${P}  section_type: ARM processor error`,
      `${P}  MIDR: 0x0000000000000000`,
      `${P}  Context info structure 0:`,
      `${P}   register context type: Misc. system register structure`,
      `${P}   00000000: 55667788 11223344 00000099 00000000`,
    ];
    // 6.1 steps 8 + 16 = 24 bytes to the vendor data
    expect(arm(body, { version: '6.1' })).toEqual([
      ...head,
      `${P}  Vendor specific error info has 12 bytes:`,
      `${P}   00000000: ${'444e4556 442d524f 21415441'.padEnd(37)}VENDOR-DATA!`,
    ]);
    // mainline rounds the 24 up to 32, so the first 8 vendor bytes count as context padding
    expect(arm(body, { version: 'mainline' })).toEqual([
      ...head,
      `${P}  Vendor specific error info has 4 bytes:`,
      `${P}   00000000: ${'21415441'.padEnd(37)}ATA!`,
    ]);
    const bad = arm(armSection({ contexts: [armContext(9, regs), armContext(0, regs)] }));
    expect(bad.slice(2)).toEqual([`${P}  Context info structure 0:`, `${P}   Invalid context type: 9 (max: 8)`]);
  });

  it('a context larger than what the section length leaves: too small, stop', () => {
    const body = armSection({ contexts: [armContext(5, new Uint8Array(32))], sectionLength: 40 + 8 + 16 });
    expect(arm(body, { errorDataLength: body.length }).slice(2)).toEqual([
      `${P}  Context info structure 0:`,
      `${P}   section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
    ]);
  });

  it('a context header that lies past the record: the same two lines (Linux reads garbage there)', () => {
    const body = armSection({ contextInfoNum: 1 });
    expect(arm(body).slice(2)).toEqual([
      `${P}  Context info structure 0:`,
      `${P}   section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
    ]);
  });

  it('a register size that wraps the stride to 0 dumps only the rows present, then stops', () => {
    const body = armSection({ contexts: [armContext(5, le(16, [[0, 4, 0xaa]]), 0xfffffff8)] });
    for (const version of ['6.1', 'mainline'] as const) {
      expect(arm(body, { version }).slice(2)).toEqual([
        `${P}  Context info structure 0:`,
        `${P}   register context type: AArch64 EL1 context registers`,
        `${P}   00000000: 000000aa 00000000 00000000 00000000`,
        `${P}   section length is too small`,
        `${P}  firmware-generated error record is incorrect`,
      ]);
    }
    expect(contextStride(0xfffffff8, 'aligned-16')).toBe(0);
    expect(contextStride(0xfffffff8, 'header-plus-size')).toBe(0);
    expect(contextStride(32, 'aligned-16')).toBe(48);
    expect(contextStride(32, 'header-plus-size')).toBe(40);
  });

  it('section length below 40 + 32·n: "too small" with the count (err-info count beyond the section)', () => {
    const body = armSection({ errInfoNum: 46198, sectionLength: 72, errorInfo: [armErrorInfo({ type: 2 })], midr: 0x1n });
    expect(arm(body)).toEqual([
      `${P}  section_type: ARM processor error`,
      `${P}  MIDR: 0x0000000000000001`,
      `${P}  section length: 72, CPER size: 72`,
      `${P}  section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
      `${P}  ERR_INFO_NUM is 46198`,
    ]);
  });

  it('section length beyond the CPER size: "too big" (the 2026 fix commit example)', () => {
    const body = concat(armSection({ errInfoNum: 46198, sectionLength: 854918320, midr: 0xff304b2f8476870an }), new Uint8Array(27));
    expect(body.length).toBe(67);
    const expected = [
      `${P}  section_type: ARM processor error`,
      `${P}  MIDR: 0xff304b2f8476870a`,
      `${P}  section length: 854918320, CPER size: 67`,
      `${P}  section length is too big`,
      `${P}  firmware-generated error record is incorrect`,
      `${P}  ERR_INFO_NUM is 46198`,
    ];
    expect(arm(body, { version: '6.1' })).toEqual(expected);
    expect(arm(body, { version: 'mainline' })).toEqual(expected);
  });

  it('section length is an int: above 2^31 it is negative (too small) or printed negative (too big)', () => {
    expect(arm(armSection({ sectionLength: 0xffffffff })).slice(2, 4)).toEqual([`${P}  section length: -1, CPER size: 40`, `${P}  section length is too small`]);
    // 0x80000064 - 40 - 32·10 fits in an int again: not negative, but beyond the section
    const big = armSection({ sectionLength: 0x80000064, errInfoNum: 10 });
    expect(arm(big).slice(2, 4)).toEqual([`${P}  section length: -2147483548, CPER size: 40`, `${P}  section length is too big`]);
  });

  it('kernels without the too-big check (custom profile) print the old lines', () => {
    const old: LinuxTextProfile = { ...LINUX_TEXT_PROFILES['6.1'], version: 'custom', armSectionLengthCheck: 'negative-only' };
    const small = armSection({ errInfoNum: 3, sectionLength: 72 });
    expect(arm(small, { profile: old }).slice(2)).toEqual([
      `${P}  section length: 72`,
      `${P}  section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
      `${P}  ERR_INFO_NUM is 3`,
    ]);
    // too big is not noticed: the entries are walked until the record ends
    const big = armSection({ errInfoNum: 2, sectionLength: 40 + 64, errorInfo: [armErrorInfo({ type: 2 })] });
    expect(arm(big, { profile: old }).slice(2)).toEqual([
      `${P}  Error info structure 0:`,
      `${P}  num errors: 1`,
      `${P}   error_type: 0x02: cache error`,
      `${P}  Error info structure 1:`,
      `${P}   section length is too small`,
      `${P}  firmware-generated error record is incorrect`,
    ]);
  });

  it('a section shorter than 40 bytes: type line, then the firmware warning', () => {
    expect(arm(new Uint8Array(39))).toEqual([`${P}  section_type: ARM processor error`, '[Firmware Warn]: error section length is too small']);
  });
});
