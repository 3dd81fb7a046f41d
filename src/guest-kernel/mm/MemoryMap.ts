/**
 * What the simulated guest's memory management knows about a physical page frame, as Linux's
 * memory_failure and GHES ask it:
 * - RAM: online pages with a struct page (the machine's RAM regions);
 * - pfn_valid without being online RAM: the 128 MiB arm64 memory section at physical 0 (QEMU
 *   virt's two 64 MiB flash banks, which the firmware's memory map describes). Measured: real
 *   Linux 6.1 hands pfn 0 to memory_failure, which answers "memory outside kernel control";
 * - reserved: the RAM below the kernel image that boot leaves PG_reserved (QEMU's area at the
 *   base of RAM). Measured: 7.3.4 calls 0x40001000 a "reserved kernel page";
 * - user: pages the workload owns (dirty anonymous LRU pages);
 * - anything else has no struct page.
 */
export const ARM64_SECTION_SIZE = 1n << 27n;
/** the PG_reserved RAM at the base of RAM, below the kernel image */
export const RESERVED_BELOW_KERNEL = 0x200000n;
const PAGE_SHIFT = 12n;

export interface MemoryMapInput {
  ram: ReadonlyArray<{ base: bigint; size: bigint }>;
  userPages?: ReadonlyArray<{ base: bigint; size: bigint }>;
}

export class MemoryMap {
  private readonly ram: ReadonlyArray<{ base: bigint; size: bigint }>;
  private readonly user: ReadonlyArray<{ base: bigint; size: bigint }>;

  constructor(input: MemoryMapInput) {
    this.ram = input.ram;
    this.user = input.userPages ?? [];
  }

  private static within(pfn: bigint, regions: ReadonlyArray<{ base: bigint; size: bigint }>): boolean {
    const a = pfn << PAGE_SHIFT;
    const end = a + (1n << PAGE_SHIFT);
    return regions.some((r) => a >= r.base && end <= r.base + r.size);
  }

  /** online RAM with a struct page (pfn_to_online_page succeeds) */
  isRam(pfn: bigint): boolean {
    return MemoryMap.within(pfn, this.ram);
  }

  /** pfn_valid: online RAM, or the memory section at physical 0 */
  pfnValid(pfn: bigint): boolean {
    return this.isRam(pfn) || (pfn >= 0n && pfn << PAGE_SHIFT < ARM64_SECTION_SIZE);
  }

  /** a PG_reserved RAM page (below the kernel image at the base of the first RAM region) */
  isReserved(pfn: bigint): boolean {
    const first = this.ram[0];
    if (!first) return false;
    return MemoryMap.within(pfn, [{ base: first.base, size: RESERVED_BELOW_KERNEL }]);
  }

  /** a page the user workload owns */
  isUser(pfn: bigint): boolean {
    return MemoryMap.within(pfn, this.user);
  }
}
