import { resolveExtendedSources } from '../device-model/profiles/RasSourceConfig';
import type { VmSpec } from '../vm/contract';

/**
 * Retry-After (whole seconds) for a source that is busy or whose queue is full, from the source's
 * real schedule: a polled source is read by the guest at its next poll, at most one poll
 * interval away, so the interval (rounded up to a second) is when a retry can succeed. Every
 * other notification makes the guest read the block at once, so 1 s.
 */
export function retryAfterSeconds(spec: VmSpec, sourceId: number | undefined): number {
  if (spec.profile !== 'extended' || !spec.sources || sourceId === undefined) return 1;
  let interval = 0;
  try {
    const s = resolveExtendedSources(spec.sources).find((x) => x.sourceId === sourceId);
    if (s && s.notification === 'polled') interval = s.pollIntervalMs;
  } catch {
    // a spec the VM was created from always resolves; a failure leaves the default
  }
  return Math.max(1, Math.ceil(interval / 1000));
}
