import { renderStatusBlockLinux } from '../../../../src/cper/text';
import { block, entry, GUID, le, P, recordHead } from '../block-builder';

const text = (bytes: Uint8Array, seq = 1) => renderStatusBlockLinux(bytes, { seq }).map((l) => l.text);

function body(validation: number, t = 2, isa = 4, op = 2): Uint8Array {
  return le(192, [
    [0, 8, validation],
    [8, 1, t],
    [9, 1, isa],
    [10, 1, 0x0f],
    [11, 1, op],
    [12, 1, 0x0f],
    [13, 1, 3],
    [16, 8, 0x1122334455667788n],
    [152, 8, 0x80000001n],
    [160, 8, 0xdead0000n],
    [168, 8, 1n],
    [176, 8, 2n],
    [184, 8, 0xffff800008001234n],
  ]);
}

describe('cper_print_proc_generic', () => {
  it('prints every valid field; the bit lists wrap at 80 bytes counting the prefix', () => {
    const lines = text(block({ entries: [entry({ guid: GUID.processorGeneric, body: body(0x1fff) })] }));
    expect(lines).toEqual([
      ...recordHead(),
      `${P}  section_type: general processor error`,
      `${P}  processor_type: 2, ARM`,
      `${P}  processor_isa: 4, ARM A64`,
      `${P}  error_type: 0x0f`,
      `${P}  cache error, TLB error, bus error`,
      `${P}  micro-architectural error`,
      `${P}  operation: 2, data write`,
      `${P}  flags: 0x0f`,
      `${P}  restartable, precise IP, overflow, corrected`,
      `${P}  level: 3`,
      `${P}  version_info: 0x1122334455667788`,
      `${P}  processor_id: 0x0000000080000001`,
      `${P}  target_address: 0x00000000dead0000`,
      `${P}  requestor_id: 0x0000000000000001`,
      `${P}  responder_id: 0x0000000000000002`,
      `${P}  IP: 0xffff800008001234`,
    ]);
  });

  it('prints nothing for fields whose validation bit is clear (brand is never printed)', () => {
    const lines = text(block({ entries: [entry({ guid: GUID.processorGeneric, body: body(0x80 | 0x20) })] }));
    expect(lines.slice(3)).toEqual([`${P}  section_type: general processor error`, `${P}  level: 3`]);
  });

  it('out-of-table type, ISA and operation print "unknown"', () => {
    const lines = text(block({ entries: [entry({ guid: GUID.processorGeneric, body: body(0x0b, 7, 5, 4) })] }));
    expect(lines.slice(4)).toEqual([`${P}  processor_type: 7, unknown`, `${P}  processor_isa: 5, unknown`, `${P}  operation: 4, unknown`]);
  });

  it('a 191-byte body is too small: type line, then the firmware warning at KERN_ERR', () => {
    const lines = renderStatusBlockLinux(block({ entries: [entry({ guid: GUID.processorGeneric, body: new Uint8Array(191) })] }));
    expect(lines.slice(3)).toEqual([
      { level: 'err', text: `${P}  section_type: general processor error` },
      { level: 'err', text: '[Firmware Warn]: error section length is too small' },
    ]);
  });
});
