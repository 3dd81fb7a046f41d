import { base64Text, stringText, type LibcperObject, type LibcperValue } from '../json-text';
import { arrayText, closeObject, KeyText, ObjectText } from '../text-pieces';
import { sectionMapping } from '../section-mapping';
import { arrayAt, asBig, asNumber, bad, base64, bitSet, int, integerIn, isObject, mapIn, mapOut, Model, pair, pairText, rulesMembersText, subObject, u64 } from '../table';
import { rulesFromRows } from '../derive';
import { IA32_CONTEXT_LAYOUT, IA32_CPUID_LAYOUT, IA32_ERROR_INFO_LAYOUT, IA32_HEADER_LAYOUT } from '../../sections/ia32x64';
import { bitsOfHalves } from '../../../binary/bits64';

/**
 * IA32/X64 processor error section (UEFI N.2.4.2) in libcper's form
 * (sections/cper-section-ia32x64.c). libcper names the counts `processorErrorInfoNum` /
 * `processorContextInfoNum` (validation bits 7:2 and 13:8), decodes the check information of cache,
 * TLB, bus and MS checks field by field (each gated by the check word's own validation bits 15:0),
 * and decodes the 32-bit and 64-bit execution contexts into registers; other contexts are base64.
 * The layouts below are the check words' and the register states' (UEFI N.2.4.2.2, N.2.4.2.3).
 */

const CHECK_TYPES: Record<string, string> = {
  'a55701f5-e3ef-43de-ac72-249b573fad2c': 'Cache Check Error',
  'fc06b535-5e1f-4562-9f25-0a3b9adb63c3': 'TLB Check Error',
  '1cf3f8b3-c5b1-49a2-aa59-5eef92ffa63c': 'Bus Check Error',
  '48ab7f57-dc34-4f6c-a7d3-b0b5b0a74314': 'MS Check Error',
};
const TRANSACTION_TYPES = { 0: 'Instruction', 1: 'Data Access', 2: 'Generic' };
const OPERATIONS = { 0: 'Generic Error', 1: 'Generic Read', 2: 'Generic Write', 3: 'Data Read', 4: 'Data Write', 5: 'Instruction Fetch', 6: 'Prefetch', 7: 'Eviction', 8: 'Snoop' };
const PARTICIPATION = { 0: 'Local processor originated request', 1: 'Local processor responded to request', 2: 'Local processor observed', 3: 'Generic' };
const ADDRESS_SPACES = { 0: 'Memory Access', 1: 'Reserved', 2: 'I/O', 3: 'Other Transaction' };
const MS_ERROR_TYPES = { 0: 'No Error', 1: 'Unclassified', 2: 'Microcode ROM Parity Error', 3: 'External Error', 4: 'FRC Error', 5: 'Internal Unclassified' };
const CONTEXT_TYPES = {
  0: 'Unclassified Data', 1: 'MSR Registers', 2: '32-bit Mode Execution Context', 3: '64-bit Mode Execution Context',
  4: 'FXSave Context', 5: '32-bit Mode Debug Registers', 6: '64-bit Mode Debug Registers', 7: 'Memory Mapper Registers',
};

/** A check-word field: libcper key, first bit, width, validation bit, value shape. */
type CheckField = [key: string, at: number, width: number, validBit: number, kind: 'bool' | 'int' | Readonly<Record<number, string>>, fallback?: string];

/** The five one-bit flags every check word ends with, from bit `at` (validation bits from `valid`). */
const CHECK_FLAGS = (at: number, valid: number): CheckField[] =>
  ['processorContextCorrupt', 'uncorrected', 'preciseIP', 'restartableIP', 'overflow'].map((k, i): CheckField => [k, at + i, 1, valid + i, 'bool']);

