import { ByteReader } from '../binary/ByteReader';
import { ByteWriter, Encodable } from '../binary/ByteWriter';
import { joinPath } from '../binary/errors';

export const MACHINE_CHECK_BANK_LENGTH = 28;

/** Status data formats of an IA-32 machine-check bank. */
export const STATUS_DATA_FORMAT: Readonly<Record<number, string>> = { 0: 'ia32Mca', 1: 'intel64Mca', 2: 'amd64Mca' };

export interface MachineCheckBankFields {
  bankNumber: number;
  /** 0 = clear the status register at initialisation, 1 = do not */
  clearStatusOnInit: number;
  statusDataFormat: number;
  reserved?: number;
  controlRegisterMsr: number;
  controlInitData: bigint;
  statusRegisterMsr: number;
  addressRegisterMsr: number;
  miscRegisterMsr: number;
}

/**
 * IA-32 machine-check error bank, 28 bytes (follows error sources of types 0, 1 and 11):
 * 0 BankNumber · 1 ClearStatusOnInitialization · 2 StatusDataFormat · 3 Reserved · 4 Control MSR
 * u32 · 8 ControlInitData u64 · 16 Status MSR u32 · 20 Address MSR u32 · 24 Misc MSR u32.
 */
export class MachineCheckBank implements Encodable {
  readonly byteLength = MACHINE_CHECK_BANK_LENGTH;
  readonly bankNumber: number;
  readonly clearStatusOnInit: number;
  readonly statusDataFormat: number;
  readonly reserved: number;
  readonly controlRegisterMsr: number;
  readonly controlInitData: bigint;
  readonly statusRegisterMsr: number;
  readonly addressRegisterMsr: number;
  readonly miscRegisterMsr: number;

  constructor(f: MachineCheckBankFields) {
    this.bankNumber = f.bankNumber;
    this.clearStatusOnInit = f.clearStatusOnInit;
    this.statusDataFormat = f.statusDataFormat;
    this.reserved = f.reserved ?? 0;
    this.controlRegisterMsr = f.controlRegisterMsr;
    this.controlInitData = f.controlInitData;
    this.statusRegisterMsr = f.statusRegisterMsr;
    this.addressRegisterMsr = f.addressRegisterMsr;
    this.miscRegisterMsr = f.miscRegisterMsr;
  }

  writeTo(w: ByteWriter, offset: number, path = ''): void {
    const p = (f: string) => joinPath(path, f);
    w.u8(offset + 0, this.bankNumber, p('bankNumber'));
    w.u8(offset + 1, this.clearStatusOnInit, p('clearStatusOnInit'));
    w.u8(offset + 2, this.statusDataFormat, p('statusDataFormat'));
    w.u8(offset + 3, this.reserved, p('reserved'));
    w.u32(offset + 4, this.controlRegisterMsr, p('controlRegisterMsr'));
    w.u64(offset + 8, this.controlInitData, p('controlInitData'));
    w.u32(offset + 16, this.statusRegisterMsr, p('statusRegisterMsr'));
    w.u32(offset + 20, this.addressRegisterMsr, p('addressRegisterMsr'));
    w.u32(offset + 24, this.miscRegisterMsr, p('miscRegisterMsr'));
  }

  toJSON(): Record<string, unknown> {
    return {
      bankNumber: this.bankNumber,
      clearStatusOnInit: this.clearStatusOnInit,
      statusDataFormat: { value: this.statusDataFormat, name: STATUS_DATA_FORMAT[this.statusDataFormat] ?? 'unknown' },
      reserved: this.reserved,
      controlRegisterMsr: this.controlRegisterMsr,
      controlInitData: this.controlInitData,
      statusRegisterMsr: this.statusRegisterMsr,
      addressRegisterMsr: this.addressRegisterMsr,
      miscRegisterMsr: this.miscRegisterMsr,
    };
  }
}

export function decodeMachineCheckBank(r: ByteReader, offset: number, name: string | number): MachineCheckBank {
  const b = r.sub(offset, MACHINE_CHECK_BANK_LENGTH, name);
  return new MachineCheckBank({
    bankNumber: b.u8(0, 'bankNumber'),
    clearStatusOnInit: b.u8(1, 'clearStatusOnInit'),
    statusDataFormat: b.u8(2, 'statusDataFormat'),
    reserved: b.u8(3, 'reserved'),
    controlRegisterMsr: b.u32(4, 'controlRegisterMsr'),
    controlInitData: b.u64(8, 'controlInitData'),
    statusRegisterMsr: b.u32(16, 'statusRegisterMsr'),
    addressRegisterMsr: b.u32(20, 'addressRegisterMsr'),
    miscRegisterMsr: b.u32(24, 'miscRegisterMsr'),
  });
}

/** Writes banks back to back from `offset`. */
export function writeBanks(w: ByteWriter, offset: number, banks: MachineCheckBank[], path: string): void {
  banks.forEach((b, i) => b.writeTo(w, offset + i * MACHINE_CHECK_BANK_LENGTH, joinPath(path, `banks[${i}]`)));
}
