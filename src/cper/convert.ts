import { DecodeError, EncodeError } from '../binary/errors';
import { readU32LE } from '../binary/le';
import { CPER_HEADER_LENGTH, CPER_REVISION, CPER_SIGNATURE, CPER_SIGNATURE_END } from './record';
import { SECTION_DESCRIPTOR_LENGTH, SECTION_DESCRIPTOR_REVISION } from './section-descriptor';
import { STATUS_BLOCK_HEADER_LENGTH, statusBlockLength } from './status-block';

/**
 * CPER record ⇄ Generic Error Status Block, byte to byte, the way firmware wraps a record's
 * sections for a GHES source (and the way our Linux oracles were fed):
 *
 * record → block: one revision-0x0300 data entry (72-byte header) per section descriptor, in
 * descriptor order, each with the descriptor's section type, severity, flags (low 8 bits; the
 * descriptor's are 32 bits, an entry's 8), FRU id and FRU text with their valid bits (0, 1), and
 * the record timestamp (valid bit 2) when the record says its timestamp is valid; then the body
 * bytes as they are. Block severity = record severity; block status = correctable (bit 1) for a
 * corrected record, else uncorrectable (bit 0); no raw data.
 *
 * block → record: the reverse. One descriptor per entry (revision 0x0100), bodies packed after
 * the descriptors in entry order; record severity = block severity; the record timestamp is the
 * first entry's timestamp that has its valid bit set (valid bit 1 of the record then set); the
 * identifiers, record id, flags and persistence information are 0.
 *
 * Both directions copy section bodies without decoding them, so any body, well-formed or not,
 * goes through unchanged; only the containers' own structure is checked (typed DecodeError with
 * byte offset and field path). A block whose entries are all revision ≥ 0x0300 with a status word
 * as above and no raw data survives block → record → block byte for byte; a record with null
 * identifiers, record id 0 and packed bodies survives record → block → record.
 */

export interface RecordToBlockOptions {
  /** refuse a block larger than this (the target source's error block length) */
  maxBlockLength?: number;
  /** names the target in the refusal message, e.g. `source 0 of VM vm1` */
  target?: string;
}

export const WRAPPED_ENTRY_REVISION = 0x0300;
const ENTRY_HEADER_V3 = 72;
const ENTRY_HEADER_V2 = 64;

const le16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}

function bad(code: 'truncated' | 'bad_signature' | 'bad_length' | 'bad_offset' | 'bad_value', offset: number | undefined, path: string, message: string): never {
  throw new DecodeError({ code, offset, path, message });
}

interface RecordSection {
  offset: number;
  length: number;
  descriptor: number;
}

/** Checks the record's header and descriptors; returns where each body is. */
function recordSections(bytes: Uint8Array): { count: number; recordLength: number; sections: RecordSection[] } {
  if (bytes.length < CPER_HEADER_LENGTH) bad('truncated', 0, '', `a CPER record has a 128-byte header, the input has ${bytes.length} bytes`);
  if (readU32LE(bytes, 0) !== CPER_SIGNATURE) bad('bad_signature', 0, 'signatureStart', 'record does not start with "CPER"');
  if (readU32LE(bytes, 6) !== CPER_SIGNATURE_END) bad('bad_signature', 6, 'signatureEnd', `signature end is 0x${readU32LE(bytes, 6).toString(16)}, must be 0xffffffff`);
  const count = le16(bytes, 10);
  const recordLength = readU32LE(bytes, 20);
  const descriptorsEnd = CPER_HEADER_LENGTH + count * SECTION_DESCRIPTOR_LENGTH;
  if (recordLength > bytes.length) bad('bad_length', 20, 'recordLength', `record length ${recordLength} runs past the ${bytes.length} bytes present`);
  if (descriptorsEnd > recordLength) bad('bad_length', 10, 'sectionCount', `${count} section descriptor(s) need ${descriptorsEnd} bytes, the record length is ${recordLength}`);
  const sections: RecordSection[] = [];
  for (let i = 0; i < count; i++) {
    const d = CPER_HEADER_LENGTH + i * SECTION_DESCRIPTOR_LENGTH;
    const offset = readU32LE(bytes, d);
    const length = readU32LE(bytes, d + 4);
    if (offset < descriptorsEnd) bad('bad_offset', d, `sections[${i}].sectionOffset`, `section offset ${offset} lies inside the header or the descriptors (they end at ${descriptorsEnd})`);
    if (offset + length > recordLength) bad('bad_length', d + 4, `sections[${i}].sectionLength`, `section ${offset} + ${length} runs past the record length ${recordLength}`);
    sections.push({ offset, length, descriptor: d });
  }
  return { count, recordLength, sections };
}

