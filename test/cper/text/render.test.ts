import { RasgwError } from '../../../src/binary';
import { renderStatusBlockLinux, renderStatusBlockLinuxText } from '../../../src/cper/text';
import type { LinuxVersion } from '../../../src/vm/contract';
import { ascii, block, concat, entry, GUID, le, P } from './block-builder';

const memBody = le(80, [[0, 8, 0x4002], [16, 8, 0x40001000n], [72, 1, 2]]);
const mem = (extra: Partial<Parameters<typeof entry>[0]> = {}) => entry({ guid: GUID.memory, body: memBody, ...extra });

describe('renderStatusBlockLinux: record framing', () => {
  it('defaults: mainline, source 0, sequence 1, with prefix', () => {
    expect(renderStatusBlockLinuxText(block({ entries: [mem()] }))).toBe(
      [
        `${P}Hardware error from APEI Generic Hardware Error Source: 0`,
        `${P}event severity: recoverable`,
        `${P} Error 0, type: recoverable`,
        `${P}  section_type: memory error`,
        `${P}  physical_address: 0x0000000040001000`,
        `${P}  error_type: 2, single-bit ECC`,
      ].join('\n'),
    );
  });

  it('source id, sequence number and prefix: false (indentation kept)', () => {
    const lines = renderStatusBlockLinux(block({ entries: [mem()] }), { sourceId: 7, seq: 12 }).map((l) => l.text);
    expect(lines[0]).toBe('{12}[Hardware Error]: Hardware error from APEI Generic Hardware Error Source: 7');
    const bare = renderStatusBlockLinux(block({ entries: [mem()] }), { prefix: false }).map((l) => l.text);
    expect(bare).toEqual([
      'Hardware error from APEI Generic Hardware Error Source: 0',
      'event severity: recoverable',
      ' Error 0, type: recoverable',
      '  section_type: memory error',
      '  physical_address: 0x0000000040001000',
      '  error_type: 2, single-bit ECC',
    ]);
  });

  it.each([
    [0, 'err', 'recoverable'],
    [1, 'err', 'fatal'],
    [2, 'warning', 'corrected'],
    [3, 'warning', 'info'],
    [4, 'err', 'unknown'],
  ])('block severity %d prints at %s as "%s"', (severity, level, name) => {
    const lines = renderStatusBlockLinux(block({ severity, entries: [mem()] }));
    expect(new Set(lines.map((l) => l.level))).toEqual(new Set([level]));
    expect(lines.map((l) => l.text)).toContain(`${P}event severity: ${name}`);
    expect(lines.some((l) => l.text.endsWith('It has been corrected by h/w and requires no further action'))).toBe(severity === 2);
  });

  it('the fatal path prints at emerg; the severity is read as a u16 for the text, u32 for the level', () => {
    expect(new Set(renderStatusBlockLinux(block({ severity: 1, entries: [mem()] }), { fatal: true }).map((l) => l.level))).toEqual(new Set(['emerg']));
    const wide = renderStatusBlockLinux(block({ severity: 0x10002, entries: [mem({ severity: 0x10001 })] }));
    expect(wide.slice(1, 4).map((l) => l.text)).toEqual([
      `${P}It has been corrected by h/w and requires no further action`,
      `${P}event severity: corrected`,
      `${P} Error 0, type: fatal`,
    ]);
    expect(wide[0].level).toBe('err');
  });

  it('a record with no sections prints only the header lines', () => {
    expect(renderStatusBlockLinuxText(block({ entries: [] }))).toBe(`${P}Hardware error from APEI Generic Hardware Error Source: 0\n${P}event severity: recoverable`);
  });

  it('several sections are numbered from 0', () => {
    const lines = renderStatusBlockLinux(block({ entries: [mem(), mem({ severity: 2, revision: 0x0201 })] })).map((l) => l.text);
    expect(lines.filter((t) => /Error \d+, type/.test(t))).toEqual([`${P} Error 0, type: recoverable`, `${P} Error 1, type: corrected`]);
  });
});

