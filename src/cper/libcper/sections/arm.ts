import { base64Text, valueText, type LibcperObject, type LibcperValue } from '../json-text';
import { arrayText, closeObject, KeyText, ObjectText } from '../text-pieces';
import { sectionMapping } from '../section-mapping';
import { arrayAt, asBig, asNumber, bad, base64, bitfield, bitSet, bool, Converter, int, integerIn, isObject, LibcperFallback, mapIn, mapOut, Model, pair, pairText, Rule, rulesMembersText, rulesText, u64, validationRaw, valueWith, withText } from '../table';
import { ARM_CONTEXT_LAYOUTS } from '../../sections/arm-context';
import { ARM_HEADER_LAYOUT } from '../../sections/arm';
import { ARM_ERROR_INFO_LAYOUT } from '../../sections/arm-error-info';
import { rulesFromRows } from '../derive';

/**
 * ARM processor error section (UEFI N.2.4.4) in libcper's form (sections/cper-section-arm.c).
 * Quirks kept as libcper has them:
 * - error-information types use UEFI 2.11's bit order (cache 1, TLB 2, bus 4, micro-arch 8); the
 *   record is decoded with that encoding for this form (record.ts);
 * - `midrEl1` is always written, `psciState` whenever running-state bit 31 is clear, `affinity3`
 *   (MPIDR bits 39:32) next to `mpidrEl1`;
 * - a bus error's `accessMode` is gated by the timed-out validation bit (8), not its own (11);
 * - `errorInformation` is written only for cache, TLB and bus entries;
 * - the message lists one description per entry, "Unknown Error" unless the error information is
 *   valid and the type is cache/TLB/bus, followed by the fault addresses as "0x%llX"; with no entry
 *   the list is left open ("{" without "}").
 * - vendor bytes whose validation bit (3) is clear are not in libcper's form; on input the
 *   section is padded with zeros to its sectionLength so the lengths stay as given;
 * - a context libcper cannot read (a misc context under 10 bytes, a register structure cut short)
 *   makes libcper print the whole section as Unknown base64, and so does this mapping;
 * - register contexts use libcper's register names (elr_el1, …); misc registers (type 8) decode
 *   the MRS encoding into op2/crm/crn/op1/o0, and libcper shows only the first misc register.
 */

const ERROR_TYPES: Readonly<Record<number, string>> = { 1: 'Cache Error', 2: 'TLB Error', 4: 'Bus Error', 8: 'Micro-Architectural Error' };
const TRANSACTION_TYPES: Readonly<Record<number, string>> = { 0: 'Instruction', 1: 'Data Access', 2: 'Generic' };
const CACHE_BUS_OPERATIONS: Readonly<Record<number, string>> = {
  0: 'Generic Error', 1: 'Generic Read', 2: 'Generic Write', 3: 'Data Read', 4: 'Data Write', 5: 'Instruction Fetch',
  6: 'Prefetch', 7: 'Eviction', 8: 'Snooping', 9: 'Snooped', 10: 'Management',
};
const BUS_OPERATIONS: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(CACHE_BUS_OPERATIONS).slice(0, 7));
const TLB_OPERATIONS: Readonly<Record<number, string>> = {
  0: 'Generic Error', 1: 'Generic Read', 2: 'Generic Write', 3: 'Data Read', 4: 'Data Write', 5: 'Instruction Fetch',
  6: 'Prefetch', 7: 'Local Management Operation', 8: 'External Management Operation',
};
const PARTICIPATION_TYPES: Readonly<Record<number, string>> = {
  0: 'Local Processor Originated Request', 1: 'Local Processor Responded to Request', 2: 'Local Processor Observed', 3: 'Generic',
};
const ADDRESS_SPACES: Readonly<Record<number, string>> = { 0: 'External Memory Access', 1: 'Internal Memory Access', 3: 'Device Memory Access' };
const CONTEXT_TYPES: Readonly<Record<number, string>> = {
  0: 'AArch32 General Purpose Registers', 1: 'AArch32 EL1 Context Registers', 2: 'AArch32 EL2 Context Registers',
  3: 'AArch32 Secure Context Registers', 4: 'AArch64 General Purpose Registers', 5: 'AArch64 EL1 Context Registers',
  6: 'AArch64 EL2 Context Registers', 7: 'AArch64 EL3 Context Registers', 8: 'Miscellaneous System Register Structure',
};

