import type { SavedValues, SavesState } from '../../binary/restore';
import { GUEST_LINUX_VERSIONS, GuestLinuxVersion } from '../linux-versions';
import type { LinuxVersion } from '../../vm/contract';
import type { MemoryMap } from './MemoryMap';
import type { Task } from '../tasks';

/**
 * memory_failure() for the simulated guest, reduced to what can be observed: the poisoned set and
 * the "Memory failure: …" lines, version by version (src/guest-kernel/linux-versions.ts):
 * - no online struct page: pfn_valid (the section at physical 0) → "memory outside kernel
 *   control"; otherwise the same line before 7.3.4, and "recovery action for non struct page pfn:
 *   Ignored" on 7.3.4;
 * - already poisoned → "Memory failure: 0x<pfn>: already hardware poisoned" (6.1), that and
 *   "… recovery action for already poisoned: Failed" (6.12), or only "… recovery action for
 *   already poisoned page: Failed" (7.3.4);
 * - otherwise the page is poisoned and its handling depends on what it holds. 7.3.4 refuses a
 *   PG_reserved page at once ("recovery action for reserved kernel page: Ignored"). Kernel memory
 *   that is neither on the LRU nor free (what the captures show at boot and what a kernel-only
 *   guest has at runtime) gives "unhandlable page." then "recovery action for unknown page:
 *   Ignored" (6.1) or "… for get hwpoison page: Ignored" (6.12, 7.3.4). Pages handed to the user
 *   workload are dirty anonymous LRU pages: "recovery action for dirty LRU page: Recovered".
 */
export type MemoryFailureResult = 'recovered' | 'ignored' | 'already-poisoned' | 'invalid';

export interface MemoryFailureOutcome {
  result: MemoryFailureResult;
  lines: string[];
  /** the task kill_procs sent SIGBUS to (BUS_MCEERR_AR) */
  killed?: Task;
}

export class MemoryFailure implements SavesState {
  readonly poisoned = new Set<bigint>();

  constructor(
    private readonly map: MemoryMap,
    private readonly version: LinuxVersion,
  ) {}

  /** A restore point: pages poisoned since are forgotten (pages are only ever added to `poisoned`). */
  saveState(s: SavedValues): void {
    s.push(this.poisoned.size);
  }

  loadState(s: SavedValues): void {
    const size = s.next<number>();
    if (this.poisoned.size === size) return;
    let i = 0;
    // a Set iterates in insertion order: the members past `size` came after the point
    for (const pfn of [...this.poisoned]) if (i++ >= size) this.poisoned.delete(pfn);
  }

  /**
   * memory_failure(pfn, flags). `actionRequiredBy` is the current task of an MF_ACTION_REQUIRED
   * call (the task work of a synchronous error): when the page is one it maps, kill_procs signals
   * it before the verdict ("Memory failure: 0x…: Sending SIGBUS to <comm>:<pid> due to hardware
   * memory corruption", the page being dirty). Without it (the memory_failure_queue work) no
   * task is collected: early kill is off by default.
   */
  run(pfn: bigint, actionRequiredBy?: Task): MemoryFailureOutcome {
    const v = GUEST_LINUX_VERSIONS[this.version];
    const hex = `0x${pfn.toString(16)}`;
    if (!this.map.isRam(pfn)) {
      const noStructPage = !this.map.pfnValid(pfn) && v.nonStructPagePfn === 'non-struct-page-pfn';
      return {
        result: 'invalid',
        lines: [noStructPage ? `Memory failure: ${hex}: recovery action for non struct page pfn: Ignored` : `Memory failure: ${hex}: memory outside kernel control`],
      };
    }
    if (this.poisoned.has(pfn)) return { result: 'already-poisoned', lines: alreadyPoisonedLines(v.alreadyPoisoned, hex) };
    this.poisoned.add(pfn);
    if (this.map.isUser(pfn)) {
      const killed = actionRequiredBy?.hasMm ? actionRequiredBy : undefined;
      const kill = killed ? [`Memory failure: ${hex}: Sending SIGBUS to ${killed.comm}:${killed.pid} due to hardware memory corruption`] : [];
      return { result: 'recovered', lines: [...kill, `Memory failure: ${hex}: recovery action for dirty LRU page: Recovered`], ...(killed ? { killed } : {}) };
    }
    if (v.reservedPageCheck && this.map.isReserved(pfn)) {
      return { result: 'ignored', lines: [`Memory failure: ${hex}: recovery action for reserved kernel page: Ignored`] };
    }
    return {
      result: 'ignored',
      lines: [`Memory failure: ${hex}: unhandlable page.`, `Memory failure: ${hex}: recovery action for ${v.kernelPageVerdict}: Ignored`],
    };
  }
}

function alreadyPoisonedLines(kind: GuestLinuxVersion['alreadyPoisoned'], hex: string): string[] {
  if (kind === 'pr_err') return [`Memory failure: ${hex}: already hardware poisoned`];
  if (kind === 'pr_err-and-action') return [`Memory failure: ${hex}: already hardware poisoned`, `Memory failure: ${hex}: recovery action for already poisoned: Failed`];
  return [`Memory failure: ${hex}: recovery action for already poisoned page: Failed`];
}
