import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';
import { decodeErrorSourceHead, ErrorSourceHead, ErrorSourceHeadFields } from './ErrorSourceHead';
import { padReserved } from './Ia32MachineCheck';
import { decodeMachineCheckBank, MACHINE_CHECK_BANK_LENGTH, MachineCheckBank, writeBanks } from './MachineCheckBank';
import { decodeNotification, HardwareErrorNotification } from './NotificationStructure';

export interface Ia32CorrectedMachineCheckFields extends ErrorSourceHeadFields {
  /** 1 = corrected machine check (CMC), 11 = deferred machine check (ACPI 6.2); same layout */
  type: 1 | 11;
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
export class Ia32CorrectedMachineCheck extends ErrorSourceHead<1 | 11> implements Encodable {
  readonly notification: HardwareErrorNotification;
  readonly reserved2: Uint8Array;
  readonly banks: MachineCheckBank[];

  constructor(f: Ia32CorrectedMachineCheckFields) {
    super(f.type, f);
    this.notification = f.notification;
    this.reserved2 = f.reserved2 ?? new Uint8Array(3);
    this.banks = f.banks;
  }

  get byteLength(): number {
    return 48 + MACHINE_CHECK_BANK_LENGTH * this.banks.length;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    this.writeHead(w, offset, path);
    this.notification.writeTo(w, offset + 16, p('notification'));
    w.u8(offset + 44, this.banks.length, p('numberOfHardwareBanks'));
    w.bytesAt(offset + 45, padReserved(this.reserved2, 3), p('reserved2'));
    writeBanks(w, offset + 48, this.banks, path);
  }

  toJSON(): Record<string, unknown> {
    return {
      ...this.headJson(this.type === 1 ? 'ia32CorrectedMachineCheck' : 'ia32DeferredMachineCheck'),
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
    ...decodeErrorSourceHead(r),
    notification: decodeNotification(r, 16),
    reserved2: r.bytesAt(45, 3, 'reserved2'),
    banks: Array.from({ length: count }, (_, i) => decodeMachineCheckBank(r, 48 + i * MACHINE_CHECK_BANK_LENGTH, `banks[${i}]`)),
  });
}