describe('section header lines', () => {
  const ts = [0x39, 0x29, 0x07, 0x01, 0x21, 0x11, 0x23, 0x20];

  it('precise and imprecise timestamps (v3 entries only), before the Error line', () => {
    const precise = renderStatusBlockLinux(block({ entries: [mem({ validation: 0x4, timestamp: ts })] })).map((l) => l.text);
    expect(precise.slice(2, 4)).toEqual([`${P} precise tstamp: 2023-11-21 07:29:39`, `${P} Error 0, type: recoverable`]);
    const imprecise = renderStatusBlockLinux(block({ entries: [mem({ validation: 0x4, timestamp: [...ts.slice(0, 3), 0, ...ts.slice(4)] })] }));
    expect(imprecise[2].text).toBe(`${P} imprecise tstamp: 2023-11-21 07:29:39`);
    // a revision-2 entry has no timestamp field, whatever its validation bits say
    const v2 = renderStatusBlockLinux(block({ entries: [mem({ validation: 0x4, revision: 0x0201 })] }));
    expect(v2[2].text).toBe(`${P} Error 0, type: recoverable`);
  });

  it('FRU id and FRU text (at most 20 characters, cut at NUL)', () => {
    const lines = renderStatusBlockLinux(block({ entries: [mem({ validation: 0x3, fruId: '01234567-89ab-cdef-0123-456789abcdef', fruText: 'DIMM_A1' })] })).map((l) => l.text);
    expect(lines.slice(2, 6)).toEqual([
      `${P} Error 0, type: recoverable`,
      `${P} fru_id: 01234567-89ab-cdef-0123-456789abcdef`,
      `${P} fru_text: DIMM_A1`,
      `${P}  section_type: memory error`,
    ]);
    const full = renderStatusBlockLinux(block({ entries: [mem({ validation: 0x2, fruText: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' })] }));
    expect(full[3].text).toBe(`${P} fru_text: ABCDEFGHIJKLMNOPQRST`);
  });

  it('an unknown GUID prints its GUID, its length and a hex dump with ASCII', () => {
    const body = concat(ascii('Hello, CPER!'), Uint8Array.from([0, 1, 2, 3, 0x7f, 0x80, 0x20, 0x7e]));
    const lines = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.vendor, body })] })).map((l) => l.text);
    expect(lines.slice(3)).toEqual([
      `${P}  section type: unknown, 12345678-9abc-def0-1122-334455667788`,
      `${P}  section length: 0x14`,
      `${P}  00000000: 6c6c6548 43202c6f 21524550 03020100  Hello, CPER!....`,
      `${P}  00000010: 7e20807f                             .. ~`,
    ]);
  });

  it('an empty unknown section: length 0x0 and no dump', () => {
    const lines = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.vendor, body: new Uint8Array(0) })] })).map((l) => l.text);
    expect(lines.slice(3)).toEqual([`${P}  section type: unknown, 12345678-9abc-def0-1122-334455667788`, `${P}  section length: 0x0`]);
  });

  it('IA32/X64 sections are unknown to an arm64 kernel', () => {
    const lines = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.ia32x64, body: new Uint8Array(4) })] })).map((l) => l.text);
    expect(lines[3]).toBe(`${P}  section type: unknown, dc3ea0b0-a144-4797-b95b-53fa242b6e1d`);
  });
});

