import { sectionMapping } from '../section-mapping';
import { arrayText, closeObject, KeyText } from '../text-pieces';
import { asBig, bad, bitfield, Converter, integerIn, isObject, mapIn, pair, subObject, u64, validationRaw, bitSet, hexUpper, int, withText } from '../table';
import { errorStatus, lowHigh, untrustedFixedText } from './common';
import { rulesFromRows } from '../derive';
import { PROCESSOR_GENERIC_LAYOUT } from '../../sections/processor-generic';
import { FIRMWARE_REFERENCE_LAYOUT } from '../../sections/firmware-reference';
import { PCI_BUS_LAYOUT } from '../../sections/pci-bus';
import { COMPONENT_ID, PCI_COMPONENT_LAYOUT } from '../../sections/pci-component';

/**
 * libcper mappings of the sections with flat layouts: processor generic, firmware error record
 * reference, PCI/PCI-X bus, PCI component (sections/cper-section-{generic,firmware,pci-bus,pci-dev}.c).
 */

const brandString: Converter = {
  name: 'CPU brand string (left out when not printable ASCII)',
  out: (v) => untrustedFixedText(v, 128) ?? '',
  in: (v, path) => (typeof v === 'string' ? { text: v } : bad(path, 'expected a string')),
};

export const processorGenericMapping = sectionMapping({
  ours: 'processorGeneric',
  shortName: 'GenericProcessor',
  rules: rulesFromRows(PROCESSOR_GENERIC_LAYOUT, {
    with: {
      processorType: { conv: pair({ 0: 'IA32/X64', 1: 'IA64', 2: 'ARM' }, 'Unknown (Reserved)') },
      isa: { conv: pair({ 0: 'IA32', 1: 'IA64', 2: 'X64', 3: 'ARM A32/T32', 4: 'ARM A64' }, 'Unknown (Reserved)') },
      errorType: { conv: pair({ 0: 'Unknown', 1: 'Cache Error', 2: 'TLB Error', 4: 'Bus Error', 8: 'Micro-Architectural Error' }, 'Unknown (Reserved)') },
      operation: { conv: pair({ 0: 'Unknown or Generic', 1: 'Data Read', 2: 'Data Write', 3: 'Instruction Execution' }, 'Unknown (Reserved)') },
      flags: { conv: bitfield(['restartable', 'preciseIP', 'overflow', 'corrected']) },
      brandString: { conv: brandString, when: (m) => untrustedFixedText(m.brandString, 128) !== undefined },
    },
  }),
  message: () => 'A Generic Processor Error occurred',
});

export const firmwareReferenceMapping = sectionMapping({
  ours: 'firmwareErrorRecordReference',
  shortName: 'Firmware',
  rules: rulesFromRows(FIRMWARE_REFERENCE_LAYOUT, {
    with: { recordType: { conv: pair({ 0: 'IPF SAL Error Record', 1: 'SOC Firmware Error Record (Type1 Legacy)', 2: 'SOC Firmware Error Record (Type2)' }, 'Unknown (Reserved)') } },
  }),
  message: () => 'A Firmware Error occurred',
});

export const pciBusMapping = sectionMapping({
  ours: 'pciBus',
  shortName: 'PciBus',
  rules: rulesFromRows(PCI_BUS_LAYOUT, {
    with: {
      errorStatus: { conv: errorStatus },
      errorType: {
        conv: pair(
          {
            0: 'Unknown/OEM Specific Error',
            1: 'Data Parity Error',
            2: 'System Error',
            3: 'Master Abort',
            4: 'Bus Timeout/No Device Present (No DEVSEL#)',
            5: 'Master Data Parity Error',
            6: 'Address Parity Error',
            7: 'Command Parity Error',
          },
          'Unknown (Reserved)',
        ),
      },
      busId: {
        conv: {
          name: 'bus id as busNumber/segmentNumber',
          out: (v) => {
            const b = v as { bus: number; segment: number };
            return { busNumber: b.bus, segmentNumber: b.segment };
          },
          in: (v, path) => {
            const n = lowHigh('busNumber', 'segmentNumber').in(v, path) as number;
            return { bus: n & 0xff, segment: n >> 8 };
          },
        },
      },
      command: {
        conv: {
          name: 'bus command "PCI" / "PCI-X" (bit 56; the other command bits are not in libcper\'s form)',
          out: (v) => (((asBig((v as { raw?: unknown }).raw ?? 0) >> 56n) & 1n) === 0n ? 'PCI' : 'PCI-X'),
          in: (v, path) => (typeof v === 'string' ? (v === 'PCI' ? '0x0' : '0x100000000000000') : bad(path, 'expected "PCI" or "PCI-X"')),
        },
      },
    },
    extra: [
      { key: 'busRequestorIDHex', ours: 'requestorId', bit: 6, conv: hexUpper(16), derived: true, after: 'requestorId' },
      { key: 'busCompleterIDHex', ours: 'completerId', bit: 7, conv: hexUpper(16), derived: true, after: 'completerId' },
    ],
  }),
  message: () => 'A PCI/PCI-X Bus Error occurred',
});