const CACHE_TLB_FIELDS: CheckField[] = [
  ['transactionType', 16, 2, 0, TRANSACTION_TYPES, 'Unknown (Reserved)'],
  ['operation', 18, 4, 1, OPERATIONS, 'Unknown (Reserved)'],
  ['level', 22, 3, 2, 'int'],
  ...CHECK_FLAGS(25, 3),
];
/** libcper writes timedOut (bit 9) before participationType (bit 8). */
const BUS_FIELDS: CheckField[] = [
  ...CACHE_TLB_FIELDS,
  ['timedOut', 32, 1, 9, 'bool'],
  ['participationType', 30, 2, 8, PARTICIPATION, 'Unknown'],
  ['addressSpace', 33, 2, 10, ADDRESS_SPACES, 'Unknown'],
];
const MS_FIELDS: CheckField[] = [['errorType', 16, 3, 0, MS_ERROR_TYPES, 'Unknown (Processor Specific)'], ...CHECK_FLAGS(19, 1)];

function checkFields(typeGuid: string): CheckField[] | undefined {
  const name = CHECK_TYPES[typeGuid];
  if (name === 'Cache Check Error' || name === 'TLB Check Error') return CACHE_TLB_FIELDS;
  if (name === 'Bus Check Error') return BUS_FIELDS;
  if (name === 'MS Check Error') return MS_FIELDS;
  return undefined;
}

function checkOut(word: bigint, fields: CheckField[]): LibcperObject {
  const o: LibcperObject = {};
  for (const [key, at, width, valid, kind, fallback] of fields) {
    if (!bitSet(word, valid)) continue;
    const x = Number((word >> BigInt(at)) & ((1n << BigInt(width)) - 1n));
    o[key] = kind === 'bool' ? x === 1 : kind === 'int' ? x : pair(kind, fallback ?? 'Unknown').out(x, {});
  }
  return o;
}

/** checkOut's object as text at `depth`. */
function checkText(word: bigint, fields: CheckField[], depth: number): string {
  const lo = Number(word & 0xffff_ffffn);
  const hi = Number((word >> 32n) & 0xffff_ffffn);
  const o = new ObjectText(depth);
  for (const [key, at, width, valid, kind, fallback] of fields) {
    if (!bitSet(word, valid)) continue;
    const x = bitsOfHalves(lo, hi, at, width);
    o.add(keyText(key), kind === 'bool' ? (x === 1 ? 'true' : 'false') : kind === 'int' ? String(x) : pairText(x, kind[x] ?? fallback ?? 'Unknown', depth + 1));
  }
  return o.done();
}


const keyTexts = new Map<string, KeyText>();
function keyText(key: string): KeyText {
  let k = keyTexts.get(key);
  if (k === undefined) keyTexts.set(key, (k = new KeyText(key)));
  return k;
}

function checkIn(v: LibcperValue, fields: CheckField[], path: string): bigint {
  if (!isObject(v)) bad(path, 'expected the check information object');
  let word = 0n;
  const known = new Set(fields.map((f) => f[0]));
  for (const k of Object.keys(v)) if (!known.has(k)) bad(`${path}/${k}`, `unknown field (expected one of ${[...known].join(', ')})`);
  for (const [key, at, width, valid, kind] of fields) {
    const x = v[key];
    if (x === undefined) continue;
    let n: bigint;
    if (kind === 'bool') n = typeof x === 'boolean' ? (x ? 1n : 0n) : bad(`${path}/${key}`, 'expected true or false');
    else if (kind === 'int') n = integerIn(x, `${path}/${key}`, (1n << BigInt(width)) - 1n);
    else n = BigInt(pair(kind, '').in(x, `${path}/${key}`) as number);
    if (n >= 1n << BigInt(width)) bad(`${path}/${key}`, `does not fit ${width} bits`);
    word |= (n << BigInt(at)) | (1n << BigInt(valid));
  }
  return word;
}

/** the structure type and the check information are written by hand below (the check's layout depends on the type) */
const ERROR_INFO_RULES = rulesFromRows(IA32_ERROR_INFO_LAYOUT).filter((r) => r.ours !== 'structureType' && r.ours !== 'checkInfo');

