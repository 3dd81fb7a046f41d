import { stringText, type LibcperObject, type LibcperValue } from '../json-text';
import { arrayText, closeObject, KeyText, ObjectText } from '../text-pieces';
import { sectionMapping } from '../section-mapping';
import { arrayAt, asBig, asNumber, bad, guid, hexUpper, integerIn, isObject, mapIn, mapOut, Model, rulesMembersText, rulesText, textOf, withText } from '../table';
import { rulesFromRows } from '../derive';
import { ARM_RAS_NODE_LAYOUT, ARM_RAS_REGISTER_LAYOUT, ARM_RAS_SYNDROME_LAYOUT } from '../../sections/arm-ras';
import { untrustedFixedText } from './common';

/**
 * Arm RAS node section (Arm DEN0085 Tables 20-26, GUID bf32d4d5-…) in libcper's form
 * (sections/cper-section-arm-ras.c), over the section model of src/cper/sections/arm-ras.ts.
 * Quirks kept as libcper has them:
 * - `componentType`, `ipInstanceFormat`, `ipTypeFormat` are `{ raw, value }` with libcper's names;
 * - `ipInstance` is decoded by its format (PE → `mpidrEl1`, … SoC-specific → "<OpaqueData>");
 *   `ipType` by libcper's switch, whose cases are one off from its own format names (format 0 is
 *   read as MIDR/REVIDR/AIDR, 1 as GIC IIDR/AIDR, 2 as PIDR bytes, 3 ("PIDR") as nothing: `{}`);
 * - registers and the error-record registers are "0x%016llX" strings; MISC2/MISC3 only when the
 *   descriptor's RAS extension byte is non-zero; the context `flags` is the address-space scope
 *   name, and `addressSpaceIdentifier` only for a local address space;
 * - a key-value pair with the MPAM PARTID key shows `mpamPartId` (value bits 15:0) instead of
 *   `value`; the auxiliary header shows only `version`.
 */

const COMPONENT_TYPES = ['ProcessorErrorNode', 'MemoryErrorNode', 'SMMUErrorNode', 'VendorDefinedErrorNode', 'GICErrorNode', 'PciExpressErrorNode', 'ProxyErrorNode'];
const IP_INSTANCE_FORMATS = ['PE', 'SystemPhysicalAddress', 'LocalAddressIdentifier', 'SocSpecificIpIdentifier'];
const IP_TYPE_FORMATS = ['PE', 'SMMU_IIDR', 'GIC_IIDR', 'PIDR'];
const SCOPES: [string, string] = ['SystemPhysicalAddressSpace', 'LocalAddressSpace'];
const MPAM_PARTID = 'ebb45182-fb03-4bf9-9aca-8613709fd789';

const hex64 = hexUpper(16);
const hex32 = hexUpper(8);
const hex8 = hexUpper(2);

/** add_dict with a name array: `{ raw, value }` (value only for a named index). */
const RAW = new KeyText('raw');
const VALUE = new KeyText('value');

function dict(names: readonly string[]) {
  return withText({
    name: `{ raw, value } with libcper's names (${names.join(', ')})`,
    out: (v: unknown) => {
      const raw = asNumber(v);
      const o: LibcperObject = raw < names.length ? { raw, value: names[raw] } : { raw };
      return o;
    },
    text: (v: unknown, _m: Model, depth: number) => {
      const raw = asNumber(v);
      return RAW.first(depth) + String(raw) + (raw < names.length ? VALUE.next(depth) + stringText(names[raw]) : '') + closeObject(depth);
    },
    in: (v: LibcperValue, path: string) => (isObject(v) ? Number(integerIn(v.raw ?? 0, `${path}/raw`, 0xffff_ffffn)) : bad(path, 'expected { "raw": …, "value": … }')),
  });
}

/** [libcper key, byte offset, width] of the identifier fields per format. */
type Part = [string, number, 1 | 4 | 8];
const IP_INSTANCE_PARTS: Record<number, Part[]> = { 0: [['mpidrEl1', 0, 8]], 1: [['systemPhysicalAddress', 0, 8]], 2: [['localAddressIdentifier', 0, 8], ['baseAddress', 8, 8]] };
const IP_TYPE_PARTS: Record<number, Part[]> = {
  0: [['midrEl1', 0, 8], ['revidrEl1', 8, 8], ['aidrEl1', 16, 8]],
  1: [['iidr', 0, 4], ['aidr', 4, 4]],
  2: [['pidr3', 0, 1], ['pidr2', 1, 1], ['pidr1', 2, 1], ['pidr0', 3, 1], ['pidr7', 4, 1], ['pidr6', 5, 1], ['pidr5', 6, 1], ['pidr4', 7, 1]],
};

