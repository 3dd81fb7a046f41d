/**
 * What `rasgw inject` reports for one VM, and its exit status:
 *
 *   0  handled: the guest read and acknowledged the record and is still running
 *   1  error: bad options or input, gateway unreachable, unexpected answer
 *   3  refused: the gateway or the VM refused the injection (source busy, queue full, record too
 *      large, unknown source, guest halted, not booted, invalid record; QMP: QEMU's error)
 *   4  guest panicked handling it
 *   5  not handled in time: still queued or delivered, not acknowledged within --wait
 *   6  lost: the record was in flight (queued, or in its block and not read) when the VM was
 *      rebooted, the guest panicked on another record, or the VM was deleted; the guest never
 *      reads it (state `lost`; a deleted VM takes its injections with it)
 *
 * With several --vm the status is the most serious one, in the order 1, 4, 6, 3, 5, 0.
 */
export const INJECT_EXIT = { handled: 0, error: 1, refused: 3, panicked: 4, notInTime: 5, lost: 6 } as const;
export type InjectExit = (typeof INJECT_EXIT)[keyof typeof INJECT_EXIT];

/** `result` in the --json output, by exit status. */
export const INJECT_RESULT_NAMES: Record<InjectExit, string> = { 0: 'handled', 1: 'error', 3: 'refused', 4: 'panicked', 5: 'not-handled-in-time', 6: 'lost' };

export const INJECT_EXIT_HELP = `
Exit status:
  0  handled: the guest read and acknowledged the record and still runs
  1  error: bad options or input, gateway unreachable
  3  refused by the gateway/VM (busy, queue full, too large, unknown source, halted, …) or by QEMU (--qmp)
  4  the guest panicked
  5  not handled in time: not acknowledged within --wait
  6  lost: in flight when the VM rebooted, the guest panicked or the VM was deleted; never read
  With several --vm: the most serious of them, in the order 1, 4, 6, 3, 5, 0.
`;

const SERIOUSNESS: InjectExit[] = [1, 4, 6, 3, 5, 0];

export function worstExit(codes: InjectExit[]): InjectExit {
  for (const c of SERIOUSNESS) if (codes.includes(c)) return c;
  return 0;
}

/**
 * The injection's `notification` fact (src/vm/contract.ts) as read from the gateway's JSON: every
 * field but `kind` optional, so a partial or older answer still prints. Absent until raised.
 */
export interface NotificationView {
  kind: string;
  vcpu?: number;
  esr?: string;
  esrFields?: { ec?: number | string; ecName?: string; il?: number | boolean; ids?: number | boolean; aet?: number | string; aetName?: string; ea?: number | boolean; dfsc?: number | string; dfscName?: string; iss?: string };
  esrReason?: string;
  /** what reached the guest: virtual-serror, synchronous-external-abort, hed-notify, sdei-event, interrupt, nmi, poll, none */
  raised?: string;
  blockSeverity?: string;
  far?: string;
  pollIntervalMs?: number;
  reason?: string;
  takenEsr?: string;
  sdeiEvent?: number;
  line?: number;
  carried?: string[];
  [k: string]: unknown;
}

export interface InjectionView {
  id: string;
  vmId: string;
  state: string;
  sourceId?: number;
  length?: number;
  refusal?: { code: string; message: string };
  /** state `lost`: why (reboot, guest-panic; vm-deleted is the CLI's own finding), in which boot */
  lost?: { reason: string; boot?: number; previousState?: string; message: string };
  outcome?: { logLines: string[]; actions: string[]; panicked: boolean };
  notification?: NotificationView;
  [k: string]: unknown;
}

export interface InjectResult {
  vmId: string;
  exitCode: InjectExit;
  /** absent when the injection was refused before it got an id, or on an error */
  injection?: InjectionView;
  refused?: { status?: number; type?: string; detail: string; problem?: Record<string, unknown> };
  error?: string;
}

export function exitFor(inj: InjectionView): InjectExit {
  if (inj.state === 'rejected') return INJECT_EXIT.refused;
  if (inj.state === 'lost') return INJECT_EXIT.lost;
  if (inj.outcome?.panicked) return INJECT_EXIT.panicked;
  if (inj.state === 'acknowledged') return INJECT_EXIT.handled;
  return INJECT_EXIT.notInTime;
}

/** The guest took the notification and decided not to read the record: waiting longer is pointless. */
export function guestGaveUp(inj: InjectionView): boolean {
  return inj.outcome !== undefined && inj.outcome.actions.length > 0 && inj.outcome.actions.every((a) => a === 'serror-silent' || a === 'ignored');
}

const hex = (v: unknown) => (typeof v === 'number' ? '0x' + v.toString(16) : String(v));

