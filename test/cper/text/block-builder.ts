import { guidToBytes } from '../../../src/binary';

/** Hand-built status blocks for the text tests: explicit little-endian bytes, nothing derived from src. */

export function le(size: number, fields: Array<[offset: number, width: 1 | 2 | 4 | 8, value: number | bigint]>): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  for (const [o, w, v] of fields) {
    if (w === 1) dv.setUint8(o, Number(v));
    else if (w === 2) dv.setUint16(o, Number(v), true);
    else if (w === 4) dv.setUint32(o, Number(v), true);
    else dv.setBigUint64(o, BigInt(v), true);
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface EntrySpec {
  guid: string;
  body: Uint8Array;
  severity?: number;
  /** 0x0300 (72-byte header with timestamp) unless given */
  revision?: number;
  validation?: number;
  flags?: number;
  fruId?: string;
  fruText?: string;
  /** 8 raw timestamp bytes (BCD) */
  timestamp?: number[];
  /** overrides body.length in the header */
  errorDataLength?: number;
}

/** A Generic Error Data Entry (64-byte header, or 72 with the v3 timestamp) followed by its body. */
export function entry(s: EntrySpec): Uint8Array {
  const revision = s.revision ?? 0x0300;
  const headerSize = revision >> 8 >= 3 ? 72 : 64;
  const h = le(headerSize, [
    [16, 4, s.severity ?? 0],
    [20, 2, revision],
    [22, 1, s.validation ?? 0],
    [23, 1, s.flags ?? 0],
    [24, 4, s.errorDataLength ?? s.body.length],
  ]);
  h.set(guidToBytes(s.guid), 0);
  if (s.fruId) h.set(guidToBytes(s.fruId), 28);
  if (s.fruText) for (let i = 0; i < s.fruText.length && i < 20; i++) h[44 + i] = s.fruText.charCodeAt(i);
  if (s.timestamp && headerSize === 72) h.set(s.timestamp, 64);
  return concat(h, s.body);
}

export interface BlockSpec {
  entries: Uint8Array[];
  status?: number;
  severity?: number;
  dataLength?: number;
  rawDataOffset?: number;
  rawDataLength?: number;
  /** bytes appended after the entries (raw data, padding) */
  tail?: Uint8Array;
}

/** A Generic Error Status Block: 20-byte header + entries (+ tail). */
export function block(s: BlockSpec): Uint8Array {
  const data = concat(...s.entries);
  const h = le(20, [
    [0, 4, s.status ?? 1],
    [4, 4, s.rawDataOffset ?? 0],
    [8, 4, s.rawDataLength ?? 0],
    [12, 4, s.dataLength ?? data.length],
    [16, 4, s.severity ?? 0],
  ]);
  return concat(h, data, s.tail ?? new Uint8Array(0));
}

export const GUID = {
  processorGeneric: '9876ccad-47b4-4bdb-b65e-16f193c4f3db',
  ia32x64: 'dc3ea0b0-a144-4797-b95b-53fa242b6e1d',
  arm: 'e19e3d16-bc11-11e4-9caa-c2051d5d46b0',
  memory: 'a5bc1114-6f64-4ede-b863-3e83ed7c83b1',
  pcie: 'd995e954-bbc1-430f-ad91-b44dcb3c6f35',
  firmwareReference: '81212a96-09ed-4996-9471-8d729c8e69ed',
  cxlProtocol: '80b9efb4-52b5-4de3-a777-68784b771048',
  cxlGeneralMedia: 'fbcd0a77-c260-417f-85a9-088b1621eba6',
  vendor: '12345678-9abc-def0-1122-334455667788',
} as const;

/** `{1}[Hardware Error]: ` */
export const P = '{1}[Hardware Error]: ';

/** The lines before the section body that every one-section record starts with. */
export function recordHead(sev = 'recoverable'): string[] {
  return [`${P}Hardware error from APEI Generic Hardware Error Source: 0`, `${P}event severity: ${sev}`, `${P} Error 0, type: ${sev}`];
}

export interface ArmErrorInfoSpec {
  validation?: number;
  type: number;
  multipleError?: number;
  flags?: number;
  errorInfo?: bigint;
  virtualAddress?: bigint;
  physicalAddress?: bigint;
}

/** One 32-byte ARM error-information entry. */
export function armErrorInfo(e: ArmErrorInfoSpec): Uint8Array {
  return le(32, [
    [1, 1, 32],
    [2, 2, e.validation ?? 0],
    [4, 1, e.type],
    [5, 2, e.multipleError ?? 0],
    [7, 1, e.flags ?? 0],
    [8, 8, e.errorInfo ?? 0n],
    [16, 8, e.virtualAddress ?? 0n],
    [24, 8, e.physicalAddress ?? 0n],
  ]);
}

/** One ARM register context: 8-byte header + register bytes. */
export function armContext(type: number, registers: Uint8Array, size = registers.length): Uint8Array {
  return concat(le(8, [[2, 2, type], [4, 4, size]]), registers);
}

export interface ArmSectionSpec {
  validation?: number;
  errorInfo?: Uint8Array[];
  contexts?: Uint8Array[];
  vendor?: Uint8Array;
  /** overrides the computed section length */
  sectionLength?: number;
  /** overrides the entry count */
  errInfoNum?: number;
  contextInfoNum?: number;
  affinityLevel?: number;
  mpidr?: bigint;
  midr?: bigint;
  runningState?: number;
  psciState?: number;
}

/** An ARM processor section body. */
export function armSection(s: ArmSectionSpec): Uint8Array {
  const infos = s.errorInfo ?? [];
  const ctxs = s.contexts ?? [];
  const tail = concat(...infos, ...ctxs, s.vendor ?? new Uint8Array(0));
  const h = le(40, [
    [0, 4, s.validation ?? 0],
    [4, 2, s.errInfoNum ?? infos.length],
    [6, 2, s.contextInfoNum ?? ctxs.length],
    [8, 4, s.sectionLength ?? 40 + tail.length],
    [12, 1, s.affinityLevel ?? 0],
    [16, 8, s.mpidr ?? 0n],
    [24, 8, s.midr ?? 0n],
    [32, 4, s.runningState ?? 0],
    [36, 4, s.psciState ?? 0],
  ]);
  return concat(h, tail);
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function guidBytes(g: string): Uint8Array {
  return guidToBytes(g);
}
