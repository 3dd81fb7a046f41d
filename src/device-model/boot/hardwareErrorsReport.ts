import { RasgwError, hexPad } from '../../binary';
import type { PhysicalMemoryReader } from '../../acpi/TableSet';
import { GenericHardwareErrorSource } from '../../hest/GenericHardwareErrorSource';
import { decodeHest } from '../../hest/Hest';
import { notifyTypeName } from '../../hest/NotificationStructure';

/**
 * The state of every GHES/GHESv2 source as a guest sees it, found the guest's way: HEST entry →
 * Error Status Address register → block; GHESv2 read-ack register. Used by `rasgw dump
 * --hardware-errors`. A register or block outside guest RAM is reported per source, not thrown.
 *
 * Block status word (ACPI Generic Error Status Block): bit 0 uncorrectable error valid, bit 1
 * correctable error valid, bit 2 multiple uncorrectable, bit 3 multiple correctable, bits 4-13
 * error data entry count.
 */
export interface SourceStateReport {
  index: number;
  sourceId: number;
  /** 9 GHES, 10 GHESv2 */
  type: number;
  notificationType: number;
  notificationName: string;
  errorStatusAddressRegister: bigint;
  blockLength: number;
  blockAddress?: bigint;
  readAckRegister?: bigint;
  readAck?: bigint;
  readAckPreserve?: bigint;
  readAckWrite?: bigint;
  blockStatus?: {
    raw: number;
    uncorrectable: boolean;
    correctable: boolean;
    multipleUncorrectable: boolean;
    multipleCorrectable: boolean;
    entryCount: number;
  };
  rawDataOffset?: number;
  rawDataLength?: number;
  dataLength?: number;
  errorSeverity?: number;
  /** why a register or the block could not be read */
  error?: string;
}

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

export function reportSourceStates(memory: PhysicalMemoryReader, hestBytes: Uint8Array): SourceStateReport[] {
  const hest = decodeHest(hestBytes, { verifyChecksum: false });
  const readU64 = (a: bigint) => new DataView(memory.read(a, 8).buffer).getBigUint64(0, true);
  const out: SourceStateReport[] = [];
  hest.sources.forEach((s, index) => {
    if (!(s instanceof GenericHardwareErrorSource)) return;
    const r: SourceStateReport = {
      index,
      sourceId: s.sourceId,
      type: s.type,
      notificationType: s.notification.type,
      notificationName: notifyTypeName(s.notification.type),
      errorStatusAddressRegister: s.errorStatusAddress.address,
      blockLength: s.errorStatusBlockLength,
    };
    try {
      if (s.readAck) {
        r.readAckRegister = s.readAck.register.address;
        r.readAckPreserve = s.readAck.preserve;
        r.readAckWrite = s.readAck.write;
        r.readAck = readU64(s.readAck.register.address);
      }
      r.blockAddress = readU64(s.errorStatusAddress.address);
      const head = memory.read(r.blockAddress, 20);
      const raw = u32(head, 0);
      r.blockStatus = {
        raw,
        uncorrectable: (raw & 1) !== 0,
        correctable: (raw & 2) !== 0,
        multipleUncorrectable: (raw & 4) !== 0,
        multipleCorrectable: (raw & 8) !== 0,
        entryCount: (raw >>> 4) & 0x3ff,
      };
      r.rawDataOffset = u32(head, 4);
      r.rawDataLength = u32(head, 8);
      r.dataLength = u32(head, 12);
      r.errorSeverity = u32(head, 16);
    } catch (e) {
      if (!(e instanceof RasgwError)) throw e;
      r.error = e.message;
    }
    out.push(r);
  });
  return out;
}

const SEVERITY = ['recoverable', 'fatal', 'corrected', 'informational'];

/** Text form, one block of lines per source. */
export function formatSourceStates(reports: readonly SourceStateReport[]): string {
  const h = (v: bigint) => hexPad(v, 16);
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`source ${r.sourceId} (HEST entry ${r.index}, ${r.type === 10 ? 'GHESv2' : 'GHES'}, notify ${r.notificationName} ${r.notificationType}, block ${r.blockLength} bytes)`);
    lines.push(`  error status address register ${h(r.errorStatusAddressRegister)} = ${r.blockAddress === undefined ? '?' : h(r.blockAddress)}`);
    if (r.readAckRegister !== undefined) {
      lines.push(
        `  read ack register             ${h(r.readAckRegister)} = ${r.readAck === undefined ? '?' : hexPad(r.readAck, 16)} (preserve ${hexPad(r.readAckPreserve!, 16)}, write ${hexPad(r.readAckWrite!, 1)})`,
      );
    }
    if (r.blockStatus) {
      const b = r.blockStatus;
      const flags = [b.uncorrectable && 'uncorrectable', b.correctable && 'correctable', b.multipleUncorrectable && 'multiple-uncorrectable', b.multipleCorrectable && 'multiple-correctable'].filter(Boolean);
      lines.push(
        `  block status ${hexPad(b.raw, 8)} ${flags.length ? flags.join(',') : 'empty'}, entries ${b.entryCount}; data length ${r.dataLength}, raw data ${r.rawDataLength} at ${r.rawDataOffset}, severity ${r.errorSeverity} (${SEVERITY[r.errorSeverity!] ?? 'unknown'})`,
      );
    }
    if (r.error) lines.push(`  unreadable: ${r.error}`);
  }
  return lines.map((l) => l + '\n').join('');
}
