// Forms generated from the JSON Schema the server validates with (/openapi.json, component
// CperStatusBlock): one form per CPER section type. Each control carries data-pointer, the JSON
// pointer of its value in the request body, so the server's problems land at the right field.
import { h, select, uid } from './dom.js';

export function resolver(components) {
  const resolve = (s) => {
    let n = s;
    for (let i = 0; n && n.$ref && i < 20; i++) n = components[n.$ref.replace('#/components/schemas/', '')];
    return n ?? {};
  };
  return resolve;
}

/** The section alternatives of the CPER JSON form: [{ type, schema }]. */
export function sectionTypes(components) {
  const resolve = resolver(components);
  const block = resolve(components.CperStatusBlock);
  const entry = resolve(resolve(block.properties.entries).items);
  const section = resolve(entry.properties.section);
  const alts = (section.oneOf ?? section.anyOf ?? []).map(resolve);
  return alts.map((schema) => ({ type: resolve(schema.properties?.type).const, schema })).filter((a) => a.type);
}

// fixed by the section type (const) or kept only for byte-exact round trips
const SKIP = new Set(['trailing']);

function alternatives(s, resolve) {
  const r = resolve(s);
  return (r.anyOf ?? r.oneOf ?? [r]).map(resolve);
}

function kindOf(s, resolve) {
  const alts = alternatives(s, resolve);
  const enumAlt = alts.find((a) => Array.isArray(a.enum) && a.enum.every((x) => typeof x === 'string'));
  if (enumAlt) return { kind: 'enum', values: enumAlt.enum };
  const arr = alts.find((a) => a.type === 'array' && a.items);
  if (arr) {
    const item = alternatives(arr.items, resolve).find((a) => a.type === 'object' && a.properties);
    if (item) return { kind: 'array', item, max: arr.maxItems };
  }
  const obj = alts.find((a) => a.type === 'object' && a.properties && Object.keys(a.properties).length > 0);
  const types = new Set(alts.flatMap((a) => (Array.isArray(a.type) ? a.type : [a.type])).filter(Boolean));
  if (types.size === 1 && types.has('boolean')) return { kind: 'boolean' };
  if (alts.some((a) => a.type === 'object' && !a.properties && a.additionalProperties)) return { kind: 'json' };
  if (obj) return { kind: 'object', schema: obj, scalar: types.has('number') || types.has('string') || types.has('integer') };
  return { kind: 'text', numeric: types.has('number') || types.has('integer'), stringy: types.has('string') || types.size === 0 };
}

const ACRONYMS = new Set(['mpidr', 'midr', 'psci', 'pc', 'ip', 'id', 'fru', 'isa', 'cpu', 'pcie', 'rcrb', 'aer', 'guid', 'oem', 'cxl', 'dvsec', 'ccix', 'per', 'iommu', 'vtd', 'dmar', 'soc', 'esr', 'far', 'pfn', 'apic', 'cpuid', 'msr', 'el1', 'el2', 'el3']);

