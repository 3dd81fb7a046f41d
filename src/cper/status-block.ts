import { Parser } from 'binary-parser';
import { z } from 'zod';
import { ByteReader } from '../binary/ByteReader';
import { ByteWriter } from '../binary/ByteWriter';
import { EncodeError } from '../binary/errors';
import { compileParser } from './compiled-parser';
import { fieldWriter } from './wire-write';
import { toHex } from '../binary/hexdump';
import { blockStatusInput, BlockStatus, completeBlockStatus, decodeBlockStatus } from './block-status';
import {
  completeDataEntry,
  DATA_ENTRY_HEADER_V2,
  dataEntryByteLength,
  dataEntryHeaderLength,
  dataEntryInput,
  decodeDataEntry,
  encodeDataEntry,
  GenericErrorDataEntry,
} from './data-entry';
import { EnumValue, enumField, uint } from './json/fields';
import { HexString, hexField, writeHex } from './sections/section-body-fields';
import { CperOptions, DEFAULT_CPER_OPTIONS } from './sections/SectionCodec';
import { SEVERITY, severity as severityValue, severityOf } from './severity';
import { lazy } from './json/lazy';

/**
 * Generic Error Status Block (ACPI 18.3.2.7), the structure firmware (here: the device model)
 * writes into guest memory for a GHES error source:
 *   0 BlockStatus u32 · 4 RawDataOffset u32 (from the block start) · 8 RawDataLength u32 ·
 *   12 DataLength u32 (all data entries, headers and bodies) · 16 ErrorSeverity u32,
 * then the Generic Error Data Entries back to back, then (optionally, at RawDataOffset) raw data.
 *
 * Decoding applies Linux's structural checks (cper_estatus_check_header / cper_estatus_check):
 * DataLength is 0 or at least 64; with raw data, RawDataOffset ≥ 20 + DataLength; the entries,
 * each a 64- or 72-byte header plus ErrorDataLength, consume DataLength exactly. All length sums
 * are done in plain (53-bit safe) arithmetic, so no u32 wraparound can shrink an entry to nothing.
 * Every byte is kept: the bytes between the entries and the raw data (`gap`) and the bytes after
 * the block's length (`trailing`, e.g. the rest of a 1 KiB QEMU block), so encode(decode(b)) = b.
 */

export const STATUS_BLOCK_HEADER_LENGTH = 20;

export interface GenericErrorStatusBlock {
  blockStatus: BlockStatus;
  /** kept as found; meaningful only when rawDataLength ≠ 0 (QEMU writes 0) */
  rawDataOffset: number;
  rawDataLength: number;
  /** sum of the entries' lengths */
  dataLength: number;
  errorSeverity: EnumValue;
  entries: GenericErrorDataEntry[];
  /** bytes between the end of the entries and rawDataOffset (raw data present only) */
  gap?: HexString;
  rawData?: HexString;
  /** bytes after the block (the block length is rawDataOffset + rawDataLength with raw data, else 20 + dataLength) */
  trailing?: HexString;
}

interface HeaderFields {
  blockStatus: number;
  rawDataOffset: number;
  rawDataLength: number;
  dataLength: number;
  errorSeverity: number;
}

const headerParser = new Parser()
  .endianness('little')
  .uint32('blockStatus')
  .uint32('rawDataOffset')
  .uint32('rawDataLength')
  .uint32('dataLength')
  .uint32('errorSeverity');

const readHeader = compileParser<HeaderFields>(headerParser, STATUS_BLOCK_HEADER_LENGTH);

/** The block length Linux computes (cper_estatus_len), without u32 wraparound. */
export function statusBlockLength(rawDataOffset: number, rawDataLength: number, dataLength: number): number {
  return rawDataLength !== 0 ? rawDataOffset + rawDataLength : STATUS_BLOCK_HEADER_LENGTH + dataLength;
}