const FIRST_HALF = new KeyText('firstHalf');
const SECOND_HALF = new KeyText('secondHalf');

interface RegisterPair {
  address: bigint;
  data: bigint;
}

export const pciComponentMapping = sectionMapping({
  ours: 'pciComponent',
  shortName: 'PciComponent',
  rules: rulesFromRows(PCI_COMPONENT_LAYOUT, {
    with: {
      errorStatus: { conv: errorStatus },
      idInfo: { conv: subObject(rulesFromRows(COMPONENT_ID), 'id info') },
    },
    // the counts and the pairs are not rows: our codec counts and splits the two register lists
    extra: [
      { key: 'memoryNumber', bit: 2, conv: { ...int, out: (_v, m) => (m.memoryRegisters as unknown[]).length }, derived: true, after: 'idInfo' },
      { key: 'ioNumber', bit: 3, conv: { ...int, out: (_v, m) => (m.ioRegisters as unknown[]).length }, derived: true, after: 'idInfo' },
      {
        key: 'registerDataPairs',
        bit: 4,
        derived: true,
        conv: withText({
          name: 'memory then I/O register pairs as firstHalf/secondHalf',
          out: (_v, m) =>
            [...(m.memoryRegisters as RegisterPair[]), ...(m.ioRegisters as RegisterPair[])].map((p) => ({ firstHalf: u64.out(p.address, m), secondHalf: u64.out(p.data, m) })),
          text: (_v, m, depth) =>
            arrayText(
              [...(m.memoryRegisters as RegisterPair[]), ...(m.ioRegisters as RegisterPair[])].map(
                (p) => FIRST_HALF.first(depth + 1) + String(u64.out(p.address, m)) + SECOND_HALF.next(depth + 1) + String(u64.out(p.data, m)) + closeObject(depth + 1),
              ),
              depth,
            ),
          in: () => undefined,
        }),
        after: 'idInfo',
      },
    ],
  }),
  extraKeys: ['memoryNumber', 'ioNumber', 'registerDataPairs'],
  /** the pairs are memory registers first, then I/O (ioNumber of them); the counts' valid bits follow the keys */
  in: (o, path) => {
    const { fields, bits } = mapIn(pciComponentMapping.rules, o, path, pciComponentMapping.extraKeys);
    const obj = o as Record<string, unknown>;
    let vb = bits;
    const pairs = obj.registerDataPairs;
    const list: RegisterPair[] = [];
    if (pairs !== undefined) {
      if (!Array.isArray(pairs)) bad(`${path}/registerDataPairs`, 'expected an array');
      pairs.forEach((p, i) => {
        if (!isObject(p)) bad(`${path}/registerDataPairs/${i}`, 'expected { "firstHalf": …, "secondHalf": … }');
        list.push({ address: u64.in(p.firstHalf ?? 0, `${path}/registerDataPairs/${i}/firstHalf`) as bigint, data: u64.in(p.secondHalf ?? 0, `${path}/registerDataPairs/${i}/secondHalf`) as bigint });
      });
      vb |= 1n << 4n;
    }
    const count = (key: string, bit: number): number | undefined => {
      if (obj[key] === undefined) return undefined;
      vb |= 1n << BigInt(bit);
      return Number(integerIn(obj[key] as never, `${path}/${key}`, 0xffff_ffffn));
    };
    const memoryNumber = count('memoryNumber', 2);
    const ioNumber = count('ioNumber', 3);
    // libcper writes the counts it is given and the pairs it is given; our codec derives the counts
    // from the two lists, so the lists must add up to the pairs
    const io = ioNumber ?? (memoryNumber !== undefined ? list.length - memoryNumber : 0);
    if (io < 0 || io > list.length || (memoryNumber !== undefined && memoryNumber + io !== list.length)) {
      bad(`${path}/registerDataPairs`, `${list.length} register pairs do not split into memoryNumber ${memoryNumber ?? '(absent)'} + ioNumber ${ioNumber ?? '(absent)'}`);
    }
    return { ...fields, memoryRegisters: list.slice(0, list.length - io), ioRegisters: list.slice(list.length - io), validationBits: '0x' + vb.toString(16) };
  },
  message: () => 'A PCI/PCI-X Device Error occurred',
});

export { bitSet, validationRaw };
