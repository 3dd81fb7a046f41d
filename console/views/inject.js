// Inject: target source (and the SError syndrome for SEI), a form per CPER section type generated
// from the server's schema, ghes_inject.py presets, a JSON editor with the server's problems at
// their JSON pointer, and .gesb / .cper upload.
import { ApiError, post, schemas, vmPath } from '../api.js';
import { bytesToBase64, clear, cleanMessage, field, h, select, showProblemAtFields } from '../dom.js';
import { PRESETS } from '../presets.js';
import { objectForm, resolver, sectionTypes } from '../schemaForm.js';

const SEVERITIES = ['recoverable', 'fatal', 'corrected', 'informational'];

/** Line (1-based) of the member a JSON pointer names in JSON.stringify(value, null, 2) text. */
export function lineOfPointer(text, pointer) {
  const lines = text.split('\n');
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let line = 0;
  let indent = 0;
  for (const part of parts) {
    indent += 2;
    let found = -1;
    let index = -1;
    for (let i = line + 1; i < lines.length; i++) {
      const l = lines[i];
      const ind = l.length - l.trimStart().length;
      if (ind < indent) break;
      if (ind !== indent) continue;
      index += 1;
      if (l.trimStart().startsWith(JSON.stringify(part) + ':') || String(index) === part) {
        found = i;
        break;
      }
    }
    if (found < 0) return line + 1;
    line = found;
  }
  return line + 1;
}

