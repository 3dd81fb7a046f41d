import { LINUX_TEXT_PROFILES, renderStatusBlockLinux } from '../../../../src/cper/text';
import type { LinuxVersion } from '../../../../src/vm/contract';
import { block, concat, entry, GUID, le, P } from '../block-builder';

function prot(validation: number, agentType: number, dvsec: number, errLen: number): Uint8Array {
  return le(116, [
    [0, 8, validation],
    [8, 1, agentType],
    [16, 1, 3], // function
    [17, 1, 0x1f], // device
    [18, 1, 0x42], // bus
    [19, 2, 0x0001], // segment
    [24, 2, 0x8086],
    [26, 2, 0x0d93],
    [28, 2, 0x1af4],
    [30, 2, 0x1100],
    [32, 1, 0x02],
    [33, 1, 0x05],
    [34, 2, 9 << 3],
    [40, 4, 0xcafef00d],
    [44, 4, 0x1],
    [48, 4, 0x00c0ffee],
    [108, 2, dvsec],
    [110, 2, errLen],
  ]);
}

const ras = le(88, [[0, 4, 0x1000], [4, 4, 0x2000], [8, 4, 0x3000], [12, 4, 0x40], [16, 4, 0x7f], [20, 4, 0x200], [24, 4, 0xabcd]]);

function lines(body: Uint8Array, version: LinuxVersion, guid: string = GUID.cxlProtocol) {
  return renderStatusBlockLinux(block({ entries: [entry({ guid, body })] }), { version }).slice(3);
}

