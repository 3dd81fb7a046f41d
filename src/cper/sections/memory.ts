import { z } from 'zod';
import type { ByteReader } from '../../binary/ByteReader';
import type { ByteWriter } from '../../binary/ByteWriter';
import { EncodeError } from '../../binary/errors';
import { viewOf } from '../compiled-parser';
import { SECTION_TYPES } from '../guids';
import { EnumTable, uint } from '../json/fields';
import { enumOf, errorStatusView, modelOnly, names, u16, u64, u8, validationBits, view } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { extendCodec, InputContext, tableSection, TableSectionCodec } from '../layout/section';
import { HexString, hexByteLength, readTrailing, writeHexField } from './section-body-fields';
import { lazy } from '../json/lazy';

/**
 * Platform Memory Error section (UEFI N.2.5), 80 bytes. The UEFI 2.1/2.2 layout stops after
 * MemoryErrorType (73 bytes); Linux still accepts it, so a body of 73..79 bytes decodes with that
 * layout (`layoutSize` 73, the later fields 0) and re-encodes at 73 (plus any trailing bytes).
 * Bytes after the layout are kept as `trailing`. The hand-written parts below are exactly that
 * length rule and the bank vs bank group/address input rule.
 */

/** Memory error types (shared with memory 2). */
export const MEMORY_ERROR_TYPES: EnumTable = names(
  'unknown', 'noError', 'singleBitEcc', 'multiBitEcc', 'singleSymbolChipkillEcc', 'multiSymbolChipkillEcc', 'masterAbort', 'targetAbort', 'parityError', 'watchdogTimeout', 'invalidAddress', 'mirrorBroken', 'memorySparing', 'scrubCorrected', 'scrubUncorrected', 'physicalMemoryMapOut',
);

export const MEMORY_LENGTH = 80;
export const MEMORY_LEGACY_LENGTH = 73;

/** Bytes 8..35 and validation bits 0..4, laid out alike in the memory and memory 2 sections. */
export const MEMORY_ADDRESS_ROWS = [
  view('errorStatus', 8, 8, errorStatusView, { vbit: 0, doc: 'UEFI Error Status', libcper: 'errorStatus' }),
  u64('physicalAddress', 16, { vbit: 1, doc: 'physical address of the error', libcper: 'physicalAddress' }),
  u64('physicalAddressMask', 24, { vbit: 2, doc: 'valid bits of physicalAddress', libcper: 'physicalAddressMask' }),
  u16('node', 32, { vbit: 3, doc: 'node number (multi-node systems)', libcper: 'node' }),
  u16('card', 34, { vbit: 4, doc: 'card number', libcper: 'card' }),
] as const;

const LEGACY_ROWS = [
  validationBits('validationBits', 0, 8, { 15: 'rankNumber', 16: 'cardHandle', 17: 'moduleHandle', 18: 'extendedRow', 19: 'bankGroup', 20: 'bankAddress', 21: 'chipIdentification' }),
  ...MEMORY_ADDRESS_ROWS,
  u16('module', 36, { vbit: 5, doc: 'module (DIMM) number', libcper: 'moduleRank' }),
  u16('bank', 38, { vbit: 6, doc: 'bank number, or bank group (bits 15:8, validation bit 19) and bank address (bits 7:0, bit 20)', libcper: 'bank' }),
  u16('device', 40, { vbit: 7, doc: 'device number', libcper: 'device' }),
  u16('row', 42, { vbit: 8, doc: 'row bits 15:0 (bits 17:16 are in extended, validation bit 18)', libcper: 'row' }),
  u16('column', 44, { vbit: 9, doc: 'column number', libcper: 'column' }),
  u16('bitPosition', 46, { vbit: 10, doc: 'bit position of the error', libcper: 'bitPosition' }),
  u64('requestorId', 48, { vbit: 11, doc: 'hardware address of the requestor', libcper: 'requestorID' }),
  u64('responderId', 56, { vbit: 12, doc: 'hardware address of the responder', libcper: 'responderID' }),
  u64('targetId', 64, { vbit: 13, doc: 'hardware address of the intended target', libcper: 'targetID' }),
  view('memoryErrorType', 72, 1, enumOf(MEMORY_ERROR_TYPES), { vbit: 14, doc: 'memory error type', libcper: 'memoryErrorType' }),
] as const;

const LAYOUT_SIZE = lazy(() => z.union([z.literal(80), z.literal(73)]));
const LAYOUT_SIZE_DOC = '80 (UEFI 2.3+), or 73 for the UEFI 2.1/2.2 layout that ends after memoryErrorType';

/** The UEFI 2.1/2.2 layout (73 bytes). */
export const MEMORY_LEGACY_LAYOUT = layout('memory (UEFI 2.1)', MEMORY_LEGACY_LENGTH, [
  modelOnly('layoutSize', () => MEMORY_LEGACY_LENGTH as 80 | 73, LAYOUT_SIZE, () => MEMORY_LEGACY_LENGTH as 80 | 73, LAYOUT_SIZE_DOC),
  ...LEGACY_ROWS,
], { truncated: 'at-start' });

