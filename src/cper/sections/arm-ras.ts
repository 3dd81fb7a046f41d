import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { viewOf } from '../compiled-parser';
import { SECTION_TYPES } from '../guids';
import type { EnumTable } from '../json/fields';
import { bits, count, enumOf, guid, hex, text, u16, u32, u64, u8, view, names } from '../layout/fields';
import { FieldSpan, layout, LayoutModel, Layout } from '../layout/layout';
import { handSection } from '../layout/section';
import { checkCount, checkLength, HexString, hexByteLength, hexField, identityShape, readHex, writeHexField } from './section-body-fields';
import { lazy } from '../json/lazy';

/**
 * Arm RAS node section (Arm DEN0085 "RAS System Architecture" CPER section, Tables 20-26; GUID
 * bf32d4d5-b427-4025-8495-8a9e5d4030e4). Linux does not decode it (it prints the unknown-section
 * hex dump); libcper does. Body:
 *   the 80-byte node header (NODE_LAYOUT) · at ErrorSyndromeArrayOffset, ErrorSyndromeArrayNumEntries
 *   error-record descriptors of 72 bytes (SYNDROME_LAYOUT) · at AuxiliaryDataOffset (0 = none) the
 *   auxiliary data: a 16-byte header (AUX_HEADER_LAYOUT), AddressSpaceArrayEntryCount contexts
 *   (a 16-byte header + RegisterArrayEntryCount {address, value} pairs, `Length` bytes in all) and,
 *   at KeyValuePairArrayOffset, KeyValuePairArrayEntryCount {key GUID, value u64} pairs, the whole
 *   block AuxiliaryDataSize bytes.
 * The offsets, counts and sizes are not model fields: the encoder derives them from the parts, and
 * the decoder keeps any bytes the offsets skip (`syndromePadding` before the descriptors,
 * `auxPadding` before the auxiliary data, a context's `padding`, the aux block's `contextPadding`
 * before the pairs and `trailing` after them) so that every body re-encodes byte for byte. Each
 * offset, count and length is checked against the bytes present before it is used. That walk is
 * the hand-written part; every structure in it is a layout table.
 */

const INFO = SECTION_TYPES.armRas;

export const ARM_RAS_COMPONENT_TYPES: EnumTable = names('processor', 'memory', 'smmu', 'vendorDefined', 'gic', 'pcie', 'proxy');
export const ARM_RAS_IP_INSTANCE_FORMATS: EnumTable = { 0: 'pe', 1: 'systemPhysicalAddress', 2: 'localAddressIdentifier', 3: 'socSpecificIpIdentifier' };
export const ARM_RAS_IP_TYPE_FORMATS: EnumTable = { 0: 'pe', 1: 'smmuIidr', 2: 'gicIidr', 3: 'pidr' };

export const ARM_RAS_NODE_LENGTH = 80;

export const ARM_RAS_NODE_LAYOUT = layout('Arm RAS node', ARM_RAS_NODE_LENGTH, [
  u32('revision', 0, { doc: 'revision of the node structure (1)', libcper: 'revision', zero: () => 1 }),
  view('componentType', 4, 4, enumOf(ARM_RAS_COMPONENT_TYPES, 4), { doc: 'kind of RAS node', libcper: 'componentType' }),
  count('errorSyndromeArrayNumEntries', 8, 4, 'errorSyndromes', { doc: 'number of error-record descriptors', libcper: 'errorSyndromeArrayNumEntries' }),
  count('errorSyndromeArrayOffset', 12, 2, 'errorSyndromeArrayOffset', { doc: 'body offset of the descriptors' }),
  count('auxiliaryDataOffset', 14, 2, 'auxiliaryDataOffset', { doc: 'body offset of the auxiliary data (0: none)' }),
  view('ipInstanceFormat', 16, 1, enumOf(ARM_RAS_IP_INSTANCE_FORMATS), { doc: 'what ipInstance holds', libcper: 'ipInstanceFormat' }),
  view('ipTypeFormat', 17, 1, enumOf(ARM_RAS_IP_TYPE_FORMATS), { doc: 'what ipType holds (255: none)', libcper: 'ipTypeFormat' }),
  hex('reserved', 18, 6, { doc: 'reserved' }),
  hex('ipInstance', 24, 16, { doc: 'IP instance: MPIDR_EL1 (pe), a physical address, a local address space and base, or a SoC-specific identifier, per ipInstanceFormat', libcper: 'ipInstance' }),
  hex('ipType', 40, 24, { doc: 'IP type: MIDR/REVIDR/AIDR, SMMU or GIC IIDR/AIDR, or PIDR0..7, per ipTypeFormat', libcper: 'ipType' }),
  text('userData', 64, 16, { doc: 'user data (ASCII)', libcper: 'userData' }),
]);

