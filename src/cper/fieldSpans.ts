import { safeDecodeStatusBlock, statusBlockToJson } from './index';
import { DATA_ENTRY_HEADER_V2, dataEntryHeaderLength } from './data-entry';
import { STATUS_BLOCK_HEADER_LENGTH, statusBlockLength } from './status-block';
import { titleWords, u32 as u32Row } from './layout/fields';
import { layout } from './layout/layout';
import type { TableSectionCodec } from './layout/section';
import { SectionModel, sectionCodecByGuid } from './sections';
import { ARM_HEADER_LAYOUT, ARM_HEADER_LENGTH, ArmSection } from './sections/arm';
import { ARM_CONTEXT_HEADER_LENGTH, ARM_CONTEXT_LAYOUTS } from './sections/arm-context';
import { ARM_ERROR_INFO_LAYOUT, ARM_ERROR_INFO_LENGTH } from './sections/arm-error-info';

/**
 * Byte → field spans of a Generic Error Status Block, for hex views that name the field under a
 * byte (the web console's hover). Each span is `[offset, offset + length)` of the block, the JSON
 * pointer of the field in the decoded JSON form (`GET /vms/{id}/records`, `rasgw decode`) and a
 * readable name.
 *
 * The block and entry header offsets are the ones status-block.ts and data-entry.ts read; a
 * section body's spans are derived from the section's layout tables (sections/, layout/) through
 * its codec's `spans`, with the decoded model for the counts; when the codec refuses the bytes,
 * the header and the entry headers are still named from the raw lengths, and each entry body is
 * one span. Spans never overlap, are sorted by offset and lie
 * inside the bytes given; bytes no field covers have no span.
 */
export interface FieldSpan {
  offset: number;
  length: number;
  /** JSON pointer into the decoded JSON form */
  path: string;
  name: string;
}

type Layout = ReadonlyArray<readonly [offset: number, length: number, key: string, name: string]>;

/** The status block header (status-block.ts): five u32 words, named in words from the table. */
const BLOCK_HEADER = layout('status block header', 20, [
  u32Row('blockStatus', 0),
  u32Row('rawDataOffset', 4),
  u32Row('rawDataLength', 8),
  u32Row('dataLength', 12),
  u32Row('errorSeverity', 16),
]);

const ENTRY_HEADER: Layout = [
  [0, 16, 'section/guid', 'Section Type GUID'],
  [16, 4, 'errorSeverity', 'Error Severity'],
  [20, 2, 'revision', 'Revision'],
  [22, 1, 'validationBits', 'Validation Bits'],
  [23, 1, 'flags', 'Flags'],
  [24, 4, 'errorDataLength', 'Error Data Length'],
  [28, 16, 'fruId', 'FRU Id'],
  [44, 20, 'fruText', 'FRU Text'],
  [64, 8, 'timestamp', 'Timestamp'],
];

type Json = Record<string, unknown>;

class SpanList {
  readonly spans: FieldSpan[] = [];
  constructor(private readonly size: number) {}

  /** Adds a span clipped to the bytes present; nothing when it starts past them. */
  add(offset: number, length: number, path: string, name: string): void {
    if (length <= 0 || offset >= this.size) return;
    this.spans.push({ offset, length: Math.min(length, this.size - offset), path, name });
  }

  /** The fields of `layout` at `base`, those that end within `limit` bytes of it. */
  layout(base: number, limit: number, layout: Layout, pointer: string, prefix: string): void {
    for (const [off, len, key, name] of layout) {
      if (off + len <= limit) this.add(base + off, len, `${pointer}/${key}`, prefix ? `${prefix} ${name}` : name);
    }
  }
}

function u16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * The words of a field span's path below the section, as a name prefix: each item of an array is
 * "<array in words> <index>" ("errorInfo/0" → "Error Info 0").
 */
function itemPrefix(rel: string): string {
  const parts = rel.split('/').filter((p) => p !== '');
  const words: string[] = [];
  for (let i = 1; i < parts.length; i++) if (/^\d+$/.test(parts[i])) words.push(`${titleWords(parts[i - 1])} ${parts[i]}`);
  return words.join(' ');
}

const ARM_CONTEXT_HEADER: Layout = [
  [0, 2, 'version', 'Version'],
  [2, 2, 'registerContextType', 'Register Context Type'],
  [4, 4, 'registerArraySize', 'Register Array Size'],
];

/** ARM contexts: an 8-byte header, then named registers (fixed-layout types) or one register array. */
function armContextSpans(s: SpanList, body: number, length: number, section: ArmSection, pointer: string): void {
  let pos = ARM_HEADER_LENGTH + ARM_ERROR_INFO_LENGTH * section.errorInfo.length;
  section.contexts.forEach((c, i) => {
    const at = `${pointer}/contexts/${i}`;
    for (const [off, len, key, name] of ARM_CONTEXT_HEADER) if (pos + off + len <= length) s.add(body + pos + off, len, `${at}/${key}`, `Context ${i} ${name}`);
    const start = pos + ARM_CONTEXT_HEADER_LENGTH;
    if (c.registers !== undefined) {
      const width = ARM_CONTEXT_LAYOUTS[c.registerContextType.value]?.width ?? 8;
      Object.keys(c.registers).forEach((name, k) => s.add(body + start + width * k, width, `${at}/registers/${name}`, `Context ${i} ${name}`));
    } else if (c.registerArraySize > 0) {
      s.add(body + start, c.registerArraySize, `${at}/${c.registerArray !== undefined ? 'registerArray' : 'miscRegisters'}`, `Context ${i} Register Array`);
    }
    pos = start + c.registerArraySize;
  });
  if (pos < length && section.vendorSpecific !== undefined) s.add(body + pos, length - pos, `${pointer}/vendorSpecific`, 'Vendor Specific');
}

