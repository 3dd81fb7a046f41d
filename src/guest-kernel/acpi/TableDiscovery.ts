import type { GuestMemory } from '../../guest-memory/GuestMemory';
import { GuestMemoryError } from '../../guest-memory/GuestMemory';
import { RasgwError } from '../../binary/errors';
import { decodeRsdp } from '../../acpi/Rsdp';
import { decodeRootTable } from '../../acpi/RootTable';
import { decodeTableHeader, verifyTableChecksum, TABLE_HEADER_LENGTH } from '../../acpi/TableHeader';
import { formatTableBanner } from '../../acpi/banner';

/**
 * The guest's ACPI table discovery as arm64 Linux does it: the RSDP handed over by the firmware is
 * validated strictly (signature, checksum of bytes 0–19, extended checksum), arm64 requires the
 * XSDT, and every table the XSDT lists is announced with ACPICA's banner line
 * (`ACPI: HEST 0x… 000084 (v01 BOCHS  BXPC     00000001 BXPC 00000001)`). A bad checksum on an
 * ordinary table is only a warning ("ACPI BIOS Warning (bug): Incorrect checksum in table [HEST] -
 * 0xNN, should be 0xMM (<acpica stamp>)"); the table is still used.
 *
 * Everything is read from guest memory with bounds: a length field is checked against guest RAM
 * before it sizes a read, and any failure becomes one log line and "no tables", never a crash.
 */
export interface FoundTable {
  signature: string;
  address: bigint;
  bytes: Uint8Array;
}

export interface DiscoveryResult {
  lines: string[];
  tables: FoundTable[];
  ok: boolean;
}

/** Largest table the guest will map (ACPICA has no such limit; guards the simulation only). */
const MAX_TABLE_LENGTH = 16 * 1024 * 1024;

export function discoverTables(memory: GuestMemory, rsdpAddress: bigint, acpicaStamp: string): DiscoveryResult {
  const lines: string[] = [];
  const tables: FoundTable[] = [];
  const fail = (why: string): DiscoveryResult => {
    lines.push(`ACPI: ${why}`);
    lines.push('ACPI: Failed to init ACPI tables');
    return { lines, tables, ok: false };
  };
  try {
    const rsdpBytes = memory.read(rsdpAddress, 36);
    let rsdp;
    try {
      rsdp = decodeRsdp(rsdpBytes);
    } catch (e) {
      if (e instanceof RasgwError) return fail(`RSDP at 0x${rsdpAddress.toString(16)} refused: ${e.message}`);
      throw e;
    }
    lines.push(`ACPI: ${formatTableBanner(rsdpBytes.subarray(0, rsdp.revision >= 2 ? 36 : 20), rsdpAddress)}`);
    if (rsdp.revision < 2 || rsdp.xsdtAddress === 0n) return fail('no XSDT (arm64 requires one; the RSDT is not supported)');
    const xsdt = readTable(memory, rsdp.xsdtAddress);
    if (typeof xsdt === 'string') return fail(xsdt);
    let root;
    try {
      root = decodeRootTable(xsdt, 0, 'XSDT');
    } catch (e) {
      if (e instanceof RasgwError) return fail(`XSDT refused: ${e.message}`);
      throw e;
    }
    announce(lines, xsdt, rsdp.xsdtAddress, 'XSDT', acpicaStamp);
    for (const address of root.entries) {
      if (address === 0n) continue;
      const t = readTable(memory, address);
      if (typeof t === 'string') {
        lines.push(`ACPI: ${t}`);
        continue;
      }
      const signature = String.fromCharCode(...t.subarray(0, 4));
      announce(lines, t, address, signature, acpicaStamp);
      tables.push({ signature, address, bytes: t });
    }
    return { lines, tables, ok: true };
  } catch (e) {
    if (e instanceof GuestMemoryError) return fail(`table read failed: ${e.message}`);
    throw e;
  }
}

function announce(lines: string[], bytes: Uint8Array, address: bigint, signature: string, stamp: string): void {
  lines.push(`ACPI: ${formatTableBanner(bytes, address)}`);
  const c = verifyTableChecksum(bytes);
  if (!c.ok) {
    const h2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
    lines.push(`ACPI BIOS Warning (bug): Incorrect checksum in table [${signature}] - 0x${h2(c.stored)}, should be 0x${h2(c.expected)} (${stamp})`);
  }
}

/** Reads one table: its header first, then exactly Length bytes (checked against guest RAM). */
function readTable(memory: GuestMemory, address: bigint): Uint8Array | string {
  if (!memory.isRam(address, TABLE_HEADER_LENGTH)) return `table at 0x${address.toString(16)} is outside guest RAM`;
  const header = decodeTableHeader(memory.read(address, TABLE_HEADER_LENGTH));
  if (header.length < TABLE_HEADER_LENGTH || header.length > MAX_TABLE_LENGTH || !memory.isRam(address, header.length)) {
    return `table [${header.signature}] at 0x${address.toString(16)} has an invalid length ${header.length}`;
  }
  return memory.read(address, header.length);
}