export function decodeStatusBlockFrom(r: ByteReader, opts: CperOptions = DEFAULT_CPER_OPTIONS): GenericErrorStatusBlock {
  const h = readHeader(r, 0, '');
  if (h.dataLength !== 0 && h.dataLength < DATA_ENTRY_HEADER_V2) {
    throw r.error('bad_length', 12, 'dataLength', `data length ${h.dataLength} is neither 0 nor large enough for one 64-byte entry header`);
  }
  const dataEnd = STATUS_BLOCK_HEADER_LENGTH + h.dataLength;
  if (dataEnd > r.length) {
    throw r.error('bad_length', 12, 'dataLength', `data length ${h.dataLength} (0x${h.dataLength.toString(16)}) runs past the ${r.length} bytes present (the entries would end at ${dataEnd})`);
  }
  if (h.rawDataLength !== 0) {
    if (h.rawDataOffset < dataEnd) {
      throw r.error('bad_offset', 4, 'rawDataOffset', `raw data offset ${h.rawDataOffset} lies inside the header or the entries (they end at ${dataEnd})`);
    }
    if (h.rawDataOffset + h.rawDataLength > r.length) {
      throw r.error('bad_length', 8, 'rawDataLength', `raw data ${h.rawDataOffset} + ${h.rawDataLength} runs past the ${r.length} bytes present`);
    }
  }
  const data = r.sub(STATUS_BLOCK_HEADER_LENGTH, h.dataLength, 'entries');
  const entries: GenericErrorDataEntry[] = [];
  let pos = 0;
  while (pos < h.dataLength) {
    const left = h.dataLength - pos;
    const index = entries.length;
    if (left < DATA_ENTRY_HEADER_V2) {
      throw data.error('bad_length', pos, index, `${left} byte(s) of data length remain, less than a 64-byte entry header`);
    }
    const revision = data.u16(pos + 20, `[${index}].revision`);
    const header = dataEntryHeaderLength(revision);
    if (header > left) {
      throw data.error('bad_length', pos + 20, `[${index}].revision`, `revision 0x${revision.toString(16)} has a ${header}-byte header but only ${left} byte(s) of data length remain`);
    }
    const bodyLength = data.u32(pos + 24, `[${index}].errorDataLength`);
    if (header + bodyLength > left) {
      throw data.error('bad_length', pos + 24, `[${index}].errorDataLength`, `error data length ${bodyLength} (0x${bodyLength.toString(16)}) + ${header}-byte header exceeds the ${left} byte(s) of data length left`);
    }
    entries.push(decodeDataEntry(data, pos, index, opts));
    pos += header + bodyLength;
  }
  const block: GenericErrorStatusBlock = {
    blockStatus: decodeBlockStatus(h.blockStatus),
    rawDataOffset: h.rawDataOffset,
    rawDataLength: h.rawDataLength,
    dataLength: h.dataLength,
    errorSeverity: severityValue(h.errorSeverity),
    entries,
  };
  const end = statusBlockLength(h.rawDataOffset, h.rawDataLength, h.dataLength);
  if (h.rawDataLength !== 0) {
    if (h.rawDataOffset > dataEnd) block.gap = toHex(r.bytesAt(dataEnd, h.rawDataOffset - dataEnd, 'gap'));
    block.rawData = toHex(r.bytesAt(h.rawDataOffset, h.rawDataLength, 'rawData'));
  }
  if (end < r.length) block.trailing = toHex(r.bytesAt(end, r.length - end, 'trailing'));
  return block;
}

const hexLength = (h: HexString | undefined) => (h === undefined ? 0 : h.length >>> 1);

