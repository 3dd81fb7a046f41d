// One VM: sources, live log + injections, inject, tables, loader script, hardware-errors blob.
import { getBytes, getJson, getText, listAll, post, vmPath } from '../api.js';
import { clear, h, saveFile, select, table, toast, when } from '../dom.js';
import { hexView } from '../hexview.js';
import { renderInject } from './inject.js';
import { LogView } from './logView.js';
import { vmState } from './vms.js';
import { hasErst, renderErst } from './erst.js';

const TABS = [
  ['sources', 'Sources'],
  ['activity', 'Live log & injections'],
  ['inject', 'Inject'],
  ['tables', 'ACPI tables'],
  ['loader', 'Loader script'],
  ['hardware-errors', 'Hardware errors'],
  ['erst', 'ERST records'],
];

export async function renderVm([id, tab = 'sources'], main) {
  const vm = await getJson(vmPath(id));
  const state = vmState(vm);
  main.append(
    h('h1', {}, `VM ${vm.id} `, h('span', { class: `badge ${state.replace(' ', '-')}` }, state)),
    h('p', { class: 'meta' }, `${vm.spec.profile} · ${vm.spec.personality} · Linux ${vm.spec.linuxVersion} · busy policy ${vm.spec.busyPolicy} · boot ${vm.bootCount} · created ${when(vm.createdAt)} `,
      h('button', { type: 'button', onclick: async (ev) => {
        ev.target.disabled = true;
        try {
          await post(vmPath(id, '/reboot'));
          toast(`VM ${id} rebooted`);
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        } catch (e) {
          toast(`Reboot ${id}: ${e.message}`);
          ev.target.disabled = false;
        }
      } }, 'Reboot')),
    h('nav', { class: 'tabs', 'aria-label': 'VM views' }, TABS.filter(([t]) => t !== 'erst' || hasErst(vm)).map(([t, label]) => h('a', { href: `#/vms/${encodeURIComponent(id)}/${t}`, 'aria-current': t === tab ? 'page' : undefined }, label))),
  );
  const body = h('div', { class: 'tab-body' });
  main.append(body);
  switch (tab) {
    case 'sources':
      return renderSources(vm, body);
    case 'activity':
      return renderActivity(vm, body);
    case 'inject':
      return renderInject(vm, body);
    case 'tables':
      return renderTables(vm, body);
    case 'loader':
      return renderLoader(vm, body);
    case 'hardware-errors':
      return renderHardwareErrors(vm, body);
    case 'erst':
      return renderErst(vm, body);
    default:
      body.append(h('p', { class: 'error' }, `No view ${tab}.`));
  }
}

