import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { EncodeError, joinPath } from '../binary/errors';
import { decodeGenericAddress, GAS_ADDRESS_OFFSET, GenericAddress } from '../acpi/GenericAddress';
import { decodeNotification, HardwareErrorNotification } from './NotificationStructure';

/** Offsets inside a GHES/GHESv2 entry. */
export const GHES_OFFSETS = {
  relatedSourceId: 4,
  errorStatusAddress: 20,
  /** the u64 inside the Error Status Address GAS (QEMU patches it with ADD_POINTER) */
  errorStatusAddressValue: 20 + GAS_ADDRESS_OFFSET,
  notification: 32,
  errorStatusBlockLength: 60,
  readAckRegister: 64,
  /** the u64 inside the Read Ack Register GAS */
  readAckRegisterValue: 64 + GAS_ADDRESS_OFFSET,
  readAckPreserve: 76,
  readAckWrite: 84,
} as const;

export const GHES_LENGTH = 64;
export const GHES_V2_LENGTH = 92;
/** RelatedSourceId value meaning "this source does not supply data for another one". */
export const NO_RELATED_SOURCE = 0xffff;

/** GHESv2 read-acknowledge: after reading a block, OSPM writes (value & (Preserve << off)) | (Write << off). */
export interface ReadAck {
  register: GenericAddress;
  preserve: bigint;
  write: bigint;
}

export interface GenericHardwareErrorSourceFields {
  /** 9 = GHES, 10 = GHESv2 (requires `readAck`) */
  type: 9 | 10;
  sourceId: number;
  relatedSourceId?: number;
  /** byte 6: reserved (EDK calls it Flags); written 0 */
  reserved?: number;
  enabled: number;
  recordsToPreallocate: number;
  maxSectionsPerRecord: number;
  maxRawDataLength: number;
  /** points to an 8-byte register that holds the status block address (not to the block itself) */
  errorStatusAddress: GenericAddress;
  notification: HardwareErrorNotification;
  errorStatusBlockLength: number;
  readAck?: ReadAck;
}

/**
 * Types 9 (Generic Hardware Error Source, 64 bytes) and 10 (GHESv2, 92 bytes).
 * 0 Type · 2 SourceId · 4 RelatedSourceId u16 · 6 Reserved · 7 Enabled · 8 RecordsToPreallocate
 * u32 · 12 MaxSectionsPerRecord u32 · 16 MaxRawDataLength u32 · 20 ErrorStatusAddress GAS · 32
 * Notification (28) · 60 ErrorStatusBlockLength u32; GHESv2 adds 64 ReadAckRegister GAS · 76
 * ReadAckPreserve u64 · 84 ReadAckWrite u64.
 */
export class GenericHardwareErrorSource implements Encodable {
  readonly type: 9 | 10;
  readonly sourceId: number;
  readonly relatedSourceId: number;
  readonly reserved: number;
  readonly enabled: number;
  readonly recordsToPreallocate: number;
  readonly maxSectionsPerRecord: number;
  readonly maxRawDataLength: number;
  readonly errorStatusAddress: GenericAddress;
  readonly notification: HardwareErrorNotification;
  readonly errorStatusBlockLength: number;
  readonly readAck?: ReadAck;

  constructor(f: GenericHardwareErrorSourceFields) {
    this.type = f.type;
    this.sourceId = f.sourceId;
    this.relatedSourceId = f.relatedSourceId ?? NO_RELATED_SOURCE;
    this.reserved = f.reserved ?? 0;
    this.enabled = f.enabled;
    this.recordsToPreallocate = f.recordsToPreallocate;
    this.maxSectionsPerRecord = f.maxSectionsPerRecord;
    this.maxRawDataLength = f.maxRawDataLength;
    this.errorStatusAddress = f.errorStatusAddress;
    this.notification = f.notification;
    this.errorStatusBlockLength = f.errorStatusBlockLength;
    this.readAck = f.readAck;
  }

  get byteLength(): number {
    return this.type === 10 ? GHES_V2_LENGTH : GHES_LENGTH;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    w.u16(offset + 0, this.type, p('type'));
    w.u16(offset + 2, this.sourceId, p('sourceId'));
    w.u16(offset + 4, this.relatedSourceId, p('relatedSourceId'));
    w.u8(offset + 6, this.reserved, p('reserved'));
    w.u8(offset + 7, this.enabled, p('enabled'));
    w.u32(offset + 8, this.recordsToPreallocate, p('recordsToPreallocate'));
    w.u32(offset + 12, this.maxSectionsPerRecord, p('maxSectionsPerRecord'));
    w.u32(offset + 16, this.maxRawDataLength, p('maxRawDataLength'));
    this.errorStatusAddress.writeTo(w, offset + 20, p('errorStatusAddress'));
    this.notification.writeTo(w, offset + 32, p('notification'));
    w.u32(offset + 60, this.errorStatusBlockLength, p('errorStatusBlockLength'));
    if (this.type === 10) {
      const ack = this.readAck;
      if (!ack) throw new EncodeError({ code: 'bad_value', path: p('readAck'), message: 'a GHESv2 (type 10) source needs a read-ack register, preserve and write mask' });
      ack.register.writeTo(w, offset + 64, p('readAck.register'));
      w.u64(offset + 76, ack.preserve, p('readAck.preserve'));
      w.u64(offset + 84, ack.write, p('readAck.write'));
    }
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      type: { value: this.type, name: this.type === 10 ? 'ghesV2' : 'ghes' },
      sourceId: this.sourceId,
      relatedSourceId: this.relatedSourceId,
      reserved: this.reserved,
      enabled: this.enabled,
      recordsToPreallocate: this.recordsToPreallocate,
      maxSectionsPerRecord: this.maxSectionsPerRecord,
      maxRawDataLength: this.maxRawDataLength,
      errorStatusAddress: this.errorStatusAddress.toJSON(),
      notification: this.notification.toJSON(),
      errorStatusBlockLength: this.errorStatusBlockLength,
    };
    if (this.type === 10 && this.readAck) {
      out.readAck = { register: this.readAck.register.toJSON(), preserve: this.readAck.preserve, write: this.readAck.write };
    }
    return out;
  }
}

/** Decodes a type 9 or 10 structure occupying the whole window `r`. */
export function decodeGenericHardwareErrorSource(r: ByteReader, type: 9 | 10): GenericHardwareErrorSource {
  return new GenericHardwareErrorSource({
    type,
    sourceId: r.u16(2, 'sourceId'),
    relatedSourceId: r.u16(4, 'relatedSourceId'),
    reserved: r.u8(6, 'reserved'),
    enabled: r.u8(7, 'enabled'),
    recordsToPreallocate: r.u32(8, 'recordsToPreallocate'),
    maxSectionsPerRecord: r.u32(12, 'maxSectionsPerRecord'),
    maxRawDataLength: r.u32(16, 'maxRawDataLength'),
    errorStatusAddress: decodeGenericAddress(r, 20, 'errorStatusAddress'),
    notification: decodeNotification(r, 32),
    errorStatusBlockLength: r.u32(60, 'errorStatusBlockLength'),
    readAck:
      type === 10
        ? { register: decodeGenericAddress(r, 64, 'readAck.register'), preserve: r.u64(76, 'readAck.preserve'), write: r.u64(84, 'readAck.write') }
        : undefined,
  });
}