/** libcper's register names per context type, in the same order as ours (ARM_CONTEXT_LAYOUTS). */
const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
export const LIBCPER_REGISTER_NAMES: Readonly<Record<number, readonly string[]>> = {
  0: [...range('r', 13), 'r13_sp', 'r14_lr', 'r15_pc'],
  1: ['dfar', 'dfsr', 'ifar', 'isr', 'mair0', 'mair1', 'midr', 'mpidr', 'nmrr', 'prrr', 'sctlr_ns', 'spsr', 'spsr_abt', 'spsr_fiq', 'spsr_irq', 'spsr_svc', 'spsr_und', 'tpidrprw', 'tpidruro', 'tpidrurw', 'ttbcr', 'ttbr0', 'ttbr1', 'dacr'],
  2: ['elr_hyp', 'hamair0', 'hamair1', 'hcr', 'hcr2', 'hdfar', 'hifar', 'hpfar', 'hsr', 'htcr', 'htpidr', 'httbr', 'spsr_hyp', 'vtcr', 'vttbr', 'dacr32_el2'],
  3: ['sctlr_s', 'spsr_mon'],
  4: [...range('x', 31), 'sp'],
  5: ['elr_el1', 'esr_el1', 'far_el1', 'isr_el1', 'mair_el1', 'midr_el1', 'mpidr_el1', 'sctlr_el1', 'sp_el0', 'sp_el1', 'spsr_el1', 'tcr_el1', 'tpidr_el0', 'tpidr_el1', 'tpidrro_el0', 'ttbr0_el1', 'ttbr1_el1'],
  6: ['elr_el2', 'esr_el2', 'far_el2', 'hacr_el2', 'hcr_el2', 'hpfar_el2', 'mair_el2', 'sctlr_el2', 'sp_el2', 'spsr_el2', 'tcr_el2', 'tpidr_el2', 'ttbr0_el2', 'vtcr_el2', 'vttbr_el2'],
  7: ['elr_el3', 'esr_el3', 'far_el3', 'mair_el3', 'sctlr_el3', 'sp_el3', 'spsr_el3', 'tcr_el3', 'tpidr_el3', 'ttbr0_el3'],
};

/** Cache/TLB/bus error information (bits of its own validation word gate each key). */
function errorInformationRules(kind: 'cache' | 'tlb' | 'bus'): Rule[] {
  const ops = kind === 'tlb' ? TLB_OPERATIONS : kind === 'bus' ? BUS_OPERATIONS : CACHE_BUS_OPERATIONS;
  const rules: Rule[] = [
    { key: 'transactionType', ours: 'transactionType', bit: 0, conv: pair(TRANSACTION_TYPES, 'Unknown (Reserved)') },
    { key: 'operation', ours: 'operation', bit: 1, conv: pair(ops, 'Unknown (Reserved)') },
    { key: 'level', ours: 'level', bit: 2 },
    { key: 'processorContextCorrupt', ours: 'processorContextCorrupt', bit: 3, conv: bool },
    { key: 'corrected', ours: 'corrected', bit: 4, conv: bool },
    { key: 'precisePC', ours: 'precisePc', bit: 5, conv: bool },
    { key: 'restartablePC', ours: 'restartablePc', bit: 6, conv: bool },
  ];
  if (kind === 'bus') {
    rules.push(
      { key: 'participationType', ours: 'participationType', bit: 7, conv: pair(PARTICIPATION_TYPES, 'Unknown') },
      { key: 'timedOut', ours: 'timeOut', bit: 8, conv: bool },
      { key: 'addressSpace', ours: 'addressSpace', bit: 9, conv: pair(ADDRESS_SPACES, 'Unknown') },
      { key: 'memoryAttributes', ours: 'memoryAttributes', bit: 10 },
      // gated by the timed-out bit (8); on input the key sets its own bit (11) too
      { key: 'accessMode', ours: 'accessMode', bit: 8, alsoBits: [11], conv: valueWith('name', (n) => (n === 0 ? 'Secure' : 'Normal'), 1n, 'access mode value/name (gated by the timed-out bit)') },
    );
  }
  return rules;
}

