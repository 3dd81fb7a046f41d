import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';
import { padReserved } from './Ia32MachineCheck';
import { decodeMachineCheckBank, MACHINE_CHECK_BANK_LENGTH, MachineCheckBank, writeBanks } from './MachineCheckBank';
import { decodeNotification, HardwareErrorNotification } from './NotificationStructure';

export interface Ia32CorrectedMachineCheckFields {
  /** 1 = corrected machine check (CMC), 11 = deferred machine check (ACPI 6.2); same layout */
  type: 1 | 11;
  sourceId: number;
  reserved1?: number;
  flags: number;
  enabled: number;
  recordsToPreallocate: number;
  maxSectionsPerRecord: number;
  notification: HardwareErrorNotification;
  /** 3 reserved bytes at offset 45 */
  reserved2?: Uint8Array;
  banks: MachineCheckBank[];
}

/**
 * Types 1 (IA-32 Corrected Machine Check) and 11 (IA-32 Deferred Machine Check): 48 + 28·banks.
 * 0 Type · 2 SourceId · 4 Reserved u16 · 6 Flags · 7 Enabled · 8 RecordsToPreallocate u32 · 12
 * MaxSectionsPerRecord u32 · 16 Notification (28) · 44 NumberOfHardwareBanks u8 · 45 Reserved 3 ·
 * 48 banks.
 */
export class Ia32CorrectedMachineCheck implements Encodable {
  readonly type: 1 | 11;
  readonly sourceId: number;
  readonly reserved1: number;
  readonly flags: number;
  readonly enabled: number;
  readonly recordsToPreallocate: number;
  readonly maxSectionsPerRecord: number;
  readonly notification: HardwareErrorNotification;
  readonly reserved2: Uint8Array;
  readonly banks: MachineCheckBank[];

  constructor(f: Ia32CorrectedMachineCheckFields) {
    this.type = f.type;
    this.sourceId = f.sourceId;
    this.reserved1 = f.reserved1 ?? 0;
    this.flags = f.flags;
    this.enabled = f.enabled;
    this.recordsToPreallocate = f.recordsToPreallocate;
    this.maxSectionsPerRecord = f.maxSectionsPerRecord;
    this.notification = f.notification;
    this.reserved2 = f.reserved2 ?? new Uint8Array(3);
    this.banks = f.banks;
  }

  get byteLength(): number {
    return 48 + MACHINE_CHECK_BANK_LENGTH * this.banks.length;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    w.u16(offset + 0, this.type, p('type'));
    w.u16(offset + 2, this.sourceId, p('sourceId'));
    w.u16(offset + 4, this.reserved1, p('reserved1'));
    w.u8(offset + 6, this.flags, p('flags'));
    w.u8(offset + 7, this.enabled, p('enabled'));
    w.u32(offset + 8, this.recordsToPreallocate, p('recordsToPreallocate'));
    w.u32(offset + 12, this.maxSectionsPerRecord, p('maxSectionsPerRecord'));
    this.notification.writeTo(w, offset + 16, p('notification'));
    w.u8(offset + 44, this.banks.length, p('numberOfHardwareBanks'));
    w.bytesAt(offset + 45, padReserved(this.reserved2, 3), p('reserved2'));
    writeBanks(w, offset + 48, this.banks, path);
  }

  toJSON(): Record<string, unknown> {
    return {
      type: { value: this.type, name: this.type === 1 ? 'ia32CorrectedMachineCheck' : 'ia32DeferredMachineCheck' },
      sourceId: this.sourceId,
      reserved1: this.reserved1,
      flags: this.flags,
      enabled: this.enabled,
      recordsToPreallocate: this.recordsToPreallocate,
      maxSectionsPerRecord: this.maxSectionsPerRecord,
      notification: this.notification.toJSON(),
      numberOfHardwareBanks: this.banks.length,
      reserved2: Buffer.from(this.reserved2).toString('hex'),
      banks: this.banks.map((b) => b.toJSON()),
    };
  }
}

/** Decodes a type 1 or 11 structure occupying the whole window `r`. */
export function decodeIa32CorrectedMachineCheck(r: ByteReader, type: 1 | 11): Ia32CorrectedMachineCheck {
  const count = r.u8(44, 'numberOfHardwareBanks');
  return new Ia32CorrectedMachineCheck({
    type,
    sourceId: r.u16(2, 'sourceId'),
    reserved1: r.u16(4, 'reserved1'),
    flags: r.u8(6, 'flags'),
    enabled: r.u8(7, 'enabled'),
    recordsToPreallocate: r.u32(8, 'recordsToPreallocate'),
    maxSectionsPerRecord: r.u32(12, 'maxSectionsPerRecord'),
    notification: decodeNotification(r, 16),
    reserved2: r.bytesAt(45, 3, 'reserved2'),
    banks: Array.from({ length: count }, (_, i) => decodeMachineCheckBank(r, 48 + i * MACHINE_CHECK_BANK_LENGTH, `banks[${i}]`)),
  });
}