function partsOut(hex: unknown, parts: Part[] | undefined, opaque: boolean): LibcperObject {
  const b = Buffer.from(String(hex ?? ''), 'hex');
  const o: LibcperObject = {};
  if (opaque) o.socSpecificIpIdentifier = '<OpaqueData>';
  for (const [key, at, width] of parts ?? []) {
    const v = width === 8 ? b.readBigUInt64LE(at) : BigInt(width === 4 ? b.readUInt32LE(at) : b[at]);
    o[key] = (width === 8 ? hex64 : width === 4 ? hex32 : hex8).out(v, {});
  }
  return o;
}

const SOC_SPECIFIC = new KeyText('socSpecificIpIdentifier');
const partKeys = new Map<string, KeyText>();
const partKey = (k: string) => partKeys.get(k) ?? (partKeys.set(k, new KeyText(k)), partKeys.get(k)!);
const hex64Text = textOf(hex64);
const hex32Text = textOf(hex32);
const hex8Text = textOf(hex8);

/** partsOut's object as text at `depth`. */
function partsText(hex: unknown, parts: Part[] | undefined, opaque: boolean, depth: number): string {
  const b = Buffer.from(String(hex ?? ''), 'hex');
  const o = new ObjectText(depth);
  if (opaque) o.add(SOC_SPECIFIC, '"<OpaqueData>"');
  for (const [key, at, width] of parts ?? []) {
    const v = width === 8 ? b.readBigUInt64LE(at) : BigInt(width === 4 ? b.readUInt32LE(at) : b[at]);
    o.add(partKey(key), (width === 8 ? hex64Text : width === 4 ? hex32Text : hex8Text)(v, {}, depth + 1));
  }
  return o.done();
}

/** Every key of every format is read (libcper's to-cper does the same); opaque data comes back as zeros. */
function partsIn(v: LibcperValue, all: Record<number, Part[]>, size: number, path: string, extra: string[] = []): string {
  if (!isObject(v)) bad(path, 'expected an object');
  const b = Buffer.alloc(size);
  const known = new Map<string, Part>();
  for (const parts of Object.values(all)) for (const p of parts) known.set(p[0], p);
  for (const [k, x] of Object.entries(v)) {
    if (extra.includes(k)) continue;
    const p = known.get(k);
    if (p === undefined) bad(`${path}/${k}`, `unknown field (expected one of ${[...known.keys(), ...extra].join(', ')})`);
    const [, at, width] = p;
    const n = hex64.in(x, `${path}/${k}`) as bigint;
    if (n >= 1n << BigInt(8 * width)) bad(`${path}/${k}`, `does not fit ${8 * width} bits`);
    if (width === 8) b.writeBigUInt64LE(n, at);
    else if (width === 4) b.writeUInt32LE(Number(n), at);
    else b[at] = Number(n);
  }
  return b.toString('hex');
}

/** MISC2/MISC3 are written only when the RAS extension byte (version and revision) is not zero */
const misc23 = (m: Model) => asNumber(m.rasExtensionArchVersion) + asNumber(m.rasExtensionRevision) > 0;
const SYNDROME_RULES = rulesFromRows(ARM_RAS_SYNDROME_LAYOUT, {
  u64: hex64,
  with: { errMisc2: { when: misc23 }, errMisc3: { when: misc23 } },
  // libcper prints the revision before the architecture version (the nibbles' order in the byte is the other way)
  order: ['errorRecordIndex', 'rasExtensionRevision', 'rasExtensionArchVersion', 'errFr', 'errCtlr', 'errStatus', 'errAddr', 'errMisc0', 'errMisc1', 'errMisc2', 'errMisc3'],
});

const REGISTER_RULES = rulesFromRows(ARM_RAS_REGISTER_LAYOUT, { u64: hex64 });

function contextOut(c: Model): LibcperObject {
  const scope = asNumber(c.flags) & 1;
  const o: LibcperObject = { flags: { addressSpaceIdentifierScope: SCOPES[scope] } };
  if (scope === 1) o.addressSpaceIdentifier = asNumber(c.addressSpaceIdentifier) <= Number.MAX_SAFE_INTEGER ? asNumber(c.addressSpaceIdentifier) : asBig(c.addressSpaceIdentifier);
  o.registers = (c.registers as Model[]).map((r) => mapOut(REGISTER_RULES, r));
  return o;
}

