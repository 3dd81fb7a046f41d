import type { LibcperObject } from '../json-text';
import { closeObject, KeyText } from '../text-pieces';
import { article, sectionMapping } from '../section-mapping';
import { asBig, asNumber, bad, bitSet, Converter, EXTRA_BITS, hexUpper, integerIn, isObject, Model, pair, validationRaw, valueWith, withText } from '../table';
import { errorStatus } from './common';
import { rulesFromRows } from '../derive';
import { MEMORY_LAYOUT } from '../../sections/memory';
import { MEMORY2_LAYOUT } from '../../sections/memory2';

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
const VALUE = new KeyText('value');
const ADDRESS = new KeyText('address');
const GROUP = new KeyText('group');
const ROW_BIT_16 = new KeyText('rowBit16');
const ROW_BIT_17 = new KeyText('rowBit17');
const CHIP_ID = new KeyText('chipIdentification');

function bank(valueBit: number, groupBits: [number, number]): Converter {
  return withText({
    name: 'bank as value or address/group',
    out: (_v, m) => {
      const b = asNumber(m.bank);
      const o: LibcperObject = bitSet(validationRaw(m), valueBit) ? { value: b } : { address: b & 0xff, group: b >> 8 };
      return o;
    },
    text: (_v, m, depth) => {
      const b = asNumber(m.bank);
      const body = bitSet(validationRaw(m), valueBit) ? VALUE.first(depth) + String(b) : ADDRESS.first(depth) + String(b & 0xff) + GROUP.next(depth) + String(b >> 8);
      return body + closeObject(depth);
    },
    in: (v, path) => {
      if (!isObject(v)) bad(path, 'expected { "value": … } or { "address": …, "group": … }');
      if (v.value !== undefined) return { bank: Number(integerIn(v.value, `${path}/value`, 0xffffn)), [EXTRA_BITS]: 1n << BigInt(valueBit) };
      const address = Number(integerIn(v.address ?? 0, `${path}/address`, 0xffn));
      const group = Number(integerIn(v.group ?? 0, `${path}/group`, 0xffn));
      return { bank: address | (group << 8), [EXTRA_BITS]: (1n << BigInt(groupBits[0])) | (1n << BigInt(groupBits[1])) };
    },
  });
}

/** memory `extended` byte: rowBit16, rowBit17 and (bit 21) chipIdentification = extended >> 5. */
const extended: Converter = withText({
  name: 'extended row bits / chip identification',
  out: (v, m) => {
    const e = asNumber(v);
    const o: Record<string, boolean | number> = { rowBit16: (e & 1) === 1, rowBit17: ((e >> 1) & 1) === 1 };
    if (bitSet(validationRaw(m), 21)) o.chipIdentification = e >> 5;
    return o;
  },
  text: (v, m, depth) => {
    const e = asNumber(v);
    const chip = bitSet(validationRaw(m), 21) ? CHIP_ID.next(depth) + String(e >> 5) : '';
    return ROW_BIT_16.first(depth) + ((e & 1) === 1 ? 'true' : 'false') + ROW_BIT_17.next(depth) + (((e >> 1) & 1) === 1 ? 'true' : 'false') + chip + closeObject(depth);
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
});

const addressHex = hexUpper(16);

/** memory 2 `status`: the byte and libcper's state name of its bit 0. */
const status = valueWith('state', (n) => ((n & 1) === 0 ? 'Corrected' : 'Uncorrected'), 0xffn, 'status value/state');

const typeName = (m: Model, bit: number) => (bitSet(validationRaw(m), bit) ? MEMORY_ERROR_TYPES[asNumber(m.memoryErrorType)] ?? 'Unknown' : 'Unknown');

export const memoryMapping = sectionMapping({
  ours: 'memory',
  shortName: 'Memory',
  rules: rulesFromRows(MEMORY_LAYOUT, {
    with: {
      errorStatus: { conv: errorStatus },
      bank: { bit: undefined, conv: bank(6, [19, 20]), spread: true },
      memoryErrorType: { conv: pair(MEMORY_ERROR_TYPES, 'Unknown (Reserved)') },
      extended: { bit: 18, conv: extended, spread: true },
    },
    extra: [{ key: 'physicalAddressHex', ours: 'physicalAddress', bit: 1, conv: addressHex, derived: true, after: 'physicalAddress' }],
    // libcper prints bank, type, extended and the SMBIOS handles first (cper-section-memory.c)
    order: ['errorStatus', 'bank', 'memoryErrorType', 'extended', 'cardHandle', 'moduleHandle', 'physicalAddress', 'physicalAddressMask', 'node', 'card', 'module', 'device', 'row', 'column', 'bitPosition', 'requestorId', 'responderId', 'targetId', 'rankNumber'],
  }),
  message: (m) => {
    const raw = validationRaw(m);
    const type = typeName(m, 14);
    let s = `${article(type)} ${type} Memory Error occurred`;
    if (bitSet(raw, 1)) s += ` at address ${addressHex.out(m.physicalAddress, m)}`;
    if (bitSet(raw, 3)) s += ` at node ${asNumber(m.node)}`;
    return s;
  },
});

export const memory2Mapping = sectionMapping({
  ours: 'memory2',
  shortName: 'Memory2',
  rules: rulesFromRows(MEMORY2_LAYOUT, {
    with: {
      errorStatus: { conv: errorStatus },
      bank: { bit: undefined, conv: bank(6, [20, 21]), spread: true },
      memoryErrorType: { conv: pair(MEMORY_ERROR_TYPES, 'Unknown (Reserved)') },
      status: { conv: status },
      // libcper gates this key with the error-status bit (0) and reads the address back from the hex copy
      physicalAddress: { bit: 0, derived: true },
    },
    extra: [{ key: 'physicalAddressHex', ours: 'physicalAddress', conv: { ...addressHex, name: 'upper-case hex, 16 digits, written whatever bit 1 says' }, alsoBits: [1], after: 'physicalAddress' }],
    order: ['errorStatus', 'bank', 'memoryErrorType', 'status', 'physicalAddress', 'physicalAddressMask', 'node', 'card', 'module', 'device', 'row', 'column', 'rank', 'bitPosition', 'chipId', 'requestorId', 'responderId', 'targetId', 'cardHandle', 'moduleHandle'],
  }),
  message: (m) => {
    const raw = validationRaw(m);
    const type = typeName(m, 13);
    let s = `${article(type)} ${type} Memory Error occurred`;
    if (bitSet(raw, 0)) s += ` at address ${addressHex.out(m.physicalAddress, m)}`;
    if (bitSet(raw, 3)) s += ` on node ${asNumber(m.node)}`;
    return s;
  },
});

export { asBig };
