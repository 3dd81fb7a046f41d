import type { GuestMemory } from '../../guest-memory/GuestMemory';
import type { BootedMachine } from '../boot/bootMachine';
import { ERST_REGISTER_PAGE } from './ErstConfig';
import { ErstChange, ErstDevice } from './ErstDevice';
import type { ErstStorage } from './ErstStorage';

/**
 * Connects a booted machine's ERST device: finds where the firmware placed etc/erst, maps the
 * executor over its register page (MMIO) and points it at the exchange buffer behind it. Done on
 * every boot (registers start from zero, as after a reset); the records come from `storage`.
 */
export interface ErstAttachment {
  device: ErstDevice;
  registers: bigint;
  exchange: bigint;
  exchangeSize: number;
  storage: ErstStorage;
}

export function attachErst(machine: BootedMachine, memory: GuestMemory, storage: ErstStorage, onChange?: (c: ErstChange) => void): ErstAttachment {
  const layout = machine.layout.erst;
  if (!layout) throw new Error('this machine has no ERST');
  const blob = machine.handoff.allocations.find((a) => a.file === layout.file);
  if (!blob) throw new Error(`firmware hand-off has no allocation for ${layout.file}`);
  const registers = blob.address + BigInt(layout.registersOffset);
  const exchange = blob.address + BigInt(layout.exchangeOffset);
  const device = new ErstDevice({
    memory,
    registers,
    exchange,
    exchangeSize: layout.exchangeSize,
    capacity: layout.capacity,
    checkSignature: layout.checkSignature,
    storage,
    onChange,
  });
  memory.mapMmio(registers, BigInt(ERST_REGISTER_PAGE), 'ERST registers', device);
  return { device, registers, exchange, exchangeSize: layout.exchangeSize, storage };
}

/**
 * The lowest real-time second a new boot may start from so pstore's record ids (seconds << 32 |
 * n) never repeat one already stored: one past the newest second found in stored ids.
 */
export function erstRtcFloor(ids: readonly bigint[]): bigint {
  let max = 0n;
  for (const id of ids) if (id < 0x8000_0000_0000_0000n && id >> 32n > max) max = id >> 32n;
  return max === 0n ? 0n : max + 1n;
}