function errorInfoOut(e: Model): LibcperObject {
  const g = (e.structureType as { guid: string }).guid;
  const o: LibcperObject = { type: { guid: g, name: CHECK_TYPES[g] ?? 'Unknown' } };
  const raw = (e.validationBits as { raw: unknown }).raw;
  if (bitSet(asBig(raw), 0)) {
    const fields = checkFields(g);
    // libcper adds a null checkInfo for an unknown structure type
    o.checkInfo = fields === undefined ? null : checkOut(asBig((e.checkInfo as { raw: unknown }).raw), fields);
  }
  return { ...o, ...mapOut(ERROR_INFO_RULES, e) };
}

const TYPE = new KeyText('type');
const GUID = new KeyText('guid');
const NAME = new KeyText('name');
const CHECK_INFO = new KeyText('checkInfo');
const errorInfoRulesText = rulesMembersText(ERROR_INFO_RULES);

/** errorInfoOut's object as text at `depth`. */
function errorInfoText(e: Model, depth: number): string {
  const g = (e.structureType as { guid: string }).guid;
  const o = new ObjectText(depth).add(TYPE, GUID.first(depth + 1) + stringText(g) + NAME.next(depth + 1) + stringText(CHECK_TYPES[g] ?? 'Unknown') + closeObject(depth + 1));
  const raw = (e.validationBits as { raw: unknown }).raw;
  if (bitSet(asBig(raw), 0)) {
    const fields = checkFields(g);
    o.add(CHECK_INFO, fields === undefined ? 'null' : checkText(asBig((e.checkInfo as { raw: unknown }).raw), fields, depth + 1));
  }
  return o.addMembers(errorInfoRulesText(e, depth)).done();
}

function errorInfoIn(v: LibcperValue, path: string): Model {
  if (!isObject(v)) bad(path, 'expected an error information object');
  const t = v.type;
  if (!isObject(t) || typeof t.guid !== 'string') bad(`${path}/type`, 'expected { "guid": …, "name": … }');
  const g = t.guid.toLowerCase();
  const rest = Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'type' && k !== 'checkInfo'));
  const { fields, bits } = mapIn(ERROR_INFO_RULES, rest, path);
  const out: Model = { structureType: { guid: g }, ...fields };
  let vb = bits;
  if (v.checkInfo !== undefined && v.checkInfo !== null) {
    const cf = checkFields(g);
    if (cf === undefined) bad(`${path}/checkInfo`, `no check information layout for structure type ${g}`);
    out.checkInfo = '0x' + checkIn(v.checkInfo, cf, `${path}/checkInfo`).toString(16);
    vb |= 1n;
  } else if (v.checkInfo === null) vb |= 1n;
  out.validationBits = Number(vb);
  return out;
}

/** [libcper name, byte offset, width] of the register states libcper decodes. */
type Register = [string, number, 2 | 4 | 8];
const IA32_REGISTERS: Register[] = [
  ...['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi', 'ebp', 'esp'].map((n, i): Register => [n, 4 * i, 4]),
  ...['cs', 'ds', 'ss', 'es', 'fs', 'gs'].map((n, i): Register => [n, 32 + 2 * i, 2]),
  ['eflags', 44, 4], ['eip', 48, 4], ['cr0', 52, 4], ['cr1', 56, 4], ['cr2', 60, 4], ['cr3', 64, 4], ['cr4', 68, 4],
  ['gdtr', 72, 8], ['idtr', 80, 8], ['ldtr', 88, 2], ['tr', 90, 2],
];
const X64_REGISTERS: Register[] = [
  ...['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'].map((n, i): Register => [n, 8 * i, 8]),
  ...['cs', 'ds', 'ss', 'es', 'fs', 'gs'].map((n, i): Register => [n, 128 + 2 * i, 2]),
  // libcper names RIP "eip"
  ['rflags', 140, 8], ['eip', 148, 8], ['cr0', 156, 8], ['cr1', 164, 8], ['cr2', 172, 8], ['cr3', 180, 8], ['cr4', 188, 8], ['cr8', 196, 8],
  ['gdtr_0', 204, 8], ['gdtr_1', 212, 8], ['idtr_0', 220, 8], ['idtr_1', 228, 8], ['ldtr', 236, 2], ['tr', 238, 2],
];
const REGISTER_STATES: Record<number, { size: number; registers: Register[] }> = { 2: { size: 92, registers: IA32_REGISTERS }, 3: { size: 240, registers: X64_REGISTERS } };

