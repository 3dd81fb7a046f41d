import { z } from 'zod';
import { parseU64, U64_MAX, uintInputError } from '../../binary/u64';
import { SECTION_TYPES } from '../guids';
import { EnumTable, u64 as u64Input } from '../json/fields';
import { enumOf, errorStatusView, IntView, struct, u32, u64, u8, view, validationBits, names } from '../layout/fields';
import { layout, LayoutModel } from '../layout/layout';
import { tableSection, TableModel } from '../layout/section';
import { lazy } from '../json/lazy';

/**
 * PCI/PCI-X bus error section (UEFI N.2.8), 72 bytes. JSON form: every field optional; without
 * `validationBits` the bits of the fields present are set.
 */

const INFO = SECTION_TYPES.pciBus;
export const PCI_BUS_BODY_LENGTH = 72;

/** The error type is the low byte of the u16; the high byte is reserved (kept in `value`). */
export const PCI_BUS_ERROR_TYPES: EnumTable = names(
  'unknown', 'dataParity', 'system', 'masterAbort', 'busTimeout', 'masterDataParity', 'addressParity', 'commandParity',
);

const PCIX_BIT = 1n << 56n;

export interface PciBusCommand {
  raw: bigint;
  /** bit 56: the command is a PCI-X command */
  pciX: boolean;
}

function busCommand(raw: bigint): PciBusCommand {
  return { raw, pciX: (raw & PCIX_BIT) !== 0n };
}

/**
 * Bus command input: a u64, or `{ raw }` (wins, as decoded), or `{ value, pciX }` where value is
 * the command in bits 55:0 and pciX sets bit 56.
 */
const commandField = lazy(() => z
  .union([
    z.string(),
    z.number(),
    z.strictObject({ raw: z.union([z.string(), z.number()]).optional(), value: u64Input().optional(), pciX: z.boolean().optional() }),
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
  }));

const commandView: IntView<PciBusCommand> = {
  decode: (raw) => busCommand(raw as bigint),
  encode: (v) => v.raw,
  get input() {
    return commandField();
  },
  zero: () => busCommand(0n),
  describe: 'u64 bus command: a u64, { raw }, or { value (bits 55:0), pciX (bit 56) }',
};

const BUS_ID = layout('PCI bus ID', 2, [u8('bus', 0, { doc: 'bus number' }), u8('segment', 1, { doc: 'segment number' })]);

export const PCI_BUS_LAYOUT = layout('PCI bus', PCI_BUS_BODY_LENGTH, [
  validationBits('validationBits', 0, 8),
  view('errorStatus', 8, 8, errorStatusView, { vbit: 0, doc: 'UEFI Error Status', libcper: 'errorStatus' }),
  view('errorType', 16, 2, enumOf(PCI_BUS_ERROR_TYPES, 2), { vbit: 1, doc: 'bus error type (low byte; the high byte is reserved)', libcper: 'errorType' }),
  struct('busId', 18, BUS_ID, { vbit: 2, doc: 'bus number (7:0) and segment (15:8)', libcper: 'busID' }),
  u32('reserved', 20, { doc: 'reserved' }),
  u64('busAddress', 24, { vbit: 3, doc: 'memory or I/O address on the bus', libcper: 'busAddress' }),
  u64('busData', 32, { vbit: 4, doc: 'data on the bus', libcper: 'busData' }),
  view('command', 40, 8, commandView, { vbit: 5, doc: 'bus command (bit 56 set = PCI-X command)', libcper: 'busCommandType' }),
  u64('requestorId', 48, { vbit: 6, doc: 'bus requestor ID', libcper: 'busRequestorID' }),
  u64('completerId', 56, { vbit: 7, doc: 'bus completer ID', libcper: 'busCompleterID' }),
  u64('targetId', 64, { vbit: 8, doc: 'target ID', libcper: 'targetID' }),
]);

export const pciBusCodec = tableSection({
  info: INFO,
  head: PCI_BUS_LAYOUT,
  doc: 'PCI/PCI-X bus error (UEFI N.2.8), 72 bytes',
  validation: { field: 'validationBits' },
  example: { type: 'pciBus', errorType: 'masterAbort', busId: { bus: 1, segment: 0 }, busAddress: '0xfe000000', command: { value: '0x6', pciX: false } },
});

export type PciBusSection = TableModel<'pciBus', LayoutModel<typeof PCI_BUS_LAYOUT>>;
