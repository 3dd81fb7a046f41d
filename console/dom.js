// Small DOM helpers: elements are built with h(); text always goes through textContent, never
// innerHTML, so nothing the gateway returns can become markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A labelled control: <div class="field"><label for>…</label>control<small error></small></div>. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  const err = h('small', { class: 'field-error', id: control.id + '-err', role: 'alert' });
  const describedBy = [err.id];
  let hintEl;
  if (hint) {
    hintEl = h('small', { class: 'hint', id: control.id + '-hint' }, hint);
    describedBy.push(hintEl.id);
  }
  control.setAttribute('aria-describedby', describedBy.join(' '));
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl, err);
}

export function select(options, value, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    s.append(h('option', { value: v }, text));
  }
  if (value !== undefined) s.value = value;
  return s;
}

export function table(caption, headers, rows, attrs = {}) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      attrs,
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map((c) => h('td', {}, c)))))),
    ),
  );
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), 4000);
}

/** Saves bytes or text as a file through a temporary object URL. */
export function saveFile(name, data, type = 'application/octet-stream') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function base64ToBytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function hex(n, width = 0) {
  return '0x' + Number(n).toString(16).padStart(width, '0');
}

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

/** Marks each problem at the control whose data-pointer is its JSON pointer; returns the others. */
export function showProblemAtFields(container, problem) {
  for (const el of container.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of container.querySelectorAll('.field-error')) el.textContent = '';
  const unplaced = [];
  for (const e of problem?.errors ?? []) {
    const control = findControl(container, e.pointer);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      const err = document.getElementById(control.id + '-err');
      if (err) err.textContent = cleanMessage(e.message);
    } else unplaced.push(e);
  }
  const first = container.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
  return unplaced;
}

function findControl(container, pointer) {
  if (pointer === undefined) return undefined;
  for (const el of container.querySelectorAll('[data-pointer]')) if (el.dataset.pointer === pointer) return el;
  return undefined;
}

/** The codec's messages repeat the code and dotted path before the text: keep the text. */
export function cleanMessage(m) {
  return String(m ?? "").replace(/^[a-z_]+ \[.*?\]: (invalid status block JSON: )?/, "");
}