/** Size of the status block `recordToStatusBlock` makes from a record (checks the record). */
export function wrappedBlockLength(record: Uint8Array): number {
  return blockLengthFor(recordSections(record).sections);
}

/** The status block header, then one revision-0x0300 entry header and body per section. */
function blockLengthFor(sections: readonly RecordSection[]): number {
  return STATUS_BLOCK_HEADER_LENGTH + sections.reduce((n, s) => n + ENTRY_HEADER_V3 + s.length, 0);
}

/** Wraps a CPER record's sections into a Generic Error Status Block (see the module comment). */
export function recordToStatusBlock(record: Uint8Array, opts: RecordToBlockOptions = {}): Uint8Array {
  const { sections } = recordSections(record);
  const total = blockLengthFor(sections);
  if (opts.maxBlockLength !== undefined && total > opts.maxBlockLength) {
    throw new EncodeError({
      code: 'bad_length',
      path: '',
      message: `the record's ${sections.length} section(s) make a ${total}-byte status block, larger than the ${opts.maxBlockLength}-byte error block of ${opts.target ?? 'the target source'}`,
    });
  }
  const severity = readU32LE(record, 12);
  const timestampValid = (readU32LE(record, 16) & 2) !== 0;
  const out = new Uint8Array(total);
  put32(out, 0, severity === 2 ? 2 : 1);
  put32(out, 4, 0);
  put32(out, 8, 0);
  put32(out, 12, total - STATUS_BLOCK_HEADER_LENGTH);
  put32(out, 16, severity);
  let pos = STATUS_BLOCK_HEADER_LENGTH;
  for (const s of sections) {
    const d = s.descriptor;
    out.set(record.subarray(d + 16, d + 32), pos); // section type
    out.set(record.subarray(d + 48, d + 52), pos + 16); // severity
    put16(out, pos + 20, WRAPPED_ENTRY_REVISION);
    out[pos + 22] = (record[d + 10] & 3) | (timestampValid ? 4 : 0);
    out[pos + 23] = record[d + 12]; // flags, low 8 bits
    put32(out, pos + 24, s.length);
    out.set(record.subarray(d + 32, d + 48), pos + 28); // FRU id
    out.set(record.subarray(d + 52, d + 72), pos + 44); // FRU text
    if (timestampValid) out.set(record.subarray(24, 32), pos + 64);
    out.set(record.subarray(s.offset, s.offset + s.length), pos + ENTRY_HEADER_V3);
    pos += ENTRY_HEADER_V3 + s.length;
  }
  return out;
}

interface BlockEntry {
  at: number;
  header: number;
  length: number;
}

