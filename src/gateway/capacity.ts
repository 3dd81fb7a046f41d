/**
 * Capacity bounds of the gateway core: how many VMs it holds, and how often the
 * store's per-VM retention runs. Defaults here; options of `startServer` / `rasgw serve`.
 */
export const CAPACITY_DEFAULTS = {
  /** VMs one gateway holds (POST /vms past it: 409 too-many-vms) */
  maxVms: 1000,
  /** how often the retention bounds are applied to the VMs written to since the last run */
  retentionIntervalMs: 5000,
} as const;

/** Thrown by createVm when the gateway already holds `max` VMs. */
export class TooManyVmsError extends Error {
  constructor(readonly max: number) {
    super(`the gateway already holds ${max} VMs (maxVms ${max}); delete one, or start the server with a larger --max-vms`);
  }
}