const CONTEXT_RULES = rulesFromRows(IA32_CONTEXT_LAYOUT, {
  with: { registerContextType: { conv: pair(CONTEXT_TYPES, 'Unknown (Reserved)') } },
  extra: [{ key: 'registerArraySize', derived: true, conv: { ...int, out: (_v, m) => String(m.registerArray ?? '').length / 2 }, after: 'registerContextType' }],
});

function contextOut(c: Model): LibcperObject {
  const type = asNumber(c.registerContextType);
  const bytes = Buffer.from(String(c.registerArray ?? ''), 'hex');
  const o = mapOut(CONTEXT_RULES, c);
  const state = REGISTER_STATES[type];
  if (state !== undefined && bytes.length >= state.size) {
    const regs: LibcperObject = {};
    for (const [name, at, width] of state.registers) regs[name] = u64.out(width === 8 ? bytes.readBigUInt64LE(at) : BigInt(width === 4 ? bytes.readUInt32LE(at) : bytes.readUInt16LE(at)), c);
    o.registerArray = regs;
  } else o.registerArray = { data: base64.out(c.registerArray, c) };
  return o;
}

const REGISTER_ARRAY = new KeyText('registerArray');
const DATA = new KeyText('data');
const contextRulesText = rulesMembersText(CONTEXT_RULES);
const registerKeys = new Map<Register, KeyText>([...IA32_REGISTERS, ...X64_REGISTERS].map((r) => [r, new KeyText(r[0])]));

/** contextOut's object as text at `depth` (CONTEXT_RULES has no registerArray key: it goes last). */
function contextText(c: Model, depth: number): string {
  const type = asNumber(c.registerContextType);
  const bytes = Buffer.from(String(c.registerArray ?? ''), 'hex');
  const o = new ObjectText(depth).addMembers(contextRulesText(c, depth));
  const state = REGISTER_STATES[type];
  const d1 = depth + 1;
  if (state !== undefined && bytes.length >= state.size) {
    const regs = new ObjectText(d1);
    for (const r of state.registers) {
      const [, at, width] = r;
      let text: string;
      if (width === 8) {
        const hi = bytes.readUInt32LE(at + 4);
        // below 2^53 the number is exact; above, the bigint's digits (as u64.out gives them)
        text = hi < 0x20_0000 ? String(hi * 0x1_0000_0000 + bytes.readUInt32LE(at)) : String(bytes.readBigUInt64LE(at));
      } else text = String(width === 4 ? bytes.readUInt32LE(at) : bytes.readUInt16LE(at));
      regs.add(registerKeys.get(r)!, text);
    }
    o.add(REGISTER_ARRAY, regs.done());
  } else o.add(REGISTER_ARRAY, DATA.first(d1) + base64Text(Buffer.from(String(c.registerArray ?? ''), 'hex').toString('base64')) + closeObject(d1));
  return o.done();
}