/** The current layout (80 bytes). */
export const MEMORY_LAYOUT = layout('memory', MEMORY_LENGTH, [
  modelOnly('layoutSize', () => MEMORY_LENGTH as 80 | 73, LAYOUT_SIZE, () => MEMORY_LENGTH as 80 | 73, LAYOUT_SIZE_DOC),
  ...LEGACY_ROWS,
  u8('extended', 73, { doc: 'bit 0 row bit 16, bit 1 row bit 17 (validation bit 18), bits 7:5 chip identification (bit 21); 0 in the 73-byte layout', libcper: 'extended' }),
  u16('rankNumber', 74, { vbit: 15, doc: 'rank number', libcper: 'rankNumber' }),
  u16('cardHandle', 76, { vbit: 16, doc: 'SMBIOS type 16 handle of the memory array', libcper: 'cardSmbiosHandle' }),
  u16('moduleHandle', 78, { vbit: 17, doc: 'SMBIOS type 17 handle of the memory device', libcper: 'moduleSmbiosHandle' }),
], { truncated: 'at-start' });

export type MemorySection = { type: 'memory'; guid: string } & LayoutModel<typeof MEMORY_LAYOUT> & { trailing?: HexString };

const LEGACY_ZERO = { extended: 0, rankNumber: 0, cardHandle: 0, moduleHandle: 0 } as const;
const decodeFull = MEMORY_LAYOUT.decoderWith({ type: 'memory', guid: SECTION_TYPES.memory.guid });
const decodeLegacy = MEMORY_LEGACY_LAYOUT.decoderWith({ type: 'memory', guid: SECTION_TYPES.memory.guid }, LEGACY_ZERO);

function decodeMemory(r: ByteReader): MemorySection {
  const legacy = r.length < MEMORY_LENGTH;
  const l = legacy ? MEMORY_LEGACY_LAYOUT : MEMORY_LAYOUT;
  l.check(r, 0);
  const out = (legacy ? decodeLegacy : decodeFull)(r.bytes, viewOf(r), r.abs(0)) as MemorySection;
  const trailing = readTrailing(r, l.size);
  if (trailing !== undefined) out.trailing = trailing;
  return out;
}

function encodeMemory(w: ByteWriter, o: number, s: MemorySection, path: string): void {
  if (s.layoutSize === MEMORY_LENGTH) MEMORY_LAYOUT.encodeAt(w, o, s, path);
  else if (s.extended !== 0 || s.rankNumber !== 0 || s.cardHandle !== 0 || s.moduleHandle !== 0) {
    throw new EncodeError({
      code: 'bad_value',
      offset: o + 73,
      path: `${path}.layoutSize`,
      message: 'the 73-byte layout has no extended, rankNumber, cardHandle or moduleHandle field; they must be 0',
    });
  } else MEMORY_LEGACY_LAYOUT.encodeAt(w, o, s, path);
  if (s.trailing !== undefined) writeHexField(w, o + s.layoutSize, s.trailing, path, 'trailing');
}

/**
 * The `resolve` hook of the bank rule of a memory or memory 2 input: the model's Bank word is
 * `bank` as given, or bank group (bits 15:8) and bank address (bits 7:0). Giving both forms is an
 * issue at `bank` (false is returned and the word is left alone).
 */
export function resolveBank(v: Record<string, unknown>, out: { bank: number }, ctx: InputContext): boolean {
  if (v.bank !== undefined && (v.bankGroup !== undefined || v.bankAddress !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['bank'], message: 'give either bank or bankGroup/bankAddress, not both' });
    return false;
  }
  out.bank = (v.bank as number | undefined) ?? ((((v.bankGroup as number | undefined) ?? 0) << 8) | ((v.bankAddress as number | undefined) ?? 0));
  return true;
}

/** Input-only keys of the bank rule, with the validation bits they set. */
export function bankInput(groupBit: number, addressBit: number) {
  return {
    bankGroup: uint(8).optional().describe(`input only: bank group (bank bits 15:8, validation bit ${groupBit})`),
    bankAddress: uint(8).optional().describe(`input only: bank address (bank bits 7:0, validation bit ${addressBit})`),
  };
}

export const memoryCodec: TableSectionCodec<MemorySection> = extendCodec(
  tableSection({
    info: SECTION_TYPES.memory,
    head: MEMORY_LAYOUT,
    typeRequired: true,
    doc: 'Platform Memory Error (UEFI N.2.5), 80 bytes (73 in UEFI 2.1/2.2)',
    validation: { field: 'validationBits', extra: { bankGroup: 19, bankAddress: 20 } },
    extraInput: () => bankInput(19, 20),
    resolve: (v, out, ctx) => {
      if (!resolveBank(v, out, ctx)) return false;
      if (out.layoutSize === MEMORY_LEGACY_LENGTH) {
        for (const f of ['extended', 'rankNumber', 'cardHandle', 'moduleHandle'] as const) {
          if (v[f] !== undefined && v[f] !== 0) {
            ctx.addIssue({ code: 'custom', path: [f], message: 'not part of the 73-byte layout' });
            return false;
          }
        }
      }
      return true;
    },
    example: { type: 'memory', physicalAddress: '0x40001000', memoryErrorType: 'multiBitEcc', node: 0, card: 1, module: 2 },
  }), {
  minLength: MEMORY_LEGACY_LENGTH,
  decode: (r) => decodeMemory(r),
  byteLength: (s) => s.layoutSize + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, o, s, _opts, path) => encodeMemory(w, o, s, path),
  spans: (s, base, path) => {
    const spans = (s.layoutSize === MEMORY_LENGTH ? MEMORY_LAYOUT : MEMORY_LEGACY_LAYOUT).spans(base, path);
    if (s.trailing !== undefined && s.trailing.length > 0) spans.push({ offset: base + s.layoutSize, length: hexByteLength(s.trailing), path: `${path}/trailing`, name: 'trailing' });
    return spans;
  },
});
