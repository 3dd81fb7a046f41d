import { safeDecodeStatusBlock, statusBlockToJson } from './index';
import { DATA_ENTRY_HEADER_V2, dataEntryHeaderLength } from './data-entry';
import { STATUS_BLOCK_HEADER_LENGTH, statusBlockLength } from './status-block';

/**
 * Byte → field spans of a Generic Error Status Block, for hex views that name the field under a
 * byte (the web console's hover). Each span is `[offset, offset + length)` of the block, the JSON
 * pointer of the field in the decoded JSON form (`GET /vms/{id}/records`, `rasgw decode`) and a
 * readable name.
 *
 * The offsets are the ones the decoders read (status-block.ts, data-entry.ts and the section
 * codecs in sections/: the layout comments at the top of each file). The decoded JSON form
 * supplies the structure (entry headers, error-info and context counts, register names); when
 * the codec refuses the bytes, the header and the entry headers are still named from the raw
 * lengths, and each entry body is one span. Spans never overlap, are sorted by offset and lie
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

const BLOCK_HEADER: Layout = [
  [0, 4, 'blockStatus', 'Block Status'],
  [4, 4, 'rawDataOffset', 'Raw Data Offset'],
  [8, 4, 'rawDataLength', 'Raw Data Length'],
  [12, 4, 'dataLength', 'Data Length'],
  [16, 4, 'errorSeverity', 'Error Severity'],
];

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

const ARM_HEADER: Layout = [
  [0, 4, 'validationBits', 'Validation Bits'],
  [4, 2, 'errorInfoCount', 'Error Info Num'],
  [6, 2, 'contextInfoCount', 'Context Info Num'],
  [8, 4, 'sectionLength', 'Section Length'],
  [12, 1, 'errorAffinityLevel', 'Error Affinity Level'],
  [13, 3, 'reserved', 'Reserved'],
  [16, 8, 'mpidr', 'MPIDR_EL1'],
  [24, 8, 'midr', 'MIDR_EL1'],
  [32, 4, 'runningState', 'Running State'],
  [36, 4, 'psciState', 'PSCI State'],
];
const ARM_HEADER_LENGTH = 40;

const ARM_ERROR_INFO: Layout = [
  [0, 1, 'version', 'Version'],
  [1, 1, 'length', 'Length'],
  [2, 2, 'validationBits', 'Validation Bits'],
  [4, 1, 'type', 'Type'],
  [5, 2, 'multipleError', 'Multiple Error'],
  [7, 1, 'flags', 'Flags'],
  [8, 8, 'errorInformation', 'Error Information'],
  [16, 8, 'virtualFaultAddress', 'Virtual Fault Address'],
  [24, 8, 'physicalFaultAddress', 'Physical Fault Address'],
];
const ARM_ERROR_INFO_LENGTH = 32;

const ARM_CONTEXT_HEADER: Layout = [
  [0, 2, 'version', 'Version'],
  [2, 2, 'registerContextType', 'Register Context Type'],
  [4, 4, 'registerArraySize', 'Register Array Size'],
];
const ARM_CONTEXT_HEADER_LENGTH = 8;

const MEMORY_COMMON: Layout = [
  [0, 8, 'validationBits', 'Validation Bits'],
  [8, 8, 'errorStatus', 'Error Status'],
  [16, 8, 'physicalAddress', 'Physical Address'],
  [24, 8, 'physicalAddressMask', 'Physical Address Mask'],
  [32, 2, 'node', 'Node'],
  [34, 2, 'card', 'Card'],
  [36, 2, 'module', 'Module'],
  [38, 2, 'bank', 'Bank'],
];

const MEMORY: Layout = [
  ...MEMORY_COMMON,
  [40, 2, 'device', 'Device'],
  [42, 2, 'row', 'Row'],
  [44, 2, 'column', 'Column'],
  [46, 2, 'bitPosition', 'Bit Position'],
  [48, 8, 'requestorId', 'Requestor ID'],
  [56, 8, 'responderId', 'Responder ID'],
  [64, 8, 'targetId', 'Target ID'],
  [72, 1, 'memoryErrorType', 'Memory Error Type'],
  [73, 1, 'extended', 'Extended'],
  [74, 2, 'rankNumber', 'Rank Number'],
  [76, 2, 'cardHandle', 'Card Handle'],
  [78, 2, 'moduleHandle', 'Module Handle'],
];

const MEMORY2: Layout = [
  ...MEMORY_COMMON,
  [40, 4, 'device', 'Device'],
  [44, 4, 'row', 'Row'],
  [48, 4, 'column', 'Column'],
  [52, 4, 'rank', 'Rank'],
  [56, 4, 'bitPosition', 'Bit Position'],
  [60, 1, 'chipId', 'Chip ID'],
  [61, 1, 'memoryErrorType', 'Memory Error Type'],
  [62, 1, 'status', 'Status'],
  [63, 1, 'reserved', 'Reserved'],
  [64, 8, 'requestorId', 'Requestor ID'],
  [72, 8, 'responderId', 'Responder ID'],
  [80, 8, 'targetId', 'Target ID'],
  [88, 4, 'cardHandle', 'Card Handle'],
  [92, 4, 'moduleHandle', 'Module Handle'],
];

const PCIE: Layout = [
  [0, 8, 'validationBits', 'Validation Bits'],
  [8, 4, 'portType', 'Port Type'],
  [12, 4, 'version', 'Version'],
  [16, 2, 'command', 'Command'],
  [18, 2, 'status', 'Status'],
  [20, 4, 'rcrbHighAddress', 'RCRB High Address'],
  [24, 2, 'deviceId/vendorId', 'Vendor ID'],
  [26, 2, 'deviceId/deviceId', 'Device ID'],
  [28, 3, 'deviceId/classCode', 'Class Code'],
  [31, 1, 'deviceId/function', 'Function'],
  [32, 1, 'deviceId/device', 'Device'],
  [33, 2, 'deviceId/segment', 'Segment'],
  [35, 1, 'deviceId/primaryBus', 'Primary Bus'],
  [36, 1, 'deviceId/secondaryBus', 'Secondary Bus'],
  [37, 2, 'deviceId/slot', 'Slot'],
  [39, 1, 'deviceId/reserved', 'Reserved'],
  [40, 8, 'serialNumber', 'Serial Number'],
  [48, 2, 'bridgeControlStatus/secondaryStatus', 'Secondary Status'],
  [50, 2, 'bridgeControlStatus/control', 'Bridge Control'],
  [52, 60, 'capabilityStructure', 'PCIe Capability Structure'],
  [112, 96, 'aerInfo', 'AER Extended Capability'],
];

const PROCESSOR_GENERIC: Layout = [
  [0, 8, 'validationBits', 'Validation Bits'],
  [8, 1, 'processorType', 'Processor Type'],
  [9, 1, 'isa', 'ISA'],
  [10, 1, 'errorType', 'Error Type'],
  [11, 1, 'operation', 'Operation'],
  [12, 1, 'flags', 'Flags'],
  [13, 1, 'level', 'Level'],
  [14, 2, 'reserved', 'Reserved'],
  [16, 8, 'cpuVersion', 'CPU Version'],
  [24, 128, 'brandString', 'Brand String'],
  [152, 8, 'processorId', 'Processor ID'],
  [160, 8, 'targetAddress', 'Target Address'],
  [168, 8, 'requestorId', 'Requestor ID'],
  [176, 8, 'responderId', 'Responder ID'],
  [184, 8, 'instructionIp', 'Instruction IP'],
];

const FIRMWARE_REFERENCE: Layout = [
  [0, 1, 'recordType', 'Record Type'],
  [1, 1, 'revision', 'Revision'],
  [2, 6, 'reserved', 'Reserved'],
  [8, 8, 'recordIdentifier', 'Record Identifier'],
  [16, 16, 'recordIdentifierGuid', 'Record Identifier GUID'],
];

/** Section bodies with a fixed layout, by the JSON form's section `type`. */
const SECTION_LAYOUTS: Record<string, Layout> = {
  memory: MEMORY,
  memory2: MEMORY2,
  pcie: PCIE,
  processorGeneric: PROCESSOR_GENERIC,
  firmwareErrorRecordReference: FIRMWARE_REFERENCE,
};

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