export async function renderInject(vm, body) {
  const components = await schemas();
  const resolve = resolver(components);
  const types = sectionTypes(components);

  // target
  const target = select(vm.sources.map((s) => [String(s.sourceId), `source ${s.sourceId}: ${s.notification} (${s.version})`]), String(vm.sources[0]?.sourceId ?? 0), { id: 'inject-target', dataset: { pointer: '/sourceId' } });
  const iss = h('input', { id: 'inject-iss', type: 'text', autocomplete: 'off', dataset: { pointer: '/esrIss' } });
  const issField = field('SError syndrome ISS (ESR.ISS, SEI only)', iss, 'e.g. 0x1 or empty: the device model picks the RAS syndrome for the block severity');
  const syncIss = () => {
    const src = vm.sources.find((s) => String(s.sourceId) === target.value);
    issField.hidden = src?.notification !== 'sei';
    writeJson();
  };
  target.addEventListener('change', syncIss);
  iss.addEventListener('input', () => writeJson());

  // section form
  const severity = select(SEVERITIES, 'recoverable', { id: 'inject-severity', dataset: { pointer: '/cper/errorSeverity' } });
  const sectionType = select(types.map((t) => t.type), 'arm', { id: 'inject-section-type' });
  const preset = select([['', '(choose a preset)'], ...PRESETS.map((p) => [p.id, p.command])], '', { id: 'inject-preset' });
  const formBox = h('div', { class: 'section-form' });
  let form;
  let extraBlock = {};
  let extraEntry = {};
  const buildForm = () => {
    const t = types.find((x) => x.type === sectionType.value);
    clear(formBox);
    form = objectForm(t.schema, '/cper/entries/0/section', resolve, () => writeJson());
    formBox.append(form);
  };
  sectionType.addEventListener('change', () => {
    extraBlock = {};
    extraEntry = {};
    buildForm();
    writeJson();
  });
  severity.addEventListener('change', () => writeJson());

  // JSON editor: what is sent
  const editor = h('textarea', { id: 'inject-json', class: 'json-editor', rows: 18, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'inject-json-errors' });
  const jsonErrors = h('ul', { id: 'inject-json-errors', class: 'json-errors', 'aria-live': 'polite' });
  let editedByHand = false;
  editor.addEventListener('input', () => {
    editedByHand = true;
    checkJsonSyntax();
  });

  const bodyFromForm = () => {
    const out = {};
    if (upload) out[upload.field] = upload.base64;
    else {
      const section = { type: sectionType.value, ...form.read() };
      out.cper = { errorSeverity: severity.value, ...extraBlock, entries: [{ ...extraEntry, section }] };
    }
    out.sourceId = Number(target.value);
    const v = iss.value.trim();
    if (!issField.hidden && v !== '') out.esrIss = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^[0-9]+$/.test(v) ? Number(v) : v;
    return out;
  };
  function writeJson() {
    if (!form) return;
    editor.value = JSON.stringify(bodyFromForm(), null, 2);
    editedByHand = false;
    clear(jsonErrors);
  }
  function checkJsonSyntax() {
    clear(jsonErrors);
    try {
      JSON.parse(editor.value);
      editor.removeAttribute('aria-invalid');
      return true;
    } catch (e) {
      const m = /position (\d+)/.exec(e.message);
      const line = m ? editor.value.slice(0, Number(m[1])).split('\n').length : undefined;
      jsonErrors.append(h('li', {}, `JSON syntax${line ? ` (line ${line})` : ''}: ${e.message}`));
      editor.setAttribute('aria-invalid', 'true');
      return false;
    }
  }

  preset.addEventListener('change', () => {
    const p = PRESETS.find((x) => x.id === preset.value);
    if (!p) return;
    upload = undefined;
    file.value = '';
    delete file.dataset.pointer;
    uploadInfo.textContent = '';
    const { entries, errorSeverity, ...block } = structuredClone(p.cper);
    const { section, ...entry } = entries[0];
    extraBlock = block;
    extraEntry = entry;
    severity.value = errorSeverity;
    sectionType.value = section.type;
    buildForm();
    form.fill(section);
    writeJson();
  });

  // upload: a CPER record (.cper, or a file that starts with "CPER") goes as `cperRecord`, which the
  // gateway wraps into a status block; anything else as `raw`, a status block as it is. The
  // gateway checks the bytes: its problem (with the byte offset) is shown at this field.
  let upload;
  const file = h('input', { id: 'inject-file', type: 'file', accept: '.gesb,.cper,.bin,application/octet-stream' });
  const uploadInfo = h('p', { class: 'hint', role: 'status' });
  file.addEventListener('change', async () => {
    const f = file.files[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const signed = bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === 'CPER';
    const isRecord = /\.cper$/i.test(f.name) || (!/\.gesb$/i.test(f.name) && signed);
    upload = { name: f.name, field: isRecord ? 'cperRecord' : 'raw', base64: bytesToBase64(bytes) };
    file.dataset.pointer = `/${upload.field}`;
    showProblemAtFields(root, undefined);
    uploadInfo.textContent = isRecord
      ? `${f.name}: a ${bytes.length}-byte CPER record, sent as cperRecord (the gateway wraps it into a status block). Clear the file to use the form again.`
      : `${f.name}: ${bytes.length} bytes, sent as raw (a status block as it is). Clear the file to use the form again.`;
    writeJson();
  });
  const clearUpload = h('button', { type: 'button', onclick: () => { upload = undefined; file.value = ''; delete file.dataset.pointer; uploadInfo.textContent = ''; showProblemAtFields(root, undefined); writeJson(); } }, 'Clear file');

  const result = h('div', { class: 'inject-result', role: 'status', 'aria-live': 'polite' });
  const formError = h('p', { class: 'error', role: 'alert' });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Inject');
  const root = h(
    'form',
    { class: 'inject', 'aria-label': 'Inject an error', novalidate: true },
    h('div', { class: 'grid' }, field('Target source', target), issField, field('Preset (ghes_inject.py options)', preset), field('Section type', sectionType), field('Error severity', severity)),
    h('div', { class: 'inject-layout' },
      h('div', { class: 'inject-fields' },
        h('h2', {}, 'Section fields'),
        h('p', { class: 'hint' }, 'Generated from the CPER JSON schema the gateway validates with (/openapi.json, CperStatusBlock). Numbers as 0x… hex or decimal; empty fields take the codec\'s defaults; validation bits and lengths are computed.'),
        formBox,
        h('h2', {}, 'Or a file'),
        h('div', { class: 'toolbar upload' }, field('Status block (.gesb) or CPER record (.cper)', file, 'a .cper file, or one starting with "CPER", is sent as cperRecord; any other as raw'), clearUpload),
        uploadInfo),
      h('div', { class: 'inject-send' },
        h('h2', {}, h('label', { for: 'inject-json' }, 'Request body (JSON, editable)')),
        editor,
        jsonErrors,
        formError,
        send,
        result)),
  );
  root.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    formError.textContent = '';
    clear(result);
    const bodyValue = editedByHand ? (checkJsonSyntax() ? JSON.parse(editor.value) : undefined) : bodyFromForm();
    if (bodyValue === undefined) return;
    if (!editedByHand) editor.value = JSON.stringify(bodyValue, null, 2);
    send.disabled = true;
    try {
      const accepted = await post(vmPath(vm.id, '/errors'), bodyValue);
      showProblemAtFields(root, undefined);
      clear(jsonErrors);
      const link = `#/vms/${encodeURIComponent(vm.id)}/errors/${encodeURIComponent(accepted.id)}`;
      result.append(
        h('p', {}, `Injection ${accepted.id} accepted: ${accepted.state} on source ${accepted.sourceId ?? '?'}${accepted.panicked ? ' — the guest panicked' : ''}. `),
        h('a', { href: link, class: 'button' }, `Open the timeline of injection ${accepted.id}`),
        ' ',
        h('a', { href: `#/vms/${encodeURIComponent(vm.id)}/activity`, class: 'button' }, 'Live log'),
      );
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const unplaced = showProblemAtFields(root, e.problem);
      const text = editor.value;
      for (const x of e.problem?.errors ?? []) {
        const line = lineOfPointer(text, x.pointer ?? '');
        jsonErrors.append(h('li', { dataset: { pointer: x.pointer } }, h('button', { type: 'button', class: 'link', onclick: () => selectLine(editor, line) }, `line ${line}`), ` ${x.pointer || '(body)'}: ${cleanMessage(x.message)}`));
      }
      if (jsonErrors.firstChild) editor.setAttribute('aria-invalid', 'true');
      formError.textContent = e.problem?.errors?.length ? (unplaced.length ? 'The gateway refused the request: see the marked fields and the JSON below.' : 'The gateway refused the request: see the marked fields.') : `${e.problem?.title ?? 'Refused'}: ${e.message}`;
    } finally {
      send.disabled = false;
    }
  });

  body.append(root);
  buildForm();
  preset.value = 'arm';
  preset.dispatchEvent(new Event('change'));
  syncIss();
}

function selectLine(textarea, line) {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
}