/** "SEI on vCPU 0, ESR 0xbe000011 (EC 0x2f SError interrupt, IDS 0, AET UEO …; block severity)". */
export function formatNotification(n: NotificationView): string {
  let s = `${n.kind.toUpperCase()}${n.raised !== undefined ? ` (${n.raised})` : ''}${n.vcpu !== undefined ? ` on vCPU ${n.vcpu}` : ''}`;
  if (n.esr !== undefined) {
    s += `, ESR ${n.esr}`;
    const f = n.esrFields;
    if (f) {
      const parts: string[] = [];
      if (f.ec !== undefined) parts.push(`EC ${hex(f.ec)}${f.ecName ? ` ${f.ecName}` : ''}`);
      if (f.il !== undefined) parts.push(`IL ${Number(f.il)}`);
      if (f.ids !== undefined) parts.push(`IDS ${Number(f.ids)}`);
      if (f.aet !== undefined) parts.push(`AET ${hex(f.aet)}${f.aetName ? ` ${f.aetName}` : ''}`);
      if (f.ea !== undefined) parts.push(`EA ${Number(f.ea)}`);
      if (f.dfsc !== undefined) parts.push(`DFSC ${hex(f.dfsc)}${f.dfscName ? ` ${f.dfscName}` : ''}`);
      if (f.iss !== undefined) parts.push(`ISS ${f.iss}`);
      if (parts.length) s += ` (${parts.join(', ')})`;
    }
    if (n.esrReason) s += `, syndrome ${n.esrReason === 'given' ? 'as given (--esr-iss)' : `from the block severity${n.blockSeverity ? ` (${n.blockSeverity})` : ''}`}`;
  }
  if (n.far !== undefined) s += `, FAR ${n.far}`;
  if (n.sdeiEvent !== undefined) s += `, SDEI event ${n.sdeiEvent}`;
  if (n.line !== undefined) s += `, interrupt line ${n.line}`;
  if (n.pollIntervalMs !== undefined) s += `, read at the next poll (every ${n.pollIntervalMs} ms)`;
  if (n.reason) s += `, nothing raised: ${n.reason}`;
  if (n.carried && n.carried.length > 1) s += `, one SError for injections ${n.carried.join(', ')}${n.takenEsr ? ` taken as ESR ${n.takenEsr}` : ''}`;
  return s;
}

const ACTION_TEXT: Record<string, string> = {
  logged: 'logged',
  ratelimited: 'rate-limited (not printed)',
  duplicate: 'duplicate (not printed)',
  'memory-failure': 'memory-failure',
  'soft-offline': 'soft-offline',
  sigbus: 'SIGBUS',
  panic: 'panic',
  ignored: 'ignored',
  'serror-silent': 'SError taken silently',
  rejected: 'rejected by the driver',
};

/** The text block for one VM's result. */
export function formatResult(r: InjectResult, location?: string): string {
  if (r.error !== undefined) return `VM ${r.vmId}: error: ${r.error}\n`;
  if (r.refused) return `VM ${r.vmId}: refused: ${r.refused.detail}\n`;
  const inj = r.injection!;
  const lines: string[] = [];
  const state = r.exitCode === INJECT_EXIT.notInTime ? `${inj.state} (not acknowledged in time)` : inj.state;
  lines.push(`VM ${r.vmId}: injection ${inj.id}${inj.length !== undefined ? ` (${inj.length} bytes)` : ''} on source ${inj.sourceId ?? '?'}: ${state}${location ? ` — ${location}` : ''}`);
  if (inj.refusal) lines.push(`  refused: ${inj.refusal.code}: ${inj.refusal.message}`);
  if (inj.lost) lines.push(`  ${inj.lost.message}${inj.lost.boot !== undefined ? ` (boot ${inj.lost.boot})` : ''}`);
  if (inj.notification) lines.push(`  notification: ${formatNotification(inj.notification)}`);
  if (inj.outcome) {
    const actions = inj.outcome.actions.map((a) => ACTION_TEXT[a] ?? a);
    lines.push(`  guest: ${actions.join(', ') || 'no action'}${inj.outcome.panicked ? ' — the guest PANICKED (reboot it: rasgw vm reboot ' + r.vmId + ')' : ''}`);
    for (const l of inj.outcome.logLines) lines.push(`  ${l}`);
  } else if (r.exitCode === INJECT_EXIT.notInTime) lines.push('  guest: has not handled it yet');
  return lines.join('\n') + '\n';
}

/**
 * The VM an injection was waited on is gone (404 while waiting): its injections went with it, so
 * the guest never reads this record. Reported as lost (`vm-deleted`), at once.
 */
export function lostWithVm(inj: InjectionView): InjectionView {
  const previousState = inj.state;
  return { ...inj, state: 'lost', lost: { reason: 'vm-deleted', previousState, message: `lost: VM ${inj.vmId} was deleted while the record was ${previousState}, before the guest read it` } };
}
