import { stringText, valueText, type LibcperObject } from '../json-text';
import { closeObject, KeyText, ObjectText } from '../text-pieces';
import { SectionMapping, sectionMapping } from '../section-mapping';
import { asBig, bad, base64, bool, Converter, int, integerIn, isObject, mapIn, mapOut, Model, pair, pairText, Rule, rulesMembersText, u64, withText } from '../table';
import { rulesFromRows } from '../derive';
import { DMAR_GENERIC_LAYOUT } from '../../sections/dmar-generic';
import { DMAR_VTD_LAYOUT, PAGE_TABLE_ENTRIES } from '../../sections/dmar-vtd';
import { DMAR_IOMMU_LAYOUT } from '../../sections/dmar-iommu';
import { CCIX_PER_LAYOUT } from '../../sections/ccix-per';

/**
 * libcper mappings of the DMAr sections (generic, VT-d, IOMMU) and the CCIX PER log
 * (sections/cper-section-dmar-{generic,vtd,iommu}.c, cper-section-ccix-per.c). libcper writes
 * every field of the DMAr sections (they have no validation bits); opaque entries (root/context
 * entry, event log entry, device table entry, PER log) are base64. The VT-d fault record is
 * decoded into its fields (EFI_VTD_FAULT_RECORD: fault information 63:12, source id 79:64,
 * privilege/execute/PASID-present 93..95, fault reason 103:96, PASID 123:104, address type
 * 125:124, type 126); its reserved bits are not in libcper's form.
 */

const FAULT_REASONS: Readonly<Record<number, [string, string]>> = {
  1: ['DMT Entry Missing', 'Domain mapping table entry is not present.'],
  2: ['DMT Entry Invalid', 'Invalid domain mapping table entry.'],
  3: ['DMT Access Error', "DMAr unit's attempt to access the domain mapping table resulted in an error."],
  4: ['DMT Reserved Bit Invalid', 'Reserved bit set to non-zero value in the domain mapping table.'],
  5: ['DMA Address Out of Bounds', 'DMA request to access an address beyond the device address width.'],
  6: ['Invalid Read/Write', 'Invalid read or write access.'],
  7: ['Invalid Device Request', 'Invalid device request.'],
  8: ['ATT Access Error', "DMAr unit's attempt to access the address translation table resulted in an error."],
  9: ['ATT Reserved Bit Invalid', 'Reserved bit set to non-zero value in the address translation table.'],
  10: ['Illegal Command', 'Illegal command error.'],
  11: ['Command Buffer Access Error', "DMAr unit's attempt to access the command buffer resulted in an error."],
};

const VALUE = new KeyText('value');
const DESCRIPTION = new KeyText('description');
const NAME = new KeyText('name');

const faultReason: Converter = withText({
  name: 'fault reason value/description/name',
  out: (v) => {
    const n = Number(asBig((v as { value?: number })?.value ?? v));
    const t = FAULT_REASONS[n];
    const o: LibcperObject = t ? { value: n, description: t[1], name: t[0] } : { value: n, name: 'Unknown (Reserved)' };
    return o;
  },
  text: (v, _m, depth) => {
    const n = Number(asBig((v as { value?: number })?.value ?? v));
    const t = FAULT_REASONS[n];
    if (t === undefined) return pairText(n, 'Unknown (Reserved)', depth);
    return VALUE.first(depth) + String(n) + DESCRIPTION.next(depth) + stringText(t[1]) + NAME.next(depth) + stringText(t[0]) + closeObject(depth);
  },
  in: (v, path) => (isObject(v) ? Number(integerIn(v.value ?? null, `${path}/value`, 0xffn)) : bad(path, 'expected { "value": …, "name": … }')),
});

export const dmarGenericMapping = sectionMapping({
  ours: 'dmarGeneric',
  shortName: 'GenericDmar',
  rules: rulesFromRows(DMAR_GENERIC_LAYOUT, {
    with: {
      faultReason: { conv: faultReason },
      accessType: { conv: pair({ 0: 'DMA Write', 1: 'DMA Read' }, 'Unknown (Reserved)') },
      addressType: { conv: pair({ 0: 'Untranslated Request', 1: 'Translation Request' }, 'Unknown (Reserved)') },
      architectureType: { conv: pair({ 0: 'VT-d', 1: 'IOMMU' }, 'Unknown (Reserved)') },
    },
  }),
  message: () => 'A DMAr Generic Error occurred',
});

/** The 6-byte OEM id as a little-endian integer. */
const oemId: Converter = withText({
  name: 'OEM id bytes as a little-endian integer',
  out: (v) => u64.out(BigInt('0x' + (Buffer.from(String(v), 'hex').reverse().toString('hex') || '0')), {}),
  // up to 6 bytes (the field's size) are an exact number; longer runs go through out's bigint
  text: (v) => {
    const bytes = Buffer.from(String(v), 'hex');
    return bytes.length === 0 ? '0' : bytes.length <= 6 ? String(bytes.readUIntLE(0, bytes.length)) : String(oemId.out(v, {}));
  },
  in: (v, path) => {
    const n = integerIn(v, path, 0xffff_ffff_ffffn);
    return Buffer.from(n.toString(16).padStart(12, '0'), 'hex').reverse().toString('hex');
  },
});

/** [key, first bit, width] of the VT-d fault record fields (bit 0 = bit 0 of byte 0). */
const FAULT_RECORD_FIELDS: Array<[string, number, number]> = [
  ['faultInformation', 12, 52],
  ['sourceIdentifier', 64, 16],
  ['privelegeModeRequested', 93, 1],
  ['executePermissionRequested', 94, 1],
  ['pasidPresent', 95, 1],
  ['faultReason', 96, 8],
  ['pasidValue', 104, 20],
  ['addressType', 124, 2],
  ['type', 126, 1],
];
const BOOLEAN_FIELDS = new Set(['privelegeModeRequested', 'executePermissionRequested', 'pasidPresent']);
const FAULT_TYPES = { 0: 'Write Request', 1: 'Read Request' };

