// A VM's ERST store (the device model's persistent error records, docs/ERST.md): the records with
// what each one is (read from its JSON form), one record's JSON form and pstore text, download as
// .cper, delete one or all (asked first), and the guest's /sys/fs/pstore listing of this boot.
import { del, getBytes, getJson, vmPath } from '../api.js';
import { h, saveFile, table, toast, when } from '../dom.js';

const PSTORE_CREATOR = '75a574e3-5052-4b29-8a8e-be2c6490b89d';
/** Linux's pstore section types (include/linux/cper.h, drivers/acpi/apei/erst.c) */
const PSTORE_SECTIONS = {
  'c197e04e-d545-4a70-9c17-a5549419eb12': 'pstore dmesg',
  '4f118707-04dd-4055-b5dd-956d34ddfac6': 'pstore dmesg (compressed)',
  'fe08ffbe-95e4-4be7-bc73-4096044a38fc': 'pstore mce',
};

/** Whether the VM has an ERST device: GET /vms/{id} says so with `erst: {capacity, recordSize}`. */
export function hasErst(vm) {
  return vm.erst !== undefined;
}

function erstPath(vmId, rid = '') {
  return vmPath(vmId, rid === '' ? '/erst' : `/erst/${encodeURIComponent(rid)}`);
}

/** What a record is, from its JSON form: pstore's section types by name, else the section types. */
export function describeRecord(r) {
  const sections = r.decoded?.sections ?? [];
  if (r.creatorId === PSTORE_CREATOR) {
    const kinds = sections.map((s) => PSTORE_SECTIONS[s.section?.guid] ?? `pstore ${s.section?.type ?? '?'}`);
    return kinds.join(', ') || 'pstore';
  }
  if (!r.decoded) return `not decodable${r.decodeError?.message ? `: ${r.decodeError.message}` : ''}`;
  const severity = r.decoded.errorSeverity?.name ?? '';
  return `${severity} ${sections.map((s) => (s.section?.type === 'unknown' ? s.section.guid : s.section?.type)).join(', ')}`.trim();
}

/**
 * When the record was written: pstore records carry plain seconds in the CPER timestamp (as Linux
 * writes them), other records a CPER (BCD) timestamp when its validation bit is set.
 */
export function recordTime(r) {
  const ts = r.decoded?.timestamp;
  if (!ts || !r.decoded.validationBits?.timestamp) return '—';
  if (r.creatorId === PSTORE_CREATOR) return when(new Date(Number(BigInt(ts.raw)) * 1000).toISOString());
  return ts.iso ? when(ts.iso) : `${ts.raw} (not a valid date)`;
}

async function downloadCper(vmId, rid) {
  try {
    const res = await getBytes(`${erstPath(vmId, rid)}?format=cper`);
    const name = `${vmId}-erst-${rid}.cper`;
    saveFile(name, res.bytes);
    toast(`${name} saved (${res.bytes.length} bytes)`);
  } catch (e) {
    toast(`.cper: ${e.message}`);
  }
}

