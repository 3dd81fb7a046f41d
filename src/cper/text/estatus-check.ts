import { ByteReader, DecodeError, RasgwErrorCode, readU32LE } from '../../binary';
import { FW_WARN, GHES_PFX } from './kernel-log';

/**
 * Linux's validation of a Generic Error Status Block, as pure functions over bytes:
 * cper_estatus_len, cper_estatus_check_header, cper_estatus_check (drivers/firmware/efi/cper.c)
 * and the GHES gate __ghes_check_estatus / __ghes_read_estatus (drivers/acpi/apei/ghes.c).
 * The guest kernel and the text renderer both call these, so a block is accepted or refused for
 * exactly the reasons Linux has.
 *
 * Arithmetic is Linux's: lengths are u32 and wrap. One documented departure: Linux adds an entry's
 * header size and error_data_length as C ints, so error_data_length 0xFFFFFFC0 (64-byte header) or
 * 0xFFFFFFB8 (72-byte header) gives a record size of 0 and cper_estatus_check loops forever on the
 * same entry. Here that case is refused (reason `zero-record-size`) instead of hanging. Every other
 * wrapped size is handled as Linux handles it: the walk then steps by the small wrapped size.
 */

/** sizeof(struct acpi_hest_generic_status) */
export const ESTATUS_HEADER_SIZE = 20;
/** sizeof(struct acpi_hest_generic_data) */
export const GDATA_HEADER_SIZE = 64;
/** sizeof(struct acpi_hest_generic_data_v300): the v3 entry adds a u64 timestamp */
export const GDATA_V300_HEADER_SIZE = 72;
/** GHES_ESTATUS_MAX_SIZE: the largest buffer GHES allocates for one block */
export const GHES_ESTATUS_MAX_SIZE = 65536;

/** The five u32 fields of the status block header. */
export interface EstatusHeader {
  blockStatus: number;
  rawDataOffset: number;
  rawDataLength: number;
  dataLength: number;
  errorSeverity: number;
}

/** Reads the 20-byte header at `offset` (DecodeError `truncated` when fewer bytes are present). */
export function readEstatusHeader(bytes: Uint8Array, offset = 0): EstatusHeader {
  if (offset >= 0 && offset + ESTATUS_HEADER_SIZE <= bytes.length) {
    // all 20 bytes present: plain reads (the bounded reader below only reports a truncation)
    return {
      blockStatus: readU32LE(bytes, offset),
      rawDataOffset: readU32LE(bytes, offset + 4),
      rawDataLength: readU32LE(bytes, offset + 8),
      dataLength: readU32LE(bytes, offset + 12),
      errorSeverity: readU32LE(bytes, offset + 16),
    };
  }
  const r = new ByteReader(bytes, 0, bytes.length, 'header');
  return {
    blockStatus: r.u32(offset, 'blockStatus'),
    rawDataOffset: r.u32(offset + 4, 'rawDataOffset'),
    rawDataLength: r.u32(offset + 8, 'rawDataLength'),
    dataLength: r.u32(offset + 12, 'dataLength'),
    errorSeverity: r.u32(offset + 16, 'errorSeverity'),
  };
}

/** `entries[N]`, built only for a failure report. */
function entryPath(index: number): string {
  return `entries[${index}]`;
}

function headerOf(h: EstatusHeader | Uint8Array): EstatusHeader {
  return h instanceof Uint8Array ? readEstatusHeader(h) : h;
}

/**
 * cper_estatus_len: raw_data_offset + raw_data_length when there is raw data, else 20 + data_length,
 * both in u32 arithmetic (so the sum can wrap to a small number).
 */
export function estatusLength(header: EstatusHeader | Uint8Array): number {
  const h = headerOf(header);
  return h.rawDataLength ? (h.rawDataOffset + h.rawDataLength) >>> 0 : (ESTATUS_HEADER_SIZE + h.dataLength) >>> 0;
}

export type EstatusCheckReason =
  /** data_length is neither 0 nor at least one 64-byte entry header */
  | 'data-length-too-small'
  /** raw data starts before the end of the data entries */
  | 'raw-data-overlap'
  /** fewer bytes remain of data_length than the entry header needs */
  | 'entry-header-beyond-data'
  /** the entry (header + error_data_length) is longer than what remains of data_length */
  | 'entry-beyond-data'
  /** header size + error_data_length wraps to 0: Linux would loop forever here */
  | 'zero-record-size'
  /** the entries do not add up to exactly data_length */
  | 'data-length-mismatch'
  /** the bytes given end before the field being checked */
  | 'truncated';

export interface EstatusCheckFailure {
  ok: false;
  reason: EstatusCheckReason;
  code: RasgwErrorCode;
  /** absolute byte offset of the offending field */
  offset: number;
  path: string;
  message: string;
}

export type EstatusHeaderCheck = { ok: true } | EstatusCheckFailure;
export type EstatusCheck = { ok: true; sections: number } | EstatusCheckFailure;

