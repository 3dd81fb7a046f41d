import { DecodeError } from '../../binary';
import { PhysicalMemoryReader, walkFromRsdp } from '../../acpi/TableSet';

/**
 * What a guest does first: RSDP → XSDT → HEST (with `src/acpi`'s walker, which checks the RSDP
 * checksums and never trusts a Length before checking it). Returns HEST's address and bytes.
 */
export function discoverHest(memory: PhysicalMemoryReader, rsdpAddress: bigint): { address: bigint; bytes: Uint8Array } {
  const walk = walkFromRsdp(memory, rsdpAddress);
  const hest = walk.tables.find((t) => t.signature === 'HEST');
  if (!hest || hest.address === undefined) {
    throw new DecodeError({ code: 'bad_reference', path: 'xsdt.entries', message: `no HEST among the ${walk.root.entries.length} table(s) the ${walk.root.kind} lists` });
  }
  return { address: hest.address, bytes: hest.bytes };
}