function renderSources(vm, body) {
  body.append(
    table(
      'Error sources: registers, block and acknowledgement state',
      ['Source', 'Notification', 'Version', 'Error status address register', 'Read-ack register', 'Block address', 'Block length', 'Block status', 'Read-ack', 'Queue', 'Guest handler'],
      vm.sources.map((s) => [
        String(s.sourceId),
        s.notification,
        s.version,
        s.errorStatusAddressRegister ?? '—',
        s.readAckRegister ?? '—',
        s.blockAddress ?? '—',
        String(s.errorBlockLength),
        s.blockStatus === 0 ? '0 (empty)' : `0x${Number(s.blockStatus).toString(16)}`,
        s.readAck ?? '—',
        String(s.queueDepth),
        s.guestHandler ? 'yes' : 'no',
      ]),
      { class: 'sources-table' },
    ),
    h('h2', {}, 'Guest'),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Running'), h('dd', {}, String(vm.guest?.running)),
      h('dt', {}, 'Panicked'), h('dd', {}, String(vm.guest?.panicked)),
      h('dt', {}, 'Poisoned pages'), h('dd', {}, (vm.guest?.poisonedPages ?? []).join(', ') || 'none'),
      h('dt', {}, 'Virtual clock'), h('dd', {}, vm.guest?.clockNs ?? ''),
      h('dt', {}, 'MIDR'), h('dd', {}, vm.spec.midr ?? ''),
      vm.erst ? [h('dt', {}, 'ERST'), h('dd', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/erst` }, `up to ${vm.erst.capacity} records of ${vm.erst.recordSize} bytes`))] : null,
      vm.qmp ? [h('dt', {}, 'QMP'), h('dd', {}, `tcp ${vm.qmp.host}:${vm.qmp.port}${vm.qmp.sourceId !== undefined ? `, inject-ghes-v2-error → source ${vm.qmp.sourceId}` : ''}`)] : null,
    ),
  );
  if (vm.spec.diagnostics && vm.guest?.panicked) {
    const box = h('section', { 'aria-labelledby': 'crash-title' }, h('h2', { id: 'crash-title' }, 'Crash report'));
    body.append(box);
    getJson(vmPath(vm.id, '/crash')).then(
      (c) => box.append(h('dl', { class: 'kv' }, h('dt', {}, 'Reason'), h('dd', {}, c.reason), h('dt', {}, 'Message'), h('dd', {}, c.message), c.esr ? [h('dt', {}, 'ESR'), h('dd', {}, c.esr)] : null)),
      (e) => box.append(h('p', { class: 'error' }, e.message)),
    );
  }
  if (vm.guest?.panicked) body.append(h('p', { class: 'error' }, 'The guest panicked: reboot the VM (VMs page) before injecting again.'));
}

function renderActivity(vm, body) {
  const log = new LogView(vm.id);
  const injections = h('div', { class: 'injections' });
  body.append(h('div', { class: 'split' }, log.el, h('section', { 'aria-labelledby': 'inj-title' }, h('h2', { id: 'inj-title' }, 'Injections'), injections)));
  // the newest 100 injections: the first read pages through them all, later reads start at the
  // oldest one shown (its state may still change)
  let shown = [];
  const refresh = async () => {
    const from = shown.length ? Number(shown[0].id) - 1 : undefined;
    const fresh = await listAll(vmPath(vm.id, '/errors'), 'injections', { limit: 1000, max: 1000000, query: from !== undefined && from >= 0 ? { since: String(from) } : {} });
    const byId = new Map(shown.map((i) => [i.id, i]));
    for (const i of fresh) byId.set(i.id, i);
    shown = [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id)).slice(-100);
    const list = shown;
    clear(injections);
    if (list.length === 0) injections.append(h('p', {}, 'No injection yet.'));
    else
      injections.append(
        table('Newest first; open one for its timeline', ['Id', 'State', 'Source', 'When'], [...list].reverse().map((i) => [
          h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/errors/${encodeURIComponent(i.id)}`, 'aria-label': `Injection ${i.id} timeline` }, i.id),
          i.state,
          i.sourceId ?? '—',
          when(i.createdAt),
        ])),
      );
  };
  refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 3000);
  const stop = log.start();
  return () => {
    clearInterval(timer);
    stop();
  };
}

async function renderTables(vm, body) {
  const { tables } = await getJson(vmPath(vm.id, '/tables'));
  const pre = h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Table text (iasl style)' });
  const seen = {};
  for (const t of tables) {
    t.instance = seen[t.signature] ?? 0;
    seen[t.signature] = t.instance + 1;
  }
  const key = (t) => `${t.signature}:${t.instance}`;
  const choice = select(tables.map((t) => [key(t), `${t.signature}${t.instance ? ` #${t.instance}` : ''} at ${t.address ?? ''}`]), undefined, { id: 'table-choice' });
  let asked = 0;
  const show = async () => {
    const [sig, inst] = choice.value.split(':');
    const mine = ++asked;
    pre.textContent = 'Loading…';
    const text = await getText(vmPath(vm.id, `/tables/${encodeURIComponent(sig)}?format=text&instance=${inst}`));
    if (mine === asked) pre.textContent = text; // an older answer arriving late is dropped
  };
  choice.addEventListener('change', show);
  const download = async () => {
    const parts = [];
    for (const t of tables) parts.push(await getText(vmPath(vm.id, `/tables/${encodeURIComponent(t.signature)}?format=acpidump&instance=${t.instance ?? 0}`)));
    saveFile(`${vm.id}-acpidump.txt`, parts.join('\n'), 'text/plain');
  };
  body.append(
    table('Installed ACPI tables', ['Signature', 'Address', 'Length', 'Revision', 'OEM', 'Checksum'], tables.map((t) => [t.signature, t.address ?? '', String(t.length ?? ''), t.revision ?? '', [t.oemId, t.oemTableId].filter(Boolean).join(' '), t.checksum === undefined ? '' : t.checksum.ok ? 'ok' : `wrong (0x${t.checksum.value.toString(16)}, expected 0x${t.checksum.expected.toString(16)})`])),
    h('div', { class: 'toolbar' }, h('label', { for: 'table-choice' }, 'Table'), choice, h('button', { type: 'button', onclick: download }, 'Download acpidump of all tables')),
    pre,
  );
  if (tables.length) await show();
}

async function renderLoader(vm, body) {
  const text = await getText(vmPath(vm.id, '/loader?format=text'));
  body.append(
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: async () => { const b = await getBytes(vmPath(vm.id, '/loader?format=bin')); saveFile(`${vm.id}-table-loader.bin`, b.bytes); } }, 'Download etc/table-loader')),
    h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Linker/loader script' }, text),
  );
}