function contextIn(v: LibcperValue, path: string): Model {
  if (!isObject(v)) bad(path, 'expected a context object');
  if (v.registerContextType === undefined) bad(`${path}/registerContextType`, 'expected { "value": …, "name": … }');
  const { fields } = mapIn(CONTEXT_RULES, v, path, ['registerArray']);
  const type = fields.registerContextType as number;
  const size = Number(integerIn(v.registerArraySize ?? 0, `${path}/registerArraySize`, 0xffffn));
  const arr = v.registerArray;
  if (!isObject(arr)) bad(`${path}/registerArray`, 'expected an object');
  let hex: string;
  const state = REGISTER_STATES[type];
  if (state !== undefined && arr.data === undefined) {
    const bytes = Buffer.alloc(Math.max(size, state.size));
    for (const [name, at, width] of state.registers) {
      const x = integerIn(arr[name] ?? 0, `${path}/registerArray/${name}`, (1n << BigInt(8 * width)) - 1n);
      if (width === 8) bytes.writeBigUInt64LE(x, at);
      else if (width === 4) bytes.writeUInt32LE(Number(x), at);
      else bytes.writeUInt16LE(Number(x), at);
    }
    hex = bytes.toString('hex');
  } else hex = base64.in(arr.data ?? null, `${path}/registerArray/data`) as string;
  return { ...fields, registerArray: hex };
}

/** the header's validation word also holds the two counts (a view, not a validation row), so the bits are stated here */
const SECTION_RULES = rulesFromRows(IA32_HEADER_LAYOUT, {
  with: { localApicId: { bit: 0 }, cpuidInfo: { bit: 1, conv: subObject(rulesFromRows(IA32_CPUID_LAYOUT), 'CPUID eax/ebx/ecx/edx') } },
});

const ERROR_INFO_NUM = new KeyText('processorErrorInfoNum');
const CONTEXT_INFO_NUM = new KeyText('processorContextInfoNum');
const ERROR_INFO = new KeyText('processorErrorInfo');
const CONTEXT_INFO = new KeyText('processorContextInfo');
const sectionRulesText = rulesMembersText(SECTION_RULES);

export const ia32x64Mapping = sectionMapping({
  ours: 'ia32x64',
  shortName: 'Ia32x64Processor',
  rules: SECTION_RULES,
  out: (m) => {
    const errorInfo = m.errorInfo as Model[];
    const contexts = m.contexts as Model[];
    return {
      processorErrorInfoNum: errorInfo.length,
      processorContextInfoNum: contexts.length,
      ...mapOut(SECTION_RULES, m),
      processorErrorInfo: errorInfo.map(errorInfoOut),
      processorContextInfo: contexts.map(contextOut),
    };
  },
  in: (v, path) => {
    const o = v as LibcperObject;
    const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !['processorErrorInfoNum', 'processorContextInfoNum', 'processorErrorInfo', 'processorContextInfo'].includes(k)));
    const { fields, bits } = mapIn(SECTION_RULES, rest, path);
    const errorInfo = arrayAt(o, 'processorErrorInfo', path).map((e, i) => errorInfoIn(e, `${path}/processorErrorInfo/${i}`));
    const contexts = arrayAt(o, 'processorContextInfo', path).map((c, i) => contextIn(c, `${path}/processorContextInfo/${i}`));
    for (const [key, n] of [['processorErrorInfoNum', errorInfo.length], ['processorContextInfoNum', contexts.length]] as const) {
      if (o[key] !== undefined && Number(integerIn(o[key], `${path}/${key}`, 63n)) !== n) bad(`${path}/${key}`, `${String(o[key])} but the array has ${n} entries`);
    }
    // the counts live in the validation word (bits 7:2 and 13:8)
    const raw = bits | (BigInt(errorInfo.length) << 2n) | (BigInt(contexts.length) << 8n);
    return { ...fields, validationBits: '0x' + raw.toString(16), errorInfo, contexts };
  },
  text: (m, depth) => {
    const errorInfo = m.errorInfo as Model[];
    const contexts = m.contexts as Model[];
    return new ObjectText(depth)
      .add(ERROR_INFO_NUM, String(errorInfo.length))
      .add(CONTEXT_INFO_NUM, String(contexts.length))
      .addMembers(sectionRulesText(m, depth))
      .add(ERROR_INFO, arrayText(errorInfo.map((e) => errorInfoText(e, depth + 2)), depth + 1))
      .add(CONTEXT_INFO, arrayText(contexts.map((c) => contextText(c, depth + 2)), depth + 1))
      .done();
  },
  message: () => 'An IA32/x64 Processor Error occurred',
});