export const ARM_RAS_SYNDROME_LAYOUT = layout('Arm RAS error-record descriptor', 72, [
  u32('errorRecordIndex', 0, { doc: 'index of the error record in the node', libcper: 'errorRecordIndex' }),
  bits('rasExtensionArchVersion', 4, 1, 0, 4, { doc: 'RAS extension architecture version (bits 3:0)', libcper: 'rasExtensionArchVersion' }),
  bits('rasExtensionRevision', 4, 1, 4, 4, { doc: 'RAS extension revision (bits 7:4); 0: ERR<n>MISC2/3 not implemented', libcper: 'rasExtensionRevisionField' }),
  hex('reserved', 5, 3, { doc: 'reserved' }),
  u64('errFr', 8, { doc: 'ERR<n>FR, feature register', libcper: 'errorRecordFeatureRegister' }),
  u64('errCtlr', 16, { doc: 'ERR<n>CTLR, control register', libcper: 'errorRecordControlRegister' }),
  u64('errStatus', 24, { doc: 'ERR<n>STATUS, primary status register', libcper: 'errorRecordPrimaryStatusRegister' }),
  u64('errAddr', 32, { doc: 'ERR<n>ADDR, address register', libcper: 'errorRecordAddressRegister' }),
  u64('errMisc0', 40, { doc: 'ERR<n>MISC0', libcper: 'errorRecordMiscRegister0' }),
  u64('errMisc1', 48, { doc: 'ERR<n>MISC1', libcper: 'errorRecordMiscRegister1' }),
  u64('errMisc2', 56, { doc: 'ERR<n>MISC2', libcper: 'errorRecordMiscRegister2' }),
  u64('errMisc3', 64, { doc: 'ERR<n>MISC3', libcper: 'errorRecordMiscRegister3' }),
]);

export const ARM_RAS_AUX_HEADER_LAYOUT = layout('Arm RAS auxiliary data header', 16, [
  u8('version', 0, { doc: 'auxiliary data version (1)', libcper: 'version', zero: () => 1 }),
  u8('reserved0', 1, { doc: 'reserved' }),
  count('addressSpaceArrayEntryCount', 2, 2, 'contexts', {}),
  count('auxiliaryDataSize', 4, 4, 'auxiliaryDataSize', { doc: 'size of the auxiliary data, this header included' }),
  count('keyValuePairArrayOffset', 8, 4, 'keyValuePairArrayOffset', { doc: 'offset of the key-value pairs in the auxiliary data' }),
  count('keyValuePairArrayEntryCount', 12, 2, 'keyValuePairs', {}),
  u16('reserved1', 14, { doc: 'reserved' }),
]);

export const ARM_RAS_CONTEXT_LAYOUT = layout('Arm RAS auxiliary context header', 16, [
  count('length', 0, 4, 'length', { doc: 'bytes of the context, this header included' }),
  u8('flags', 4, { doc: 'bit 0: address space identifier scope', libcper: 'flags' }),
  u8('reserved', 5, { doc: 'reserved' }),
  count('registerArrayEntryCount', 6, 2, 'registers', {}),
  u64('addressSpaceIdentifier', 8, { doc: 'address space identifier (valid with flags bit 0)', libcper: 'addressSpaceIdentifier' }),
]);

