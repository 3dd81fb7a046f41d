import type { GuestMemory } from '../guest-memory/GuestMemory';
import { PAGE_SIZE } from '../guest-memory/GuestMemory';

/**
 * Top-down page allocator below a ceiling, as UEFI's AllocatePages(AllocateMaxAddress) behaves for
 * the loader's EfiACPIMemoryNVS blobs: each request takes the highest free whole pages below the
 * previous allocation, inside the RAM region that holds the ceiling, skipping ranges of guest
 * memory that are already owned. Alignment up to one page is implied by page granularity.
 */
export const FOUR_GIB = 0x1_0000_0000n;
const PAGE = BigInt(PAGE_SIZE);

/** Default ceiling: the end of the highest RAM region that starts below 4 GiB, capped at 4 GiB. */
export function defaultAllocationCeiling(memory: GuestMemory): bigint | undefined {
  let best: bigint | undefined;
  for (const r of memory.ramRegions) {
    if (r.base >= FOUR_GIB) continue;
    const end = r.base + r.size < FOUR_GIB ? r.base + r.size : FOUR_GIB;
    if (best === undefined || end > best) best = end;
  }
  return best === undefined ? undefined : best & ~(PAGE - 1n);
}

export class TopDownPageAllocator {
  private top: bigint;
  private readonly floor: bigint;

  constructor(
    private readonly memory: GuestMemory,
    ceiling: bigint,
  ) {
    this.top = ceiling & ~(PAGE - 1n);
    const region = memory.ramRegions.find((r) => this.top - 1n >= r.base && this.top - 1n < r.base + r.size);
    this.floor = region ? (region.base + PAGE - 1n) & ~(PAGE - 1n) : this.top;
  }

  /** Pages needed for `size` bytes. */
  static pagesFor(size: number): number {
    return Math.ceil(size / PAGE_SIZE);
  }

  /** Address of `pages` free pages, or undefined when they do not fit above the region's base. */
  allocate(pages: number): bigint | undefined {
    const bytes = BigInt(pages) * PAGE;
    let top = this.top;
    for (;;) {
      const base = top - bytes;
      if (base < this.floor) return undefined;
      const clash = this.memory.ownedRanges.find((o) => base < o.base + o.size && o.base < top);
      if (!clash) {
        this.top = base;
        return base;
      }
      top = clash.base & ~(PAGE - 1n);
    }
  }
}
