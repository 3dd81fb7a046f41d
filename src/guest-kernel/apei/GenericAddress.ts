import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';

/**
 * APEI's access to a Generic Address Structure (drivers/acpi/apei/apei-base.c): `checkGar`
 * (apei_check_gar) validates it with Linux's rules and messages; `apeiRead`/`apeiWrite` access the
 * register with the (fixed-up) access width. Bit offset is not applied by read or write; callers
 * (the read-ack handshake) shift by it themselves, as Linux does.
 */
export interface Gas {
  spaceId: number;
  bitWidth: number;
  bitOffset: number;
  accessWidth: number;
  address: bigint;
}

export type GasCheck = { ok: true; accessBits: 8 | 16 | 32 | 64 } | { ok: false; message: string };

function garText(g: Gas): string {
  return `[0x${g.address.toString(16)}/${g.bitWidth}/${g.bitOffset}/${g.accessWidth}/${g.spaceId}]`;
}

/** The accepted results, one per access width (shared: callers only read them). */
const GAR_OK: Readonly<Record<8 | 16 | 32 | 64, GasCheck>> = {
  8: Object.freeze({ ok: true, accessBits: 8 }),
  16: Object.freeze({ ok: true, accessBits: 16 }),
  32: Object.freeze({ ok: true, accessBits: 32 }),
  64: Object.freeze({ ok: true, accessBits: 64 }),
};

/** (1 << bits) - 1 for each access width */
const ACCESS_MASK: Readonly<Record<number, bigint>> = { 8: 0xffn, 16: 0xffffn, 32: 0xffff_ffffn, 64: 0xffff_ffff_ffff_ffffn };

export function checkGar(g: Gas): GasCheck {
  if (g.address === 0n) return { ok: false, message: `[Firmware Bug]: APEI: Invalid physical address in GAR ${garText(g)}` };
  if (g.accessWidth < 1 || g.accessWidth > 4) return { ok: false, message: `[Firmware Bug]: APEI: Invalid access size code in GAR ${garText(g)}` };
  let accessBits = (8 << (g.accessWidth - 1)) as 8 | 16 | 32 | 64;
  // BIOS bug fix-up: a 32/64-bit register at offset 0, suitably aligned, declared with a smaller
  // access width is accessed with its full width.
  if (g.bitWidth === 32 && g.bitOffset === 0 && (g.address & 3n) === 0n && accessBits < 32) accessBits = 32;
  else if (g.bitWidth === 64 && g.bitOffset === 0 && (g.address & 7n) === 0n && accessBits < 64) accessBits = 64;
  if (g.bitWidth + g.bitOffset > accessBits) return { ok: false, message: `[Firmware Bug]: APEI: Invalid bit width + offset in GAR ${garText(g)}` };
  if (g.spaceId !== 0 && g.spaceId !== 1) return { ok: false, message: `[Firmware Bug]: APEI: Invalid address space type in GAR ${garText(g)}` };
  return GAR_OK[accessBits];
}

/** What mapping at probe additionally requires: a memory-space register must have a bit width. */
export function checkGarForMap(g: Gas): GasCheck {
  const c = checkGar(g);
  if (c.ok && g.spaceId === 0 && g.bitWidth === 0) return { ok: false, message: '' };
  return c;
}

export type GasAccess = { ok: true; value: bigint } | { ok: false; message: string };

/** apei_read: the raw access-width value at the address. System I/O space does not exist on arm64. */
export function apeiRead(memory: GuestMemory, g: Gas): GasAccess {
  const c = checkGar(g);
  if (!c.ok) return c;
  if (g.spaceId !== 0) return { ok: false, message: 'system I/O space is not available on arm64' };
  try {
    const size = c.accessBits / 8;
    const value = size === 8 ? memory.readU64(g.address) : size === 4 ? BigInt(memory.readU32(g.address)) : memory.readUint(g.address, size as 1 | 2);
    return { ok: true, value };
  } catch (e) {
    if (e instanceof GuestMemoryError) return { ok: false, message: e.message };
    throw e;
  }
}

/** apei_write: writes a full access-width value (truncated to that width) as the guest. */
export function apeiWrite(memory: GuestMemory, g: Gas, value: bigint): { ok: true } | { ok: false; message: string } {
  const c = checkGar(g);
  if (!c.ok) return c;
  if (g.spaceId !== 0) return { ok: false, message: 'system I/O space is not available on arm64' };
  const mask = ACCESS_MASK[c.accessBits];
  try {
    memory.writeUint(g.address, (c.accessBits / 8) as 1 | 2 | 4 | 8, value & mask, 'guest');
    return { ok: true };
  } catch (e) {
    if (e instanceof GuestMemoryError) return { ok: false, message: e.message };
    throw e;
  }
}