/** A field's label from its JSON name: camelCase split into words, acronyms in capitals. */
export function words(key) {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/**
 * A form for one schema object. `base` is the JSON pointer of the object in the body; `onChange`
 * runs on every edit. The returned element has .read() → the object of the non-empty fields and
 * .fill(value) to show a value.
 */
export function objectForm(schema, base, resolve, onChange, depth = 0, labelPrefix = '') {
  const box = h('div', { class: depth === 0 ? 'schema-form grid' : 'schema-form nested' });
  const readers = [];
  const fillers = [];
  const required = new Set(schema.required ?? []);
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (SKIP.has(key) || resolve(prop).const !== undefined) continue;
    const pointer = `${base}/${key}`;
    const label = `${labelPrefix}${words(key)}`;
    const mark = required.has(key) ? ' (required)' : '';
    const k = kindOf(prop, resolve);
    const desc = resolve(prop).description;
    if (k.kind === 'array') {
      if (depth > 1) continue;
      const items = h('div', { class: 'array-items' });
      const forms = [];
      const add = () => {
        const i = forms.length;
        const f = objectForm(k.item, `${pointer}/${i}`, resolve, onChange, depth + 1, `${label} ${i} `);
        const fs = h('fieldset', { class: 'array-item' }, h('legend', {}, `${label} ${i}`), f, h('button', { type: 'button', onclick: () => { removeLast(); onChange(); } }, `Remove ${label.toLowerCase()} ${i}`));
        forms.push(f);
        items.append(fs);
        return f;
      };
      const removeLast = () => {
        forms.pop();
        items.lastChild?.remove();
      };
      const addBtn = h('button', { type: 'button', onclick: () => { add(); onChange(); } }, `Add ${label.toLowerCase()}`);
      box.append(h('fieldset', { class: 'array wide', dataset: { key } }, h('legend', {}, label + mark), items, addBtn));
      // a required list starts with one entry (the schema's minimum to be valid)
      if (required.has(key)) add();
      readers.push((out) => {
        if (forms.length) out[key] = forms.map((f) => f.read());
      });
      fillers.push((v) => {
        while (forms.length) removeLast();
        const list = Array.isArray(v?.[key]) ? v[key] : required.has(key) ? [{}] : [];
        for (const item of list) add().fill(item);
      });
      continue;
    }
    if (k.kind === 'object' && depth < 2) {
      // a value that is either a number (the raw field) or an object of named parts: a text
      // input for the number, the parts in a collapsed group; the number wins when given
      const f = objectForm(k.schema, pointer, resolve, onChange, depth + 1, `${label} `);
      let scalar;
      if (k.scalar) {
        const sid = uid('cper');
        scalar = h('input', { id: sid, type: 'text', autocomplete: 'off', spellcheck: 'false', dataset: { pointer } });
        scalar.addEventListener('input', onChange);
        const err = h('small', { class: 'field-error', id: `${sid}-err`, role: 'alert' });
        scalar.setAttribute('aria-describedby', err.id);
        box.append(h('div', { class: 'field' }, h('label', { for: sid, title: desc ?? pointer }, label), scalar, err));
      }
      const d = h('details', { class: 'wide', dataset: { key } }, h('summary', {}, k.scalar ? `${label}: by field` : label), f);
      box.append(d);
      readers.push((out) => {
        const raw = scalar?.value.trim();
        if (raw) {
          out[key] = /^[0-9]+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
          return;
        }
        const v = f.read();
        if (Object.keys(v).length) out[key] = v;
      });
      fillers.push((v) => {
        const x = v?.[key];
        if (x !== undefined && x !== null && typeof x !== 'object') {
          if (scalar) scalar.value = String(x);
          f.fill({});
        } else {
          if (scalar) scalar.value = '';
          f.fill(x ?? {});
          if (x !== undefined) d.open = true;
        }
      });
      continue;
    }
    let control;
    const id = uid('cper');
    // a required choice has no "(default)": its first value is preselected
    if (k.kind === 'enum') control = mark ? select(k.values, k.values[0], { id }) : select([['', '(default)'], ...k.values], '', { id });
    else if (k.kind === 'boolean') control = select([['', '(default)'], ['true', 'true'], ['false', 'false']], '', { id });
    else control = h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: k.numeric && !k.stringy ? 'numeric' : undefined });
    control.dataset.pointer = pointer;
    if (mark) control.setAttribute('aria-required', 'true');
    control.addEventListener(control.tagName === 'SELECT' ? 'change' : 'input', onChange);
    const err = h('small', { class: 'field-error', id: `${id}-err`, role: 'alert' });
    control.setAttribute('aria-describedby', err.id);
    box.append(h('div', { class: 'field' }, h('label', { for: id, title: desc ?? pointer }, label + mark, k.kind === 'json' ? h('span', { class: 'unit' }, ' (JSON object)') : null), control, err));
    readers.push((out) => {
      const v = control.value.trim();
      if (v === '') return;
      if (k.kind === 'boolean') out[key] = v === 'true';
      else if (k.kind === 'json') {
        try {
          out[key] = JSON.parse(v);
        } catch {
          out[key] = v; // sent as typed: the server names the problem at this field
        }
      }
      else if (k.kind === 'text' && k.numeric && /^-?[0-9]+$/.test(v) && Number.isSafeInteger(Number(v))) out[key] = Number(v);
      else out[key] = v;
    });
    fillers.push((v) => {
      const x = v?.[key];
      if (x === undefined || x === null) control.value = control.tagName === 'SELECT' && mark ? control.options[0].value : '';
      else if (k.kind === 'json' || typeof x === 'object') control.value = k.kind === 'json' ? JSON.stringify(x) : x.name ?? x.raw ?? x.text ?? JSON.stringify(x);
      else control.value = String(x);
    });
  }
  box.read = () => {
    const out = {};
    for (const r of readers) r(out);
    return out;
  };
  box.fill = (v) => {
    for (const f of fillers) f(v);
  };
  return box;
}
