import { applyTableChecksum, verifyTableChecksum } from '../../src/acpi';
import { buildHest, buildQemuHest, decodeHest, GenericHardwareErrorSource, GhesSpec, iaslNotifyTypeName, QEMU_10_2_SOURCES } from '../../src/hest';
import { iaslDisassemble, iaslFields } from '../acpi/iasl';

/**
 * ACPICA's disassembler is the independent judge: each patched table (checksum applied, addresses
 * filled) must disassemble without an error or warning, and the values iasl prints must be the
 * ones our model holds.
 */

function hex(v: bigint | number, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, '0');
}

function checkAgainstIasl(bytes: Uint8Array): void {
  expect(verifyTableChecksum(bytes).ok).toBe(true);
  const r = iaslDisassemble(bytes, 'hest');
  expect(r.status).toBe(0);
  expect(r.output).not.toMatch(/error|warning/i);
  expect(r.dsl).not.toMatch(/\*\*\*\*|Incorrect checksum/);
  expect(r.output).toContain('Acpi Data Table [HEST] decoded');

  const hest = decodeHest(bytes);
  const fields = iaslFields(r.body);
  const values = (name: string) => fields.filter((f) => f.name === name).map((f) => f.value);
  const sources = hest.sources as GenericHardwareErrorSource[];

  expect(values('Error Source Count')).toEqual([hex(sources.length, 8)]);
  expect(values('Source Id')).toEqual(sources.map((s) => hex(s.sourceId, 4)));
  expect(values('Subtable Type')).toEqual(sources.map((s) => (s.type === 10 ? '000A [Generic Hardware Error Source V2]' : '0009 [Generic Hardware Error Source]')));
  expect(values('Notify Type')).toEqual(sources.map((s) => `${hex(s.notification.type, 2)} [${iaslNotifyTypeName(s.notification.type)}]`));
  expect(values('Notify Length')).toEqual(sources.map(() => '1C'));
  expect(values('Error Status Block Length')).toEqual(sources.map((s) => hex(s.errorStatusBlockLength, 8)));
  // GAS addresses in table order: each source's error status address, then its read-ack register (GHESv2)
  const addresses = sources.flatMap((s) => [s.errorStatusAddress.address, ...(s.readAck ? [s.readAck.register.address] : [])]);
  expect(values('Address')).toEqual(addresses.map((a) => hex(a, 16)));
  expect(values('Read Ack Preserve')).toEqual(sources.filter((s) => s.readAck).map((s) => hex(s.readAck!.preserve, 16)));
  expect(values('Read Ack Write')).toEqual(sources.filter((s) => s.readAck).map((s) => hex(s.readAck!.write, 16)));
  // the offsets iasl gives each Source Id line are where our model put the structures
  expect(fields.filter((f) => f.name === 'Source Id').map((f) => f.offset)).toEqual(hest.sourceOffsets().map((o) => o + 2));
}

describe('iasl -d conformance of the HESTs we build', () => {
  it('(a) QEMU 7.2 shape: one SEA GHESv2 source', () => {
    const bytes = buildQemuHest({ hardwareErrorsAddress: 0x7c410000n, checksum: 'compute' });
    checkAgainstIasl(bytes);
  });

  it('(b) QEMU 10.2 shape: SEA + GPIO', () => {
    const bytes = buildQemuHest({ sources: QEMU_10_2_SOURCES, hardwareErrorsAddress: 0x43da0000n, checksum: 'compute' });
    checkAgainstIasl(bytes);
  });

  it('(c) extended: every notification type 0-12, GHES and GHESv2, several block lengths', () => {
    const base = 0x1_2345_0000n;
    const specs: GhesSpec[] = Array.from({ length: 13 }, (_, t) => ({
      kind: t === 9 || t === 3 ? 'ghes' : 'ghesV2',
      sourceId: 0x100 + t,
      notify: t === 11 ? { type: 11, vector: 0x324 } : t,
      blockLength: [1024, 4096, 65536][t % 3],
      errorStatusAddress: base + BigInt(8 * t),
      readAckAddress: base + 0x1000n + BigInt(8 * t),
    }));
    const hest = buildHest(specs);
    const bytes = hest.toBytes();
    applyTableChecksum(bytes);
    expect(hest.sources.map((s) => (s as GenericHardwareErrorSource).notification.type)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(hest.sources.filter((s) => s.type === 9).map((s) => s.sourceId)).toEqual([0x103, 0x109]);
    checkAgainstIasl(bytes);
  });
});
