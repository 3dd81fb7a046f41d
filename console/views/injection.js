// One injection: its timeline (accepted → queued → delivered → acknowledged), the notification
// with the decoded ESR, the guest's outcome and its records.
import { getJson, vmPath } from '../api.js';
import { base64ToBytes, h, table, when } from '../dom.js';
import { hexView } from '../hexview.js';

const STEPS = ['accepted', 'queued', 'delivered', 'acknowledged'];

const FINAL = new Set(['acknowledged', 'rejected', 'lost']);

export async function renderInjection([vmId, eid], main) {
  const inj = await getJson(vmPath(vmId, `/errors/${encodeURIComponent(eid)}`));
  // an injection still on its way: look again shortly (the page is drawn anew when it moved on)
  let timer;
  let stopped = false;
  if (!FINAL.has(inj.state)) {
    timer = setTimeout(async function again() {
      const now = await getJson(vmPath(vmId, `/errors/${encodeURIComponent(eid)}`)).catch(() => undefined);
      if (stopped) return;
      if (now && (now.state !== inj.state || Boolean(now.notification) !== Boolean(inj.notification))) window.dispatchEvent(new HashChangeEvent('hashchange'));
      else timer = setTimeout(again, 1500);
    }, 1500);
  }
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/vms/${encodeURIComponent(vmId)}/activity` }, `VM ${vmId}`), ' › injection ', inj.id),
    h('h1', {}, `Injection ${inj.id} `, h('span', { class: `badge ${inj.state}` }, inj.state)),
    h('p', { class: 'meta' }, `origin ${inj.origin} · source ${inj.sourceId ?? '—'} · ${inj.length} bytes · target ${JSON.stringify(inj.target ?? {})}`),
  );
  main.append(timeline(inj));
  main.append(notificationView(inj));
  if (inj.refusal) main.append(h('div', { class: 'card error', role: 'alert' }, h('h2', {}, 'Refused'), h('p', {}, `${inj.refusal.code}: ${inj.refusal.message}`)));
  // lost in flight: the VM was reset, or the guest panicked, before it read the record
  if (inj.lost) main.append(h('div', { class: 'card error', role: 'alert' }, h('h2', {}, 'Lost'), h('p', {}, `${inj.lost.message}${inj.lost.boot !== undefined ? ` (boot ${inj.lost.boot})` : ''}`)));
  if (inj.outcome) {
    main.append(
      h('section', { 'aria-labelledby': 'outcome-title' },
        h('h2', { id: 'outcome-title' }, 'Guest outcome'),
        h('p', {}, `actions: ${(inj.outcome.actions ?? []).join(', ') || 'none'}${inj.outcome.panicked ? ' — the guest panicked' : ''}`),
        h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Lines the guest printed for this injection' }, (inj.outcome.logLines ?? []).join('\n')),
      ),
    );
  }
  for (const r of inj.records ?? []) {
    const bytes = base64ToBytes(r.bytes);
    const { spans } = await getJson(vmPath(vmId, `/records/${r.id}/fields`));
    main.append(
      h('section', { 'aria-labelledby': `rec-${r.id}` },
        h('h2', { id: `rec-${r.id}` }, `Record ${r.id}: error status block as the guest read it`),
        h('p', {}, h('a', { href: `#/records/${encodeURIComponent(vmId)}/${r.id}` }, `Record ${r.id} details and downloads`), ` · ${r.severity ?? ''} · ${r.sections.join(', ')}`),
        hexView(bytes, spans, `Record ${r.id} status block`, r.decoded ?? undefined),
      ),
    );
  }
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function timeline(inj) {
  const byState = new Map();
  for (const x of inj.history ?? []) if (!byState.has(x.state)) byState.set(x.state, x);
  const extra = (inj.history ?? []).filter((x) => !STEPS.includes(x.state));
  const ol = h('ol', { class: 'timeline', 'aria-label': 'Injection timeline' });
  for (const s of STEPS) {
    const x = byState.get(s);
    const skipped = !x && s === 'queued' && (byState.has('delivered') || byState.has('acknowledged'));
    ol.append(
      h('li', { class: x ? 'done' : skipped ? 'skipped' : 'pending', dataset: { step: s } },
        h('strong', {}, s),
        h('span', {}, x ? ` ${when(x.at)}${x.clockNs ? ` · guest clock ${x.clockNs} ns` : ''}${x.boot ? ` · boot ${x.boot}` : ''}` : skipped ? ' skipped: the block was free' : ' not reached'),
      ),
    );
  }
  for (const x of extra) ol.append(h('li', { class: 'done other', dataset: { step: x.state } }, h('strong', {}, x.state), h('span', {}, ` ${when(x.at)}`)));
  return h('section', { 'aria-labelledby': 'tl-title' }, h('h2', { id: 'tl-title' }, 'Timeline'), ol);
}