const FAULT_RECORD_KEYS = new Map(FAULT_RECORD_FIELDS.map(([k]) => [k, new KeyText(k)]));

/** Bits [at, at + n) of a little-endian byte run as a number (n ≤ 52: exact). */
function bitsAt(bytes: Buffer, at: number, n: number): number {
  let v = 0;
  let scale = 1;
  for (let done = 0; done < n; ) {
    const bit = at + done;
    const take = Math.min(8 - (bit & 7), n - done);
    v += ((bytes[bit >> 3] >> (bit & 7)) & ((1 << take) - 1)) * scale;
    scale *= 2 ** take;
    done += take;
  }
  return v;
}

const faultRecord: Converter = withText({
  name: 'VT-d fault record fields',
  // the 16-byte record read field by field as numbers (other lengths go through out)
  text: (v, _m, depth) => {
    const bytes = Buffer.from(String(v), 'hex');
    if (bytes.length !== 16) return valueText(faultRecord.out(v, {}), depth);
    const o = new ObjectText(depth);
    for (const [k, at, n] of FAULT_RECORD_FIELDS) {
      const x = bitsAt(bytes, at, n);
      o.add(FAULT_RECORD_KEYS.get(k)!, BOOLEAN_FIELDS.has(k) ? (x === 1 ? 'true' : 'false') : k === 'type' ? pairText(x, FAULT_TYPES[x as 0 | 1], depth + 1) : String(x));
    }
    return o.done();
  },
  out: (v) => {
    const word = BigInt('0x' + Buffer.from(String(v), 'hex').reverse().toString('hex'));
    const o: Record<string, number | bigint | boolean | Record<string, number | string>> = {};
    for (const [k, at, n] of FAULT_RECORD_FIELDS) {
      const x = (word >> BigInt(at)) & ((1n << BigInt(n)) - 1n);
      o[k] = BOOLEAN_FIELDS.has(k) ? x === 1n : k === 'type' ? { value: Number(x), name: FAULT_TYPES[Number(x) as 0 | 1] } : (int.out(x, {}) as number);
    }
    return o;
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected the fault record fields');
    let word = 0n;
    for (const [k, at, n] of FAULT_RECORD_FIELDS) {
      const x = v[k];
      if (x === undefined) continue;
      let value: bigint;
      if (BOOLEAN_FIELDS.has(k)) value = bool.in(x, `${path}/${k}`) ? 1n : 0n;
      else if (k === 'type') value = BigInt(pair(FAULT_TYPES, 'Unknown').in(x, `${path}/${k}`) as number);
      else value = integerIn(x, `${path}/${k}`, (1n << BigInt(n)) - 1n);
      if (value >= 1n << BigInt(n)) bad(`${path}/${k}`, `does not fit ${n} bits`);
      word |= value << BigInt(at);
    }
    return Buffer.from(word.toString(16).padStart(32, '0'), 'hex').reverse().toString('hex');
  },
});

const pteRules = rulesFromRows(PAGE_TABLE_ENTRIES);
/** The six page-table entries are top-level keys in libcper's form, one object in ours. */
function withPageTables(rules: Rule[]): Pick<SectionMapping, 'rules' | 'out' | 'in' | 'extraKeys' | 'text'> {
  const own = rulesMembersText(rules);
  const pte = rulesMembersText(pteRules);
  return {
    rules,
    text: (m, depth) => new ObjectText(depth).addMembers(own(m, depth)).addMembers(pte((m.pageTableEntries ?? {}) as Model, depth)).done(),
    extraKeys: pteRules.map((r) => r.key),
    out: (m) => ({ ...mapOut(rules, m), ...mapOut(pteRules, (m.pageTableEntries ?? {}) as Model) }),
    in: (v, path) => {
      const pte = mapIn(pteRules, Object.fromEntries(Object.entries(v as object).filter(([k]) => k.startsWith('pageTableEntry_'))), path).fields;
      const rest = Object.fromEntries(Object.entries(v as object).filter(([k]) => !k.startsWith('pageTableEntry_')));
      return { ...mapIn(rules, rest, path).fields, pageTableEntries: pte };
    },
  };
}

export const vtdDmarMapping = sectionMapping({
  ours: 'vtdDmar',
  shortName: 'VtdDmar',
  ...withPageTables(rulesFromRows(DMAR_VTD_LAYOUT, { with: { oemId: { conv: oemId }, faultRecord: { conv: faultRecord } } })),
  message: () => 'A VT-d DMAr Error occurred',
});

export const iommuDmarMapping = sectionMapping({
  ours: 'iommuDmar',
  shortName: 'IommuDmar',
  ...withPageTables(rulesFromRows(DMAR_IOMMU_LAYOUT)),
  message: () => 'A IOMMU Specific DMAr Error occurred',
});

export const ccixPerMapping = sectionMapping({
  ours: 'ccixPer',
  shortName: 'CcixPer',
  rules: rulesFromRows(CCIX_PER_LAYOUT, {
    extra: [
      // the section's own length field: 16 bytes of header plus the PER log
      { key: 'length', derived: true, conv: { ...int, out: (_v, m) => 16 + String(m.perLog ?? '').length / 2 }, after: '^' },
      // the PER log is the byte run after the header (no row of its own)
      { key: 'ccixPERLog', ours: 'perLog', bit: 2, conv: base64, after: 'portId' },
    ],
  }),
  message: () => 'A CCIX PER Log Error occurred',
});
