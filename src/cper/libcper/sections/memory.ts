import type { LibcperObject } from '../json-text';
import { article, SectionMapping } from '../section-mapping';
import { asBig, asNumber, bad, bitSet, Converter, EXTRA_BITS, hexUpper, integerIn, isObject, Model, pair, Rule, u64, validationRaw } from '../table';
import { errorStatus } from './common';

/**
 * Platform memory error (UEFI N.2.5) and memory error 2 (N.2.6) in libcper's form
 * (sections/cper-section-memory.c). Quirks kept as libcper has them:
 * - `bank` is always written: `{ value }` when bank (bit 6) is valid, else `{ address, group }`
 *   from the same word (whatever bits 19/20 say); on input `{ address, group }` sets bits 19 and 20.
 * - memory: `moduleRank` is our `module`; `extended` (bit 18) holds rowBit16/17 and, with bit 21,
 *   chipIdentification; the SMBIOS handles are `cardSmbiosHandle` / `moduleSmbiosHandle`.
 * - memory 2: `physicalAddress` is gated by bit 0 (the error-status bit), `physicalAddressHex` is
 *   always written; we read the address back from `physicalAddressHex` (bit 1).
 * - `physicalAddressHex` is "0x%016llX".
 */

export const MEMORY_ERROR_TYPES: Readonly<Record<number, string>> = {
  0: 'Unknown',
  1: 'No Error',
  2: 'Single-bit ECC',
  3: 'Multi-bit ECC',
  4: 'Single-symbol ChipKill ECC',
  5: 'Multi-symbol ChipKill ECC',
  6: 'Master Abort',
  7: 'Target Abort',
  8: 'Parity Error',
  9: 'Watchdog Timeout',
  10: 'Invalid Address',
  11: 'Mirror Broken',
  12: 'Memory Sparing',
  13: 'Scrub Corrected Error',
  14: 'Scrub Uncorrected Error',
  15: 'Physical Memory Map-out Event',
};

/** `bank`: `{ value }` (bit 6) or `{ address, group }` (bits 19, 20 on input). */
function bank(valueBit: number, groupBits: [number, number]): Converter {
  return {
    name: 'bank as value or address/group',
    out: (_v, m) => {
      const b = asNumber(m.bank);
      const o: LibcperObject = bitSet(validationRaw(m), valueBit) ? { value: b } : { address: b & 0xff, group: b >> 8 };
      return o;
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, 'expected { "value": … } or { "address": …, "group": … }');
      if (v.value !== undefined) return { bank: Number(integerIn(v.value, `${path}/value`, 0xffffn)), [EXTRA_BITS]: 1n << BigInt(valueBit) };
      const address = Number(integerIn(v.address ?? 0, `${path}/address`, 0xffn));
      const group = Number(integerIn(v.group ?? 0, `${path}/group`, 0xffn));
      return { bank: address | (group << 8), [EXTRA_BITS]: (1n << BigInt(groupBits[0])) | (1n << BigInt(groupBits[1])) };
    },
  };
}

/** memory `extended` byte: rowBit16, rowBit17 and (bit 21) chipIdentification = extended >> 5. */
const extended: Converter = {
  name: 'extended row bits / chip identification',
  out: (v, m) => {
    const e = asNumber(v);
    const o: Record<string, boolean | number> = { rowBit16: (e & 1) === 1, rowBit17: ((e >> 1) & 1) === 1 };
    if (bitSet(validationRaw(m), 21)) o.chipIdentification = e >> 5;
    return o;
  },
  in: (v, path) => {
    if (!isObject(v)) bad(path, 'expected { "rowBit16", "rowBit17", "chipIdentification"? }');
    let e = (v.rowBit16 === true ? 1 : 0) | (v.rowBit17 === true ? 2 : 0);
    let bits = 1n << 18n;
    if (v.chipIdentification !== undefined) {
      e |= Number(integerIn(v.chipIdentification, `${path}/chipIdentification`, 7n)) << 5;
      bits |= 1n << 21n;
    }
    return { extended: e, [EXTRA_BITS]: bits };
  },
};

const addressHex = hexUpper(16);
const typeName = (m: Model, bit: number) => (bitSet(validationRaw(m), bit) ? MEMORY_ERROR_TYPES[asNumber(m.memoryErrorType)] ?? 'Unknown' : 'Unknown');

