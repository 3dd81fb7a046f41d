import { LINUX_TEXT_PROFILES, LinuxTextProfile, renderStatusBlockLinux } from '../../../../src/cper/text';
import type { LinuxVersion } from '../../../../src/vm/contract';
import { block, concat, entry, GUID, guidBytes, le, P } from '../block-builder';

function fw(body: Uint8Array, opts: { version?: LinuxVersion; profile?: LinuxTextProfile } = {}): string[] {
  return renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.firmwareReference, body })] }), opts)
    .map((l) => l.text)
    .slice(3);
}

const trailing = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x41, 0x42]);

describe('cper_print_fw_err', () => {
  it('revision 0: u64 identifier, dump from offset 16', () => {
    const body = concat(le(16, [[0, 1, 0], [1, 1, 0], [8, 8, 0x1234n]]), trailing);
    expect(fw(body)).toEqual([
      `${P}  section_type: Firmware Error Record Reference`,
      `${P}  Firmware Error Record Type: IPF SAL Error Record`,
      `${P}  Revision: 0`,
      `${P}  Record Identifier: 00001234`,
      `${P}  00000000: de ad be ef 41 42${' '.repeat(49 - 17)}....AB`,
    ]);
  });

  it('revision 1: no identifier line, dump from offset 8', () => {
    const body = le(16, [[0, 1, 1], [1, 1, 1], [8, 8, 0x4847464544434241n]]);
    expect(fw(body)).toEqual([
      `${P}  section_type: Firmware Error Record Reference`,
      `${P}  Firmware Error Record Type: SOC Firmware Error Record Type1 (Legacy CrashLog Support)`,
      `${P}  Revision: 1`,
      `${P}  00000000: 44434241 48474645${' '.repeat(37 - 17)}ABCDEFGH`,
    ]);
  });

  it('revision 2: GUID identifier, dump from offset 32; unknown record types', () => {
    const body = concat(le(16, [[0, 1, 7], [1, 1, 2]]), guidBytes('01234567-89ab-cdef-0123-456789abcdef'), trailing.subarray(0, 4));
    expect(fw(body)).toEqual([
      `${P}  section_type: Firmware Error Record Reference`,
      `${P}  Firmware Error Record Type: unknown`,
      `${P}  Revision: 2`,
      `${P}  Record Identifier: 01234567-89ab-cdef-0123-456789abcdef`,
      `${P}  00000000: efbeadde${' '.repeat(37 - 8)}....`,
    ]);
  });

  it('CVE-2026-43171: a data offset beyond the section is refused instead of dumping ~4 GiB (both versions)', () => {
    const body = le(16, [[0, 1, 2], [1, 1, 2]]);
    for (const version of ['6.1', 'mainline'] as const) {
      expect(fw(body, { version })).toEqual([
        `${P}  section_type: Firmware Error Record Reference`,
        `${P}  Firmware Error Record Type: SOC Firmware Error Record Type2`,
        `${P}  Revision: 2`,
        `${P}  error section length is too small: offset=32, length=16`,
      ]);
    }
  });

  it('without the fix (custom profile) the wrapped dump stops at the end of the record', () => {
    const old: LinuxTextProfile = { ...LINUX_TEXT_PROFILES.mainline, version: 'custom', firmwareReferenceBoundsCheck: false };
    expect(fw(le(16, [[1, 1, 2]]), { profile: old }).slice(3)).toEqual(['[Firmware Warn]: error section length is too small']);
  });

  it('fewer than 16 bytes is too small', () => {
    expect(fw(new Uint8Array(15))).toEqual([`${P}  section_type: Firmware Error Record Reference`, '[Firmware Warn]: error section length is too small']);
  });
});
