import { toJsonValue } from '../binary/u64';
import type { StoredInjection } from '../store/records';
import type { InjectionStatus, VmSpec } from '../vm/contract';
import { runSideBySide } from '../vm/sideBySide';

/**
 * `GET /vms/{id}/errors/{eid}?personality=both`: what our design and stock Linux do with this
 * injection. The VM's machine (same profile, sources, Linux version, CPU) is booted afresh once
 * per guest personality and the injection's bytes are injected with its target; nothing is
 * stored and the live VM is not touched. `boot` and `rows` are the two guest logs aligned line by
 * line (a row with both sides is a line both printed).
 */
function side(r: InjectionStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { state: r.state };
  if (r.refusal) out.refusal = r.refusal;
  if (r.notification) out.notification = r.notification;
  if (r.outcome) out.outcome = r.outcome;
  return out;
}

export function sideBySideView(spec: VmSpec, inj: StoredInjection): Record<string, unknown> {
  const { personality: _ours, ...machine } = spec;
  const out = runSideBySide(machine, [{ payload: { kind: 'raw', bytes: inj.bytes }, target: inj.target }], { id: `compare-${inj.id}` });
  const view: Record<string, unknown> = {
    basis: 'a fresh boot of this VM\'s machine per guest personality, this injection alone (the live VM is not touched)',
  };
  for (const r of out.runs) view[r.personality] = side(r.results[0]);
  view.boot = out.steps[0].rows;
  view.rows = out.steps[1].rows;
  return toJsonValue(view) as Record<string, unknown>;
}
