import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';
import { decodeErrorSourceHead, ErrorSourceHead, ErrorSourceHeadFields } from './ErrorSourceHead';
import { decodeMachineCheckBank, MACHINE_CHECK_BANK_LENGTH, MachineCheckBank, writeBanks } from './MachineCheckBank';

export interface Ia32MachineCheckFields extends ErrorSourceHeadFields {
  globalCapabilityInitData: bigint;
  globalControlInitData: bigint;
  /** 7 reserved bytes at offset 33 */
  reserved2?: Uint8Array;
  banks: MachineCheckBank[];
}

/**
 * Type 0, IA-32 Machine Check Exception: 40 + 28·banks bytes.
 * 0 Type · 2 SourceId · 4 Reserved u16 · 6 Flags · 7 Enabled · 8 RecordsToPreallocate u32 · 12
 * MaxSectionsPerRecord u32 · 16 GlobalCapabilityInitData u64 · 24 GlobalControlInitData u64 · 32
 * NumberOfHardwareBanks u8 · 33 Reserved 7 · 40 banks.
 */
export class Ia32MachineCheck extends ErrorSourceHead<0> implements Encodable {
  readonly globalCapabilityInitData: bigint;
  readonly globalControlInitData: bigint;
  readonly reserved2: Uint8Array;
  readonly banks: MachineCheckBank[];

  constructor(f: Ia32MachineCheckFields) {
    super(0, f);
    this.globalCapabilityInitData = f.globalCapabilityInitData;
    this.globalControlInitData = f.globalControlInitData;
    this.reserved2 = f.reserved2 ?? new Uint8Array(7);
    this.banks = f.banks;
  }

  get byteLength(): number {
    return 40 + MACHINE_CHECK_BANK_LENGTH * this.banks.length;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    this.writeHead(w, offset, path);
    w.u64(offset + 16, this.globalCapabilityInitData, p('globalCapabilityInitData'));
    w.u64(offset + 24, this.globalControlInitData, p('globalControlInitData'));
    w.u8(offset + 32, this.banks.length, p('numberOfHardwareBanks'));
    w.bytesAt(offset + 33, padReserved(this.reserved2, 7), p('reserved2'));
    writeBanks(w, offset + 40, this.banks, path);
  }

  toJSON(): Record<string, unknown> {
    return {
      ...this.headJson('ia32MachineCheck'),
      globalCapabilityInitData: this.globalCapabilityInitData,
      globalControlInitData: this.globalControlInitData,
      numberOfHardwareBanks: this.banks.length,
      reserved2: Buffer.from(this.reserved2).toString('hex'),
      banks: this.banks.map((b) => b.toJSON()),
    };
  }
}

/** Decodes a type 0 structure occupying the whole window `r` (its length was checked by the caller). */
export function decodeIa32MachineCheck(r: ByteReader): Ia32MachineCheck {
  const count = r.u8(32, 'numberOfHardwareBanks');
  return new Ia32MachineCheck({
    ...decodeErrorSourceHead(r),
    globalCapabilityInitData: r.u64(16, 'globalCapabilityInitData'),
    globalControlInitData: r.u64(24, 'globalControlInitData'),
    reserved2: r.bytesAt(33, 7, 'reserved2'),
    banks: Array.from({ length: count }, (_, i) => decodeMachineCheckBank(r, 40 + i * MACHINE_CHECK_BANK_LENGTH, `banks[${i}]`)),
  });
}

/** `bytes` padded or cut to `n` (reserved arrays given by callers). */
export function padReserved(bytes: Uint8Array, n: number): Uint8Array {
  if (bytes.length === n) return bytes;
  const out = new Uint8Array(n);
  out.set(bytes.subarray(0, n));
  return out;
}
