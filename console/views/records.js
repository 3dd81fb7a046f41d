// Records the guests read: a filtered list (VM, severity, section type, time) and one record's
// detail (decoded JSON, Linux text, hex view) with downloads as .gesb, .cper and JSON.
import { getBytes, getJson, listAll, vmPath } from '../api.js';
import { base64ToBytes, clear, field, h, saveFile, select, table, toast, when } from '../dom.js';
import { hexView } from '../hexview.js';

const SEVERITIES = ['recoverable', 'fatal', 'corrected', 'informational'];
const PAGE = 1000;
const MAX = 10000;

function fetchRecords(vm, since) {
  const query = {};
  if (vm) query.vm = vm;
  if (since) query.since = since;
  return listAll('/records', 'records', { cursor: 'after', limit: PAGE, max: MAX, query });
}

export async function renderRecords(_params, main) {
  const { vms } = await getJson('/vms');
  const vm = select([['', 'all VMs'], ...vms.map((v) => v.id)], '', { id: 'rec-vm' });
  const severity = select([['', 'any severity'], ...SEVERITIES], '', { id: 'rec-severity' });
  const section = select([['', 'any section type']], '', { id: 'rec-section' });
  const since = h('input', { type: 'datetime-local', id: 'rec-since', step: 1 });
  const until = h('input', { type: 'datetime-local', id: 'rec-until', step: 1 });
  const out = h('div', { class: 'records-list', 'aria-live': 'polite' });
  const form = h('form', { class: 'filters card', 'aria-label': 'Record filters' },
    h('div', { class: 'grid' },
      field('VM', vm), field('Severity', severity), field('Section type', section), field('From (local time)', since), field('Until (local time)', until)),
    h('button', { type: 'submit', class: 'primary' }, 'Apply filters'));
  main.append(h('h1', {}, 'Records'), form, out);
  let sectionsSeen = new Set();
  const load = async () => {
    clear(out).append(h('p', {}, 'Loading…'));
    const sinceIso = since.value ? new Date(since.value).toISOString() : undefined;
    const untilMs = until.value ? new Date(until.value).getTime() : undefined;
    const all = await fetchRecords(vm.value, sinceIso);
    for (const r of all) for (const s of r.sections) sectionsSeen.add(s);
    const keep = section.value;
    clear(section).append(h('option', { value: '' }, 'any section type'), ...[...sectionsSeen].sort().map((s) => h('option', { value: s }, s)));
    section.value = keep;
    const rows = all.filter((r) => (!severity.value || r.severity === severity.value) && (!section.value || r.sections.includes(section.value)) && (untilMs === undefined || new Date(r.at).getTime() <= untilMs));
    clear(out);
    out.append(h('p', {}, `${rows.length} record(s)${all.length >= MAX ? ` (first ${MAX} read)` : ''}`));
    if (rows.length)
      out.append(table('Newest first', ['Record', 'VM', 'When', 'Severity', 'Sections', 'Source', 'Injection'], rows.reverse().map((r) => [
        h('a', { href: `#/records/${encodeURIComponent(r.vmId)}/${r.id}`, 'aria-label': `Record ${r.id} of ${r.vmId}` }, String(r.id)),
        r.vmId, when(r.at), r.severity ?? '—', r.sections.join(', '), String(r.sourceId),
        r.injectionId ? h('a', { href: `#/vms/${encodeURIComponent(r.vmId)}/errors/${encodeURIComponent(r.injectionId)}` }, r.injectionId) : '—',
      ])));
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load().catch((e) => clear(out).append(h('p', { class: 'error', role: 'alert' }, e.message)));
  });
  await load();
}

export async function renderRecord([vmId, rid], main) {
  const r = await getJson(vmPath(vmId, `/records/${encodeURIComponent(rid)}`));
  const bytes = base64ToBytes(r.bytes);
  const [{ spans }, text] = await Promise.all([getJson(vmPath(vmId, `/records/${rid}/fields`)), getJson(vmPath(vmId, `/records/${rid}/text`))]);
  let printed;
  if (r.injectionId) {
    const inj = await getJson(vmPath(vmId, `/errors/${encodeURIComponent(r.injectionId)}`)).catch(() => undefined);
    printed = inj?.outcome?.logLines;
  }
  const base = `${vmId}-${r.id}`;
  // the gateway's export route: the stored status block (.gesb) or the CPER record made from it
  const download = async (format) => {
    try {
      const res = await getBytes(vmPath(vmId, `/records/${encodeURIComponent(rid)}?format=${format}`));
      saveFile(`${base}.${format}`, res.bytes);
      toast(`${base}.${format} saved (${res.bytes.length} bytes)`);
    } catch (e) {
      toast(`.${format}: ${e.message}`);
    }
  };
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: '#/records' }, 'Records'), ' › ', h('a', { href: `#/vms/${encodeURIComponent(vmId)}` }, vmId), ` › record ${r.id}`),
    h('h1', {}, `Record ${r.id} `, h('span', { class: `badge ${r.severity ?? ''}` }, r.severity ?? 'unknown')),
    h('p', { class: 'meta' }, `VM ${r.vmId} · source ${r.sourceId} · boot ${r.boot} · ${when(r.at)} · ${r.sections.join(', ')} · ${bytes.length} bytes`,
      r.injectionId ? [' · ', h('a', { href: `#/vms/${encodeURIComponent(vmId)}/errors/${encodeURIComponent(r.injectionId)}` }, `injection ${r.injectionId}`)] : null),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => download('gesb') }, 'Download .gesb'),
      h('button', { type: 'button', onclick: () => download('cper') }, 'Download .cper'),
      h('button', { type: 'button', onclick: () => saveFile(`${base}.json`, JSON.stringify(r, null, 2), 'application/json') }, 'Download JSON')),
    h('section', { 'aria-labelledby': 'lt' },
      h('h2', { id: 'lt' }, printed?.length ? `What the guest printed (Linux ${text.linuxVersion}, injection ${r.injectionId})` : `Linux text (${text.linuxVersion})`),
      h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Linux text of the record' }, (printed?.length ? printed : text.lines.map((l) => l.text)).join('\n'))),
    h('section', { 'aria-labelledby': 'hx' }, h('h2', { id: 'hx' }, 'Error status block'), hexView(bytes, spans, `Record ${r.id} status block`, r.decoded ?? undefined)),
    h('section', { 'aria-labelledby': 'js' }, h('h2', { id: 'js' }, 'Decoded (CPER JSON form)'), h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Decoded record JSON' }, JSON.stringify(r.decoded, null, 2))),
  );
}
