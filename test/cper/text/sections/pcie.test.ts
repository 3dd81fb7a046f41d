import { renderStatusBlockLinux } from '../../../../src/cper/text';
import type { LinuxVersion } from '../../../../src/vm/contract';
import { block, entry, GUID, le, P } from '../block-builder';

function pcie(validation: number): Uint8Array {
  return le(208, [
    [0, 8, validation],
    [8, 4, 6],
    [12, 1, 1], // minor
    [13, 1, 3], // major
    [16, 2, 0x0407],
    [18, 2, 0x4010],
    [24, 2, 0x8086],
    [26, 2, 0x1234],
    [28, 1, 0x00],
    [29, 1, 0x04],
    [30, 1, 0x06],
    [31, 1, 1], // function
    [32, 1, 0x1c], // device
    [33, 2, 0x0002], // segment
    [35, 1, 0x3a], // bus
    [36, 1, 0x3b], // secondary bus
    [37, 2, 7 << 3], // slot
    [40, 4, 0x12345678],
    [44, 4, 0x9abc],
    [48, 2, 0x2000],
    [50, 2, 0x0010],
    [116, 4, 0x00004000], // uncor status
    [120, 4, 0x00400000], // uncor mask
    [124, 4, 0x00462030], // uncor severity
    [128, 4, 0x00000001], // cor status
    [132, 4, 0x0000e000], // cor mask
    [140, 4, 0x4a000001],
    [144, 4, 0x0100000f],
    [148, 4, 0xfee00000],
    [152, 4, 0x00000000],
  ]);
}

const lines = (validation: number, severity: number, version: LinuxVersion) =>
  renderStatusBlockLinux(block({ severity, entries: [entry({ guid: GUID.pcie, severity, body: pcie(validation) })] }), { version })
    .map((l) => l.text)
    .filter((_, i, all) => i >= all.findIndex((t) => t.includes('section_type')));

const BASE = [
  `${P}  port_type: 6, downstream switch port`,
  `${P}  version: 3.1`,
  `${P}  command: 0x0407, status: 0x4010`,
  `${P}  device_id: 0002:3a:1c.1`,
  `${P}  slot: 7`,
  `${P}  secondary_bus: 0x3b`,
  `${P}  vendor_id: 0x8086, device_id: 0x1234`,
  `${P}  class_code: 060400`,
  `${P}  serial number: 0x12345678, 0x9abc`,
  `${P}  bridge: secondary_status: 0x2000, control: 0x0010`,
];
const UNCOR = [
  `${P}  aer_uncor_status: 0x00004000, aer_uncor_mask: 0x00400000`,
  `${P}  aer_uncor_severity: 0x00462030`,
  `${P}  TLP Header: 4a000001 0100000f fee00000 00000000`,
];

describe('cper_print_pcie', () => {
  it('mainline prints all AER lines whenever AER info is valid', () => {
    expect(lines(0xff, 0, 'mainline')).toEqual([
      `${P}  section_type: PCIe error`,
      ...BASE,
      `${P}  aer_cor_status: 0x00000001, aer_cor_mask: 0x0000e000`,
      ...UNCOR,
    ]);
  });

  it('6.1 prints no AER lines for a recoverable or corrected section', () => {
    expect(lines(0xff, 0, '6.1')).toEqual([`${P}  section_type: PCIe error`, ...BASE]);
    expect(lines(0xff, 2, '6.1')).toEqual([`${P}  section_type: PCIe error`, ...BASE]);
  });

  it('6.1 prints the uncorrectable AER lines when severity bit 0 is set (fatal, informational)', () => {
    expect(lines(0xff, 1, '6.1')).toEqual([`${P}  section_type: PCIe error`, ...BASE, ...UNCOR]);
    expect(lines(0xff, 3, '6.1')).toEqual([`${P}  section_type: PCIe error`, ...BASE, ...UNCOR]);
  });

  it('each line only with its validation bit; port types past the table are "unknown"', () => {
    expect(lines(0x08, 0, 'mainline')).toEqual([`${P}  section_type: PCIe error`, ...BASE.slice(3, 8)]);
    const b = pcie(0x01);
    b[8] = 11;
    const got = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.pcie, body: b })] })).map((l) => l.text);
    expect(got.slice(3)).toEqual([`${P}  section_type: PCIe error`, `${P}  port_type: 11, unknown`]);
  });

  it('207 bytes is too small', () => {
    const got = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.pcie, body: new Uint8Array(207) })] })).map((l) => l.text);
    expect(got.slice(3)).toEqual([`${P}  section_type: PCIe error`, '[Firmware Warn]: error section length is too small']);
  });
});