/** Field spans of the etc/hardware_errors blob: each source's registers and its block. */
function hardwareErrorSpans(hw) {
  const addrs = hw.sources.flatMap((s) => [s.errorStatusAddressRegister, s.readAckRegister, s.blockAddress]).filter(Boolean).map((a) => BigInt(a));
  if (addrs.length === 0) return [];
  const base = addrs.reduce((m, a) => (a < m ? a : m));
  const spans = [];
  for (const s of hw.sources) {
    const at = (a) => Number(BigInt(a) - base);
    if (s.errorStatusAddressRegister) spans.push({ offset: at(s.errorStatusAddressRegister), length: 8, path: `/sources/${s.sourceId}/errorStatusAddressRegister`, name: `Source ${s.sourceId} error status address register` });
    if (s.readAckRegister) spans.push({ offset: at(s.readAckRegister), length: 8, path: `/sources/${s.sourceId}/readAckRegister`, name: `Source ${s.sourceId} read-ack register` });
    if (s.blockAddress) spans.push({ offset: at(s.blockAddress), length: s.errorBlockLength, path: `/sources/${s.sourceId}/blockAddress`, name: `Source ${s.sourceId} error status block` });
  }
  return spans.filter((x) => x.offset >= 0 && x.offset + x.length <= hw.length).sort((a, b) => a.offset - b.offset);
}

function hexToBytes(hexText) {
  const out = new Uint8Array(hexText.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hexText.substr(i * 2, 2), 16);
  return out;
}

async function renderHardwareErrors(vm, body) {
  const hw = await getJson(vmPath(vm.id, '/hardware-errors'));
  body.append(
    h('p', {}, `etc/hardware_errors: ${hw.length} bytes${hw.booted ? '' : ' (not booted)'}: one error status address register and (GHESv2) one read-ack register per source, then the error status blocks.`),
    table('Per source', ['Source', 'Notification', 'Error status address register', 'Block address', 'Block length', 'Block status', 'Read-ack register', 'Read-ack value', 'Queue'],
      hw.sources.map((s) => [String(s.sourceId), s.notification, s.errorStatusAddressRegister ?? '—', s.blockAddress ?? '—', String(s.errorBlockLength), s.blockStatus === 0 ? '0 (empty)' : `0x${Number(s.blockStatus).toString(16)}`, s.readAckRegister ?? '—', s.readAck ?? '—', String(s.queueDepth)]),
      { class: 'sources-table' }),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: async () => { const b = await getBytes(vmPath(vm.id, '/hardware-errors?format=bin')); saveFile(`${vm.id}-hardware_errors.bin`, b.bytes); toast('etc/hardware_errors saved'); } }, 'Download etc/hardware_errors')),
  );
  if (typeof hw.bytes === 'string' && /^[0-9a-f]*$/i.test(hw.bytes) && hw.bytes.length % 2 === 0) body.append(hexView(hexToBytes(hw.bytes), hardwareErrorSpans(hw), 'etc/hardware_errors'));
}
