// One VM: sources, live log + injections, inject, tables, loader script, hardware-errors blob.
import { followEvents, getBytes, getJson, getText, vmPath } from '../api.js';
import { clear, h, saveFile, select, table, toast, when } from '../dom.js';
import { renderInject } from './inject.js';
import { LogView } from './logView.js';
import { vmState } from './vms.js';

const TABS = [
  ['sources', 'Sources'],
  ['activity', 'Live log & injections'],
  ['inject', 'Inject'],
  ['tables', 'ACPI tables'],
  ['loader', 'Loader script'],
  ['hardware-errors', 'Hardware errors'],
];

export async function renderVm([id, tab = 'sources'], main) {
  const vm = await getJson(vmPath(id));
  const state = vmState(vm);
  main.append(
    h('h1', {}, `VM ${vm.id} `, h('span', { class: `badge ${state.replace(' ', '-')}` }, state)),
    h('p', { class: 'meta' }, `${vm.spec.profile} · ${vm.spec.personality} · Linux ${vm.spec.linuxVersion} · busy policy ${vm.spec.busyPolicy} · boot ${vm.bootCount} · created ${when(vm.createdAt)}`),
    h('nav', { class: 'tabs', 'aria-label': 'VM views' }, TABS.map(([t, label]) => h('a', { href: `#/vms/${encodeURIComponent(id)}/${t}`, 'aria-current': t === tab ? 'page' : undefined }, label))),
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
    ),
  );
}

function renderActivity(vm, body) {
  const log = new LogView(vm.id);
  const injections = h('div', { class: 'injections' });
  body.append(h('div', { class: 'split' }, log.el, h('section', { 'aria-labelledby': 'inj-title' }, h('h2', { id: 'inj-title' }, 'Injections'), injections)));
  const refresh = async () => {
    const { injections: list } = await getJson(vmPath(vm.id, '/errors?limit=10000'));
    clear(injections);
    if (list.length === 0) injections.append(h('p', {}, 'No injection yet.'));
    else
      injections.append(
        table('Newest first; open one for its timeline', ['Id', 'State', 'Source', 'When'], list.slice(-100).reverse().map((i) => [
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
  const show = async () => {
    const [sig, inst] = choice.value.split(':');
    pre.textContent = 'Loading…';
    pre.textContent = await getText(vmPath(vm.id, `/tables/${encodeURIComponent(sig)}?format=text&instance=${inst}`));
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

async function renderHardwareErrors(vm, body) {
  const hw = await getJson(vmPath(vm.id, '/hardware-errors'));
  body.append(
    h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: async () => { const b = await getBytes(vmPath(vm.id, '/hardware-errors?format=bin')); saveFile(`${vm.id}-hardware_errors.bin`, b.bytes); toast('etc/hardware_errors saved'); } }, 'Download etc/hardware_errors')),
    h('pre', { class: 'code', tabindex: 0, 'aria-label': 'Hardware errors blob (JSON)' }, JSON.stringify(hw, null, 2)),
  );
}