export const memoryMapping: SectionMapping = {
  ours: 'memory',
  guid: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1',
  shortName: 'Memory',
  readable: 'Platform Memory',
  validation: 'u64',
  rules: [
    { key: 'errorStatus', ours: 'errorStatus', bit: 0, conv: errorStatus },
    { key: 'bank', conv: bank(6, [19, 20]), spread: true },
    { key: 'memoryErrorType', ours: 'memoryErrorType', bit: 14, conv: pair(MEMORY_ERROR_TYPES, 'Unknown (Reserved)') },
    { key: 'extended', ours: 'extended', bit: 18, conv: extended, spread: true },
    { key: 'cardSmbiosHandle', ours: 'cardHandle', bit: 16 },
    { key: 'moduleSmbiosHandle', ours: 'moduleHandle', bit: 17 },
    { key: 'physicalAddress', ours: 'physicalAddress', bit: 1, conv: u64 },
    { key: 'physicalAddressHex', ours: 'physicalAddress', bit: 1, conv: addressHex, derived: true },
    { key: 'physicalAddressMask', ours: 'physicalAddressMask', bit: 2, conv: u64 },
    { key: 'node', ours: 'node', bit: 3 },
    { key: 'card', ours: 'card', bit: 4 },
    { key: 'moduleRank', ours: 'module', bit: 5 },
    { key: 'device', ours: 'device', bit: 7 },
    { key: 'row', ours: 'row', bit: 8 },
    { key: 'column', ours: 'column', bit: 9 },
    { key: 'bitPosition', ours: 'bitPosition', bit: 10 },
    { key: 'requestorID', ours: 'requestorId', bit: 11, conv: u64 },
    { key: 'responderID', ours: 'responderId', bit: 12, conv: u64 },
    { key: 'targetID', ours: 'targetId', bit: 13, conv: u64 },
    { key: 'rankNumber', ours: 'rankNumber', bit: 15 },
  ] satisfies Rule[],
  message: (m) => {
    const raw = validationRaw(m);
    const type = typeName(m, 14);
    let s = `${article(type)} ${type} Memory Error occurred`;
    if (bitSet(raw, 1)) s += ` at address ${addressHex.out(m.physicalAddress, m)}`;
    if (bitSet(raw, 3)) s += ` at node ${asNumber(m.node)}`;
    return s;
  },
};

export const memory2Mapping: SectionMapping = {
  ours: 'memory2',
  guid: '61ec04fc-48e6-d813-25c9-8daa44750b12',
  shortName: 'Memory2',
  readable: 'Platform Memory 2',
  validation: 'u64',
  rules: [
    { key: 'errorStatus', ours: 'errorStatus', bit: 0, conv: errorStatus },
    { key: 'bank', conv: bank(6, [20, 21]), spread: true },
    { key: 'memoryErrorType', ours: 'memoryErrorType', bit: 13, conv: pair(MEMORY_ERROR_TYPES, 'Unknown (Reserved)') },
    {
      key: 'status',
      ours: 'status',
      bit: 14,
      conv: {
        name: 'status value/state',
        out: (v) => {
          const n = asNumber(v);
          return { value: n, state: (n & 1) === 0 ? 'Corrected' : 'Uncorrected' };
        },
        in: (v, path) => (isObject(v) ? Number(integerIn(v.value ?? 0, `${path}/value`, 0xffn)) : bad(path, 'expected { "value": …, "state": … }')),
      },
    },
    // libcper gates this key with the error-status bit (0) and reads it back as the address bit (1)
    { key: 'physicalAddress', ours: 'physicalAddress', bit: 0, conv: u64, derived: true },
    { key: 'physicalAddressHex', ours: 'physicalAddress', conv: { ...addressHex, name: 'upper-case hex, 16 digits, written whatever bit 1 says' }, alsoBits: [1] },
    { key: 'physicalAddressMask', ours: 'physicalAddressMask', bit: 2, conv: u64 },
    { key: 'node', ours: 'node', bit: 3 },
    { key: 'card', ours: 'card', bit: 4 },
    { key: 'module', ours: 'module', bit: 5 },
    { key: 'device', ours: 'device', bit: 7 },
    { key: 'row', ours: 'row', bit: 8 },
    { key: 'column', ours: 'column', bit: 9 },
    { key: 'rank', ours: 'rank', bit: 10 },
    { key: 'bitPosition', ours: 'bitPosition', bit: 11 },
    { key: 'chipID', ours: 'chipId', bit: 12 },
    { key: 'requestorID', ours: 'requestorId', bit: 15, conv: u64 },
    { key: 'responderID', ours: 'responderId', bit: 16, conv: u64 },
    { key: 'targetID', ours: 'targetId', bit: 17, conv: u64 },
    { key: 'cardSmbiosHandle', ours: 'cardHandle', bit: 18 },
    { key: 'moduleSmbiosHandle', ours: 'moduleHandle', bit: 19 },
  ] satisfies Rule[],
  message: (m) => {
    const raw = validationRaw(m);
    const type = typeName(m, 13);
    let s = `${article(type)} ${type} Memory Error occurred`;
    if (bitSet(raw, 0)) s += ` at address ${addressHex.out(m.physicalAddress, m)}`;
    if (bitSet(raw, 3)) s += ` on node ${asNumber(m.node)}`;
    return s;
  },
};

export { asBig };