describe('CXL sections', () => {
  it('mainline decodes a CXL protocol error (pr_info lines, one extra space)', () => {
    const body = concat(prot(0x7f, 2, 8, 88), le(8, [[0, 8, 0x0123456789abcdefn]]), ras);
    const got = lines(body, 'mainline');
    const text = got.map((l) => l.text);
    const I = `${P}   `;
    expect(text.slice(0, 7)).toEqual([
      `${P}  section_type: CXL Protocol Error`,
      `${I}agent_type: 2, CXL Device`,
      `${I}agent_address: 0001:42:1f.3`,
      `${I}slot: 9`,
      `${I}vendor_id: 0x8086, device_id: 0x0d93`,
      `${I}sub_vendor_id: 0x1af4, sub_device_id: 0x1100`,
      `${I}class_code: 0502`,
    ]);
    expect(text.slice(7, 13)).toEqual([
      `${I}lower_dw: 0xcafef00d, upper_dw: 0x00000001`,
      `${P}  00000000: 00c0ffee 00000000 00000000 00000000`,
      `${P}  00000010: 00000000 00000000 00000000 00000000`,
      `${P}  00000020: 00000000 00000000 00000000 00000000`,
      `${P}  00000030: 00000000 00000000 00000000`,
      `${I}DVSEC length: 0x0008`,
    ]);
    expect(text.slice(13)).toEqual([
      `${I}CXL DVSEC:`,
      `${P}  00000000: 89abcdef 01234567`,
      `${I}Error log length: 0x0058`,
      `${I}CXL Error Log:`,
      `${I}cxl_ras_uncor_status: 0x00001000`,
      `${I}cxl_ras_uncor_mask: 0x00002000`,
      `${I}cxl_ras_uncor_severity: 0x00003000`,
      `${I}cxl_ras_cor_status: 0x00000040`,
      `${I}cxl_ras_cor_mask: 0x0000007f`,
      `${I}cap_control: 0x00000200`,
      `${I}Header Log Registers:`,
      `${P}  00000000: 0000abcd 00000000 00000000 00000000`,
      `${P}  00000010: 00000000 00000000 00000000 00000000`,
      `${P}  00000020: 00000000 00000000 00000000 00000000`,
      `${P}  00000030: 00000000 00000000 00000000 00000000`,
    ]);
    expect(got[0].level).toBe('err');
    // pr_info lines are info; the hex dumps print at the section prefix's own level (err)
    const dump = (t: string) => /\s[0-9a-f]{8}: /.test(t);
    expect(new Set(got.slice(1).filter((l) => !dump(l.text)).map((l) => l.level))).toEqual(new Set(['info']));
    expect(new Set(got.filter((l) => dump(l.text)).map((l) => l.level))).toEqual(new Set(['err']));
  });

  it('an RCH downstream port has an RCRB base address and no device id or serial lines', () => {
    const body = prot(0x0f, 1, 0, 0);
    body.set(le(8, [[0, 8, 0xfed10000n]]), 16);
    expect(lines(body, 'mainline').map((l) => l.text)).toEqual([
      `${P}  section_type: CXL Protocol Error`,
      `${P}   agent_type: 1, Restricted CXL Host Downstream Port`,
      `${P}   rcrb_base_address: 0x00000000fed10000`,
    ]);
  });

  it.each(['6.12', 'mainline'] as const)('%s: a header log running past the section is dumped whole, zero rows included, no length warning', (version) => {
    // the RAS registers are present, the 64-byte header log has only its first 8 bytes
    const body = concat(prot(0x40, 2, 0, 88), ras.subarray(0, 32));
    const got = lines(body, version).map((l) => l.text);
    const I = `${P}   `;
    expect(got.slice(-6)).toEqual([
      `${I}cap_control: 0x00000200`,
      `${I}Header Log Registers:`,
      `${P}  00000000: 0000abcd 00000000 00000000 00000000`,
      `${P}  00000010: 00000000 00000000 00000000 00000000`,
      `${P}  00000020: 00000000 00000000 00000000 00000000`,
      `${P}  00000030: 00000000 00000000 00000000 00000000`,
    ]);
    expect(got.join('\n')).not.toContain('too small');
  });

  it('an error log wholly past the record: registers and header log read as zeros (6.12, mainline)', () => {
    const got = lines(prot(0x40, 2, 0, 88), 'mainline').map((l) => l.text);
    expect(got).toHaveLength(1 + 2 + 7 + 4);
    expect(got[3]).toBe(`${P}   cxl_ras_uncor_status: 0x00000000`);
    expect(got[got.length - 1]).toBe(`${P}  00000030: 00000000 00000000 00000000 00000000`);
  });

  it('a custom profile with the header-log bounds check stops at the record end with the length warning', () => {
    const profile = { ...LINUX_TEXT_PROFILES.mainline, version: 'custom' as const, cxlHeaderLogBoundsCheck: true };
    const body = concat(prot(0x40, 2, 0, 88), ras.subarray(0, 32));
    const got = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.cxlProtocol, body })] }), { profile }).slice(3).map((l) => l.text);
    expect(got.slice(-2)).toEqual([`${P}   Header Log Registers:`, '[Firmware Warn]: error section length is too small']);
  });

  it('6.1 has no CXL decoder: unknown section with a hex dump', () => {
    const got = lines(prot(0x01, 2, 0, 0), '6.1').map((l) => l.text);
    expect(got.slice(0, 3)).toEqual([
      `${P}  section type: unknown, 80b9efb4-52b5-4de3-a777-68784b771048`,
      `${P}  section length: 0x74`,
      `${P}  00000000: 00000001 00000000 00000002 00000000  ................`,
    ]);
    expect(got).toHaveLength(2 + 8);
  });

  it('CXL component events: one named line in mainline, unknown in 6.1', () => {
    const body = new Uint8Array(8);
    expect(lines(body, 'mainline', GUID.cxlGeneralMedia).map((l) => l.text)).toEqual([`${P}  section_type: CXL General Media Event`]);
    expect(lines(body, '6.1', GUID.cxlGeneralMedia).map((l) => l.text)).toEqual([
      `${P}  section type: unknown, fbcd0a77-c260-417f-85a9-088b1621eba6`,
      `${P}  section length: 0x8`,
      `${P}  00000000: 00000000 00000000${' '.repeat(37 - 17)}........`,
    ]);
  });

  it('a CXL protocol section shorter than 116 bytes is too small', () => {
    expect(lines(new Uint8Array(115), 'mainline').map((l) => l.text)).toEqual([`${P}  section_type: CXL Protocol Error`, '[Firmware Warn]: error section length is too small']);
  });
});