export const ARM_RAS_REGISTER_LAYOUT = layout('Arm RAS memory-mapped register', 16, [
  u64('address', 0, { doc: 'register address', libcper: 'address' }),
  u64('value', 8, { doc: 'register value', libcper: 'value' }),
]);

export const ARM_RAS_KEY_VALUE_LAYOUT = layout('Arm RAS key-value pair', 24, [
  guid('key', 0, { doc: 'key GUID (ebb45182-fb03-4bf9-9aca-8613709fd789: MPAM PARTID in value bits 15:0)', libcper: 'key' }),
  u64('value', 16, { doc: 'value', libcper: 'value' }),
]);

export type ArmRasRegister = LayoutModel<typeof ARM_RAS_REGISTER_LAYOUT>;
export type ArmRasContext = LayoutModel<typeof ARM_RAS_CONTEXT_LAYOUT> & { registers: ArmRasRegister[]; padding?: HexString };
export type ArmRasAuxData = LayoutModel<typeof ARM_RAS_AUX_HEADER_LAYOUT> & {
  contexts: ArmRasContext[];
  contextPadding?: HexString;
  keyValuePairs: Array<LayoutModel<typeof ARM_RAS_KEY_VALUE_LAYOUT>>;
  trailing?: HexString;
};
export type ArmRasSection = { type: 'armRas'; guid: string } & LayoutModel<typeof ARM_RAS_NODE_LAYOUT> & {
    syndromePadding?: HexString;
    errorSyndromes: Array<LayoutModel<typeof ARM_RAS_SYNDROME_LAYOUT>>;
    auxPadding?: HexString;
    auxData?: ArmRasAuxData;
    trailing?: HexString;
  };

const len = (h: HexString | undefined) => (h === undefined ? 0 : hexByteLength(h));
const decodeNode = ARM_RAS_NODE_LAYOUT.decoderWith({ type: 'armRas', guid: INFO.guid });

/** Items of a layout at body offset `at`, `n` of them (the caller checked that they fit). */
function items<T>(r: ByteReader, l: { size: number; decodeAt(b: Uint8Array, v: DataView, at: number): T }, at: number, n: number): T[] {
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = l.decodeAt(r.bytes, viewOf(r), r.abs(at + i * l.size));
  return out;
}

function decodeAux(r: ByteReader, at: number): ArmRasAuxData {
  ARM_RAS_AUX_HEADER_LAYOUT.check(r, at);
  const size = r.u32(at + 4);
  const kvOffset = r.u32(at + 8);
  if (size < 16) throw r.error('bad_length', at + 4, 'auxData.auxiliaryDataSize', `auxiliaryDataSize ${size} is smaller than the 16-byte header`);
  checkLength(r, at + 4, 'auxData.auxiliaryDataSize', at, size);
  const aux = r.sub(at, size, 'auxData');
  const out = { ...ARM_RAS_AUX_HEADER_LAYOUT.read(aux, 0), contexts: [], keyValuePairs: [] } as ArmRasAuxData;
  if (kvOffset < 16 || kvOffset > size) throw aux.error('bad_length', 8, 'keyValuePairArrayOffset', `keyValuePairArrayOffset ${kvOffset} is outside the ${size}-byte auxiliary data`);
  const contexts = aux.sub(0, kvOffset, '');
  let pos = 16;
  for (let i = 0, n = aux.u16(2); i < n; i++) {
    const where = `contexts[${i}]`;
    ARM_RAS_CONTEXT_LAYOUT.check(contexts.sub(pos, contexts.length - pos, where), 0);
    const length = contexts.u32(pos);
    const regs = contexts.u16(pos + 6);
    if (length < 16 + 16 * regs) throw contexts.error('bad_length', pos, `${where}.length`, `context length ${length} is smaller than 16 + 16 × ${regs} registers`);
    checkLength(contexts, pos, `${where}.length`, pos, length);
    const c = { ...ARM_RAS_CONTEXT_LAYOUT.read(contexts, pos), registers: items(contexts, ARM_RAS_REGISTER_LAYOUT, pos + 16, regs) } as ArmRasContext;
    if (length > 16 + 16 * regs) c.padding = readHex(contexts, pos + 16 + 16 * regs, length - 16 - 16 * regs, `${where}.padding`);
    out.contexts.push(c);
    pos += length;
  }
  if (pos < kvOffset) out.contextPadding = readHex(aux, pos, kvOffset - pos, 'contextPadding');
  const kvCount = aux.u16(12);
  checkCount(aux, 12, 'keyValuePairArrayEntryCount', kvCount, 24, kvOffset);
  out.keyValuePairs = items(aux, ARM_RAS_KEY_VALUE_LAYOUT, kvOffset, kvCount);
  const end = kvOffset + 24 * kvCount;
  if (end < size) out.trailing = readHex(aux, end, size - end, 'trailing');
  return out;
}

