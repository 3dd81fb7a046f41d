/**
 * The tasks the simulated guest can be running when an error arrives. Which one is "current"
 * decides who receives SIGBUS and whether that kills init:
 * - during boot the GHES probe runs in init (pid 1, still named swapper/0 before it execs /init),
 *   or in a kworker when the command line has `driver_async_probe=GHES` (or `=*`), named per
 *   version (GUEST_LINUX_VERSIONS[v].probeKworker);
 * - at runtime a user-space workload runs (an SEA is taken from EL0, as QEMU's injection assumes).
 */
export interface Task {
  comm: string;
  pid: number;
  kind: 'init' | 'kthread' | 'user';
  /** user tasks have an mm: MF_ACTION_REQUIRED work then runs on return to user space */
  hasMm: boolean;
}

export const INIT_TASK: Task = { comm: 'swapper/0', pid: 1, kind: 'init', hasMm: false };
export const DEFAULT_WORKLOAD: Task = { comm: 'workload', pid: 245, kind: 'user', hasMm: true };

/** SIGBUS is signal 7; init dying from it panics with exitcode 0x00000007. */
export const SIGBUS = 7;
