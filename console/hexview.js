// A hex view of a status block where pointing at a byte (mouse hover, or the arrow keys once the
// view has focus) names its field: offset, field name, JSON pointer and the field's bytes.
import { h } from './dom.js';

function spanAt(spans, off) {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid];
    if (off < s.offset) hi = mid - 1;
    else if (off >= s.offset + s.length) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/** The decoded meaning unless it only repeats the value (the same number). */
function meaningOf(decodedValue, value) {
  const text = decodedText(decodedValue);
  if (text === '' || text === value) return '';
  const asNumber = typeof decodedValue === 'number' ? BigInt(decodedValue) : typeof decodedValue === 'string' && /^0x[0-9a-f]+$/i.test(decodedValue) ? BigInt(decodedValue) : undefined;
  if (asNumber !== undefined && /^0x[0-9a-f]+$/.test(value) && BigInt(value) === asNumber) return '';
  return text;
}

function valueText(bytes, s) {
  if (s.length > 8) return `${s.length} bytes`;
  let v = 0n;
  for (let i = s.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[s.offset + i]);
  return `0x${v.toString(16)}`;
}

/** The value at a JSON pointer of `doc`, or undefined. */
function at(doc, pointer) {
  let node = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** A short text of a decoded value: enum names and flags by name, long values cut. */
function decodedText(v) {
  if (v === undefined) return '';
  if (v && typeof v === 'object' && 'name' in v && 'value' in v) return String(v.name);
  if (v && typeof v === 'object' && 'raw' in v) {
    const set = Object.entries(v).filter(([k, x]) => k !== 'raw' && x === true).map(([k]) => k);
    return set.length ? set.join(', ') : 'none set';
  }
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > 60 ? t.slice(0, 57) + '…' : t;
}

/** `decoded` (optional): the decoded JSON form the spans' paths point into. */
export function hexView(bytes, spans, label = 'Status block bytes', decoded = undefined) {
  const caption = h('p', { class: 'hex-caption', role: 'status', 'aria-live': 'polite' }, 'Point at a byte (or focus the bytes and use the arrow keys) to name its field.');
  const grid = h('div', { class: 'hex', tabindex: 0, role: 'group', 'aria-label': `${label}: ${bytes.length} bytes; arrow keys move between bytes` });
  const cells = [];
  for (let row = 0; row < bytes.length; row += 16) {
    const line = h('div', { class: 'hex-row' }, h('span', { class: 'hex-off' }, row.toString(16).padStart(4, '0')));
    for (let i = row; i < Math.min(row + 16, bytes.length); i++) {
      const s = spanAt(spans, i);
      const cell = h('span', { class: `hex-byte${s ? '' : ' unnamed'}${s && (spans.indexOf(s) & 1) ? ' alt' : ''}`, dataset: { off: String(i) } }, bytes[i].toString(16).padStart(2, '0'));
      cells.push(cell);
      line.append(cell);
    }
    grid.append(line);
  }
  let current;
  let lit = [];
  const point = (off) => {
    if (off < 0 || off >= bytes.length) return;
    for (const c of lit) c.classList.remove('lit', 'cursor');
    lit = [];
    current = off;
    const s = spanAt(spans, off);
    if (s) for (let i = s.offset; i < s.offset + s.length; i++) lit.push(cells[i]);
    lit.forEach((c) => c.classList.add('lit'));
    cells[off].classList.add('cursor');
    lit.push(cells[off]);
    const meaning = s && decoded !== undefined ? meaningOf(at(decoded, s.path), valueText(bytes, s)) : '';
    caption.textContent = s
      ? `Byte 0x${off.toString(16)} (${off}): ${s.name} — ${s.path}, bytes ${s.offset}–${s.offset + s.length - 1}, value ${valueText(bytes, s)}${meaning ? ` (${meaning})` : ''}`
      : `Byte 0x${off.toString(16)} (${off}): not part of a named field`;
    caption.dataset.field = s ? s.name : '';
    caption.dataset.path = s ? s.path : '';
  };
  grid.addEventListener('mouseover', (ev) => {
    const off = ev.target?.dataset?.off;
    if (off !== undefined) point(Number(off));
  });
  grid.addEventListener('focus', () => {
    if (current === undefined) point(0);
  });
  grid.addEventListener('keydown', (ev) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 16, ArrowUp: -16, PageDown: 256, PageUp: -256 }[ev.key];
    if (ev.key === 'Home') point(0);
    else if (ev.key === 'End') point(bytes.length - 1);
    else if (step !== undefined) point(Math.max(0, Math.min(bytes.length - 1, (current ?? 0) + step)));
    else return;
    ev.preventDefault();
  });
  // the fields as a list beside the bytes: pointing at a row lights its bytes
  const rows = spans.map((sp) => {
    const value = valueText(bytes, sp);
    const meaning = decoded !== undefined ? meaningOf(at(decoded, sp.path), value) : '';
    const tr = h('tr', { tabindex: 0, dataset: { off: String(sp.offset) } },
      h('td', {}, `0x${sp.offset.toString(16)}`),
      h('td', {}, String(sp.length)),
      h('th', { scope: 'row', title: sp.path }, sp.name),
      h('td', {}, meaning ? `${value} (${meaning})` : value));
    tr.addEventListener('mouseenter', () => point(sp.offset));
    tr.addEventListener('focus', () => point(sp.offset));
    return tr;
  });
  const list = h('div', { class: 'hex-fields' },
    h('table', {}, h('caption', {}, `${spans.length} fields`), h('thead', {}, h('tr', {}, ['Offset', 'Bytes', 'Field', 'Value'].map((x) => h('th', { scope: 'col' }, x)))), h('tbody', {}, rows)));
  return h('div', { class: 'hex-view' }, h('div', { class: 'hex-main' }, grid, caption), list);
}