function decode(r: ByteReader): ArmRasSection {
  ARM_RAS_NODE_LAYOUT.check(r, 0);
  const s = decodeNode(r.bytes, viewOf(r), r.abs(0)) as ArmRasSection;
  const n = r.u32(8);
  const esa = r.u16(12);
  const auxAt = r.u16(14);
  if (esa < ARM_RAS_NODE_LENGTH) throw r.error('bad_length', 12, 'errorSyndromeArrayOffset', `errorSyndromeArrayOffset ${esa} points into the 80-byte node header`);
  checkLength(r, 12, 'errorSyndromeArrayOffset', 0, esa);
  if (esa > ARM_RAS_NODE_LENGTH) s.syndromePadding = readHex(r, ARM_RAS_NODE_LENGTH, esa - ARM_RAS_NODE_LENGTH, 'syndromePadding');
  checkCount(r, 8, 'errorSyndromeArrayNumEntries', n, 72, esa);
  s.errorSyndromes = items(r, ARM_RAS_SYNDROME_LAYOUT, esa, n);
  let end = esa + 72 * n;
  if (auxAt !== 0) {
    if (auxAt < end) throw r.error('bad_length', 14, 'auxiliaryDataOffset', `auxiliaryDataOffset ${auxAt} overlaps the error-record descriptors (they end at ${end})`);
    checkLength(r, 14, 'auxiliaryDataOffset', 0, auxAt);
    if (auxAt > end) s.auxPadding = readHex(r, end, auxAt - end, 'auxPadding');
    s.auxData = decodeAux(r, auxAt);
    end = auxAt + r.u32(auxAt + 4);
  }
  if (end < r.length) s.trailing = readHex(r, end, r.length - end, 'trailing');
  return s;
}

function auxLength(a: ArmRasAuxData): number {
  let n = 16 + len(a.contextPadding) + 24 * a.keyValuePairs.length + len(a.trailing);
  for (const c of a.contexts) n += 16 + 16 * c.registers.length + len(c.padding);
  return n;
}

function byteLength(s: ArmRasSection): number {
  const head = ARM_RAS_NODE_LENGTH + len(s.syndromePadding) + 72 * s.errorSyndromes.length;
  return head + (s.auxData === undefined ? 0 : len(s.auxPadding) + auxLength(s.auxData)) + len(s.trailing);
}