const INFO_KEYS: Record<number, 'cache' | 'tlb' | 'bus'> = { 1: 'cache', 2: 'tlb', 4: 'bus' };
const INFO_PROP: Record<'cache' | 'tlb' | 'bus', string> = { cache: 'cacheError', tlb: 'tlbError', bus: 'busError' };

/** the rules of each kind, made once */
const INFO_RULES: Record<'cache' | 'tlb' | 'bus', Rule[]> = { cache: errorInformationRules('cache'), tlb: errorInformationRules('tlb'), bus: errorInformationRules('bus') };
const INFO_PROP_KEYS = { cache: new KeyText(INFO_PROP.cache), tlb: new KeyText(INFO_PROP.tlb), bus: new KeyText(INFO_PROP.bus) };

const errorInformation: Converter = withText({
  name: 'error information by type (cacheError / tlbError / busError)',
  out: (v, m) => {
    const kind = INFO_KEYS[asNumber(m.type)];
    const info = v as Model;
    return { [INFO_PROP[kind]]: mapOut(INFO_RULES[kind], info) };
  },
  text: (v, m, depth) => {
    const kind = INFO_KEYS[asNumber(m.type)];
    // out's kind is always one of the three (the rule's `when`); anything else is written as out does
    if (kind === undefined) return valueText(errorInformation.out(v, m), depth);
    return INFO_PROP_KEYS[kind].first(depth) + rulesText(INFO_RULES[kind])(v as Model, depth + 1) + closeObject(depth);
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected { "cacheError" | "tlbError" | "busError": {…} }');
    const keys = Object.keys(v);
    const kind = (['cache', 'tlb', 'bus'] as const).find((k) => keys[0] === INFO_PROP[k]);
    if (keys.length !== 1 || kind === undefined) bad(path, 'expected exactly one of cacheError, tlbError, busError');
    const { fields, bits } = mapIn(INFO_RULES[kind], v[INFO_PROP[kind]], `${path}/${INFO_PROP[kind]}`);
    return { kind, validationBits: Number(bits), ...fields };
  },
});

const ERROR_INFO_RULES = rulesFromRows(ARM_ERROR_INFO_LAYOUT, {
  with: {
    type: { conv: pair(ERROR_TYPES, 'Unknown (Reserved)') },
    multipleError: { conv: valueWith('type', (n) => (n < 1 ? 'Single Error' : 'Multiple Errors'), 0xffffn, 'multiple error value/type') },
    flags: { conv: bitfield(['firstErrorCaptured', 'lastErrorCaptured', 'propagated', 'overflow']) },
    errorInformation: { conv: errorInformation, when: (m) => INFO_KEYS[asNumber(m.type)] !== undefined },
  },
});

/** The per-entry text of the message (cper_arm_error_info_to_ir's err_info_desc_i). */
function entryDescription(e: Model): string {
  const raw = validationRaw(e);
  const type = asNumber(e.type);
  let s = bitSet(raw, 2) && INFO_KEYS[type] !== undefined ? ERROR_TYPES[type] : 'Unknown Error';
  if (bitSet(raw, 3)) s += ` at Virtual Addr=0x${asBig(e.virtualFaultAddress).toString(16).toUpperCase()}`;
  if (bitSet(raw, 4)) s += ` Physical Addr=0x${asBig(e.physicalFaultAddress).toString(16).toUpperCase()}`;
  return s;
}

/** MRS encoding u16: op2 2:0, crm 6:3, crn 10:7, op1 13:11, o0 14. */
const MRS_FIELDS: Array<[string, number, number]> = [['op2', 0, 3], ['crm', 3, 4], ['crn', 7, 4], ['op1', 11, 3], ['o0', 14, 1]];