const NOTIFICATION_LABELS = {
  kind: 'Notification type',
  raised: 'Raised as',
  vcpu: 'vCPU',
  esr: 'ESR',
  esrReason: 'Syndrome chosen from',
  blockSeverity: 'Block severity',
  takenEsr: 'ESR the guest took (coalesced)',
  far: 'FAR',
  farValid: 'FAR valid',
  sdeiEvent: 'SDEI event',
  line: 'Interrupt line',
  pollIntervalMs: 'Poll interval (ms)',
  carried: 'Injections carried (coalesced SError)',
  reason: 'Reason',
};

const ESR_LABELS = {
  ec: 'EC (exception class)',
  il: 'IL',
  iss: 'ISS',
  ids: 'IDS',
  aet: 'AET (asynchronous error type)',
  ea: 'EA',
  fnv: 'FnV',
  wnr: 'WnR',
  dfsc: 'DFSC (fault status code)',
};

function show(v) {
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** The notification fact (contract 1): every field the gateway reports, the ESR decoded. */
export function notificationView(inj) {
  const n = inj.notification;
  const box = h('section', { 'aria-labelledby': 'notif-title', class: 'notification' }, h('h2', { id: 'notif-title' }, 'Notification'));
  if (!n) {
    // absent until the record is written, for a refused injection, and for injections stored
    // before the gateway recorded notifications (event store version 1)
    box.append(h('p', {}, inj.state === 'accepted' || inj.state === 'queued' ? 'Not raised yet.' : inj.state === 'rejected' ? 'None: the injection was refused.' : 'Not recorded for this injection (it was stored before the gateway recorded notifications).'));
    return box;
  }
  const rows = [];
  for (const [k, label] of Object.entries(NOTIFICATION_LABELS)) {
    if (n[k] === undefined) continue;
    let v = show(n[k]);
    if (k === 'esrReason') v = n[k] === 'given' ? 'the request (esrIss)' : 'the block severity';
    rows.push([label, v]);
  }
  for (const [k, v] of Object.entries(n)) if (!(k in NOTIFICATION_LABELS) && k !== 'esrFields') rows.push([k, show(v)]);
  box.append(table(undefined, ['Field', 'Value'], rows, { class: 'notif' }));
  const f = n.esrFields;
  if (f) {
    const named = { ec: f.ecName, aet: f.aetName, dfsc: f.dfscName };
    const esrRows = [];
    for (const [k, label] of Object.entries(ESR_LABELS)) {
      if (f[k] === undefined) continue;
      const raw = typeof f[k] === 'number' && k !== 'il' && k !== 'ids' && k !== 'ea' && k !== 'fnv' && k !== 'wnr' ? `0x${f[k].toString(16)}` : show(f[k]);
      esrRows.push([label, named[k] ? `${raw} — ${named[k]}${k === 'aet' && f.aetMeaning ? ` (${f.aetMeaning})` : ''}` : raw]);
    }
    box.append(h('h3', {}, `Syndrome ${n.esr ?? ''} decoded`), table(undefined, ['Field', 'Value'], esrRows, { class: 'esr' }));
  }
  return box;
}