function encode(w: ByteWriter, o: number, s: ArmRasSection, _opts: unknown, path: string): void {
  const esa = ARM_RAS_NODE_LENGTH + len(s.syndromePadding);
  let pos = esa + 72 * s.errorSyndromes.length;
  const auxAt = s.auxData === undefined ? 0 : pos + len(s.auxPadding);
  ARM_RAS_NODE_LAYOUT.encodeAt(w, o, s, path, { errorSyndromes: s.errorSyndromes.length, errorSyndromeArrayOffset: esa, auxiliaryDataOffset: auxAt });
  if (s.syndromePadding !== undefined) writeHexField(w, o + ARM_RAS_NODE_LENGTH, s.syndromePadding, path, 'syndromePadding');
  s.errorSyndromes.forEach((e, i) => ARM_RAS_SYNDROME_LAYOUT.encodeAt(w, o + esa + 72 * i, e, `${path}.errorSyndromes[${i}]`));
  const a = s.auxData;
  if (a !== undefined) {
    if (s.auxPadding !== undefined) writeHexField(w, o + pos, s.auxPadding, path, 'auxPadding');
    const ap = `${path}.auxData`;
    let at = 16;
    const base = o + auxAt;
    a.contexts.forEach((c, i) => {
      const length = 16 + 16 * c.registers.length + len(c.padding);
      const cp = `${ap}.contexts[${i}]`;
      ARM_RAS_CONTEXT_LAYOUT.encodeAt(w, base + at, c, cp, { length, registers: c.registers.length });
      c.registers.forEach((reg, k) => ARM_RAS_REGISTER_LAYOUT.encodeAt(w, base + at + 16 + 16 * k, reg, `${cp}.registers[${k}]`));
      if (c.padding !== undefined) writeHexField(w, base + at + 16 + 16 * c.registers.length, c.padding, cp, 'padding');
      at += length;
    });
    if (a.contextPadding !== undefined) at += writeHexField(w, base + at, a.contextPadding, ap, 'contextPadding');
    const size = auxLength(a);
    ARM_RAS_AUX_HEADER_LAYOUT.encodeAt(w, base, a, ap, { contexts: a.contexts.length, auxiliaryDataSize: size, keyValuePairArrayOffset: at, keyValuePairs: a.keyValuePairs.length });
    a.keyValuePairs.forEach((kv, k) => ARM_RAS_KEY_VALUE_LAYOUT.encodeAt(w, base + at + 24 * k, kv, `${ap}.keyValuePairs[${k}]`));
    if (a.trailing !== undefined) writeHexField(w, base + at + 24 * a.keyValuePairs.length, a.trailing, ap, 'trailing');
    pos = auxAt + size;
  }
  if (s.trailing !== undefined) writeHexField(w, o + pos, s.trailing, path, 'trailing');
}

const pad = (doc: string) => hexField().optional().describe(doc);

const contextInput = lazy(() => z
  .strictObject({
    ...ARM_RAS_CONTEXT_LAYOUT.shape,
    registers: z.array(ARM_RAS_REGISTER_LAYOUT.input).max(0xffff).optional().describe('memory-mapped registers { address, value }'),
    padding: pad('bytes of the context after its registers'),
  })
  .transform((v): ArmRasContext => {
    const c = { ...ARM_RAS_CONTEXT_LAYOUT.fill(v), registers: v.registers ?? [] } as ArmRasContext;
    if (typeof v.padding === 'string' && v.padding.length > 0) c.padding = v.padding;
    return c;
  }));

const auxInput = lazy(() => z
  .strictObject({
    ...ARM_RAS_AUX_HEADER_LAYOUT.shape,
    contexts: z.array(contextInput()).max(0xffff).optional().describe('address-space contexts with their registers'),
    contextPadding: pad('bytes between the last context and the key-value pairs'),
    keyValuePairs: z.array(ARM_RAS_KEY_VALUE_LAYOUT.input).max(0xffff).optional().describe('key-value pairs { key GUID, value }'),
    trailing: pad('bytes of the auxiliary data after the key-value pairs'),
  })
  .transform((v): ArmRasAuxData => {
    const a = { ...ARM_RAS_AUX_HEADER_LAYOUT.fill(v), contexts: v.contexts ?? [], keyValuePairs: v.keyValuePairs ?? [] } as ArmRasAuxData;
    for (const k of ['contextPadding', 'trailing'] as const) if (typeof v[k] === 'string' && v[k].length > 0) a[k] = v[k];
    return a;
  }));

const ARM_RAS_EXAMPLE = {
  type: 'armRas',
  componentType: 'smmu',
  ipInstanceFormat: 'pe',
  ipInstance: '56da1d95000000000000000000000000',
  errorSyndromes: [{ errorRecordIndex: 0, rasExtensionRevision: 1, errStatus: '0x92ff074f', errAddr: '0x30cd16c4' }],
  auxData: { contexts: [{ registers: [{ address: '0x5b645ae2', value: '0xd7362d3e' }] }], keyValuePairs: [{ key: 'ebb45182-fb03-4bf9-9aca-8613709fd789', value: 3220 }] },
};