const FLAGS = new KeyText('flags');
const SCOPE = new KeyText('addressSpaceIdentifierScope');
const ADDRESS_SPACE_ID = new KeyText('addressSpaceIdentifier');
const REGISTERS = new KeyText('registers');
const registerText = rulesText(REGISTER_RULES);

/** contextOut's object as text at `depth`. */
function contextText(c: Model, depth: number): string {
  const scope = asNumber(c.flags) & 1;
  const o = new ObjectText(depth).add(FLAGS, SCOPE.first(depth + 1) + stringText(SCOPES[scope]) + closeObject(depth + 1));
  if (scope === 1) o.add(ADDRESS_SPACE_ID, String(asNumber(c.addressSpaceIdentifier) <= Number.MAX_SAFE_INTEGER ? asNumber(c.addressSpaceIdentifier) : asBig(c.addressSpaceIdentifier)));
  return o.add(REGISTERS, arrayText((c.registers as Model[]).map((r) => registerText(r, depth + 2)), depth + 1)).done();
}

function contextIn(v: LibcperValue, path: string): Model {
  if (!isObject(v)) bad(path, 'expected a context object');
  const f = v.flags;
  if (f !== undefined && !isObject(f)) bad(`${path}/flags`, 'expected { "addressSpaceIdentifierScope": … }');
  const scopeName = f?.addressSpaceIdentifierScope;
  const scope = scopeName === undefined ? 0 : SCOPES.indexOf(String(scopeName));
  if (scope < 0) bad(`${path}/flags/addressSpaceIdentifierScope`, `expected ${SCOPES.join(' or ')}`);
  const regs = v.registers ?? [];
  if (!Array.isArray(regs)) bad(`${path}/registers`, 'expected an array');
  const out: Model = { flags: scope, registers: regs.map((r, i) => mapIn(REGISTER_RULES, r, `${path}/registers/${i}`).fields) };
  if (v.addressSpaceIdentifier !== undefined) out.addressSpaceIdentifier = integerIn(v.addressSpaceIdentifier, `${path}/addressSpaceIdentifier`, 0xffff_ffff_ffff_ffffn);
  return out;
}

function keyValueOut(kv: Model): LibcperObject {
  const key = String(kv.key);
  return key === MPAM_PARTID ? { key, mpamPartId: Number(asBig(kv.value) & 0xffffn) } : { key, value: hex64.out(kv.value, kv) };
}

const KEY = new KeyText('key');
const MPAM_PART_ID = new KeyText('mpamPartId');

/** keyValueOut's object as text at `depth`. */
function keyValueText(kv: Model, depth: number): string {
  const key = String(kv.key);
  const value = key === MPAM_PARTID ? MPAM_PART_ID.next(depth) + String(Number(asBig(kv.value) & 0xffffn)) : VALUE.next(depth) + hex64Text(kv.value, kv, depth + 1);
  return KEY.first(depth) + stringText(key) + value + closeObject(depth);
}

function keyValueIn(v: LibcperValue, path: string): Model {
  if (!isObject(v)) bad(path, 'expected { "key", "value" | "mpamPartId" }');
  const key = guid.in(v.key ?? null, `${path}/key`);
  if (v.mpamPartId !== undefined) return { key, value: integerIn(v.mpamPartId, `${path}/mpamPartId`, 0xffffn) };
  return { key, value: v.value === undefined ? 0n : hex64.in(v.value, `${path}/value`) };
}

const NODE_RULES = rulesFromRows(ARM_RAS_NODE_LAYOUT, {
  with: {
    componentType: { conv: dict(COMPONENT_TYPES) },
    errorSyndromeArrayNumEntries: { derived: true, conv: { name: 'descriptor count', out: (_v, m) => (m.errorSyndromes as unknown[]).length, in: () => undefined } },
    ipInstanceFormat: { conv: dict(IP_INSTANCE_FORMATS) },
    ipInstance: {
      conv: withText({
        name: 'IP instance by format',
        out: (v, m) => partsOut(v, IP_INSTANCE_PARTS[asNumber(m.ipInstanceFormat)], asNumber(m.ipInstanceFormat) === 3),
        text: (v, m, depth) => partsText(v, IP_INSTANCE_PARTS[asNumber(m.ipInstanceFormat)], asNumber(m.ipInstanceFormat) === 3, depth),
        in: (v, path) => partsIn(v, IP_INSTANCE_PARTS, 16, path, ['socSpecificIpIdentifier']),
      }),
    },
    ipTypeFormat: { conv: dict(IP_TYPE_FORMATS) },
    ipType: {
      conv: withText({
        name: "IP type by libcper's switch",
        out: (v, m) => partsOut(v, IP_TYPE_PARTS[asNumber(m.ipTypeFormat)], false),
        text: (v, m, depth) => partsText(v, IP_TYPE_PARTS[asNumber(m.ipTypeFormat)], false, depth),
        in: (v, path) => partsIn(v, IP_TYPE_PARTS, 24, path),
      }),
    },
    userData: {
      when: (m) => untrustedFixedText(m.userData, 16) !== undefined,
      conv: { name: 'user data (left out when not printable ASCII)', out: (v) => untrustedFixedText(v, 16) ?? '', in: (v, path) => (typeof v === 'string' ? { text: v } : bad(path, 'expected a string')) },
    },
  },
  // libcper prints each format next to what it describes
  order: ['revision', 'componentType', 'errorSyndromeArrayNumEntries', 'ipInstanceFormat', 'ipInstance', 'ipTypeFormat', 'ipType', 'userData'],
});