/** How many `entries[i]` / `entries[i].section` path strings are made once and reused. */
const CACHED_ENTRY_PATHS = 256;
const entryPaths: string[] = [];
const entrySectionPaths: string[] = [];
for (let i = 0; i < CACHED_ENTRY_PATHS; i++) {
  entryPaths.push(`entries[${i}]`);
  entrySectionPaths.push(`entries[${i}].section`);
}
const entryPath = (i: number) => (i < CACHED_ENTRY_PATHS ? entryPaths[i] : `entries[${i}]`);
const entrySectionPath = (i: number) => (i < CACHED_ENTRY_PATHS ? entrySectionPaths[i] : `entries[${i}].section`);

/** Sum of the entries' encoded lengths. */
export function entriesLength(entries: GenericErrorDataEntry[], opts: CperOptions): number {
  let n = 0;
  for (let i = 0; i < entries.length; i++) n += dataEntryByteLength(entries[i], opts, entryPath(i));
  return n;
}

function fail(path: string, message: string, offset?: number): never {
  throw new EncodeError({ code: 'bad_length', path, message, offset });
}

/** Encoded size, trailing bytes included. Checks the model's length fields against its content. */
export function statusBlockByteLength(b: GenericErrorStatusBlock, opts: CperOptions = DEFAULT_CPER_OPTIONS): number {
  const dataLength = entriesLength(b.entries, opts);
  if (b.dataLength !== dataLength) fail('dataLength', `dataLength ${b.dataLength} but the entries encode to ${dataLength} bytes`, 12);
  const rawLength = hexLength(b.rawData);
  if (b.rawDataLength !== rawLength) fail('rawDataLength', `rawDataLength ${b.rawDataLength} but rawData holds ${rawLength} bytes`, 8);
  const dataEnd = STATUS_BLOCK_HEADER_LENGTH + dataLength;
  if (rawLength === 0) {
    if (hexLength(b.gap) !== 0) fail('gap', 'a gap before the raw data needs raw data', 4);
    return dataEnd + hexLength(b.trailing);
  }
  if (b.rawDataOffset !== dataEnd + hexLength(b.gap)) {
    throw new EncodeError({ code: 'bad_offset', offset: 4, path: 'rawDataOffset', message: `rawDataOffset ${b.rawDataOffset} must be the end of the entries (${dataEnd}) plus the ${hexLength(b.gap)}-byte gap` });
  }
  return b.rawDataOffset + rawLength + hexLength(b.trailing);
}

export function encodeStatusBlockTo(b: GenericErrorStatusBlock, opts: CperOptions = DEFAULT_CPER_OPTIONS): Uint8Array {
  const total = statusBlockByteLength(b, opts);
  const w = new ByteWriter(total);
  fieldWriter(w)
    .u32(0, b.blockStatus.raw, '', 'blockStatus')
    .u32(4, b.rawDataOffset, '', 'rawDataOffset')
    .u32(8, b.rawDataLength, '', 'rawDataLength')
    .u32(12, b.dataLength, '', 'dataLength')
    .u32(16, b.errorSeverity.value, '', 'errorSeverity');
  let pos = STATUS_BLOCK_HEADER_LENGTH;
  for (let i = 0; i < b.entries.length; i++) pos += encodeDataEntry(w, pos, b.entries[i], opts, entryPath(i), entrySectionPath(i));
  if (b.gap !== undefined) pos += writeHex(w, pos, b.gap, 'gap');
  if (b.rawData !== undefined) pos += writeHex(w, pos, b.rawData, 'rawData');
  if (b.trailing !== undefined) writeHex(w, pos, b.trailing, 'trailing');
  return w.bytes;
}

