import { GUEST_LINUX_VERSIONS } from '../linux-versions';
import type { LinuxVersion } from '../../vm/contract';

/**
 * memory_failure() for the simulated guest, reduced to what can be observed: the poisoned set and
 * the "Memory failure: …" lines. Page kinds:
 * - outside RAM → the guest has no struct page for it (GHES refuses it first on 6.1);
 * - already poisoned → "Memory failure: 0x<pfn>: already hardware poisoned";
 * - otherwise the page is poisoned and its handling depends on what it holds. The simulated
 *   guest's RAM holds kernel memory that is neither on the LRU nor free (what the 6.1 capture
 *   shows at boot and what a kernel-only guest has at runtime): "unhandlable page." then
 *   "recovery action for unknown page: Ignored". Pages handed to the user workload
 *   (`userPages`) are dirty anonymous LRU pages: "recovery action for dirty LRU page: Recovered".
 */
export type MemoryFailureResult = 'recovered' | 'ignored' | 'already-poisoned' | 'invalid';

export interface MemoryFailureOutcome {
  result: MemoryFailureResult;
  lines: string[];
}

export class MemoryFailure {
  readonly poisoned = new Set<bigint>();

  constructor(
    private readonly isRamPfn: (pfn: bigint) => boolean,
    private readonly isUserPfn: (pfn: bigint) => boolean,
    private readonly version: LinuxVersion,
  ) {}

  run(pfn: bigint): MemoryFailureOutcome {
    const hex = `0x${pfn.toString(16)}`;
    if (!this.isRamPfn(pfn)) return { result: 'invalid', lines: [GUEST_LINUX_VERSIONS[this.version].outsideKernelControl(pfn)] };
    if (this.poisoned.has(pfn)) return { result: 'already-poisoned', lines: [`Memory failure: ${hex}: already hardware poisoned`] };
    this.poisoned.add(pfn);
    if (this.isUserPfn(pfn)) return { result: 'recovered', lines: [`Memory failure: ${hex}: recovery action for dirty LRU page: Recovered`] };
    return {
      result: 'ignored',
      lines: [`Memory failure: ${hex}: unhandlable page.`, `Memory failure: ${hex}: recovery action for unknown page: Ignored`],
    };
  }
}
