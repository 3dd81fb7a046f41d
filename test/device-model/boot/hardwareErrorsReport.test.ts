import { bootMachine, createMachineMemory, discoverHest, formatSourceStates, reportSourceStates } from '../../../src/device-model/boot';

describe('source state report', () => {
  it('decodes a recorded block status and a cleared read-ack the guest way', () => {
    const memory = createMachineMemory();
    const m = bootMachine({ profile: 'qemu-7.2-virt' }, memory);
    const s = m.addresses.sources[0];
    // what QEMU does when it records: read-ack 0, then the status block header (QEMU's memory error)
    memory.writeU64(s.readAckRegister!, 0n, 'device-model');
    memory.write(s.blockAddress, new Uint8Array([0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x98, 0, 0, 0, 1, 0, 0, 0]), 'device-model');
    const [r] = reportSourceStates(memory, discoverHest(memory, m.handoff.rsdpAddress).bytes);
    expect(r).toMatchObject({
      sourceId: 0,
      type: 10,
      notificationType: 8,
      blockAddress: 0x7c41_0010n,
      readAck: 0n,
      blockStatus: { raw: 0x11, uncorrectable: true, correctable: false, multipleUncorrectable: false, multipleCorrectable: false, entryCount: 1 },
      dataLength: 152,
      errorSeverity: 1,
    });
    expect(formatSourceStates([r]).split('\n')[3]).toBe('  block status 0x00000011 uncorrectable, entries 1; data length 152, raw data 0 at 0, severity 1 (fatal)');
  });

  it('a register pointing outside RAM is reported for that source, not thrown', () => {
    const memory = createMachineMemory();
    const m = bootMachine({ profile: 'qemu-10.2-virt' }, memory);
    memory.writeU64(m.addresses.sources[1].errorStatusAddressRegister, 0x10n, 'guest');
    const reports = reportSourceStates(memory, discoverHest(memory, m.handoff.rsdpAddress).bytes);
    expect(reports[0].error).toBeUndefined();
    expect(reports[1].blockAddress).toBe(0x10n);
    expect(reports[1].error).toMatch(/outside guest RAM/);
    expect(formatSourceStates(reports)).toContain('  unreadable: ');
  });
});