export async function renderErst(vm, body) {
  const store = await getJson(erstPath(vm.id));
  // each record's JSON form says what it is and when it was written (a few requests at a time)
  const full = new Array(store.records.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(4, store.records.length) }, async () => {
    while (next < store.records.length) {
      const i = next++;
      full[i] = await getJson(erstPath(vm.id, store.records[i].id)).catch((e) => ({ ...store.records[i], loadError: e.message }));
    }
  }));
  const status = h('p', { role: 'status', class: 'erst-status' });
  const removeAll = async (ev) => {
    if (!confirm(`Clear all ${store.count} ERST record(s) of VM ${vm.id}? The guest will not find them after its next boot.`)) return;
    ev.target.disabled = true;
    try {
      const res = await del(erstPath(vm.id));
      toast(`Cleared ${res?.cleared ?? store.count} ERST record(s)`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      status.textContent = `Clear all: ${e.message}`;
      ev.target.disabled = false;
    }
  };
  const removeOne = async (ev, rid) => {
    if (!confirm(`Clear ERST record ${rid} of VM ${vm.id}?`)) return;
    ev.target.disabled = true;
    try {
      await del(erstPath(vm.id, rid));
      toast(`ERST record ${rid} cleared`);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (e) {
      status.textContent = `Clear ${rid}: ${e.message}`;
      ev.target.disabled = false;
    }
  };
  body.append(
    h('p', {}, `Error Record Serialization Table store: ${store.count} of ${store.capacity} record(s), exchange buffer ${store.recordSize} bytes. Records survive reboots and gateway restarts; the guest's pstore writes its last log lines here when it panics.`),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'danger', onclick: removeAll, disabled: store.count === 0 }, 'Clear all ERST records')),
    status,
  );
  if (store.count === 0) body.append(h('p', { class: 'erst-empty' }, 'No ERST record.'));
  else
    body.append(
      table('ERST records, in slot order', ['Record id', 'Slot', 'Size (bytes)', 'What', 'Written', 'Actions'], full.map((r) => {
        const tr = h('tr', { dataset: { erst: r.id } },
          h('td', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/erst/${encodeURIComponent(r.id)}`, 'aria-label': `ERST record ${r.id}` }, r.id)),
          h('td', {}, String(r.slot)),
          h('td', {}, String(r.length)),
          h('td', {}, r.loadError ? h('span', { class: 'error' }, r.loadError) : describeRecord(r)),
          h('td', {}, r.loadError ? '' : recordTime(r)),
          h('td', { class: 'actions' },
            h('button', { type: 'button', onclick: () => downloadCper(vm.id, r.id), 'aria-label': `Download ERST record ${r.id} as .cper` }, '.cper'),
            h('button', { type: 'button', class: 'danger', onclick: (ev) => removeOne(ev, r.id), 'aria-label': `Clear ERST record ${r.id}` }, 'Clear')));
        return tr;
      }), { class: 'erst-table' }),
    );
  body.append(h('h2', {}, 'Guest /sys/fs/pstore (this boot)'));
  if (store.pstore.length === 0) body.append(h('p', {}, 'The guest listed no pstore file when this boot mounted pstore (records written during this boot appear after the next one).'));
  else {
    body.append(table('What the guest found at boot: files named after the record id', ['File', 'Type', 'Time', 'Size (bytes)', 'Compressed (as listed: pstore inflates the text)'], store.pstore.map((f) => [
      f.name, f.type, when(new Date(f.time * 1000).toISOString()), String(f.size), f.compressed ? 'yes' : 'no',
    ]), { class: 'pstore-table' }));
    for (const f of store.pstore)
      body.append(h('details', { class: 'pstore-file' }, h('summary', {}, f.name), h('pre', { class: 'code', tabindex: 0, 'aria-label': `Text of ${f.name}` }, f.text)));
  }
}

export async function renderErstRecord([vmId, rid], main) {
  const r = await getJson(erstPath(vmId, rid));
  const back = `#/vms/${encodeURIComponent(vmId)}/erst`;
  const remove = async (ev) => {
    if (!confirm(`Clear ERST record ${r.id} of VM ${vmId}?`)) return;
    ev.target.disabled = true;
    try {
      await del(erstPath(vmId, r.id));
      toast(`ERST record ${r.id} cleared`);
      location.hash = back;
    } catch (e) {
      toast(`Clear ${r.id}: ${e.message}`);
      ev.target.disabled = false;
    }
  };
  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/vms/${encodeURIComponent(vmId)}` }, `VM ${vmId}`), ' › ', h('a', { href: back }, 'ERST'), ` › record ${r.id}`),
    h('h1', {}, `ERST record ${r.id}`),
    h('p', { class: 'meta' }, `${describeRecord(r)} · slot ${r.slot} · ${r.length} bytes · written ${recordTime(r)}${r.creator ? ` · creator ${r.creator}` : ` · creator ${r.creatorId ?? '?'}`}`),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => downloadCper(vmId, r.id) }, 'Download .cper'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Clear this record')),
  );
  if (r.pstore)
    main.append(h('section', { 'aria-labelledby': 'ps' },
      h('h2', { id: 'ps' }, `pstore text${r.pstore.compressed ? ' (stored deflated, shown inflated)' : ''}`),
      h('pre', { class: 'code', tabindex: 0, 'aria-label': 'pstore text of the record' }, r.pstore.text)));
  if (r.decodeError) main.append(h('p', { class: 'error' }, `The record does not decode as CPER: ${r.decodeError.message ?? JSON.stringify(r.decodeError)}`));
  const { bytes, ...shown } = r;
  main.append(h('section', { 'aria-labelledby': 'ej' },
    h('h2', { id: 'ej' }, 'JSON form (GET …/erst/{recordId}, without the base64 bytes)'),
    h('pre', { class: 'code', tabindex: 0, 'aria-label': 'ERST record JSON' }, JSON.stringify(shown, null, 2))));
}