function fail(reason: EstatusCheckReason, code: RasgwErrorCode, offset: number, path: string, message: string): EstatusCheckFailure {
  return { ok: false, reason, code, offset, path, message };
}

/** cper_estatus_check_header. */
export function checkEstatusHeader(header: EstatusHeader | Uint8Array): EstatusHeaderCheck {
  const h = headerOf(header);
  if (h.dataLength && h.dataLength < GDATA_HEADER_SIZE) {
    return fail('data-length-too-small', 'bad_length', 12, 'dataLength', `data_length ${h.dataLength} is below one ${GDATA_HEADER_SIZE}-byte entry header`);
  }
  // sizeof(*estatus) + data_length is size_t arithmetic in Linux: no wrap.
  if (h.rawDataLength && h.rawDataOffset < ESTATUS_HEADER_SIZE + h.dataLength) {
    return fail('raw-data-overlap', 'bad_offset', 4, 'rawDataOffset', `raw_data_offset ${h.rawDataOffset} lies inside the data entries (which end at ${ESTATUS_HEADER_SIZE + h.dataLength})`);
  }
  return { ok: true };
}

/** One step of apei_estatus_for_each_section. */
export interface EstatusSectionRef {
  index: number;
  /** absolute offset of the entry header */
  offset: number;
  revision: number;
  /** 64, or 72 when the revision's major byte is ≥ 3 */
  headerSize: number;
  /** absolute offset of the section body */
  payloadOffset: number;
  errorDataLength: number;
  /** header size + error_data_length in Linux's int arithmetic, read back as u32 */
  recordSize: number;
}

/** acpi_hest_get_size: the v3 header when revision >> 8 ≥ 3. */
export function entryHeaderSize(revision: number): number {
  return revision >> 8 >= 3 ? GDATA_V300_HEADER_SIZE : GDATA_HEADER_SIZE;
}

/**
 * cper_estatus_check: the header check, then the entry walk from offset 20 while fewer than
 * data_length bytes have been walked. Each entry must fit in what remains of data_length, and the
 * entries must use it up exactly. `bytes` holds the block from its first byte.
 */