const contextType = pair(CONTEXT_TYPES, 'Unknown (Reserved)');

function contextOut(c: Model): LibcperObject {
  const type = asNumber(c.registerContextType);
  const o: LibcperObject = {
    version: asNumber(c.version),
    registerContextType: contextType.out(c.registerContextType, c),
    registerArraySize: asNumber(c.registerArraySize),
  };
  const size = asNumber(c.registerArraySize);
  if (type === 8) {
    // libcper needs one whole 10-byte misc register
    if (size < 10) throw new LibcperFallback(`misc register context of ${size} bytes`);
    const first = (c.miscRegisters as Array<{ encoding: number; value: bigint }>)[0];
    const mrs: LibcperObject = {};
    for (const [k, at, n] of MRS_FIELDS) mrs[k] = (first.encoding >> at) & ((1 << n) - 1);
    o.registerArray = { mrsEncoding: mrs, value: u64.out(first.value, c) };
  } else if (LIBCPER_REGISTER_NAMES[type] !== undefined) {
    const ours = (c.registers ?? {}) as Record<string, bigint>;
    const names = LIBCPER_REGISTER_NAMES[type];
    // libcper needs the whole register structure of the type
    if (size < names.length * ARM_CONTEXT_LAYOUTS[type].width) throw new LibcperFallback(`${CONTEXT_TYPES[type]} of ${size} bytes`);
    const arr: LibcperObject = {};
    ARM_CONTEXT_LAYOUTS[type].names.forEach((n, i) => {
      if (ours[n] !== undefined) arr[names[i]] = u64.out(ours[n], c);
    });
    o.registerArray = arr;
  } else {
    o.registerArray = { data: base64.out(c.registerArray ?? '', c) };
  }
  return o;
}

const VERSION = new KeyText('version');
const REGISTER_CONTEXT_TYPE = new KeyText('registerContextType');
const REGISTER_ARRAY_SIZE = new KeyText('registerArraySize');
const REGISTER_ARRAY = new KeyText('registerArray');
const MRS_ENCODING = new KeyText('mrsEncoding');
const VALUE = new KeyText('value');
const DATA = new KeyText('data');
const MRS_KEYS = MRS_FIELDS.map(([k]) => new KeyText(k));
const REGISTER_KEYS: Record<number, KeyText[]> = Object.fromEntries(Object.entries(LIBCPER_REGISTER_NAMES).map(([t, names]) => [t, names.map((n) => new KeyText(n))]));

/** contextOut's object as text at `depth` (the same checks and LibcperFallback). */
function contextText(c: Model, depth: number): string {
  const type = asNumber(c.registerContextType);
  const d1 = depth + 1;
  const d2 = depth + 2;
  const size = asNumber(c.registerArraySize);
  let head = VERSION.first(depth) + String(asNumber(c.version));
  head += REGISTER_CONTEXT_TYPE.next(depth) + pairText(type, CONTEXT_TYPES[type] ?? 'Unknown (Reserved)', d1);
  head += REGISTER_ARRAY_SIZE.next(depth) + String(size) + REGISTER_ARRAY.next(depth);
  if (type === 8) {
    if (size < 10) throw new LibcperFallback(`misc register context of ${size} bytes`);
    const first = (c.miscRegisters as Array<{ encoding: number; value: bigint }>)[0];
    let mrs = '';
    MRS_FIELDS.forEach(([, at, n], i) => (mrs += (i === 0 ? MRS_KEYS[i].first(d2) : MRS_KEYS[i].next(d2)) + String((first.encoding >> at) & ((1 << n) - 1))));
    return head + MRS_ENCODING.first(d1) + mrs + closeObject(d2) + VALUE.next(d1) + String(u64.out(first.value, c)) + closeObject(d1) + closeObject(depth);
  }
  const names = LIBCPER_REGISTER_NAMES[type];
  if (names !== undefined) {
    const ours = (c.registers ?? {}) as Record<string, bigint>;
    if (size < names.length * ARM_CONTEXT_LAYOUTS[type].width) throw new LibcperFallback(`${CONTEXT_TYPES[type]} of ${size} bytes`);
    const keys = REGISTER_KEYS[type];
    const regs = new ObjectText(d1);
    ARM_CONTEXT_LAYOUTS[type].names.forEach((n, i) => {
      if (ours[n] !== undefined) regs.add(keys[i], String(u64.out(ours[n], c)));
    });
    return head + regs.done() + closeObject(depth);
  }
  return head + DATA.first(d1) + base64Text(Buffer.from(String(c.registerArray ?? ''), 'hex').toString('base64')) + closeObject(d1) + closeObject(depth);
}

