import { LINUX_TEXT_PROFILES, LinuxTextProfile, renderStatusBlockLinux } from '../../../../src/cper/text';
import { block, entry, GUID, le, P } from '../block-builder';

const text = (bytes: Uint8Array, profile?: LinuxTextProfile) => renderStatusBlockLinux(bytes, { profile }).map((l) => l.text);

function memory(validation: number, size = 80, status = 0x0400n): Uint8Array {
  const fields: Array<[number, 1 | 2 | 4 | 8, number | bigint]> = [
    [0, 8, validation],
    [8, 8, status],
    [16, 8, 0x40001000n],
    [24, 8, 0xfffffffffffff000n],
    [32, 2, 1],
    [34, 2, 2],
    [36, 2, 3],
    [38, 2, 0x0102],
    [40, 2, 5],
    [42, 2, 0x1234],
    [44, 2, 7],
    [46, 2, 8],
    [48, 8, 0x10n],
    [56, 8, 0x20n],
    [64, 8, 0x30n],
    [72, 1, 3],
  ];
  if (size >= 80) fields.push([73, 1, 0x62], [74, 2, 9], [76, 2, 0x11], [78, 2, 0x1a2b]);
  return le(size, fields.filter(([o, w]) => o + w <= size));
}

const sectionLines = (b: Uint8Array, profile?: LinuxTextProfile) => text(block({ entries: [entry({ guid: GUID.memory, body: b })] }), profile).slice(3);

describe('cper_print_mem', () => {
  it('prints every field, the location line (one space after each item) and the DIMM handle', () => {
    expect(sectionLines(memory(0x3fffff))).toEqual([
      `${P}  section_type: memory error`,
      `${P}   error_status: Storage error in DRAM memory (0x0000000000000400)`,
      `${P}  physical_address: 0x0000000040001000`,
      `${P}  physical_address_mask: 0xfffffffffffff000`,
      // bank 0x0102: group 1, address 2; row 0x1234 | (extended 0x62 & 3) << 16; chip id 0x62 >> 5
      `${P}  node:1 card:2 module:3 rank:9 bank:258 bank_group:1 bank_address:2 device:5 row:135732 column:7 bit_position:8 requestor_id:0x0000000000000010 responder_id:0x0000000000000020 target_id:0x0000000000000030 chip_id:3 `,
      `${P}  error_type: 3, multi-bit ECC`,
      `${P}  DIMM location: not present. DMI handle: 0x1a2b `,
    ]);
  });

  it('QEMU shape (PA + type valid) prints two lines; no location line without location bits', () => {
    expect(sectionLines(memory(0x4002))).toEqual([
      `${P}  section_type: memory error`,
      `${P}  physical_address: 0x0000000040001000`,
      `${P}  error_type: 3, multi-bit ECC`,
    ]);
  });

  it('row extension alone still prints the row', () => {
    expect(sectionLines(memory(0x40000))).toEqual([`${P}  section_type: memory error`, `${P}  row:135732 `]);
  });

  it('error_status type codes decode; unknown codes are "Reserved"; error types ≥ 16 are "unknown"', () => {
    expect(sectionLines(memory(0x1, 80, 0x1a00n))[1]).toBe(`${P}   error_status: A read was issued to data that has been poisoned (0x0000000000001a00)`);
    expect(sectionLines(memory(0x1, 80, 0x0200n))[1]).toBe(`${P}   error_status: Reserved (0x0000000000000200)`);
    const b = memory(0x4000);
    b[72] = 16;
    expect(sectionLines(b)[1]).toBe(`${P}  error_type: 16, unknown`);
  });

  it('error_status before 5.18 (custom profile) is plain hex', () => {
    const old: LinuxTextProfile = { ...LINUX_TEXT_PROFILES['6.1'], version: 'custom', memoryErrorStatus: 'hex-only' };
    expect(sectionLines(memory(0x1), old)[1]).toBe(`${P}  error_status: 0x0000000000000400`);
  });

  it('73-byte UEFI 2.1/2.2 section: printed normally when no bit ≥ 0x8000 is set', () => {
    expect(sectionLines(memory(0x4002, 73))).toEqual([
      `${P}  section_type: memory error`,
      `${P}  physical_address: 0x0000000040001000`,
      `${P}  error_type: 3, multi-bit ECC`,
    ]);
  });

  it('73-byte section claiming fields beyond byte 73: only the firmware warning', () => {
    const lines = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.memory, body: memory(0x8002, 73) })] })).slice(3);
    expect(lines).toEqual([
      { level: 'err', text: `${P}  section_type: memory error` },
      { level: 'err', text: '[Firmware Warn]: valid bits set for fields beyond structure' },
    ]);
  });

  it('72 bytes is too small', () => {
    expect(sectionLines(memory(0x4002, 72))).toEqual([`${P}  section_type: memory error`, '[Firmware Warn]: error section length is too small']);
  });

  it('a 74-byte section trusting the rank bit reads byte 74 from the record; past the record it stops', () => {
    // Linux reads rank (bytes 74..75) past a 74-byte section; at the end of the record there is
    // nothing to read, so the closest Linux message ends the section.
    expect(sectionLines(memory(0x8000, 74))).toEqual([`${P}  section_type: memory error`, '[Firmware Warn]: error section length is too small']);
  });
});