function armSpans(s: SpanList, body: number, length: number, section: Json, pointer: string): void {
  s.layout(body, length, ARM_HEADER, pointer, '');
  let pos = ARM_HEADER_LENGTH;
  const infos = Array.isArray(section.errorInfo) ? (section.errorInfo as Json[]) : [];
  infos.forEach((_info, i) => {
    s.layout(body + pos, length - pos, ARM_ERROR_INFO, `${pointer}/errorInfo/${i}`, `Error Info ${i}`);
    pos += ARM_ERROR_INFO_LENGTH;
  });
  const contexts = Array.isArray(section.contexts) ? (section.contexts as Json[]) : [];
  contexts.forEach((c, i) => {
    const at = `${pointer}/contexts/${i}`;
    s.layout(body + pos, length - pos, ARM_CONTEXT_HEADER, at, `Context ${i}`);
    const size = typeof c.registerArraySize === 'number' ? c.registerArraySize : 0;
    const start = pos + ARM_CONTEXT_HEADER_LENGTH;
    const type = (c.registerContextType as Json | undefined)?.value;
    const regs = c.registers;
    if (regs && typeof regs === 'object' && !Array.isArray(regs) && type !== 8) {
      // fixed-layout context types: one u64 per named register, in table order
      Object.keys(regs as Json).forEach((name, k) => s.add(body + start + 8 * k, 8, `${at}/registers/${name}`, `Context ${i} ${name}`));
    } else if (size > 0) {
      s.add(body + start, size, `${at}/${c.registerArray !== undefined ? 'registerArray' : 'registers'}`, `Context ${i} Register Array`);
    }
    pos = start + size;
  });
  if (pos < length && section.vendorSpecific !== undefined) s.add(body + pos, length - pos, `${pointer}/vendorSpecific`, 'Vendor Specific');
}

