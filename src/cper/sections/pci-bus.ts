import { z } from 'zod';
import { ByteReader } from '../../binary/ByteReader';
import { ByteWriter } from '../../binary/ByteWriter';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { SECTION_TYPES } from '../guids';
import { EnumTable, EnumValue, enumField, enumValue, Flags64, flags64Field, flags64Value, FlagTable, u64, uint } from '../json/fields';
import { decodeErrorStatus, ErrorStatus, errorStatusField } from './error-status';
import type { SectionCodec } from './SectionCodec';
import { HexString, hexByteLength, hexField, identityShape, presentFields, readTrailing, validationBitsFrom, writeHex } from './section-body-fields';

/**
 * PCI/PCI-X bus error section (UEFI N.2.8), 72 bytes:
 *   0 validation bits u64 · 8 error status u64 (see error-status.ts) · 16 error type u16 ·
 *   18 bus ID u16 (bus number 7:0, segment 15:8) · 20 reserved u32 · 24 bus address u64 ·
 *   32 bus data u64 · 40 bus command u64 (bit 56 set = PCI-X command, clear = PCI) ·
 *   48 requestor ID · 56 completer ID · 64 target ID (u64 each).
 */

const INFO = SECTION_TYPES.pciBus;
export const PCI_BUS_BODY_LENGTH = 72;

export const PCI_BUS_VALIDATION_BITS: FlagTable = {
  0: 'errorStatus',
  1: 'errorType',
  2: 'busId',
  3: 'busAddress',
  4: 'busData',
  5: 'command',
  6: 'requestorId',
  7: 'completerId',
  8: 'targetId',
};

/** The error type is the low byte of the u16; the high byte is reserved (kept in `value`). */
export const PCI_BUS_ERROR_TYPES: EnumTable = {
  0: 'unknown',
  1: 'dataParity',
  2: 'system',
  3: 'masterAbort',
  4: 'busTimeout',
  5: 'masterDataParity',
  6: 'addressParity',
  7: 'commandParity',
};

const PCIX_BIT = 1n << 56n;

export interface PciBusCommand {
  raw: bigint;
  /** bit 56: the command is a PCI-X command */
  pciX: boolean;
}

export interface PciBusSection {
  type: 'pciBus';
  guid: string;
  validationBits: Flags64;
  errorStatus: ErrorStatus;
  errorType: EnumValue;
  busId: { bus: number; segment: number };
  reserved: number;
  busAddress: bigint;
  busData: bigint;
  command: PciBusCommand;
  requestorId: bigint;
  completerId: bigint;
  targetId: bigint;
  trailing?: HexString;
}

function busCommand(raw: bigint): PciBusCommand {
  return { raw, pciX: (raw & PCIX_BIT) !== 0n };
}

function decode(r: ByteReader): PciBusSection {
  const s: PciBusSection = {
    type: 'pciBus',
    guid: INFO.guid,
    validationBits: flags64Value(PCI_BUS_VALIDATION_BITS, r.u64(0, 'validationBits')),
    errorStatus: decodeErrorStatus(r.u64(8, 'errorStatus')),
    errorType: enumValue(PCI_BUS_ERROR_TYPES, r.u16(16, 'errorType')),
    busId: { bus: r.u8(18, 'busId.bus'), segment: r.u8(19, 'busId.segment') },
    reserved: r.u32(20, 'reserved'),
    busAddress: r.u64(24, 'busAddress'),
    busData: r.u64(32, 'busData'),
    command: busCommand(r.u64(40, 'command')),
    requestorId: r.u64(48, 'requestorId'),
    completerId: r.u64(56, 'completerId'),
    targetId: r.u64(64, 'targetId'),
  };
  const trailing = readTrailing(r, PCI_BUS_BODY_LENGTH);
  if (trailing !== undefined) s.trailing = trailing;
  return s;
}