/** JSON input of a status block; derived fields are optional and checked when given. */
export const statusBlockInput = lazy(() => z
  .strictObject({
    blockStatus: blockStatusInput().optional(),
    rawDataOffset: uint(32).optional(),
    rawDataLength: uint(32).optional(),
    dataLength: uint(32).optional(),
    errorSeverity: enumField(SEVERITY, 32).optional(),
    entries: z.array(dataEntryInput()).optional(),
    gap: hexField().optional(),
    rawData: hexField().optional(),
    trailing: hexField().optional(),
  })
  .transform((v, ctx): GenericErrorStatusBlock => {
    const opts = DEFAULT_CPER_OPTIONS;
    const entries: GenericErrorDataEntry[] = [];
    const inputs = v.entries ?? [];
    const errorSeverity = severityOf(v.errorSeverity, inputs.map((e) => e.errorSeverity));
    if (errorSeverity === undefined) {
      ctx.addIssue({ code: 'custom', path: ['errorSeverity'], message: 'errorSeverity is required when no entry gives errorSeverity' });
      return z.NEVER;
    }
    for (let i = 0; i < inputs.length; i++) {
      const e = completeDataEntry(inputs[i], errorSeverity, opts);
      if (!('section' in e)) {
        ctx.addIssue({ code: 'custom', path: ['entries', i, ...e.path], message: e.message });
        return z.NEVER;
      }
      entries.push(e);
    }
    const given = v.blockStatus;
    const countGiven = typeof given === 'number' || (given !== undefined && (given.raw !== undefined || given.entryCount !== undefined));
    if (!countGiven && entries.length > 0xff) {
      ctx.addIssue({ code: 'custom', path: ['blockStatus', 'entryCount'], message: `${entries.length} entries do not fit the 8-bit entry count ACPICA reads; give blockStatus.entryCount explicitly` });
      return z.NEVER;
    }
    const dataLength = entriesLength(entries, opts);
    if (v.dataLength !== undefined && v.dataLength !== dataLength) {
      ctx.addIssue({ code: 'custom', path: ['dataLength'], message: `dataLength ${v.dataLength} but the entries encode to ${dataLength} bytes` });
      return z.NEVER;
    }
    const rawData = v.rawData !== undefined && v.rawData.length > 0 ? v.rawData : undefined;
    const rawLength = hexLength(rawData);
    if (v.rawDataLength !== undefined && v.rawDataLength !== rawLength) {
      ctx.addIssue({ code: 'custom', path: ['rawDataLength'], message: `rawDataLength ${v.rawDataLength} but rawData holds ${rawLength} bytes` });
      return z.NEVER;
    }
    const dataEnd = STATUS_BLOCK_HEADER_LENGTH + dataLength;
    let rawDataOffset = v.rawDataOffset ?? 0;
    let gap = v.gap !== undefined && v.gap.length > 0 ? v.gap : undefined;
    if (rawData === undefined) {
      if (gap !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['gap'], message: 'a gap before the raw data needs rawData' });
        return z.NEVER;
      }
    } else if (v.rawDataOffset === undefined) {
      rawDataOffset = dataEnd + hexLength(gap);
    } else {
      if (rawDataOffset < dataEnd) {
        ctx.addIssue({ code: 'custom', path: ['rawDataOffset'], message: `rawDataOffset ${rawDataOffset} lies inside the header or the entries (they end at ${dataEnd})` });
        return z.NEVER;
      }
      if (gap !== undefined && hexLength(gap) !== rawDataOffset - dataEnd) {
        ctx.addIssue({ code: 'custom', path: ['gap'], message: `rawDataOffset ${rawDataOffset} leaves ${rawDataOffset - dataEnd} byte(s) after the entries, gap has ${hexLength(gap)}` });
        return z.NEVER;
      }
      if (gap === undefined && rawDataOffset > dataEnd) gap = '00'.repeat(rawDataOffset - dataEnd);
    }
    const block: GenericErrorStatusBlock = {
      blockStatus: completeBlockStatus(given, errorSeverity.value, entries.length),
      rawDataOffset,
      rawDataLength: rawLength,
      dataLength,
      errorSeverity,
      entries,
    };
    if (gap !== undefined) block.gap = gap;
    if (rawData !== undefined) block.rawData = rawData;
    if (v.trailing !== undefined && v.trailing.length > 0) block.trailing = v.trailing;
    return block;
  }));