describe('GHES gate and malformed blocks', () => {
  const warn = (text: string) => [{ level: 'warning', text }];

  it('block_status 0: nothing (unless asked to print anyway)', () => {
    const b = block({ status: 0, entries: [mem()] });
    expect(renderStatusBlockLinux(b)).toEqual([]);
    expect(renderStatusBlockLinux(b, { ignoreBlockStatus: true })).toHaveLength(6);
  });

  it('a record longer than the HEST block length: "Invalid error status block length!"', () => {
    const b = block({ entries: [mem()] });
    expect(renderStatusBlockLinux(b, { errorBlockLength: 100 })).toEqual(warn('[Firmware Warn]: GHES: Invalid error status block length!'));
  });

  it('block data_length 0xFFFFFFC0: "Invalid error status block length!"', () => {
    expect(renderStatusBlockLinux(block({ entries: [mem()], dataLength: 0xffffffc0 }), { errorBlockLength: 1024 })).toEqual(
      warn('[Firmware Warn]: GHES: Invalid error status block length!'),
    );
  });

  it('data_length 1..63: "Invalid CPER header!"; wrapped raw length: "Truncated error status block!"', () => {
    expect(renderStatusBlockLinux(block({ entries: [], dataLength: 8, tail: new Uint8Array(8) }))).toEqual(warn('[Firmware Warn]: GHES: Invalid CPER header!'));
    expect(renderStatusBlockLinux(block({ entries: [], rawDataOffset: 0xfffffff0, rawDataLength: 0x10 }))).toEqual(warn('[Firmware Warn]: GHES: Truncated error status block!'));
  });

  it('section error_data_length 0xFFFFFFC0: Linux would loop forever; here it is refused at once', () => {
    const b = block({ entries: [entry({ guid: GUID.vendor, revision: 0, body: new Uint8Array(0), errorDataLength: 0xffffffc0 })], dataLength: 64 });
    expect(renderStatusBlockLinux(b)).toEqual(warn('[Firmware Warn]: GHES: Failed to read error status block!'));
  });

  it('error_data_length 0xFFFFFFC8 passes the check as in Linux; the printer never reads past the record', () => {
    const e0 = entry({ guid: GUID.vendor, revision: 0, body: new Uint8Array(8), errorDataLength: 0xffffffc8 });
    const lines = renderStatusBlockLinux(block({ entries: [e0], dataLength: 72 }));
    expect(lines.map((l) => l.text)).toEqual([
      `${P}Hardware error from APEI Generic Hardware Error Source: 0`,
      `${P}event severity: recoverable`,
      `${P} Error 0, type: recoverable`,
      `${P}  section type: unknown, 12345678-9abc-def0-1122-334455667788`,
      `${P}  section length: 0xffffffc8`,
      '[Firmware Warn]: error section length is too small',
      // the second "entry" starts 8 bytes into the first one's header (Linux's walk): its GUID is
      // the tail of entry 0's GUID + entry 0's severity and revision, its severity is entry 0's
      // error_data_length (0xffffffc8, 0xffc8 as a u16: unknown)
      `${P} Error 1, type: unknown`,
      `${P}  section type: unknown, 44332211-6655-8877-0000-000000000000`,
      `${P}  section length: 0x0`,
    ]);
  });

  it('the header says more bytes than were given: "Failed to read error status block!"', () => {
    const b = block({ entries: [mem()] });
    expect(renderStatusBlockLinux(b.subarray(0, 100), { errorBlockLength: 1024 })).toEqual(warn('[Firmware Warn]: GHES: Failed to read error status block!'));
    expect(renderStatusBlockLinux(new Uint8Array(10))).toEqual(warn('[Firmware Warn]: GHES: Failed to read error status block!'));
  });

  it('bytes after the record (the rest of QEMU’s 1 KiB block) are ignored', () => {
    const b = new Uint8Array(1024).fill(0xa5);
    b.set(block({ entries: [mem()] }));
    expect(renderStatusBlockLinux(b)).toEqual(renderStatusBlockLinux(block({ entries: [mem()] })));
  });

  it('bad options are typed errors', () => {
    const b = block({ entries: [mem()] });
    expect(() => renderStatusBlockLinux(b, { sourceId: -1 })).toThrow(RasgwError);
    expect(() => renderStatusBlockLinux(b, { seq: 1.5 })).toThrow(/opts.seq/);
    expect(() => renderStatusBlockLinux(b, { version: '5.10' as LinuxVersion })).toThrow(/unknown Linux version "5.10"/);
  });
});