function sectionSpans(s: SpanList, body: number, length: number, section: Json | undefined, pointer: string): void {
  const type = typeof section?.type === 'string' ? section.type : undefined;
  if (section && type === 'arm') return armSpans(s, body, length, section, pointer);
  const layout = type !== undefined ? SECTION_LAYOUTS[type] : undefined;
  if (layout) {
    s.layout(body, length, layout, pointer, '');
    return;
  }
  // other section types (and bodies the codec refused): the body as one field
  const key = section && 'data' in section ? '/data' : '';
  s.add(body, length, `${pointer}${key}`, 'Section Body');
}

/**
 * The field spans of the status block at the start of `bytes` (bytes after the block's length are
 * one `/trailing` span when the decoded form keeps them).
 */
export function statusBlockFieldSpans(bytes: Uint8Array): FieldSpan[] {
  const s = new SpanList(bytes.length);
  if (bytes.length === 0) return s.spans;
  s.layout(0, bytes.length, BLOCK_HEADER, '', '');
  if (bytes.length < STATUS_BLOCK_HEADER_LENGTH) return s.spans;

  const decoded = safeDecodeStatusBlock(bytes);
  const json = decoded.success ? (statusBlockToJson(decoded.data) as Json) : undefined;
  const entries = json && Array.isArray(json.entries) ? (json.entries as Json[]) : undefined;

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
    sectionSpans(s, body, length, entries?.[i]?.section as Json | undefined, `${pointer}/section`);
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