function contextIn(v: LibcperValue, path: string): Model {
  if (!isObject(v)) bad(path, 'expected a context object');
  const type = Number(pair(CONTEXT_TYPES, '').in(v.registerContextType ?? null, `${path}/registerContextType`));
  const size = Number(integerIn(v.registerArraySize ?? 0, `${path}/registerArraySize`, 0xffff_ffffn));
  const out: Model = { version: Number(integerIn(v.version ?? 0, `${path}/version`, 0xffffn)), registerContextType: type, registerArraySize: size };
  const arr = v.registerArray;
  if (!isObject(arr)) bad(`${path}/registerArray`, 'expected an object');
  if (type === 8) {
    const mrs = arr.mrsEncoding;
    if (!isObject(mrs)) bad(`${path}/registerArray/mrsEncoding`, 'expected { op2, crm, crn, op1, o0 }');
    let encoding = 0;
    for (const [k, at, n] of MRS_FIELDS) encoding |= Number(integerIn(mrs[k] ?? 0, `${path}/registerArray/mrsEncoding/${k}`, BigInt((1 << n) - 1))) << at;
    const count = Math.floor(size / 10);
    if (count < 1) bad(`${path}/registerArraySize`, `a misc register context needs at least 10 bytes, registerArraySize is ${size}`);
    out.miscRegisters = [{ encoding, value: u64.in(arr.value ?? 0, `${path}/registerArray/value`) }, ...Array.from({ length: count - 1 }, () => ({ encoding: 0, value: 0n }))];
    if (size % 10 !== 0) out.padding = '00'.repeat(size % 10);
  } else if (LIBCPER_REGISTER_NAMES[type] !== undefined) {
    const names = LIBCPER_REGISTER_NAMES[type];
    const ours = ARM_CONTEXT_LAYOUTS[type].names;
    const regs: Record<string, bigint> = {};
    for (const k of Object.keys(arr)) {
      const i = names.indexOf(k);
      if (i < 0) bad(`${path}/registerArray/${k}`, `no register ${k} in a ${CONTEXT_TYPES[type]} context (${names.join(', ')})`);
      regs[ours[i]] = u64.in(arr[k], `${path}/registerArray/${k}`) as bigint;
    }
    out.registers = regs;
    const width = ARM_CONTEXT_LAYOUTS[type].width;
    const used = Math.min(Math.floor(size / width), names.length) * width;
    if (size > used) out.padding = '00'.repeat(size - used);
  } else {
    out.registerArray = base64.in(arr.data ?? null, `${path}/registerArray/data`);
  }
  return out;
}

const SECTION_RULES = rulesFromRows(ARM_HEADER_LAYOUT, {
  with: {
    errorAffinityLevel: { conv: valueWith('type', (n) => (n < 4 ? 'Vendor Defined' : 'Reserved'), 0xffn, 'error affinity value/type') },
    runningState: { conv: { ...bool, out: (v) => (asNumber(v) & 1) === 1, in: (v, path) => (bool.in(v, path) ? 1 : 0) } },
    // libcper writes the PSCI state whenever running-state bit 31 is clear, whatever validation bit 2 says
    psciState: { bit: undefined, when: (m) => asNumber(m.runningState) >>> 31 === 0 },
  },
  extra: [{ key: 'affinity3', ours: 'mpidr', bit: 0, derived: true, conv: { ...int, out: (v) => Number((asBig(v) & 0xff_0000_0000n) >> 32n) }, after: 'mpidr' }],
});

