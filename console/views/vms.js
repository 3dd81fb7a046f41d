// VM list with state and queue depths, create (with the extended profile's source builder),
// reboot and delete.
import { ApiError, del, getJson, post, schemas, vmPath } from '../api.js';
import { clear, field, h, select, showProblemAtFields, table, toast } from '../dom.js';

export function vmState(vm) {
  if (!vm.booted) return 'not booted';
  if (vm.guest?.panicked) return 'panicked';
  if (vm.guest?.running === false) return 'halted';
  return 'running';
}

export async function renderVms(_params, main) {
  const listBox = h('section', { 'aria-labelledby': 'vms-title' });
  main.append(h('h1', { id: 'vms-title' }, 'Virtual machines'), listBox);
  let shown;
  const refresh = async (onlyIfChanged = false) => {
    const { vms } = await getJson('/vms');
    const key = JSON.stringify(vms.map((v) => [v.id, vmState(v), v.sources.map((s) => s.queueDepth), v.injections, v.bootCount]));
    if (onlyIfChanged && key === shown) return;
    shown = key;
    clear(listBox);
    if (vms.length === 0) listBox.append(h('p', {}, 'No VM yet: create one below.'));
    else
      listBox.append(
        table(
          'VMs with their guest state and per-source queue depths',
          ['VM', 'State', 'Profile', 'Personality', 'Linux', 'Sources', 'Queues', 'Injections', 'Actions'],
          vms.map((vm) => {
            const state = vmState(vm);
            const queues = vm.sources.map((s) => `${s.sourceId}:${s.queueDepth}`).join(' ');
            const counts = Object.entries(vm.injections ?? {}).map(([k, v]) => `${k} ${v}`).join(', ') || '0';
            return h(
              'tr',
              { dataset: { vm: vm.id } },
              h('td', {}, h('a', { href: `#/vms/${encodeURIComponent(vm.id)}` }, vm.id)),
              h('td', {}, h('span', { class: `badge ${state.replace(' ', '-')}` }, state)),
              h('td', {}, vm.spec.profile),
              h('td', {}, vm.spec.personality),
              h('td', {}, vm.spec.linuxVersion),
              h('td', {}, vm.sources.map((s) => s.notification).join(', ')),
              h('td', { title: 'source id: records queued behind an unacknowledged one' }, queues),
              h('td', {}, counts),
              h(
                'td',
                { class: 'actions' },
                h('button', { type: 'button', 'aria-label': `Reboot ${vm.id}`, onclick: () => act(`Reboot ${vm.id}`, () => post(vmPath(vm.id, '/reboot'))) }, 'Reboot'),
                h('button', {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Delete ${vm.id}`,
                  onclick: () => {
                    if (confirm(`Delete VM ${vm.id} and its history?`)) act(`Delete ${vm.id}`, () => del(vmPath(vm.id)));
                  },
                }, 'Delete'),
              ),
            );
          }),
          { class: 'vms' },
        ),
      );
  };
  const act = async (what, f) => {
    try {
      await f();
      toast(`${what}: done`);
      await refresh();
    } catch (e) {
      toast(`${what}: ${e.message}`);
    }
  };
  await refresh();
  main.append(await createForm(async (vm) => {
    toast(`VM ${vm.id} created and booted`);
    location.hash = `#/vms/${encodeURIComponent(vm.id)}`;
  }));
  // states and queue depths change under the page: re-read them, redraw only on a change
  const timer = setInterval(() => refresh(true).catch(() => {}), 4000);
  return () => clearInterval(timer);
}

/** The create form; enum choices come from the server's VmCreate schema. */
async function createForm(onCreated) {
  const s = await schemas();
  const props = s.VmCreate.properties;
  const sourceProps = s.SourceSpec.properties;
  const enumOf = (p, fallback) => p?.enum ?? p?.anyOf?.find((a) => a.enum)?.enum ?? fallback;
  const id = h('input', { name: 'vmId', dataset: { pointer: '/id' }, autocomplete: 'off' });
  const profile = select(enumOf(props.profile, ['extended']), 'extended', { name: 'profile', dataset: { pointer: '/profile' } });
  const personality = select(enumOf(props.personality, ['apei-sei']), 'apei-sei', { name: 'personality', dataset: { pointer: '/personality' } });
  const linux = select(enumOf(props.linuxVersion, ['mainline']), 'mainline', { name: 'linuxVersion', dataset: { pointer: '/linuxVersion' } });
  const busy = select(enumOf(props.busyPolicy, ['queue']), 'queue', { name: 'busyPolicy', dataset: { pointer: '/busyPolicy' } });
  const queueDepth = h('input', { type: 'number', min: 1, max: 65536, value: '64', name: 'queueDepth', dataset: { pointer: '/queueDepth' } });
  const diagnostics = h('input', { type: 'checkbox', name: 'diagnostics', dataset: { pointer: '/diagnostics' } });
  const notifications = enumOf(sourceProps.notification, ['sei']);
  const versions = enumOf(sourceProps.version, ['ghesv2', 'ghes']);

  const rows = h('tbody');
  const addSource = (notification = 'sei', version = 'ghesv2', length = '') => {
    const i = () => [...rows.children].indexOf(tr);
    const n = select(notifications, notification, { 'aria-label': 'Notification' });
    const v = select(versions, version, { 'aria-label': 'GHES version' });
    const l = h('input', { type: 'number', min: 20, max: 65536, value: length, 'aria-label': 'Block length (bytes)' });
    // polled sources take a poll interval; interrupt-style ones an interrupt / GSIV / SDEI number
    const x = h('input', { type: 'number', min: 0 });
    const extra = () => (n.value === 'polled' ? 'pollIntervalMs' : n.value === 'sei' || n.value === 'sea' ? undefined : 'vector');
    const syncExtra = () => {
      x.hidden = extra() === undefined;
      x.min = extra() === 'pollIntervalMs' ? '1' : '0';
      renumber();
    };
    n.addEventListener('change', syncExtra);
    let rm;
    // each control with its own message slot for the server's problem at that field
    const cell = (control) => h('td', {}, control, h('small', { class: 'field-error', role: 'alert' }));
    const tr = h(
      'tr',
      {},
      h('td', { class: 'idx' }),
      cell(n),
      cell(v),
      cell(l),
      cell(x),
      h('td', {}, (rm = h('button', { type: 'button', onclick: () => { tr.remove(); renumber(); } }, 'Remove'))),
    );
    tr.read = () => {
      const o = { notification: n.value, version: v.value };
      if (l.value !== '') o.errorBlockLength = Number(l.value);
      if (extra() && x.value !== '') o[extra()] = Number(x.value);
      return o;
    };
    tr.controls = { n, v, l, x, rm, extra };
    rows.append(tr);
    syncExtra();
    return i;
  };
  const renumber = () => {
    [...rows.children].forEach((tr, i) => {
      const named = (control, id) => {
        control.id = id;
        const err = control.nextElementSibling;
        err.id = `${id}-err`;
        control.setAttribute('aria-describedby', err.id);
      };
      named(tr.controls.n, `src-${i}-notification`);
      named(tr.controls.v, `src-${i}-version`);
      named(tr.controls.l, `src-${i}-length`);
      named(tr.controls.x, `src-${i}-extra`);
      tr.firstChild.textContent = String(i);
      tr.controls.n.dataset.pointer = `/sources/${i}/notification`;
      tr.controls.n.setAttribute('aria-label', `Source ${i} notification`);
      tr.controls.v.dataset.pointer = `/sources/${i}/version`;
      tr.controls.v.setAttribute('aria-label', `Source ${i} GHES version`);
      tr.controls.l.dataset.pointer = `/sources/${i}/errorBlockLength`;
      tr.controls.l.setAttribute('aria-label', `Source ${i} block length`);
      tr.controls.rm.setAttribute('aria-label', `Remove source ${i}`);
      const what = tr.controls.extra();
      tr.controls.x.dataset.pointer = `/sources/${i}/${what ?? 'vector'}`;
      tr.controls.x.setAttribute('aria-label', what === 'pollIntervalMs' ? `Source ${i} poll interval (ms)` : `Source ${i} interrupt, GSIV or SDEI event number`);
    });
  };
  addSource('sei');
  addSource('sea');
  addSource('gpio');
  const builder = h(
    'fieldset',
    { class: 'sources' },
    h('legend', {}, 'Error sources (extended profile)'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['#', 'Notification', 'Version', 'Block length (empty: 1024)', 'Poll interval (ms) or vector', ''].map((x) => h('th', { scope: 'col' }, x)))), rows)),
    h('button', { type: 'button', onclick: () => addSource('sei') }, 'Add source'),
    h('small', { class: 'field-error', id: 'sources-err', role: 'alert', dataset: {} }),
  );
  const sourcesError = h('input', { type: 'hidden', id: 'sources', dataset: { pointer: '/sources' } });
  builder.append(sourcesError);
  profile.addEventListener('change', () => (builder.hidden = profile.value !== 'extended'));

  const formError = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'create-title', novalidate: true },
    h('h2', { id: 'create-title' }, 'Create a VM'),
    h('div', { class: 'grid' },
      field('VM id', id, 'empty: a generated vm-… id'),
      field('Machine profile', profile),
      field('Guest personality', personality, 'apei-sei: SError syndromes mark RAS errors; linux: what a real kernel does'),
      field('Linux version', linux),
      field('Busy policy', busy, 'when the guest has not acknowledged the previous record'),
      field('Queue depth', queueDepth),
      h('div', { class: 'field check' }, diagnostics, h('label', { for: (diagnostics.id = 'create-diagnostics') }, 'Diagnostics (expose the crash report)')),
    ),
    builder,
    formError,
    h('button', { type: 'submit', class: 'primary' }, 'Create and boot'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    formError.textContent = '';
    const body = { profile: profile.value, personality: personality.value, linuxVersion: linux.value, busyPolicy: busy.value, diagnostics: diagnostics.checked };
    if (id.value.trim()) body.id = id.value.trim();
    if (queueDepth.value !== '') body.queueDepth = Number(queueDepth.value);
    if (profile.value === 'extended') body.sources = [...rows.children].map((tr) => tr.read());
    try {
      const vm = await post('/vms', body);
      showProblemAtFields(form, undefined);
      onCreated(vm);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const rest = showProblemAtFields(form, e.problem);
      formError.textContent = rest.length ? rest.map((x) => `${x.pointer || 'request'}: ${x.message}`).join('; ') : e.problem?.errors ? '' : e.message;
    }
  });
  return form;
}
