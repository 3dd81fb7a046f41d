import { ByteWriter } from '../../binary/ByteWriter';
import { SECTION_TYPES } from '../guids';
import type { EnumTable } from '../json/fields';
import { count, enumOf, u32, u64, view, validationBits } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { arrayPart, tableSection, TableModel } from '../layout/section';

/**
 * FRU memory poison section (newest UEFI text only; Linux's AMD FRU memory poison manager uses
 * the same layout), 40 + 32·N bytes:
 *   0 checksum u32 · 4 validation bits u64 · 12 FRU architecture type u32 · 16 FRU architecture
 *   value u64 · 24 FRU ID type u32 · 28 FRU ID value u64 · 36 entry count N u32 ·
 *   40 N poison descriptors of 32 bytes: timestamp u64, hardware ID type u32, hardware ID u64,
 *   address type u32, address u64.
 *
 * Checksum: the section "sums to zero". Linux (`do_fmp_checksum`) adds every byte after the
 * checksum field as an unsigned byte into a u32 and stores the two's complement, so
 * checksum + Σ bytes[4..] ≡ 0 (mod 2^32). That rule is used here (`fruPoisonChecksum`). The
 * decoder keeps the stored checksum as is (a wrong one is reported by `fruPoisonChecksumOk`, not
 * rejected), so a bad record can be reproduced byte for byte.
 */

const INFO = SECTION_TYPES.fruMemoryPoison;
export const FRU_POISON_HEADER_LENGTH = 40;
export const FRU_POISON_ENTRY_LENGTH = 32;

/** 0: the architecture value is x86 CPUID Fn0000_0001 EAX (family/model/stepping). */
export const FRU_ARCHITECTURE_TYPES: EnumTable = { 0: 'x86Cpuid1Eax' };
/** 0: the FRU ID is an x86 protected processor inventory number (PPIN). */
export const FRU_ID_TYPES: EnumTable = { 0: 'x86Ppin' };
/** 0: the hardware ID is an MCA_IPID register value. */
export const FRU_POISON_HARDWARE_ID_TYPES: EnumTable = { 0: 'mcaIpid' };
/** 0: the address is an MCA_ADDR register value. */
export const FRU_POISON_ADDRESS_TYPES: EnumTable = { 0: 'mcaAddr' };

export const FRU_POISON_ENTRY_LAYOUT = layout('FRU poison descriptor', FRU_POISON_ENTRY_LENGTH, [
  u64('timestamp', 0, { doc: 'time of the poison event' }),
  view('hardwareIdType', 8, 4, enumOf(FRU_POISON_HARDWARE_ID_TYPES, 4), { doc: 'what hardwareId holds' }),
  u64('hardwareId', 12, { doc: 'hardware ID (an MCA_IPID value)' }),
  view('addressType', 20, 4, enumOf(FRU_POISON_ADDRESS_TYPES, 4), { doc: 'what address holds' }),
  u64('address', 24, { doc: 'poisoned address (an MCA_ADDR value)' }),
]);

export const FRU_POISON_LAYOUT = layout('FRU memory poison', FRU_POISON_HEADER_LENGTH, [
  u32('checksum', 0, { doc: 'two\'s complement of the byte sum after this field (computed when not given; a given one is written as is)' }),
  validationBits('validationBits', 4, 8, { 4: 'entryCount', 5: 'entries' }),
  view('fruArchitectureType', 12, 4, enumOf(FRU_ARCHITECTURE_TYPES, 4), { vbit: 0, doc: 'what fruArchitecture holds' }),
  u64('fruArchitecture', 16, { vbit: 1, doc: 'FRU architecture value (x86 CPUID Fn0000_0001 EAX)' }),
  view('fruIdType', 24, 4, enumOf(FRU_ID_TYPES, 4), { vbit: 2, doc: 'what fruId holds' }),
  u64('fruId', 28, { vbit: 3, doc: 'FRU ID (an x86 PPIN)' }),
  count('entryCount', 36, 4, 'entries', { doc: 'number of poison descriptors' }),
]);

const ENTRIES = arrayPart('entries', 'entryCount', FRU_POISON_ENTRY_LAYOUT, 'poison descriptors', [4, 5]);

export type FruMemoryPoisonSection = TableModel<'fruMemoryPoison', LayoutModel<typeof FRU_POISON_LAYOUT>, [typeof ENTRIES]>;

/** Linux's checksum of a section body: two's complement of the byte sum after the checksum field. */
export function fruPoisonChecksum(body: Uint8Array): number {
  let sum = 0;
  for (let i = 4; i < body.length; i++) sum = (sum + body[i]) >>> 0;
  return (0x1_0000_0000 - sum) % 0x1_0000_0000;
}

/** Whether the stored checksum of a body makes it sum to zero. */
export function fruPoisonChecksumOk(body: Uint8Array): boolean {
  if (body.length < 4) return false;
  const stored = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, true);
  return stored === fruPoisonChecksum(body);
}

export const fruMemoryPoisonCodec = tableSection({
  info: INFO,
  head: FRU_POISON_LAYOUT,
  parts: [ENTRIES],
  doc: 'FRU memory poison (UEFI 2.11), 40 bytes + 32 per descriptor',
  validation: { field: 'validationBits' },
  // without a checksum the correct one is computed over the encoded body
  resolve: (v, out) => {
    if (v.checksum === undefined) {
      const w = new ByteWriter(fruMemoryPoisonCodec.byteLength(out, undefined as never));
      fruMemoryPoisonCodec.encode(w, 0, out, undefined as never, '');
      out.checksum = fruPoisonChecksum(w.bytes);
    }
    return true;
  },
  example: { type: 'fruMemoryPoison', fruId: '0x1234', entries: [{ timestamp: '0x65000000', address: '0x40001000' }] },
});