const ERROR_INFO = new KeyText('errorInfo');
const CONTEXT_INFO = new KeyText('contextInfo');
const VENDOR_SPECIFIC_INFO = new KeyText('vendorSpecificInfo');
const sectionMembers = rulesMembersText(SECTION_RULES);
const errorInfoText = rulesText(ERROR_INFO_RULES);

export const armMapping = sectionMapping({
  ours: 'arm',
  shortName: 'ArmProcessor',
  rules: SECTION_RULES,
  text: (m, depth) => {
    const d1 = depth + 1;
    const o = new ObjectText(depth)
      .addMembers(sectionMembers(m, depth))
      .add(ERROR_INFO, arrayText((m.errorInfo as Model[]).map((e) => errorInfoText(e, d1 + 1)), d1))
      .add(CONTEXT_INFO, arrayText((m.contexts as Model[]).map((c) => contextText(c, d1 + 1)), d1));
    const vendor = String(m.vendorSpecific ?? '');
    if (bitSet(validationRaw(m), 3) && vendor.length > 0) o.add(VENDOR_SPECIFIC_INFO, DATA.first(d1) + base64Text(Buffer.from(vendor, 'hex').toString('base64')) + closeObject(d1));
    return o.done();
  },
  out: (m) => {
    const o = mapOut(SECTION_RULES, m);
    o.errorInfo = (m.errorInfo as Model[]).map((e) => mapOut(ERROR_INFO_RULES, e));
    o.contextInfo = (m.contexts as Model[]).map(contextOut);
    const vendor = String(m.vendorSpecific ?? '');
    if (bitSet(validationRaw(m), 3) && vendor.length > 0) o.vendorSpecificInfo = { data: base64.out(vendor, m) };
    return o;
  },
  in: (v, path) => {
    const { fields, bits } = mapIn(SECTION_RULES, v, path, ['errorInfo', 'contextInfo', 'vendorSpecificInfo']);
    const o = v as LibcperObject;
    let vb = bits;
    const errorInfo = arrayAt(o, 'errorInfo', path).map((e, i) => {
      const r = mapIn(ERROR_INFO_RULES, e, `${path}/errorInfo/${i}`);
      return { ...r.fields, type: r.fields.type ?? 0, validationBits: Number(r.bits) };
    });
    const contexts = arrayAt(o, 'contextInfo', path).map((c, i) => contextIn(c, `${path}/contextInfo/${i}`));
    const out: Model = { ...fields, errorInfo, contexts };
    if (o.vendorSpecificInfo !== undefined) {
      const vs = o.vendorSpecificInfo;
      if (!isObject(vs)) bad(`${path}/vendorSpecificInfo`, 'expected { "data": "<base64>" }');
      out.vendorSpecific = base64.in(vs.data ?? null, `${path}/vendorSpecificInfo/data`);
      vb |= 8n;
    }
    // sectionLength covers bytes libcper leaves out (vendor data whose bit is clear): keep the
    // length by padding the vendor area with zeros, without setting its bit
    const used = 40 + 32 * errorInfo.length + contexts.reduce((n, c) => n + 8 + Number(c.registerArraySize), 0) + String(out.vendorSpecific ?? '').length / 2;
    if (typeof fields.sectionLength === 'number' && fields.sectionLength > used) out.vendorSpecific = String(out.vendorSpecific ?? '') + '00'.repeat(fields.sectionLength - used);
    out.validationBits = Number(vb);
    out.typeEncoding = 'uefi-2.11';
    return out;
  },
  message: (m) => {
    let s = 'An ARM Processor Error occurred';
    if (bitSet(validationRaw(m), 0)) s += ` on CPU ${(asBig(m.mpidr) & 0xff_0000_0000n) >> 32n}`;
    const entries = m.errorInfo as Model[];
    s += '; Error Type(s): {' + entries.map(entryDescription).join(', ') + (entries.length > 0 ? '}' : '');
    return s;
  },
});