/**
 * JSON form: every field optional (revision and aux version default to 1). Offsets, counts and
 * sizes are derived from the parts; `auxData` absent means AuxiliaryDataOffset 0.
 */
export const armRasInput = lazy((): z.ZodType<ArmRasSection> => z
  .strictObject({
    ...identityShape('armRas', [INFO.guid]),
    ...ARM_RAS_NODE_LAYOUT.shape,
    syndromePadding: pad('bytes between the node header and the descriptors'),
    errorSyndromes: z.array(ARM_RAS_SYNDROME_LAYOUT.input).optional().describe('error-record descriptors (Arm DEN0085 Table 21)'),
    auxPadding: pad('bytes between the descriptors and the auxiliary data'),
    auxData: auxInput().optional().describe('auxiliary data (Arm DEN0085 Tables 22-26)'),
    trailing: pad('bytes of the body after the auxiliary data'),
  })
  .describe(`${INFO.title} section (${INFO.guid}): Arm DEN0085 RAS node, 80 bytes + descriptors + auxiliary data`)
  .transform((v, ctx): ArmRasSection => {
    const s = { type: 'armRas', guid: INFO.guid, ...ARM_RAS_NODE_LAYOUT.fill(v), errorSyndromes: v.errorSyndromes ?? [] } as ArmRasSection;
    for (const k of ['syndromePadding', 'auxPadding', 'trailing'] as const) if (typeof v[k] === 'string' && v[k].length > 0) s[k] = v[k];
    if (v.auxData !== undefined) s.auxData = v.auxData;
    else if (s.auxPadding !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['auxPadding'], message: 'auxPadding needs auxData (without it AuxiliaryDataOffset is 0)' });
      return z.NEVER;
    }
    const esa = ARM_RAS_NODE_LENGTH + len(s.syndromePadding);
    if (esa > 0xffff || (s.auxData !== undefined && esa + 72 * s.errorSyndromes.length + len(s.auxPadding) > 0xffff)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'the descriptors and the auxiliary data must start within the first 65535 bytes (their offsets are u16)' });
      return z.NEVER;
    }
    return s;
  }));

function spans(s: ArmRasSection, base: number, path: string): FieldSpan[] {
  const esa = base + ARM_RAS_NODE_LENGTH + len(s.syndromePadding);
  const out = [...ARM_RAS_NODE_LAYOUT.spans(base, path), ...ARM_RAS_SYNDROME_LAYOUT.itemSpans(esa, s.errorSyndromes.length, `${path}/errorSyndromes`)];
  const a = s.auxData;
  if (a === undefined) return out;
  const at = esa + 72 * s.errorSyndromes.length + len(s.auxPadding);
  out.push(...ARM_RAS_AUX_HEADER_LAYOUT.spans(at, `${path}/auxData`));
  let pos = at + 16;
  a.contexts.forEach((c, i) => {
    out.push(...ARM_RAS_CONTEXT_LAYOUT.spans(pos, `${path}/auxData/contexts/${i}`), ...ARM_RAS_REGISTER_LAYOUT.itemSpans(pos + 16, c.registers.length, `${path}/auxData/contexts/${i}/registers`));
    pos += 16 + 16 * c.registers.length + len(c.padding);
  });
  out.push(...ARM_RAS_KEY_VALUE_LAYOUT.itemSpans(pos + len(a.contextPadding), a.keyValuePairs.length, `${path}/auxData/keyValuePairs`));
  return out;
}

export const armRasCodec = handSection<ArmRasSection>(INFO, ARM_RAS_NODE_LAYOUT as Layout<unknown>, {
  minLength: ARM_RAS_NODE_LENGTH, decode, byteLength, encode, get input() { return armRasInput(); },
  spans,
  example: ARM_RAS_EXAMPLE,
});
