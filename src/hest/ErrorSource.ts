import { ByteReader } from '../binary/ByteReader';
import { BANK_COUNT_OFFSET, FIXED_LENGTH } from './ErrorSourceType';
import { decodeGenericHardwareErrorSource, GenericHardwareErrorSource } from './GenericHardwareErrorSource';
import { decodeIa32CorrectedMachineCheck, Ia32CorrectedMachineCheck } from './Ia32CorrectedMachineCheck';
import { decodeIa32MachineCheck, Ia32MachineCheck } from './Ia32MachineCheck';
import { decodeIa32Nmi, Ia32Nmi } from './Ia32Nmi';
import { MACHINE_CHECK_BANK_LENGTH } from './MachineCheckBank';
import { decodePcieAer, PcieAer } from './PcieAer';

/** Any HEST error-source structure (types 0, 1, 2, 6, 7, 8, 9, 10, 11). */
export type ErrorSource = Ia32MachineCheck | Ia32CorrectedMachineCheck | Ia32Nmi | PcieAer | GenericHardwareErrorSource;

/** True for type 9 and 10 sources. */
export function isGenericSource(s: ErrorSource): s is GenericHardwareErrorSource {
  return s.type === 9 || s.type === 10;
}

/**
 * The length of the structure of `type` starting at window offset `offset`, as the spec and Linux
 * compute it: fixed per type, plus 28 per bank for types 0, 1 and 11 (the bank count byte must be
 * present). Returns 0 for types without a layout (3–5, ≥ 12).
 */
export function errorSourceLength(r: ByteReader, offset: number, type: number): number {
  const fixed = FIXED_LENGTH[type];
  if (fixed === undefined) return 0;
  const bankAt = BANK_COUNT_OFFSET[type];
  if (bankAt === undefined) return fixed;
  return fixed + MACHINE_CHECK_BANK_LENGTH * r.u8(offset + bankAt, 'numberOfHardwareBanks');
}

/** Decodes one structure of a known type that occupies the whole window `r`. */
export function decodeErrorSource(r: ByteReader, type: number): ErrorSource {
  switch (type) {
    case 0:
      return decodeIa32MachineCheck(r);
    case 1:
    case 11:
      return decodeIa32CorrectedMachineCheck(r, type);
    case 2:
      return decodeIa32Nmi(r);
    case 6:
    case 7:
    case 8:
      return decodePcieAer(r, type);
    case 9:
    case 10:
      return decodeGenericHardwareErrorSource(r, type);
    default:
      throw r.error('bad_value', 0, 'type', `error source type ${type} has no defined layout`);
  }
}
