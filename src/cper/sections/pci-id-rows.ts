import { bits, u16, u8 } from '../layout/fields';
import { slotWordInput } from './section-body-fields';

/**
 * Rows of the PCI-style device identification that the PCI component, PCIe, CXL protocol and CXL
 * component sections all carry: each name, doc string and libcper key is declared here once; the
 * sections place them at their own offsets (and give the segment its own width).
 */

/** vendor ID at `at`, device ID at `at + 2` */
export const vendorDeviceRows = (at: number) => [
  u16('vendorId', at, { doc: 'vendor ID', libcper: 'vendorID' }),
  u16('deviceId', at + 2, { doc: 'device ID', libcper: 'deviceID' }),
] as const;

/** function number at `at`, device number at `at + 1` */
export const functionDeviceRows = (at: number) => [
  u8('function', at, { doc: 'function number', libcper: 'functionNumber' }),
  u8('device', at + 1, { doc: 'device number', libcper: 'deviceNumber' }),
] as const;

export const busRow = (at: number) => u8('bus', at, { doc: 'bus number', libcper: 'busNumber' });

export const segmentRow = (at: number, width: 1 | 2) =>
  (width === 1 ? u8 : u16)('segment', at, { doc: 'segment number', libcper: 'segmentNumber' });

/** The u16 slot word at `at`: physical slot number in bits 15:3, bits 2:0 reserved. */
export const slotRows = (at: number) => [
  bits('slot', at, 2, 3, 13, { doc: 'physical slot number', libcper: 'slotNumber', input: () => slotWordInput().slot.unwrap() }),
  bits('slotReserved', at, 2, 0, 3, { doc: 'slot word bits 2:0 (reserved)', input: () => slotWordInput().slotReserved.unwrap() }),
] as const;