/** Checks the block's header and entry walk (Linux's rules); returns where each entry is. */
function blockEntries(bytes: Uint8Array): BlockEntry[] {
  if (bytes.length < STATUS_BLOCK_HEADER_LENGTH) bad('truncated', 0, '', `a status block has a 20-byte header, the input has ${bytes.length} bytes`);
  const rawDataOffset = readU32LE(bytes, 4);
  const rawDataLength = readU32LE(bytes, 8);
  const dataLength = readU32LE(bytes, 12);
  if (rawDataLength !== 0) {
    bad('bad_value', 8, 'rawDataLength', `the block carries ${rawDataLength} bytes of raw data at ${rawDataOffset}, which a CPER record has no place for`);
  }
  const end = statusBlockLength(rawDataOffset, rawDataLength, dataLength);
  if (end > bytes.length) bad('bad_length', 12, 'dataLength', `data length ${dataLength} runs past the ${bytes.length} bytes present (the entries would end at ${end})`);
  const entries: BlockEntry[] = [];
  let pos = STATUS_BLOCK_HEADER_LENGTH;
  while (pos < end) {
    const i = entries.length;
    const left = end - pos;
    if (left < ENTRY_HEADER_V2) bad('bad_length', pos, `entries[${i}]`, `${left} byte(s) of data length remain, less than a 64-byte entry header`);
    const revision = le16(bytes, pos + 20);
    const header = revision >>> 8 >= 3 ? ENTRY_HEADER_V3 : ENTRY_HEADER_V2;
    if (header > left) bad('bad_length', pos + 20, `entries[${i}].revision`, `revision 0x${revision.toString(16)} has a ${header}-byte header but only ${left} byte(s) of data length remain`);
    const length = readU32LE(bytes, pos + 24);
    if (header + length > left) {
      bad('bad_length', pos + 24, `entries[${i}].errorDataLength`, `error data length ${length} + ${header}-byte header exceeds the ${left} byte(s) of data length left`);
    }
    entries.push({ at: pos, header, length });
    pos += header + length;
  }
  if (entries.length > 0xffff) bad('bad_value', 12, 'dataLength', `${entries.length} entries do not fit a record's 16-bit section count`);
  return entries;
}

/** Unwraps a Generic Error Status Block into a CPER record (see the module comment). */
export function statusBlockToRecord(block: Uint8Array): Uint8Array {
  const entries = blockEntries(block);
  const descriptorsEnd = CPER_HEADER_LENGTH + entries.length * SECTION_DESCRIPTOR_LENGTH;
  const total = descriptorsEnd + entries.reduce((n, e) => n + e.length, 0);
  if (total > 0xffff_ffff) bad('bad_length', 12, 'dataLength', `the record would be ${total} bytes, more than a 32-bit record length`);
  const out = new Uint8Array(total);
  put32(out, 0, CPER_SIGNATURE);
  put16(out, 4, CPER_REVISION);
  put32(out, 6, CPER_SIGNATURE_END);
  put16(out, 10, entries.length);
  out.set(block.subarray(16, 20), 12); // severity
  const stamped = entries.find((e) => e.header === ENTRY_HEADER_V3 && (block[e.at + 22] & 4) !== 0);
  put32(out, 16, stamped === undefined ? 0 : 2);
  put32(out, 20, total);
  if (stamped !== undefined) out.set(block.subarray(stamped.at + 64, stamped.at + 72), 24);
  let body = descriptorsEnd;
  entries.forEach((e, i) => {
    const d = CPER_HEADER_LENGTH + i * SECTION_DESCRIPTOR_LENGTH;
    put32(out, d, body);
    put32(out, d + 4, e.length);
    put16(out, d + 8, SECTION_DESCRIPTOR_REVISION);
    out[d + 10] = block[e.at + 22] & 3;
    out[d + 12] = block[e.at + 23];
    out.set(block.subarray(e.at, e.at + 16), d + 16); // section type
    out.set(block.subarray(e.at + 28, e.at + 44), d + 32); // FRU id
    out.set(block.subarray(e.at + 16, e.at + 20), d + 48); // severity
    out.set(block.subarray(e.at + 44, e.at + 64), d + 52); // FRU text
    out.set(block.subarray(e.at + e.header, e.at + e.header + e.length), body);
    body += e.length;
  });
  return out;
}