function encode(w: ByteWriter, o: number, s: PciBusSection, path: string): void {
  const p = (f: string) => `${path}.${f}`;
  w.u64(o, s.validationBits.raw, p('validationBits'));
  w.u64(o + 8, s.errorStatus.raw, p('errorStatus'));
  w.u16(o + 16, s.errorType.value, p('errorType'));
  w.u8(o + 18, s.busId.bus, p('busId.bus'));
  w.u8(o + 19, s.busId.segment, p('busId.segment'));
  w.u32(o + 20, s.reserved, p('reserved'));
  w.u64(o + 24, s.busAddress, p('busAddress'));
  w.u64(o + 32, s.busData, p('busData'));
  w.u64(o + 40, s.command.raw, p('command'));
  w.u64(o + 48, s.requestorId, p('requestorId'));
  w.u64(o + 56, s.completerId, p('completerId'));
  w.u64(o + 64, s.targetId, p('targetId'));
  if (s.trailing !== undefined) writeHex(w, o + PCI_BUS_BODY_LENGTH, s.trailing, p('trailing'));
}

/**
 * Bus command input: a u64, or `{ raw }` (wins, as decoded), or `{ value, pciX }` where value is
 * the command in bits 55:0 and pciX sets bit 56.
 */
const commandField = z
  .union([
    z.string(),
    z.number(),
    z.strictObject({ raw: z.union([z.string(), z.number()]).optional(), value: u64.optional(), pciX: z.boolean().optional() }),
  ])
  .transform((v, ctx): PciBusCommand => {
    if (typeof v !== 'object' || v.raw !== undefined) {
      const raw = parseU64(typeof v === 'object' ? v.raw : v);
      if (raw === undefined) {
        ctx.addIssue({ code: 'custom', message: `bus command: ${uintInputError(typeof v === 'object' ? v.raw : v, U64_MAX, 'a u64') ?? 'expected a u64'}` });
        return z.NEVER;
      }
      return busCommand(raw);
    }
    const value = v.value ?? 0n;
    if (value >= PCIX_BIT) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'the command value is bits 55:0' });
      return z.NEVER;
    }
    return busCommand(value | (v.pciX ? PCIX_BIT : 0n));
  });

/** JSON form: every field optional; without `validationBits` the bits of the fields present are set. */
export const pciBusInput: z.ZodType<PciBusSection> = z
  .strictObject({
    ...identityShape('pciBus', [INFO.guid]),
    validationBits: flags64Field(PCI_BUS_VALIDATION_BITS).optional(),
    errorStatus: errorStatusField.optional(),
    errorType: enumField(PCI_BUS_ERROR_TYPES, 16).optional(),
    busId: z.strictObject({ bus: uint(8).optional(), segment: uint(8).optional() }).optional(),
    reserved: uint(32).optional(),
    busAddress: u64.optional(),
    busData: u64.optional(),
    command: commandField.optional(),
    requestorId: u64.optional(),
    completerId: u64.optional(),
    targetId: u64.optional(),
    trailing: hexField().optional(),
  })
  .transform((v): PciBusSection => {
    const s: PciBusSection = {
      type: 'pciBus',
      guid: INFO.guid,
      validationBits: validationBitsFrom(PCI_BUS_VALIDATION_BITS, v.validationBits, presentFields(PCI_BUS_VALIDATION_BITS, v)),
      errorStatus: v.errorStatus ?? decodeErrorStatus(0n),
      errorType: v.errorType ?? enumValue(PCI_BUS_ERROR_TYPES, 0),
      busId: { bus: v.busId?.bus ?? 0, segment: v.busId?.segment ?? 0 },
      reserved: v.reserved ?? 0,
      busAddress: v.busAddress ?? 0n,
      busData: v.busData ?? 0n,
      command: v.command ?? busCommand(0n),
      requestorId: v.requestorId ?? 0n,
      completerId: v.completerId ?? 0n,
      targetId: v.targetId ?? 0n,
    };
    if (v.trailing !== undefined && v.trailing.length > 0) s.trailing = v.trailing;
    return s;
  });

export const pciBusCodec: SectionCodec<PciBusSection> = {
  name: INFO.name,
  guid: INFO.guid,
  title: INFO.title,
  minLength: PCI_BUS_BODY_LENGTH,
  decode: (r) => decode(r),
  byteLength: (s) => PCI_BUS_BODY_LENGTH + (s.trailing === undefined ? 0 : hexByteLength(s.trailing)),
  encode: (w, offset, s, _opts, path) => encode(w, offset, s, path),
  input: pciBusInput,
};