/**
 * The spans of one section body: derived from the section's layout tables (the codec's `spans`;
 * for ARM, its header and error-info tables, the contexts added by hand since their register
 * layout depends on the context type); a section without tables, or one the codec refused, is
 * one span.
 */
function sectionSpans(s: SpanList, body: number, length: number, section: SectionModel | undefined, pointer: string): void {
  const codec = section === undefined || section.type === 'unknown' ? undefined : (sectionCodecByGuid(section.guid) as Partial<TableSectionCodec<SectionModel>> | undefined);
  if (section !== undefined && codec?.spans !== undefined) {
    for (const sp of codec.spans(section, body, pointer)) {
      if (sp.offset + sp.length > body + length) continue;
      const prefix = itemPrefix(sp.path.slice(pointer.length));
      s.add(sp.offset, sp.length, sp.path, prefix === '' ? sp.name : `${prefix} ${sp.name}`);
    }
    return;
  }
  if (section?.type === 'arm') {
    const arm = section as ArmSection;
    for (const sp of [...ARM_HEADER_LAYOUT.spans(body, pointer), ...ARM_ERROR_INFO_LAYOUT.itemSpans(body + ARM_HEADER_LENGTH, arm.errorInfo.length, `${pointer}/errorInfo`)]) {
      if (sp.offset + sp.length > body + length) continue;
      const prefix = itemPrefix(sp.path.slice(pointer.length));
      s.add(sp.offset, sp.length, sp.path, prefix === '' ? sp.name : `${prefix} ${sp.name}`);
    }
    armContextSpans(s, body, length, arm, pointer);
    return;
  }
  // other section types (and bodies the codec refused): the body as one field
  s.add(body, length, `${pointer}${section?.type === 'unknown' ? '/data' : ''}`, 'Section Body');
}

/**
 * The field spans of the status block at the start of `bytes` (bytes after the block's length are
 * one `/trailing` span when the decoded form keeps them).
 */
export function statusBlockFieldSpans(bytes: Uint8Array): FieldSpan[] {
  const s = new SpanList(bytes.length);
  if (bytes.length === 0) return s.spans;
  for (const sp of BLOCK_HEADER.spans(0, '')) if (sp.offset + sp.length <= bytes.length) s.add(sp.offset, sp.length, sp.path, sp.name);
  if (bytes.length < STATUS_BLOCK_HEADER_LENGTH) return s.spans;

  const decoded = safeDecodeStatusBlock(bytes);
  const json = decoded.success ? (statusBlockToJson(decoded.data) as Json) : undefined;
  const entries = decoded.success ? decoded.data.entries : undefined;

  const rawDataOffset = u32(bytes, 4);
  const rawDataLength = u32(bytes, 8);
  const dataLength = u32(bytes, 12);
  const dataEnd = Math.min(STATUS_BLOCK_HEADER_LENGTH + dataLength, bytes.length);
  let pos = STATUS_BLOCK_HEADER_LENGTH;
  for (let i = 0; pos + DATA_ENTRY_HEADER_V2 <= dataEnd; i++) {
    const header = dataEntryHeaderLength(u16(bytes, pos + 20));
    const bodyLength = u32(bytes, pos + 24);
    const pointer = `/entries/${i}`;
    const layout = header === DATA_ENTRY_HEADER_V2 ? ENTRY_HEADER.filter(([off]) => off < DATA_ENTRY_HEADER_V2) : ENTRY_HEADER;
    s.layout(pos, dataEnd - pos, layout, pointer, `Entry ${i}`);
    const body = pos + header;
    const length = Math.min(bodyLength, dataEnd - body);
    if (length <= 0) break;
    sectionSpans(s, body, length, entries?.[i]?.section, `${pointer}/section`);
    pos = body + bodyLength;
  }

  if (json) {
    const end = statusBlockLength(rawDataOffset, rawDataLength, dataLength);
    if (rawDataLength !== 0) {
      if (json.gap !== undefined) s.add(dataEnd, rawDataOffset - dataEnd, '/gap', 'Gap before Raw Data');
      s.add(rawDataOffset, rawDataLength, '/rawData', 'Raw Data');
    }
    if (json.trailing !== undefined) s.add(end, bytes.length - end, '/trailing', 'Bytes after the Block');
  }
  return s.spans.sort((a, b) => a.offset - b.offset);
}

/** The span that holds byte `offset`, if any (spans sorted, as statusBlockFieldSpans returns them). */
export function fieldAt(spans: readonly FieldSpan[], offset: number): FieldSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const sp = spans[mid];
    if (offset < sp.offset) hi = mid - 1;
    else if (offset >= sp.offset + sp.length) lo = mid + 1;
    else return sp;
  }
  return undefined;
}
