import { guidFromBytes, guidToBytes, toHex, isGuid } from '../../src/binary';

// Section-type and notification GUIDs with their wire bytes, as listed in
// shared/reference/cper-and-acpi-layouts.md §1.3 and §3.0.
const vectors: Array<[string, string, string]> = [
  ['processor generic', '9876ccad-47b4-4bdb-b65e-16f193c4f3db', 'adcc7698b447db4bb65e16f193c4f3db'],
  ['ia32/x64', 'dc3ea0b0-a144-4797-b95b-53fa242b6e1d', 'b0a03edc44a19747b95b53fa242b6e1d'],
  ['arm', 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0', '163d9ee111bce4119caac2051d5d46b0'],
  ['memory', 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1', '1411bca5646fde4eb8633e83ed7c83b1'],
  ['memory 2', '61ec04fc-48e6-d813-25c9-8daa44750b12', 'fc04ec61e64813d825c98daa44750b12'],
  ['pcie', 'd995e954-bbc1-430f-ad91-b44dcb3c6f35', '54e995d9c1bb0f43ad91b44dcb3c6f35'],
  ['firmware record reference', '81212a96-09ed-4996-9471-8d729c8e69ed', '962a2181ed0996499471 8d729c8e69ed'.replace(' ', '')],
  ['pci bus', 'c5753963-3b84-4095-bf78-eddad3f9c9dd', '633975c5843b9540bf78eddad3f9c9dd'],
  ['pci component', 'eb5e4685-ca66-4769-b6a2-26068b001326', '85465eeb66ca6947b6a226068b001326'],
  ['dmar generic', '5b51fef7-c79d-4434-8f1b-aa62de3e2c64', 'f7fe515b9dc734448f1baa62de3e2c64'],
  ['vt-d', '71761d37-32b2-45cd-a7d0-b0fedd93e8cf', '371d7671b232cd45a7d0b0fedd93e8cf'],
  ['iommu', '036f84e1-7f37-428c-a79e-575fdfaa84ec', 'e1846f03377f8c42a79e575fdfaa84ec'],
  ['ccix', '91335ef6-ebfb-4478-a6a6-88b728cf75d7', 'f65e3391fbeb7844a6a688b728cf75d7'],
  ['cxl protocol', '80b9efb4-52b5-4de3-a777-68784b771048', 'b4efb980b552e34da77768784b771048'],
  ['cxl general media', 'fbcd0a77-c260-417f-85a9-088b1621eba6', '770acdfb60c27f4185a9088b1621eba6'],
  ['fru memory poison', '5e4706c1-5356-48c6-930b-52f2120a4458', 'c106475e5653c648930b52f2120a4458'],
  ['notify SEA', '9a78788a-bbe8-11e4-809e-67611e5d46b0', '8a78789ae8bbe411809e67611e5d46b0'],
  ['notify SEI', '5c284c81-b0ae-4e87-a322-b04c85624323', '814c285caeb0874ea322b04c85624323'],
  ['notify CMC', '2dce8bb1-bdd7-450e-b9ad-9cf4ebd4f890', 'b18bce2dd7bd0e45b9ad9cf4ebd4f890'],
];

describe('EFI GUID codec', () => {
  it.each(vectors)('%s: string → wire bytes → string', (_name, text, wire) => {
    expect(toHex(guidToBytes(text))).toBe(wire);
    expect(guidFromBytes(guidToBytes(text))).toBe(text);
  });

  it('reads at an offset and writes lower case', () => {
    const buf = new Uint8Array(20);
    guidToBytes('A5BC1114-6F64-4EDE-B863-3E83ED7C83B1', buf, 4);
    expect(guidFromBytes(buf, 4)).toBe('a5bc1114-6f64-4ede-b863-3e83ed7c83b1');
  });

  it('accepts the Memory 2 GUID whose version nibble RFC 4122 forbids, rejects malformed text', () => {
    expect(isGuid('61ec04fc-48e6-d813-25c9-8daa44750b12')).toBe(true);
    expect(isGuid('61ec04fc48e6-d813-25c9-8daa44750b12')).toBe(false);
    expect(() => guidToBytes('not-a-guid')).toThrow(TypeError);
  });
});