const ERROR_SYNDROMES = new KeyText('errorSyndromes');
const AUX_DATA = new KeyText('auxData');
const AUX_VERSION = new KeyText('version');
const CONTEXTS = new KeyText('contexts');
const KEY_VALUE_PAIRS = new KeyText('keyValuePairs');
const nodeMembers = rulesMembersText(NODE_RULES);
const syndromeText = rulesText(SYNDROME_RULES);

export const armRasMapping = sectionMapping({
  ours: 'armRas',
  shortName: 'ArmRas',
  rules: NODE_RULES,
  text: (m, depth) => {
    const d1 = depth + 1;
    const d2 = depth + 2;
    const o = new ObjectText(depth).addMembers(nodeMembers(m, depth)).add(ERROR_SYNDROMES, arrayText((m.errorSyndromes as Model[]).map((d) => syndromeText(d, d2)), d1));
    const aux = m.auxData as Model | undefined;
    if (aux !== undefined) {
      const contexts = arrayText((aux.contexts as Model[]).map((c) => contextText(c, depth + 3)), d2);
      const pairs = arrayText((aux.keyValuePairs as Model[]).map((kv) => keyValueText(kv, depth + 3)), d2);
      o.add(AUX_DATA, AUX_VERSION.first(d1) + String(asNumber(aux.version)) + CONTEXTS.next(d1) + contexts + KEY_VALUE_PAIRS.next(d1) + pairs + closeObject(d1));
    }
    return o.done();
  },
  out: (m) => {
    const o = mapOut(NODE_RULES, m);
    o.errorSyndromes = (m.errorSyndromes as Model[]).map((d) => mapOut(SYNDROME_RULES, d));
    const aux = m.auxData as Model | undefined;
    if (aux !== undefined) {
      o.auxData = {
        version: asNumber(aux.version),
        contexts: (aux.contexts as Model[]).map(contextOut),
        keyValuePairs: (aux.keyValuePairs as Model[]).map(keyValueOut),
      };
    }
    return o;
  },
  in: (v, path) => {
    const { fields } = mapIn(NODE_RULES, v, path, ['errorSyndromes', 'auxData']);
    const o = v as LibcperObject;
    const syndromes = o.errorSyndromes ?? [];
    if (!Array.isArray(syndromes)) bad(`${path}/errorSyndromes`, 'expected an array');
    const out: Model = { ...fields, errorSyndromes: syndromes.map((d, i) => mapIn(SYNDROME_RULES, d, `${path}/errorSyndromes/${i}`).fields) };
    if (o.errorSyndromeArrayNumEntries !== undefined && Number(integerIn(o.errorSyndromeArrayNumEntries, `${path}/errorSyndromeArrayNumEntries`, 0xffff_ffffn)) !== syndromes.length) {
      bad(`${path}/errorSyndromeArrayNumEntries`, `${String(o.errorSyndromeArrayNumEntries)} but errorSyndromes has ${syndromes.length} entries`);
    }
    if (o.auxData !== undefined) {
      const a = o.auxData;
      if (!isObject(a)) bad(`${path}/auxData`, 'expected an object');
      out.auxData = {
        version: Number(integerIn(a.version ?? 1, `${path}/auxData/version`, 0xffn)),
        contexts: arrayAt(a, 'contexts', `${path}/auxData`).map((c, i) => contextIn(c, `${path}/auxData/contexts/${i}`)),
        keyValuePairs: arrayAt(a, 'keyValuePairs', `${path}/auxData`).map((kv, i) => keyValueIn(kv, `${path}/auxData/keyValuePairs/${i}`)),
      };
    }
    return out;
  },
  message: () => 'ARM RAS error occured',
});