export function checkEstatus(bytes: Uint8Array): EstatusCheck {
  let h: EstatusHeader;
  try {
    h = readEstatusHeader(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return fail('truncated', 'truncated', e.offset ?? 0, e.path, e.message);
    throw e;
  }
  const header = checkEstatusHeader(h);
  if (!header.ok) return header;
  let remaining = h.dataLength;
  let pos = ESTATUS_HEADER_SIZE;
  let index = 0;
  while (pos - ESTATUS_HEADER_SIZE < h.dataLength) {
    // Both header sizes exceed what remains: Linux fails here whatever revision it reads, so the
    // revision (possibly past the record) need not be read.
    if (remaining < GDATA_HEADER_SIZE) {
      return fail('entry-header-beyond-data', 'bad_length', pos, entryPath(index), `entry header needs ${GDATA_HEADER_SIZE} bytes but only ${remaining} byte(s) of data_length remain`);
    }
    if (pos < 0 || pos + 22 > bytes.length) {
      return fail('truncated', 'truncated', Math.max(0, pos), `${entryPath(index)}.revision`, `entry header at ${pos} runs past the ${bytes.length} bytes present`);
    }
    const revision = bytes[pos + 20] | (bytes[pos + 21] << 8);
    const size = entryHeaderSize(revision);
    if (size > remaining) {
      return fail('entry-header-beyond-data', 'bad_length', pos, entryPath(index), `${size}-byte entry header but only ${remaining} byte(s) of data_length remain`);
    }
    if (pos + 28 > bytes.length) {
      return fail('truncated', 'truncated', pos + 24, `${entryPath(index)}.errorDataLength`, `entry header at ${pos} runs past the ${bytes.length} bytes present`);
    }
    const edl = readU32LE(bytes, pos + 24);
    // int + int in C, then held in an unsigned int: the u32 of the wrapped sum.
    const step = (size + edl) | 0;
    const recordSize = step >>> 0;
    if (recordSize > remaining) {
      return fail('entry-beyond-data', 'bad_length', pos + 24, `${entryPath(index)}.errorDataLength`, `entry needs ${size} + ${edl} bytes but only ${remaining} byte(s) of data_length remain`);
    }
    if (recordSize === 0) {
      return fail('zero-record-size', 'overflow', pos + 24, `${entryPath(index)}.errorDataLength`, `error_data_length 0x${edl.toString(16)} + ${size}-byte header wraps to 0 (Linux loops forever on this entry)`);
    }
    remaining -= recordSize;
    pos += step;
    index++;
  }
  if (remaining) {
    return fail('data-length-mismatch', 'bad_length', 12, 'dataLength', `entries use ${h.dataLength - remaining} of data_length ${h.dataLength} bytes`);
  }
  return { ok: true, sections: index };
}

/**
 * The entries of a block that passed `checkEstatus`, in Linux's walk order (same stepping, so a
 * wrapped error_data_length walks the same overlapping entries Linux walks).
 */
export function estatusSections(bytes: Uint8Array, header: EstatusHeader = readEstatusHeader(bytes)): EstatusSectionRef[] {
  // the bounded reader only reports a field past the bytes: made when one is
  let reader: ByteReader | undefined;
  const r = () => (reader ??= new ByteReader(bytes));
  const out: EstatusSectionRef[] = [];
  let pos = ESTATUS_HEADER_SIZE;
  while (pos - ESTATUS_HEADER_SIZE < header.dataLength) {
    // field paths are built only when a read would fail
    const revision = pos >= 0 && pos + 22 <= bytes.length ? bytes[pos + 20] | (bytes[pos + 21] << 8) : r().u16(pos + 20, `entries[${out.length}].revision`);
    const headerSize = entryHeaderSize(revision);
    const errorDataLength = pos >= 0 && pos + 28 <= bytes.length ? readU32LE(bytes, pos + 24) : r().u32(pos + 24, `entries[${out.length}].errorDataLength`);
    const step = (headerSize + errorDataLength) | 0;
    if (step === 0) throw r().error('overflow', pos + 24, `entries[${out.length}].errorDataLength`, 'record size wraps to 0');
    out.push({ index: out.length, offset: pos, revision, headerSize, payloadOffset: pos + headerSize, errorDataLength, recordSize: step >>> 0 });
    pos += step;
  }
  return out;
}

/** Why GHES refused a block, with the exact console line. */
export type GhesRejectReason = 'truncated' | 'invalid-length' | 'invalid-header' | 'read-failed';

export const GHES_MESSAGES: Readonly<Record<GhesRejectReason, string>> = {
  truncated: `${FW_WARN}${GHES_PFX}Truncated error status block!`,
  'invalid-length': `${FW_WARN}${GHES_PFX}Invalid error status block length!`,
  'invalid-header': `${FW_WARN}${GHES_PFX}Invalid CPER header!`,
  'read-failed': `${FW_WARN}${GHES_PFX}Failed to read error status block!`,
};

export type GhesBlockCheck = { ok: true; length: number } | { ok: false; reason: GhesRejectReason; message: string };

/**
 * __ghes_check_estatus: len = cper_estatus_len; len < 20 → "Truncated error status block!";
 * len == 0 or len > min(error_block_length, buffer) → "Invalid error status block length!";
 * header check fails → "Invalid CPER header!". The buffer is GHES's allocation, at most 64 KiB
 * (pass Infinity for kernels before the Jan 2026 fix, which compared with error_block_length only).
 */
export function ghesCheckBlock(header: EstatusHeader | Uint8Array, errorBlockLength: number, bufferCap = GHES_ESTATUS_MAX_SIZE): GhesBlockCheck {
  const h = headerOf(header);
  const len = estatusLength(h);
  const max = Math.min(errorBlockLength, bufferCap);
  if (len < ESTATUS_HEADER_SIZE) return { ok: false, reason: 'truncated', message: GHES_MESSAGES.truncated };
  if (!len || len > max) return { ok: false, reason: 'invalid-length', message: GHES_MESSAGES['invalid-length'] };
  if (!checkEstatusHeader(h).ok) return { ok: false, reason: 'invalid-header', message: GHES_MESSAGES['invalid-header'] };
  return { ok: true, length: len };
}

export type GhesReadResult =
  /** block_status is 0: nothing pending, nothing printed, nothing cleared */
  | { status: 'empty' }
  | { status: 'rejected'; reason: GhesRejectReason; message: string; check?: EstatusCheckFailure }
  /** the record Linux copies: the first `length` bytes of the block */
  | { status: 'ok'; length: number; header: EstatusHeader; record: Uint8Array };

/**
 * __ghes_peek_estatus + __ghes_check_estatus + copy + cper_estatus_check, over the bytes of the
 * error status block (`block` starts at the block's first byte). When the record is longer than the
 * bytes given, the copy cannot be made: "Failed to read error status block!".
 */
export function ghesReadEstatus(block: Uint8Array, errorBlockLength: number, bufferCap = GHES_ESTATUS_MAX_SIZE): GhesReadResult {
  if (block.length < ESTATUS_HEADER_SIZE) return { status: 'rejected', reason: 'read-failed', message: GHES_MESSAGES['read-failed'] };
  const header = readEstatusHeader(block);
  if (header.blockStatus === 0) return { status: 'empty' };
  const gate = ghesCheckBlock(header, errorBlockLength, bufferCap);
  if (!gate.ok) return { status: 'rejected', reason: gate.reason, message: gate.message };
  if (gate.length > block.length) return { status: 'rejected', reason: 'read-failed', message: GHES_MESSAGES['read-failed'] };
  const record = block.subarray(0, gate.length);
  const check = checkEstatus(record);
  if (!check.ok) return { status: 'rejected', reason: 'read-failed', message: GHES_MESSAGES['read-failed'], check };
  return { status: 'ok', length: gate.length, header, record };
}
